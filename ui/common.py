"""Page setup shared by every page: config, the language switch, and cached calls into ``analysis``."""

from __future__ import annotations

import hashlib

import streamlit as st

from analysis.config import SAMPLE_REVIEWS, Settings
from analysis.ingest import ReviewTable, read_reviews
from ui.i18n import LANG_KEY, LANGUAGES, t

TABLE_KEY = "ri_table"
SOURCE_KEY = "ri_source"


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


def setup_page(title_key: str) -> None:
    """Page config, the sidebar language switch (kept across pages) and the page title."""
    st.set_page_config(page_title=t(title_key), page_icon="💬", layout="wide")
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = settings().ui_language if settings().ui_language in LANGUAGES else "zh"
    options = list(LANGUAGES)

    def _remember() -> None:
        st.session_state[LANG_KEY] = st.session_state["_ri_lang_widget"]

    st.sidebar.radio(
        t("sidebar.language"), options, index=options.index(st.session_state[LANG_KEY]),
        format_func=LANGUAGES.get, key="_ri_lang_widget", on_change=_remember, horizontal=True,
    )
    st.title(t(title_key))


@st.cache_data(show_spinner=False, max_entries=8)
def _read_cached(data: bytes, name: str, overrides: tuple[tuple[str, str], ...]) -> ReviewTable:
    return read_reviews(data, name, overrides=dict(overrides), settings=settings())


def read_upload(data: bytes, name: str, overrides: dict[str, str] | None = None) -> ReviewTable:
    """Ingest bytes once per (content, name, overrides); raises ``IngestError`` for an unusable file."""
    return _read_cached(data, name, tuple(sorted((overrides or {}).items())))


def sample_bytes() -> tuple[bytes, str]:
    return SAMPLE_REVIEWS.read_bytes(), SAMPLE_REVIEWS.name


def content_id(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()
