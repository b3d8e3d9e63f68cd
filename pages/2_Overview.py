"""Overview: how satisfied customers are, overall and per product, and what they complain about most."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.insights import choose_bucket, satisfaction_index, satisfaction_over_time
from analysis.insights.charts import sentiment_distribution, stars_vs_sentiment
from ui.common import charts_download, open_analysis_page, plot
from ui.i18n import t

result, name, view = open_analysis_page("overview.title")
reviews = view.reviews
if reviews.empty:
    st.info(t("common.no_rows"))
    st.stop()

overall = satisfaction_over_time(reviews, by=None)
current = previous = None
if len(overall) >= 2:
    current, previous = overall.iloc[-1], overall.iloc[-2]
period_name = t(f"period.{choose_bucket(reviews['date'])}")


def _delta(now: float | None, before: float | None, unit: str = "") -> str | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return f"{now - before:+.1f}{unit}"


negative_share = (reviews["sentiment_label"] == "negative").mean() * 100
satisfaction = satisfaction_index(reviews["sentiment_score"])
cols = st.columns(4)
cols[0].metric(t("kpi.reviews"), f"{len(reviews):,}",
               _delta(current["reviews"] if current is not None else None,
                      previous["reviews"] if previous is not None else None),
               help=t("kpi.delta_help", period=period_name))
cols[1].metric(t("kpi.satisfaction"), f"{satisfaction:.1f}",
               _delta(current["satisfaction"] if current is not None else None,
                      previous["satisfaction"] if previous is not None else None),
               help=t("kpi.delta_help", period=period_name))
cols[2].metric(t("kpi.negative"), f"{negative_share:.1f}%",
               _delta(current["negative_share"] * 100 if current is not None else None,
                      previous["negative_share"] * 100 if previous is not None else None, " pp"),
               delta_color="inverse", help=t("kpi.delta_help", period=period_name))
stars = reviews["rating"].mean()
cols[3].metric(t("kpi.avg_stars"), "—" if pd.isna(stars) else f"{stars:.2f}",
               _delta(current["mean_rating"] if current is not None else None,
                      previous["mean_rating"] if previous is not None else None),
               help=t("kpi.delta_help", period=period_name))

left, right = st.columns(2)
with left:
    plot(sentiment_distribution(reviews, t), "overview_sentiment")
if reviews["rating"].notna().any():
    with right:
        plot(stars_vs_sentiment(reviews, t), "overview_stars")
else:
    right.info(t("overview.no_ratings"))

st.subheader(t("overview.top_complaints"))
if view.theme_result is not None:
    complaints = view.theme_result.complaint_themes().head(5)
    st.dataframe(pd.DataFrame({
        t("col.theme"): complaints["label"],
        t("col.keywords"): complaints["keywords"].map(lambda k: ", ".join(map(str, k))),
        t("col.mentions"): complaints["negative_mentions"].astype(int),
        t("col.quote"): complaints["complaint_quotes"].map(lambda q: q[0] if len(q) else ""),
    }), hide_index=True, width="stretch")

st.subheader(t("overview.products"))
if reviews["product"].notna().any():
    by_product = reviews.groupby("product").agg(
        reviews=("text", "size"), satisfaction=("sentiment_score", satisfaction_index),
        negative=("sentiment_label", lambda s: (s == "negative").mean() * 100), stars=("rating", "mean"))
    monthly = satisfaction_over_time(reviews, by="product", bucket="M")
    sparks = monthly.groupby("group")["satisfaction"].apply(lambda s: s.round(1).tolist())
    table = pd.DataFrame({
        t("col.product"): by_product.index,
        t("col.reviews"): by_product["reviews"].to_numpy(),
        t("col.satisfaction"): by_product["satisfaction"].round(1).to_numpy(),
        t("col.negative_share"): by_product["negative"].round(1).to_numpy(),
        t("col.avg_stars"): by_product["stars"].round(2).to_numpy(),
        t("col.trend"): [sparks.get(p, []) for p in by_product.index],
    }).sort_values(t("col.satisfaction"))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        t("col.satisfaction"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f"),
        t("col.trend"): st.column_config.LineChartColumn(y_min=0, y_max=100),
    })

charts_download("Overview")
