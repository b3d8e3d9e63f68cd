"""Drivers of low ratings: which themes go with 1-2 star reviews most, with effect sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.insights.emerging import benjamini_hochberg


def rating_drivers(reviews: pd.DataFrame, theme_result, min_mentions: int = 10) -> pd.DataFrame:
    """Which themes go with 1-2 star ratings most, with effect sizes.

    For each theme: the share of low (1-2 star) ratings among reviews that mention it against those that do not,
    the risk difference and relative risk, Cohen's h (the effect size of two proportions: 0.2 small, 0.5 medium,
    0.8 large), the mean-star difference and a two-sided Fisher exact p-value (Benjamini-Hochberg q-value).

    Returns:
        theme_id, label, kind, reviews, low_share, low_share_without, risk_difference, relative_risk, cohens_h,
        mean_rating, mean_rating_without, rating_difference, p_value, q_value; sorted by risk difference.
    """
    return drivers_from_counts(theme_result.themes, driver_counts(reviews, theme_result), min_mentions)


DRIVER_COLUMNS = ["theme_id", "label", "kind", "reviews", "low_share", "low_share_without", "risk_difference",
                  "relative_risk", "cohens_h", "mean_rating", "mean_rating_without", "rating_difference", "p_value",
                  "q_value"]


def driver_counts(reviews: pd.DataFrame, theme_result) -> dict[str, np.ndarray | dict]:
    """What ``drivers_from_counts`` reads: rated and low-rated reviews and their star sums, in all and per theme a
    review mentions. Counts of disjoint sets of reviews add up (``analysis.runs.distributed`` sums them per batch)."""
    rating = pd.to_numeric(reviews.get("rating", pd.Series(np.nan, index=reviews.index)), errors="coerce").to_numpy()
    rated = ~np.isnan(rating)
    low = rated & (rating <= 2)
    per_theme: dict[int, np.ndarray] = {}
    for ids, is_rated, is_low, stars in zip(theme_result.assignments["all_theme_ids"], rated, low, rating,
                                            strict=True):
        if not is_rated:
            continue
        for theme in set(ids):
            per_theme.setdefault(int(theme), np.zeros(3))[:] += (1, is_low, stars)
    return {"all": np.array([rated.sum(), low.sum(), rating[rated].sum()], dtype=np.float64), "themes": per_theme}


def drivers_from_counts(themes: pd.DataFrame, counts: dict, min_mentions: int = 10) -> pd.DataFrame:
    """``rating_drivers`` from ``driver_counts``."""
    from scipy.stats import fisher_exact

    n_rated, n_low, stars = counts["all"]
    if n_rated < 2 * min_mentions:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    rows = []
    for theme in themes.itertuples():
        a, a_low, a_stars = counts["themes"].get(int(theme.theme_id), np.zeros(3))
        b, b_low, b_stars = n_rated - a, n_low - a_low, stars - a_stars
        if a < min_mentions or b < min_mentions:
            continue
        p1, p0 = a_low / a, b_low / b
        table = [[int(a_low), int(a - a_low)], [int(b_low), int(b - b_low)]]
        rows.append((theme.theme_id, theme.label, theme.kind, int(a), p1, p0, p1 - p0,
                     p1 / p0 if p0 > 0 else np.inf, 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p0)),
                     a_stars / a, b_stars / b, a_stars / a - b_stars / b, float(fisher_exact(table)[1])))
    out = pd.DataFrame(rows, columns=DRIVER_COLUMNS[:-1])
    if out.empty:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy())
    return out.sort_values(["risk_difference", "theme_id"], ascending=[False, True]).reset_index(drop=True)
