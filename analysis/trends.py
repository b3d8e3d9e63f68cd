"""Trends over time: satisfaction per product and category, theme volume, emerging issues, drivers of low ratings.

All functions take the canonical review table (and, for themes, the ``ThemeResult`` computed on the same rows in the
same order) and return plain DataFrames that the charts and pages draw directly.

Emerging issue test. For every theme x product, the share of that product's reviews that mention the theme
negatively in the latest period is compared with the same share over all earlier periods (its own baseline) by a
one-sided Fisher exact test; p-values are corrected over all pairs tested (Benjamini-Hochberg). An issue is reported
when q < ``alpha``, the share at least doubled (``min_lift``), and the counts are large enough to mean something:
at least ``min_mentions`` (5) negative mentions in the latest period, ``min_period_reviews`` (10) reviews of the
product in that period and ``min_baseline_reviews`` (30) before it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

Bucket = Literal["D", "W", "M", "Q"]
_FREQ = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q"}


def choose_bucket(dates: pd.Series) -> Bucket:
    """Bucket size from the date span, so a chart has roughly 8-60 points: days up to a month, weeks up to half a
    year, months up to four years, quarters beyond."""
    dates = pd.to_datetime(pd.Series(dates), errors="coerce").dropna()
    if dates.empty:
        return "M"
    span = (dates.max() - dates.min()).days
    if span <= 31:
        return "D"
    if span <= 183:
        return "W"
    if span <= 4 * 366:
        return "M"
    return "Q"


def period_start(dates: pd.Series, bucket: Bucket) -> pd.Series:
    """The first day of each date's period (NaT stays NaT)."""
    dates = pd.to_datetime(pd.Series(dates), errors="coerce")
    return dates.dt.to_period(_FREQ[bucket]).dt.start_time


def satisfaction_index(scores: pd.Series | np.ndarray) -> float:
    """0-100 from per-review scores in [-1, 1]: 50 is as much negative as positive, 100 every review fully positive."""
    scores = pd.Series(scores, dtype=float).dropna()
    return float(50.0 * (1.0 + scores.mean())) if len(scores) else float("nan")


def review_scores(reviews: pd.DataFrame) -> pd.Series:
    """Per-review score in [-1, 1]: the sentiment score when sentiment has run, else stars mapped (1 -> -1, 5 -> 1)."""
    if "sentiment_score" in reviews and reviews["sentiment_score"].notna().any():
        return pd.to_numeric(reviews["sentiment_score"], errors="coerce")
    if "rating" in reviews:
        return (pd.to_numeric(reviews["rating"], errors="coerce") - 3.0) / 2.0
    return pd.Series(np.nan, index=reviews.index)


def satisfaction_over_time(
    reviews: pd.DataFrame,
    by: str | None = "product",
    bucket: Bucket | None = None,
    min_reviews: int = 1,
) -> pd.DataFrame:
    """Satisfaction index (0-100, 50 = as much negative as positive) per group and period.

    Args:
        reviews: canonical table with ``date`` and ``sentiment_score`` (or ``rating``).
        by: ``product``, ``category`` or None (one line, group "All").
        bucket: ``D``/``W``/``M``/``Q``; chosen from the date span when None.
        min_reviews: periods with fewer reviews in a group are left out (too noisy to draw).

    Returns:
        period, group, satisfaction, reviews, negative_share, mean_rating.
    """
    cols = ["period", "group", "satisfaction", "reviews", "negative_share", "mean_rating"]
    dated = reviews[pd.to_datetime(reviews["date"], errors="coerce").notna()]
    if dated.empty:
        return pd.DataFrame(columns=cols)
    bucket = bucket or choose_bucket(dated["date"])
    frame = pd.DataFrame({
        "period": period_start(dated["date"], bucket).to_numpy(),
        "group": dated[by].fillna("—").astype(str).to_numpy() if by else "All",
        "score": review_scores(dated).to_numpy(),
        "rating": pd.to_numeric(dated.get("rating", pd.Series(np.nan, index=dated.index)), errors="coerce").to_numpy(),
    })
    if "sentiment_label" in dated:
        frame["negative"] = (dated["sentiment_label"].astype(str) == "negative").to_numpy()
    else:
        frame["negative"] = frame["score"] < -0.2
    out = frame.groupby(["period", "group"], sort=True).agg(
        satisfaction=("score", satisfaction_index),
        reviews=("score", "size"),
        negative_share=("negative", "mean"),
        mean_rating=("rating", "mean"),
    ).reset_index()
    return out[out["reviews"] >= min_reviews][cols].reset_index(drop=True)


def _mentions_with_reviews(reviews: pd.DataFrame, theme_result,
                           columns: Sequence[str] = ("date", "product", "category", "rating", "text")) -> pd.DataFrame:
    """One row per (review, theme) it mentions, with the review's ``columns`` and the mention polarity."""
    if len(theme_result.assignments) != len(reviews):
        raise ValueError("theme_result was computed on a different table; run find_themes on these reviews first.")
    m = theme_result.mentions
    themed = (m["theme_id"] >= 0).to_numpy()
    theme = m["theme_id"].to_numpy()[themed]
    review = m["review"].to_numpy(dtype=np.int64)[themed]
    # one row per (review, theme), in that order; a review's polarity on a theme: negative if any of its clauses on
    # that theme is negative. Sorted integer keys and reductions over their runs: numpy, because a pandas group-by
    # over a million reviews' mentions costs hundreds of MB.
    key = review * (int(theme.max(initial=0)) + 1) + theme
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.diff(key[order], prepend=key[order][:1] - 1))  # where each (review, theme) run begins

    def any_of(polarity: str) -> np.ndarray:
        return np.add.reduceat((m["polarity"] == polarity).to_numpy(dtype=np.int64)[themed][order], starts) > 0

    first = order[starts]
    pol = pd.DataFrame({
        "review": review[first], "theme_id": theme[first], "negative": any_of("negative"),
        "positive": any_of("positive"),
        "similarity": np.maximum.reduceat(m["similarity"].to_numpy()[themed][order], starts),
    })
    pos = pol["review"].to_numpy(dtype=np.int64)
    for col in columns:
        if col in reviews:
            pol[col] = reviews[col].to_numpy()[pos]
    return pol


def theme_volume_over_time(reviews: pd.DataFrame, theme_result, bucket: Bucket | None = None,
                           by: str | None = None) -> pd.DataFrame:
    """Reviews mentioning each theme per period, and their share of that period's reviews.

    Returns:
        period, [by,] theme_id, label, reviews, negative_reviews, share (of all reviews in the period [and group]).
    """
    cols = ["period"] + ([by] if by else []) + ["theme_id", "label", "reviews", "negative_reviews", "share"]
    dates = pd.to_datetime(reviews["date"], errors="coerce")
    if dates.isna().all():
        return pd.DataFrame(columns=cols)
    bucket = bucket or choose_bucket(dates)
    periods = period_start(dates, bucket)
    keys = ["period"] + ([by] if by else [])
    base = pd.DataFrame({"period": periods.to_numpy()})
    if by:
        base[by] = reviews[by].fillna("—").astype(str).to_numpy()
    totals = base.dropna(subset=["period"]).groupby(keys).size().rename("total")
    mentions = _mentions_with_reviews(reviews, theme_result)
    mentions["period"] = periods.to_numpy()[mentions["review"].to_numpy(dtype=np.int64)]
    if by:
        mentions[by] = base[by].to_numpy()[mentions["review"].to_numpy(dtype=np.int64)]
    mentions = mentions.dropna(subset=["period"])
    out = mentions.groupby(keys + ["theme_id"]).agg(reviews=("review", "size"),
                                                     negative_reviews=("negative", "sum")).reset_index()
    out = out.join(totals, on=keys)
    out["share"] = out["reviews"] / out["total"]
    labels = dict(zip(theme_result.themes["theme_id"], theme_result.themes["label"]))
    out["label"] = out["theme_id"].map(labels)
    return out[cols].sort_values(keys + ["theme_id"]).reset_index(drop=True)


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if not len(p):
        return p
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = np.minimum(q, 1.0)
    return out


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
    from scipy.stats import fisher_exact

    cols = ["theme_id", "label", "keywords", by, "period", "mentions", "period_reviews", "share",
            "baseline_mentions", "baseline_reviews", "baseline_share", "lift", "p_value", "q_value", "quotes",
            "new_keywords", "first_period"]
    dates = pd.to_datetime(reviews["date"], errors="coerce")
    if dates.isna().all() or by not in reviews:
        return pd.DataFrame(columns=cols)
    bucket = bucket or choose_bucket(dates)
    periods = period_start(dates, bucket)
    latest = periods.max() if period is None else period_start(pd.Series([pd.Timestamp(period)]), bucket).iloc[0]
    # groups as integer codes (a million reviews' names as Python strings cost hundreds of MB); the categories are
    # sorted, so grouping by code visits the groups in the order grouping by name would
    groups = pd.Categorical(reviews[by].fillna("—").astype(str))
    group, names = groups.codes, groups.categories
    per_review = pd.DataFrame({"period": periods.to_numpy(), "group": group})
    in_period = per_review["period"] == latest
    before = per_review["period"] < latest
    period_totals = per_review[in_period].groupby("group").size()
    baseline_totals = per_review[before].groupby("group").size()

    mentions = _mentions_with_reviews(reviews, theme_result, columns=())
    mentions = mentions[mentions["negative"]] if mentions["negative"].any() else mentions
    mentions = mentions.assign(period=periods.to_numpy()[mentions["review"].to_numpy(dtype=np.int64)],
                               group=group[mentions["review"].to_numpy(dtype=np.int64)])
    recent = mentions[mentions["period"] == latest].groupby(["theme_id", "group"]).size()
    baseline = mentions[mentions["period"] < latest].groupby(["theme_id", "group"]).size()

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
        rows.append((int(theme), names[grp], grp, int(count), n_recent, share, k_base, n_base, base_share, lift, p))
    if not rows:
        return pd.DataFrame(columns=cols)
    found = pd.DataFrame(rows, columns=["theme_id", by, "group", "mentions", "period_reviews", "share",
                                        "baseline_mentions", "baseline_reviews", "baseline_share", "lift", "p_value"])
    found["q_value"] = _benjamini_hochberg(found["p_value"].to_numpy())
    found = found[(found["q_value"] < alpha) & (found["lift"] >= min_lift)].copy()
    if found.empty:
        return pd.DataFrame(columns=cols)
    themes = theme_result.themes.set_index("theme_id")
    found["label"] = found["theme_id"].map(themes["label"])
    found["keywords"] = found["theme_id"].map(themes["keywords"])
    found["period"] = latest
    if text_of is None:
        texts = reviews["text"].astype(str).to_numpy()

        def text_of(positions: list[int]) -> list[str]:
            return [texts[i] for i in positions]
    quotes, firsts, new_words = [], [], []
    for r in found.itertuples():
        hits = mentions[(mentions["theme_id"] == r.theme_id) & (mentions["group"] == r.group)]
        now = hits[hits["period"] == latest].sort_values("similarity", ascending=False)
        quotes.append([" ".join(t.split())[:200] for t in text_of(now["review"].drop_duplicates().head(3).tolist())])
        clauses = theme_result.mentions if sentences_of is None else sentences_of(int(r.theme_id))
        new_words.append(_distinctive_words(clauses, int(r.theme_id), set(now["review"].tolist())))
        # onset: the split point whose "since then" share differs most significantly from the share before it
        series = hits.groupby("period").size()
        totals = per_review[per_review["group"] == r.group].groupby("period").size()
        counts = series.reindex(totals.index, fill_value=0)
        first, best_p = latest, 1.0
        for start in totals.index[(totals.index <= latest) & (totals.index > totals.index.min())]:
            k1, n1 = int(counts[(counts.index >= start) & (counts.index <= latest)].sum()), \
                int(totals[(totals.index >= start) & (totals.index <= latest)].sum())
            k0, n0 = int(counts[counts.index < start].sum()), int(totals[totals.index < start].sum())
            p_split = float(fisher_exact([[k1, n1 - k1], [k0, n0 - k0]], alternative="greater")[1])
            if p_split < best_p:
                first, best_p = start, p_split
        firsts.append(first)
    found["quotes"] = quotes
    found["new_keywords"] = new_words
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


def rating_drivers(reviews: pd.DataFrame, theme_result, min_mentions: int = 10) -> pd.DataFrame:
    """Which themes go with 1-2 star ratings most, with effect sizes.

    For each theme: the share of low (1-2 star) ratings among reviews that mention it against those that do not,
    the risk difference and relative risk, Cohen's h (the effect size of two proportions: 0.2 small, 0.5 medium,
    0.8 large), the mean-star difference and a two-sided Fisher exact p-value (Benjamini-Hochberg q-value).

    Returns:
        theme_id, label, kind, reviews, low_share, low_share_without, risk_difference, relative_risk, cohens_h,
        mean_rating, mean_rating_without, rating_difference, p_value, q_value; sorted by risk difference.
    """
    from scipy.stats import fisher_exact

    cols = ["theme_id", "label", "kind", "reviews", "low_share", "low_share_without", "risk_difference",
            "relative_risk", "cohens_h", "mean_rating", "mean_rating_without", "rating_difference", "p_value",
            "q_value"]
    rating = pd.to_numeric(reviews.get("rating", pd.Series(np.nan, index=reviews.index)), errors="coerce").to_numpy()
    rated = ~np.isnan(rating)
    if rated.sum() < 2 * min_mentions:
        return pd.DataFrame(columns=cols)
    low = rating <= 2
    rows = []
    for theme in theme_result.themes.itertuples():
        has = np.array([theme.theme_id in ids for ids in theme_result.assignments["all_theme_ids"]])
        a, b = has & rated, ~has & rated
        if a.sum() < min_mentions or b.sum() < min_mentions:
            continue
        p1, p0 = low[a].mean(), low[b].mean()
        table = [[int(low[a].sum()), int(a.sum() - low[a].sum())], [int(low[b].sum()), int(b.sum() - low[b].sum())]]
        rows.append((theme.theme_id, theme.label, theme.kind, int(a.sum()), p1, p0, p1 - p0,
                     p1 / p0 if p0 > 0 else np.inf, 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p0)),
                     rating[a].mean(), rating[b].mean(), rating[a].mean() - rating[b].mean(),
                     float(fisher_exact(table)[1])))
    out = pd.DataFrame(rows, columns=cols[:-1])
    if out.empty:
        return pd.DataFrame(columns=cols)
    out["q_value"] = _benjamini_hochberg(out["p_value"].to_numpy())
    return out.sort_values(["risk_difference", "theme_id"], ascending=[False, True]).reset_index(drop=True)
