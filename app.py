"""Home: what the app does, where to go, and the bundled sample's headline numbers."""

from __future__ import annotations

import streamlit as st

from ui.common import read_upload, sample_bytes, setup_page
from ui.i18n import t

setup_page("app.title")
st.markdown(t("app.tagline"))
st.markdown("\n".join([t("home.line1"), t("home.line2"), t("home.line3")]))

st.subheader(t("home.pages"))
st.page_link("pages/1_Upload.py", label=t("nav.upload"), icon="📤")

st.subheader(t("home.sample_kpis"))
st.caption(t("home.sample_note"))
sample = read_upload(*sample_bytes()).reviews
dates = sample["date"].dropna()
cols = st.columns(4)
cols[0].metric(t("kpi.reviews"), f"{len(sample):,}")
cols[1].metric(t("kpi.products"), f"{sample['product'].nunique():,}")
cols[2].metric(t("kpi.avg_stars"), f"{sample['rating'].mean():.2f}")
cols[3].metric(t("kpi.date_span"), f"{dates.min():%Y-%m} – {dates.max():%Y-%m}")
