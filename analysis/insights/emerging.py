"""Emerging issues: a theme x product whose share of complaints rose in the latest period, tested against its own past.

Emerging issue test. For every theme x product, the share of that product's reviews that mention the theme
negatively in the latest period is compared with the same share over all earlier periods (its own baseline) by a
one-sided Fisher exact test; p-values are corrected over all pairs tested (Benjamini-Hochberg). An issue is reported
when q < ``alpha``, the share at least doubled (``min_lift``), and the counts are large enough to mean something:
at least ``min_mentions`` (5) negative mentions in the latest period, ``min_period_reviews`` (10) reviews of the
product in that period and ``min_baseline_reviews`` (30) before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.insights.trends import Bucket, choose_bucket, mentions_with_reviews, period_start


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if not len(p):
        return p
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = np.minimum(q, 1.0)
    return out


ISSUE_COLUMNS = ["theme_id", "label", "keywords", "period", "mentions", "period_reviews", "share",
                 "baseline_mentions", "baseline_reviews", "baseline_share", "lift", "p_value", "q_value", "quotes",
                 "new_keywords", "first_period"]


@dataclass
class IssueCounts:
    """What the emerging-issue test reads: counts per group x period and per theme x group x period, nothing per
    review. Counts of disjoint sets of reviews add up, so a run in batches (``analysis.runs.distributed``) sums them.

    ``totals``: reviews per (group, period); ``negative`` and ``mentions``: (review, theme) pairs per (theme_id,
    group, period), those with a negative clause and all of them. Groups are names (``by`` values, "—" when blank),
    periods the first day of each period under ``bucket``; undated reviews are left out."""

    by: str
    bucket: str
    totals: pd.Series
    negative: pd.Series
    mentions: pd.Series

    @property
    def hits(self) -> pd.Series:
        """The mentions the test counts: the negative ones, unless no mention at all is negative."""
        return self.negative if self.negative.sum() > 0 else self.mentions


def issue_counts(reviews: pd.DataFrame, theme_result, bucket: Bucket, by: str = "product") -> IssueCounts:
    """The ``IssueCounts`` of reviews (canonical columns ``date`` and ``by``) and their themes, periods by ``bucket``."""
    periods = period_start(pd.to_datetime(reviews["date"], errors="coerce"), bucket)
    groups = reviews[by].fillna("—").astype(str).to_numpy() if by in reviews else np.full(len(reviews), "—")
    # groups as integer codes (a million reviews' names as Python strings cost hundreds of MB)
    codes, names = pd.factorize(groups, sort=True)
    dated = periods.notna().to_numpy()
    totals = pd.DataFrame({"group": codes[dated], "period": periods.to_numpy()[dated]}).groupby(
        ["group", "period"]).size()
    pairs = mentions_with_reviews(reviews, theme_result, columns=())
    review = pairs["review"].to_numpy(dtype=np.int64)
    keep = dated[review]
    frame = pd.DataFrame({"theme_id": pairs["theme_id"].to_numpy()[keep], "group": codes[review[keep]],
                          "period": periods.to_numpy()[review[keep]], "negative": pairs["negative"].to_numpy()[keep]})
    counted = frame.groupby(["theme_id", "group", "period"])

    def named(series: pd.Series) -> pd.Series:
        level = series.index.names.index("group")
        return series.set_axis(series.index.set_levels(names[series.index.levels[level]], level=level)
                               if len(series) else series.index)
    return IssueCounts(by=by, bucket=bucket, totals=named(totals), negative=named(counted["negative"].sum()),
                       mentions=named(counted.size()))


def emerging_issues(
    reviews: pd.DataFrame,
    theme_result,
    bucket: Bucket | None = None,
    period: pd.Timestamp | str | None = None,
    by: str = "product",
    alpha: float = 0.05,
    min_lift: float = 2.0,
    min_mentions: int = 5,
    min_period_reviews: int = 10,
    min_baseline_reviews: int = 30,
    text_of: Callable[[list[int]], list[str]] | None = None,
    sentences_of: Callable[[int], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Theme x product pairs whose share of negative mentions in the latest period rises significantly.

    Args:
        period: the period to test (start date or any date inside it); the latest period when None.
        by: ``product`` (default) or ``category``.
        alpha: false discovery rate over all pairs tested.
        text_of: review texts by position, for the quotes, when ``reviews`` has no ``text`` column (a file read in
            pieces keeps its texts on disk).
        sentences_of: a theme's clause mentions with their ``sentence``, when ``theme_result.mentions`` has none.

    Returns:
        One row per issue, most significant first: theme_id, label, keywords, product (the ``by`` value), period,
        mentions, period_reviews, share, baseline_mentions, baseline_reviews, baseline_share, lift, p_value,
        q_value, quotes (3 of the period's reviews), new_keywords (what the flagged reviews say that the
        theme's other mentions do not), first_period (onset: the period from which on the share
        differs most significantly from the share before it, a one-split change point).
    """
    dates = pd.to_datetime(reviews["date"], errors="coerce")
    if dates.isna().all() or by not in reviews:
        return pd.DataFrame(columns=_columns(by))
    counts = issue_counts(reviews, theme_result, bucket or choose_bucket(dates), by)
    periods = period_start(dates, counts.bucket).to_numpy()
    groups = reviews[by].fillna("—").astype(str).to_numpy()
    pairs = mentions_with_reviews(reviews, theme_result, columns=())
    pairs = pairs[pairs["negative"]] if counts.negative.sum() > 0 else pairs
    if text_of is None:
        texts = reviews["text"].astype(str).to_numpy()

        def text_of(positions: list[int]) -> list[str]:
            return [texts[i] for i in positions]

    def details(found: pd.DataFrame, latest: pd.Timestamp) -> tuple[list[list[str]], list[list[str]]]:
        quotes, new_words = [], []
        review = pairs["review"].to_numpy(dtype=np.int64)
        for r in found.itertuples():
            hits = pairs[(pairs["theme_id"].to_numpy() == r.theme_id) & (groups[review] == getattr(r, by))
                         & (periods[review] == latest)]
            now = hits.sort_values("similarity", ascending=False)
            quotes.append([" ".join(t.split())[:200] for t in text_of(now["review"].drop_duplicates().head(3).tolist())])
            clauses = theme_result.mentions if sentences_of is None else sentences_of(int(r.theme_id))
            new_words.append(_distinctive_words(clauses, int(r.theme_id), set(now["review"].tolist())))
        return quotes, new_words

    return issues_from_counts(counts, theme_result.themes, details, period, alpha, min_lift, min_mentions,
                              min_period_reviews, min_baseline_reviews)


def _columns(by: str) -> list[str]:
    return ISSUE_COLUMNS[:3] + [by] + ISSUE_COLUMNS[3:]


def issues_from_counts(
    counts: IssueCounts,
    themes: pd.DataFrame,
    details: Callable[[pd.DataFrame, pd.Timestamp], tuple[list[list[str]], list[list[str]]]],
    period: pd.Timestamp | str | None = None,
    alpha: float = 0.05,
    min_lift: float = 2.0,
    min_mentions: int = 5,
    min_period_reviews: int = 10,
    min_baseline_reviews: int = 30,
) -> pd.DataFrame:
    """``emerging_issues`` from counts: the tests, and ``details(found, latest)`` for each issue's quotes and
    new keywords (the only part that reads reviews, and only those of the flagged theme x group x period)."""
    from scipy.stats import fisher_exact

    by = counts.by
    cols = _columns(by)
    if not len(counts.totals):
        return pd.DataFrame(columns=cols)
    totals = counts.totals
    all_periods = totals.index.get_level_values("period")
    latest = all_periods.max() if period is None else \
        period_start(pd.Series([pd.Timestamp(period)]), counts.bucket).iloc[0]
    period_totals = totals[all_periods == latest].groupby(level="group").sum()
    baseline_totals = totals[all_periods < latest].groupby(level="group").sum()
    hits = counts.hits
    hits = hits[hits > 0]
    hit_periods = hits.index.get_level_values("period")
    recent = hits[hit_periods == latest].groupby(level=["theme_id", "group"]).sum()
    baseline = hits[hit_periods < latest].groupby(level=["theme_id", "group"]).sum()

    rows = []
    for (theme, grp), count in recent.items():
        n_recent = int(period_totals.get(grp, 0))
        n_base = int(baseline_totals.get(grp, 0))
        if count < min_mentions or n_recent < min_period_reviews or n_base < min_baseline_reviews:
            continue
        k_base = int(baseline.get((theme, grp), 0))
        table = [[int(count), n_recent - int(count)], [k_base, n_base - k_base]]
        p = float(fisher_exact(table, alternative="greater")[1])
        share, base_share = count / n_recent, k_base / n_base
        lift = share / max(base_share, 0.5 / n_base)  # half a mention when the baseline has none
        rows.append((int(theme), grp, int(count), n_recent, share, k_base, n_base, base_share, lift, p))
    if not rows:
        return pd.DataFrame(columns=cols)
    found = pd.DataFrame(rows, columns=["theme_id", by, "mentions", "period_reviews", "share",
                                        "baseline_mentions", "baseline_reviews", "baseline_share", "lift", "p_value"])
    found["q_value"] = benjamini_hochberg(found["p_value"].to_numpy())
    found = found[(found["q_value"] < alpha) & (found["lift"] >= min_lift)].copy()
    if found.empty:
        return pd.DataFrame(columns=cols)
    described = themes.set_index("theme_id")
    found["label"] = found["theme_id"].map(described["label"])
    found["keywords"] = found["theme_id"].map(described["keywords"])
    found["period"] = latest
    found["quotes"], found["new_keywords"] = details(found, latest)
    firsts = []
    for r in found.itertuples():
        # onset: the split point whose "since then" share differs most significantly from the share before it
        group_totals = totals.xs(getattr(r, by), level="group")
        series = hits.xs((r.theme_id, getattr(r, by)), level=["theme_id", "group"])
        counts_by_period = series.reindex(group_totals.index, fill_value=0)
        first, best_p = latest, 1.0
        for start in group_totals.index[(group_totals.index <= latest) & (group_totals.index > group_totals.index.min())]:
            k1 = int(counts_by_period[(counts_by_period.index >= start) & (counts_by_period.index <= latest)].sum())
            n1 = int(group_totals[(group_totals.index >= start) & (group_totals.index <= latest)].sum())
            k0, n0 = int(counts_by_period[counts_by_period.index < start].sum()), \
                int(group_totals[group_totals.index < start].sum())
            p_split = float(fisher_exact([[k1, n1 - k1], [k0, n0 - k0]], alternative="greater")[1])
            if p_split < best_p:
                first, best_p = start, p_split
        firsts.append(first)
    found["first_period"] = firsts
    return found.sort_values(["q_value", "lift"], ascending=[True, False])[cols].reset_index(drop=True)


def _distinctive_words(clauses: pd.DataFrame, theme_id: int, flagged_reviews: set[int]) -> list[str]:
    """What the flagged reviews say that the theme's other mentions do not (c-TF-IDF of the two groups).

    A theme's name describes all its mentions; the issue that rose may be a narrower part of it, so the alert
    carries its own words too.
    """
    from analysis.themes import class_tfidf_keywords

    own = clauses[clauses["theme_id"] == theme_id]
    if own.empty:
        return []
    flagged = own["review"].isin(flagged_reviews).astype(int).to_numpy()
    if flagged.all() or not flagged.any():
        return []
    return class_tfidf_keywords(own["sentence"].astype(str).tolist(), flagged).get(1, [])[:4]
