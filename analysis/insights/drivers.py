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
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy())
    return out.sort_values(["risk_difference", "theme_id"], ascending=[False, True]).reset_index(drop=True)
