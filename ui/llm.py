"""The optional LLM endpoint in the interface: one ``LLM`` per page run (its notices belong to that run), what the
setting means for review text shown before anything is sent, and human theme names kept for the session."""

from __future__ import annotations

import streamlit as st

from analysis.actions import LLM, theme_names
from ui.common import settings, workspace
from ui.i18n import as_markdown_text, say

_NAMES_KEY = "ri_llm_theme_names"


def endpoint() -> LLM:
    """The endpoint from the settings, caching answers in the workspace."""
    return LLM.from_settings(settings(), workspace())


def show_status(llm: LLM) -> None:
    """Where review text would go: a warning when it leaves the machine, a note when it is blocked or off."""
    line = as_markdown_text(say(llm.status()))
    if llm.sends_off_machine:
        st.warning(line, icon="⚠️")
    elif llm.base_url and not llm.may_send:
        st.info(line)
    else:
        st.caption(line)


def show_notices(llm: LLM) -> None:
    """Why a result fell back to the templates, if it did."""
    for note in llm.notices:
        st.warning(as_markdown_text(say(note)))


def human_names(llm: LLM, result) -> dict[int, str]:
    """theme_id -> a short human name from the endpoint, once per analysis and session; {} when it is off."""
    if not llm.may_send or result.themes is None or not len(result.themes):
        return {}
    key = (id(result), tuple(result.themes["label"].astype(str)))
    cached = st.session_state.get(_NAMES_KEY)
    if cached is None or cached[0] != key:
        cached = (key, theme_names(llm, result.themes))
        st.session_state[_NAMES_KEY] = cached
    return cached[1]
