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

    mentions = mentions_with_reviews(reviews, theme_result, columns=())
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
    found["q_value"] = benjamini_hochberg(found["p_value"].to_numpy())
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
