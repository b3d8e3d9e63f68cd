"""Trends over time: satisfaction per product and category, and theme volume per period.

All functions take the canonical review table (and, for themes, the ``ThemeResult`` computed on the same rows in the
same order) and return plain DataFrames that the charts and pages draw directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

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


def mentions_with_reviews(reviews: pd.DataFrame, theme_result,
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
    mentions = mentions_with_reviews(reviews, theme_result)
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
