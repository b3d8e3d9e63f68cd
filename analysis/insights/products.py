"""Product comparisons: which themes each product's reviews mention, and two products side by side."""

from __future__ import annotations

import pandas as pd

from analysis.insights.trends import satisfaction_index


def theme_share_by_product(reviews: pd.DataFrame, themes: pd.DataFrame, top: int = 12
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percent of each product's reviews mentioning each of the ``top`` largest themes, and the counts behind it."""
    chosen = themes.sort_values("size", ascending=False).head(top)
    labels = dict(zip(chosen["theme_id"].astype(str), chosen["label"].astype(str)))
    mentions = (reviews.assign(theme=reviews["theme_ids"].str.split(";"))[["product", "theme"]]
                .explode("theme").dropna())
    mentions = mentions[mentions["theme"].isin(labels)]
    counts = pd.crosstab(mentions["product"], mentions["theme"]).reindex(columns=list(labels), fill_value=0)
    totals = reviews.groupby("product").size().reindex(counts.index)
    shares = counts.div(totals, axis=0) * 100
    counts.columns = shares.columns = [labels[c] for c in counts.columns]
    return shares.round(1), counts


def product_summary(reviews: pd.DataFrame, product: str) -> dict[str, float]:
    """Headline numbers of one product: reviews, satisfaction index, % negative, average stars."""
    rows = reviews[reviews["product"] == product]
    return {
        "reviews": float(len(rows)),
        "satisfaction": satisfaction_index(rows["sentiment_score"]),
        "negative": float((rows["sentiment_label"] == "negative").mean() * 100) if len(rows) else float("nan"),
        "stars": float(rows["rating"].mean()),
    }
