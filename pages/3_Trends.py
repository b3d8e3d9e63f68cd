"""Trends: satisfaction over time per product or category, theme volume over time, and emerging issues."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.insights import emerging_issues, satisfaction_over_time, theme_volume_over_time
from analysis.insights.charts import satisfaction_lines, theme_volume
from ui.common import charts_download, open_analysis_page, plot
from ui.i18n import t

result, name, view = open_analysis_page("trends.title")
reviews = view.reviews
if reviews["date"].isna().all():
    st.info(t("trends.no_dates"))
    st.stop()
if reviews.empty:
    st.info(t("common.no_rows"))
    st.stop()

groupings = {t("trends.by_product"): "product", t("trends.by_category"): "category", t("trends.overall"): None}
available = {k: v for k, v in groupings.items() if v is None or reviews[v].notna().any()}
by = available[st.radio(t("trends.group_by"), list(available), horizontal=True, key="ri_trend_by")]

trend = satisfaction_over_time(reviews, by=by, min_reviews=3)
alerts = emerging_issues(reviews, view.theme_result) if view.theme_result is not None else pd.DataFrame()
groups = trend.groupby("group")["reviews"].sum().sort_values(ascending=False)
if len(groups) > 6:
    # Ten lines are unreadable: start with the products that have an alert plus the largest ones.
    flagged = [g for g in alerts.get(by, []) if g in groups.index] if by else []
    default = list(dict.fromkeys(flagged + groups.index[: max(0, 5 - len(flagged))].tolist()))
    shown = st.multiselect(t("trends.lines"), groups.index.tolist(), default=default, key=f"ri_lines_{by}")
    trend = trend[trend["group"].isin(shown or groups.index)]
markers = None
if by == "product" and len(alerts):
    points = trend.set_index(["period", "group"])["satisfaction"]
    markers = pd.DataFrame({
        "period": alerts["period"],
        "y": [points.get((a.period, a.product), 50.0) for a in alerts.itertuples()],
        "label": [f"{a.label} · {a.product}" + (f" ({' / '.join(a.new_keywords)})" if len(a.new_keywords) else "")
                  for a in alerts.itertuples()],
    })
plot(satisfaction_lines(trend, t, markers), "trend_satisfaction")

st.subheader(t("trends.emerging"))
if alerts.empty:
    st.caption(t("trends.no_emerging"))
for alert in alerts.itertuples():
    with st.container(border=True):
        st.markdown(f"**⚠ {alert.label}** · {alert.product}")
        if len(alert.new_keywords):
            st.caption(t("trends.new_words", words=" / ".join(map(str, alert.new_keywords))))
        st.caption(t("trends.alert_line", share=alert.share, base=alert.baseline_share, lift=alert.lift,
                     n=int(alert.mentions), total=int(alert.period_reviews), q=alert.q_value,
                     since=pd.Timestamp(alert.first_period).strftime("%Y-%m-%d")))
        for quote in alert.quotes:
            st.text("“" + str(quote) + "”")

st.subheader(t("trends.theme_volume"))
volume = theme_volume_over_time(reviews, view.theme_result) if view.theme_result is not None else pd.DataFrame()
if len(volume):
    top = volume.groupby("label")["reviews"].sum().nlargest(8).index
    plot(theme_volume(volume[volume["label"].isin(top)], t), "trend_volume")

charts_download("Trends")
