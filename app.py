"""Home: what the app does, where to go, saved analyses to open, and headline numbers."""

from __future__ import annotations

import streamlit as st

from analysis.store import WorkspaceError
from ui.common import (
    PAGES,
    RESULT_KEY,
    SAMPLE_ANALYSIS_NAME,
    read_upload,
    sample_bytes,
    setup_page,
    show_result,
    warm_up_sample,
    workspace,
)
from ui.i18n import as_markdown_text, say, t

setup_page("app.title")
warm_up_sample()
st.markdown(t("app.tagline"))
st.markdown("\n".join([t("home.line1"), t("home.line2"), t("home.line3")]))

st.subheader(t("home.pages"))
links = st.columns(len(PAGES) - 1)
for column, (page, key, icon) in zip(links, PAGES[1:], strict=True):  # every page but Home itself
    column.page_link(page, label=t(key), icon=icon)

st.subheader(t("home.saved"))
saved = workspace().list()
saved = saved[saved["name"] != SAMPLE_ANALYSIS_NAME]
if saved.empty:
    st.caption(t("home.no_saved"))
else:
    st.dataframe(
        saved[["name", "updated", "source_file", "rows_kept"]].rename(columns={
            "name": t("home.col_name"), "updated": t("home.col_created"), "source_file": t("home.col_source"),
            "rows_kept": t("home.col_rows")}),
        hide_index=True, width="stretch",
    )
    names = saved["name"].tolist()
    picked = st.selectbox(t("home.col_name"), names, key="ri_saved_pick")
    actions = st.columns([1, 2, 1, 1])
    if actions[0].button(t("home.open"), type="primary", key="ri_open"):
        show_result(workspace().open(picked), picked)
        st.success(as_markdown_text(t("home.opened", name=picked)))
    new_name = actions[1].text_input(t("home.new_name"), key="ri_new_name", label_visibility="collapsed",
                                     placeholder=t("home.new_name"))
    if actions[2].button(t("home.rename"), key="ri_rename_saved", disabled=not new_name):
        try:
            workspace().rename(picked, new_name)
            st.rerun()
        except WorkspaceError as exc:
            st.error(as_markdown_text(say(exc.message)))
    if actions[3].button(t("home.delete"), key="ri_delete_saved"):
        workspace().delete(picked)
        st.session_state.pop(RESULT_KEY, None)
        st.rerun()
if RESULT_KEY in st.session_state and st.button(t("home.use_sample"), key="ri_back_to_sample"):
    st.session_state.pop(RESULT_KEY, None)
    st.rerun()

st.subheader(t("home.sample_kpis"))
st.caption(t("home.sample_note"))
sample = read_upload(*sample_bytes()).reviews
dates = sample["date"].dropna()
cols = st.columns(4)
cols[0].metric(t("kpi.reviews"), f"{len(sample):,}")
cols[1].metric(t("kpi.products"), f"{sample['product'].nunique():,}")
cols[2].metric(t("kpi.avg_stars"), f"{sample['rating'].mean():.2f}")
cols[3].metric(t("kpi.date_span"), f"{dates.min():%Y-%m} – {dates.max():%Y-%m}")
