"""Products: which themes each product's reviews raise, two products side by side, and what drives low ratings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.actions import MIN_MENTIONS, MIN_REVIEWS, recommendations
from analysis.insights import product_summary, rating_drivers, theme_share_by_product
from analysis.insights.charts import drivers_bars, product_satisfaction, product_theme_heatmap, sentiment_distribution
from ui.common import charts_download, open_analysis_page, plot
from ui.i18n import t

result, name, view = open_analysis_page("products.title")
reviews = view.reviews
if reviews["product"].isna().all():
    st.info(t("products.no_products"))
    st.stop()

plot(product_satisfaction(reviews, t), "products_satisfaction")
shares, counts = theme_share_by_product(reviews, view.themes)
if len(shares):
    plot(product_theme_heatmap(shares, counts, t), "products_heatmap")

st.subheader(t("products.compare"))
products = sorted(reviews["product"].dropna().unique())
pick = st.columns(2)
first = pick[0].selectbox(t("products.first"), products, index=0, key="ri_cmp_a")
second = pick[1].selectbox(t("products.second"), products, index=min(1, len(products) - 1), key="ri_cmp_b")
sides = st.columns(2)
for side, product in zip(sides, (first, second)):
    with side:
        st.markdown(f"**{product}**")
        numbers = product_summary(reviews, product)
        kpis = st.columns(4)
        kpis[0].metric(t("kpi.reviews"), f"{numbers['reviews']:,.0f}")
        kpis[1].metric(t("kpi.satisfaction"), f"{numbers['satisfaction']:.1f}")
        kpis[2].metric(t("kpi.negative"), f"{numbers['negative']:.1f}%")
        kpis[3].metric(t("kpi.avg_stars"), "—" if pd.isna(numbers["stars"]) else f"{numbers['stars']:.2f}")
        plot(sentiment_distribution(reviews[reviews["product"] == product], t), f"cmp_{product}")
        if product in shares.index:
            top = shares.loc[product].sort_values(ascending=False).head(5)
            st.dataframe(pd.DataFrame({t("col.theme"): top.index, t("col.share"): top.map("{:.1f}%".format)}),
                         hide_index=True, width="stretch")

st.subheader(t("products.drivers"))
drivers = rating_drivers(reviews, view.theme_result) if view.theme_result is not None else pd.DataFrame()
drivers = drivers[drivers["risk_difference"] > 0] if len(drivers) else drivers
if drivers.empty:
    st.caption(t("products.no_drivers"))
else:
    plot(drivers_bars(drivers.assign(effect=drivers["risk_difference"] * 100), t), "products_drivers")
    st.dataframe(pd.DataFrame({
        t("col.theme"): drivers["label"], t("col.mentions"): drivers["reviews"],
        t("products.low_with"): (drivers["low_share"] * 100).round(1),
        t("products.low_without"): (drivers["low_share_without"] * 100).round(1),
        "Cohen's h": drivers["cohens_h"].round(2), "q": drivers["q_value"].map("{:.2g}".format),
    }), hide_index=True, width="stretch")

st.subheader(t("products.recommend"))
st.caption(t("products.recommend_rule", min_reviews=MIN_REVIEWS, min_mentions=MIN_MENTIONS))
recommended = recommendations(view)
if recommended.empty:
    st.info(t("products.no_recommend"))
else:
    complaint = recommended["kind"].map(lambda k: t(f"problem.{k}")).where(recommended["label"] == "",
                                                                          recommended["label"])
    st.dataframe(pd.DataFrame({
        t("products.rec_product"): recommended["product"], t("products.rec_complaint"): complaint,
        t("products.rec_complaints"): recommended["complaints"], t("products.rec_other"): recommended["other"],
        t("products.rec_mentions"): recommended["mentions"],
        t("products.rec_share"): (recommended["share"] * 100).map("{:.1f}%".format),
        t("products.rec_positive"): (recommended["positive_share"] * 100).map("{:.0f}%".format),
        t("products.rec_negative"): (recommended["negative_share"] * 100).map("{:.0f}%".format),
        t("products.rec_polarity"): recommended["mean_polarity"].round(2),
        t("products.rec_quote1"): recommended["quote_1"], t("products.rec_quote2"): recommended["quote_2"],
    }), hide_index=True, width="stretch")

charts_download("Products")
