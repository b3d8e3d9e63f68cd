"""Upload: read an export (or the sample), check and correct the column roles, see the ingest report."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from analysis.insights.charts import sentiment_distribution
from analysis.io import ROLES, IngestError
from ui.common import (
    RESULT_KEY,
    SAMPLE_ANALYSIS_NAME,
    TABLE_KEY,
    content_id,
    read_upload,
    run_analysis,
    sample_bytes,
    setup_page,
    show_result,
    workspace,
)
from ui.i18n import as_markdown_text, say, step_name, t

setup_page("upload.title")

sources = [t("upload.source_sample"), t("upload.source_file")]
source = st.radio(t("upload.source"), sources, horizontal=True, key="ri_source_choice")
if source == sources[1]:
    uploaded = st.file_uploader(t("upload.file"), accept_multiple_files=False)
    if uploaded is None:
        st.info(t("upload.waiting"))
        st.stop()
    data, name = uploaded.getvalue(), uploaded.name
else:
    data, name = sample_bytes()

overrides_key = f"ri_overrides_{content_id(data)}"
overrides: dict[str, str] = st.session_state.setdefault(overrides_key, {})
sheet_key = f"ri_sheet_{content_id(data)}"  # a workbook's sheet, picked below once its sheets are known
try:
    table = read_upload(data, name, overrides, st.session_state.get(sheet_key))
except IngestError as exc:
    st.error(as_markdown_text(t("upload.error", name=name, message=say(exc.message))))
    st.stop()
report = table.report
st.session_state[TABLE_KEY] = table

st.subheader(t("upload.detected"))
if len(report.sheets) > 1:
    st.selectbox(t("upload.sheet"), report.sheets, index=report.sheets.index(report.sheet), key=sheet_key,
                 help=t("upload.sheet_help"))
cols = st.columns(3)
cols[0].metric(t("upload.format"), report.file_format.upper())
cols[1].metric(t("upload.encoding"), report.encoding or "—")
cols[2].metric(t("upload.delimiter"), {"\t": "TAB", None: "—"}.get(report.delimiter, report.delimiter or "—"))

st.markdown("**" + t("upload.columns") + "**")
columns = [str(c) for c in table.data.columns]
none = t("upload.none")
role_cols = st.columns(4)
changed = dict(overrides)
for i, role in enumerate(ROLES):
    current = report.columns.get(role)
    options = [none, *columns]
    picked = role_cols[i % 4].selectbox(
        t(f"role.{role}"), options, index=options.index(current) if current in options else 0, key=f"role_{role}",
        help=say(report.role_reasons[role]) if role in report.role_reasons else None,
    )
    if picked != (current or none):
        changed[role] = "" if picked == none else picked  # "" turns a wrongly detected role off
if changed != overrides:
    st.session_state[overrides_key] = changed
    st.rerun()

st.subheader(t("upload.report"))
cols = st.columns(3)
cols[0].metric(t("upload.rows_read"), f"{report.rows_read:,}")
cols[1].metric(t("upload.rows_kept"), f"{report.rows_kept:,}")
cols[2].metric(t("upload.rows_rejected"), f"{len(report.rows_rejected):,}")
st.caption(t("upload.row_note"))
if report.rows_rejected:
    st.markdown("**" + t("upload.rejected_table") + "**")
    rejected = pd.DataFrame([{t("upload.row"): r.row, t("upload.reason"): say(r.reason)} for r in report.rows_rejected])
    st.dataframe(rejected, hide_index=True, width="stretch")
st.markdown("**" + t("upload.warnings") + "**")
if report.warnings:
    for warning in report.warnings:
        st.warning(as_markdown_text(say(warning)))
else:
    st.caption(t("upload.no_warnings"))
st.markdown("**" + t("upload.languages") + "**")
st.dataframe(pd.DataFrame([report.languages]), hide_index=True)

st.subheader(t("upload.preview"))
st.dataframe(table.data.head(50), width="stretch")

st.subheader(t("run.button"))
saved_names = [n for n in workspace().list()["name"] if n != SAMPLE_ANALYSIS_NAME]
add_to = None
if saved_names:
    modes = [t("run.new"), t("run.add")]
    if st.radio(t("run.mode"), modes, horizontal=True, key="ri_run_mode") == modes[1]:
        add_to = st.selectbox(t("run.add_to"), saved_names, key="ri_add_to")
        st.caption(t("run.add_help"))
run_id = f"{content_id(data)}:{sorted(overrides.items())}:{add_to}"
if st.button(t("run.button"), type="primary", disabled=report.rows_kept == 0, key="ri_run"):
    with st.status(t("run.status", n=report.rows_kept), expanded=True) as status:
        bars = {}

        def progress(step: str, fraction: float, eta: float | None) -> None:
            if step not in bars:
                bars[step] = st.progress(0.0, text=step_name(step))
            text = (t("run.eta", step=step_name(step), pct=fraction, eta=eta) if eta is not None
                    else t("run.progress", step=step_name(step), pct=fraction))
            bars[step].progress(fraction, text=text)

        try:
            result = run_analysis(table, progress, add_to=workspace().open(add_to) if add_to else None)
        except Exception as exc:  # never a stack trace: say what failed and keep the page usable
            logging.getLogger(__name__).exception("analysis failed")
            status.update(label=t("run.failed", error=f"{type(exc).__name__}: {exc}"), state="error")
            st.stop()
        status.update(label=t("run.done", s=sum(result.timings.values())), state="complete", expanded=False)
    show_result(result, name)
    st.session_state["ri_result_run_id"] = run_id

if RESULT_KEY in st.session_state and st.session_state.get("ri_result_run_id") == run_id:
    result = st.session_state[RESULT_KEY]
    st.markdown("**" + t("run.result") + "**")
    st.plotly_chart(sentiment_distribution(result.reviews, t), width="stretch")
    st.caption(t("run.next"))
    with st.form("ri_save"):
        save_name = st.text_input(t("save.name"), value=add_to or name.rsplit(".", 1)[0])
        if st.form_submit_button(t("save.button")):
            try:
                workspace().save(result, save_name, source_file=name)
                show_result(result, save_name)
                st.success(as_markdown_text(t("save.done", name=save_name)))
            except Exception as exc:  # noqa: BLE001  a locked or unwritable workspace must not lose the user's result
                st.error(as_markdown_text(t("save.error", message=say(getattr(exc, "message", str(exc))))))
