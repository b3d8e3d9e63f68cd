"""Actions: the reply queue. Reviews that need an answer, by stated priority, with editable drafts; mark sent or
skipped (kept in the workspace), export."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.actions import (
    STATUSES,
    WEIGHTS,
    draft_table,
    export_frame,
    review_keys,
    with_llm,
    with_saved,
)
from analysis.config import SAMPLE_ANALYSIS_NAME
from analysis.io import to_csv_bytes, to_xlsx_bytes
from analysis.store import WorkspaceError
from ui.common import RESULT_KEY, RESULT_NAME_KEY, active_result, setup_page, sidebar_filters, workspace
from ui.i18n import as_markdown_text, say, t
from ui.llm import endpoint, human_names, show_notices, show_status

PER_PAGE = 10
SESSION_REPLIES = "ri_replies_session"  # replies of an analysis that is not saved: this session only

setup_page("actions.title")
result, name = active_result()
st.caption(t("common.showing", name=name, n=len(result.reviews)))
kept = sidebar_filters(result.reviews)
st.markdown(t("actions.intro"))
st.caption(t("actions.formula"))

saved_name = SAMPLE_ANALYSIS_NAME if RESULT_KEY not in st.session_state else st.session_state.get(RESULT_NAME_KEY)
saved_names = set(workspace().list()["name"])
is_saved = saved_name in saved_names
if not is_saved:
    st.info(t("actions.not_saved"))

llm = endpoint()
show_status(llm)


def stored_replies() -> pd.DataFrame:
    if is_saved:
        try:
            return workspace().replies(saved_name)
        except WorkspaceError as exc:
            st.error(as_markdown_text(say(exc.message)))
            return pd.DataFrame()
    session = st.session_state.setdefault(SESSION_REPLIES, {})
    return pd.DataFrame([{"review_key": k, **v} for k, v in session.items()])


def keep_reply(review_key: str, draft: str, status: str, edited: bool) -> None:
    if is_saved:
        workspace().set_reply(saved_name, review_key, draft, status, edited)
    else:
        st.session_state.setdefault(SESSION_REPLIES, {})[review_key] = {"draft": draft, "status": status,
                                                                        "edited": edited}


names = human_names(llm, result)

drafts_key = (id(result), tuple(sorted(names.items())))
cached = st.session_state.get("ri_reply_drafts")
if cached is None or cached[0] != drafts_key:  # the queue and its template drafts, once per analysis shown
    cached = (drafts_key, draft_table(result, theme_names=names))
    st.session_state["ri_reply_drafts"] = cached
table = with_saved(cached[1], stored_replies())
if table.empty:
    st.success(t("actions.none"))
    st.stop()

# the sidebar's product, date and language filters, by review key
table = table[table["review_key"].isin(set(review_keys(result.reviews.reset_index(drop=True)).iloc[
    result.reviews.index.get_indexer(kept.index)]))]
counts = table["status"].value_counts()
kpis = st.columns(3)
for column, status in zip(kpis, STATUSES):
    column.metric(t(f"actions.{status}"), f"{int(counts.get(status, 0)):,}")

filters = st.columns(2)
status_names = {t(f"actions.{s}"): s for s in STATUSES}
picked_status = filters[0].multiselect(t("actions.status_filter"), list(status_names), default=[t("actions.open")],
                                       placeholder=t("filter.all"), key="ri_actions_status")
kind_names = {t(f"problem.{k}"): k for k in sorted({k for kinds in table["kinds"] for k in kinds})}
picked_kinds = filters[1].multiselect(t("actions.problem_filter"), list(kind_names), placeholder=t("filter.all"),
                                      key="ri_actions_kinds")
if picked_status:
    table = table[table["status"].isin([status_names[s] for s in picked_status])]
if picked_kinds:
    wanted = {kind_names[k] for k in picked_kinds}
    table = table[table["kinds"].map(lambda kinds: bool(wanted & set(kinds)))]
table = table.reset_index(drop=True)
if table.empty:
    st.info(t("actions.none_shown"))
    st.stop()

st.subheader(t("actions.queue"))
overview = pd.DataFrame({
    t("actions.col.priority"): table["priority"], **{t(f"actions.col.{p}"): table[p].round(2) for p in WEIGHTS},
    t("col.product"): table["product"], t("col.stars"): table["rating"], t("col.text"): table["text"],
    t("actions.col.problems"): table["kinds"].map(lambda ks: "、".join(t(f"problem.{k}") for k in ks)),
    t("actions.col.themes"): table["themes"].map("; ".join),
    t("actions.col.status"): table["status"].map(lambda s: t(f"actions.{s}")),
})
st.dataframe(overview, hide_index=True, width="stretch", height=280,
             column_config={t("col.text"): st.column_config.TextColumn(width="large")})

stem = (saved_name or "analysis").rsplit(".", 1)[0]


def export() -> pd.DataFrame:
    """Built on click: the queue as filtered, with the drafts the LLM wrote for pages already shown (from the cache:
    a download sends nothing)."""
    return export_frame(with_llm(table, llm.cache_only()) if llm.may_send else table)


downloads = st.columns(2)
downloads[0].download_button(t("actions.export_csv"), lambda: to_csv_bytes(export()), f"{stem}-replies.csv",
                             "text/csv", key="ri_replies_csv", on_click="ignore")
downloads[1].download_button(t("actions.export_xlsx"), lambda: to_xlsx_bytes({"replies": export()}),
                             f"{stem}-replies.xlsx", key="ri_replies_xlsx", on_click="ignore",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader(t("actions.work"))
pages = max(1, -(-len(table) // PER_PAGE))
page = st.number_input(t("actions.page"), min_value=1, max_value=pages, value=1, step=1, key="ri_actions_page")
shown = table.iloc[(page - 1) * PER_PAGE: page * PER_PAGE]
if llm.may_send and st.toggle(t("actions.use_llm"), value=True, key="ri_actions_llm"):
    shown = with_llm(shown, llm)  # this page's reviews only; answers are cached, so a revisit sends nothing
show_notices(llm)


def _act(review_key: str, shown_draft: str, was_edited: bool, status: str) -> None:
    """A button's callback: keep the text area's draft (edited when it differs from the one shown) and the status."""
    draft = st.session_state.get(f"ri_draft_{review_key}", shown_draft)
    keep_reply(review_key, draft, status, was_edited or draft.strip() != shown_draft.strip())


for rank, row in enumerate(shown.itertuples(), start=(page - 1) * PER_PAGE + 1):
    with st.container(border=True):
        stars = t("actions.no_stars") if pd.isna(row.rating) else t("actions.stars", n=row.rating)
        product = row.product if isinstance(row.product, str) else "—"
        st.markdown("**" + as_markdown_text(t("actions.card", rank=rank, priority=row.priority, product=product,
                                                   stars=stars)) + "**")
        st.caption(t("actions.parts", severity=row.severity, low_rating=row.low_rating, recency=row.recency,
                     emerging=row.emerging) + " · " + t("actions.status_now", status=t(f"actions.{row.status}")))
        st.text(row.text)
        problems = "、".join(t(f"problem.{k}") for k in row.kinds)
        st.text(t("actions.problems", problems=problems) + ("   " + t("actions.themes", themes="; ".join(row.themes))
                                                            if row.themes else ""))
        st.text_area(t("actions.draft", language=t(f"lang.{row.reply_language}")), value=row.draft_reply,
                     key=f"ri_draft_{row.review_key}", height=130)
        st.caption(t(f"actions.by.{row.drafted_by}")
                   + (" · " + as_markdown_text(t("actions.recommended", product=row.recommended))
                      if row.recommended else ""))
        buttons = st.columns(4)
        args = (row.review_key, row.draft_reply, bool(row.edited))
        buttons[0].button(t("actions.save"), key=f"ri_save_{row.review_key}", on_click=_act,
                          args=(*args, row.status))
        buttons[1].button(t("actions.mark_sent"), key=f"ri_sent_{row.review_key}", on_click=_act,
                          args=(*args, "sent"), disabled=row.status == "sent")
        buttons[2].button(t("actions.mark_skipped"), key=f"ri_skip_{row.review_key}", on_click=_act,
                          args=(*args, "skipped"), disabled=row.status == "skipped")
        buttons[3].button(t("actions.reopen"), key=f"ri_open_{row.review_key}", on_click=_act, args=(*args, "open"),
                          disabled=row.status == "open")
