"""Page setup shared by every page: config, the language switch, and cached calls into ``analysis``."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from analysis.config import SAMPLE_ANALYSIS_NAME, SAMPLE_REVIEWS, Settings
from analysis.io import ReviewTable, read_reviews
from ui.i18n import LANG_KEY, LANGUAGES, t

TABLE_KEY = "ri_table"


def _prepare_server() -> None:
    """Once per server process (not under AppTest, whose runtime is a stand-in): fix native thread counts, since
    sessions analyse in parallel threads (``analysis.threads`` says why), and let ``kill -USR1 <pid>`` write every
    thread's stack to the server log, so a stuck run can be diagnosed without stopping the server."""
    import faulthandler
    import signal

    from streamlit.runtime import Runtime

    from analysis.threads import pin_for_sessions

    if not Runtime.exists() or type(Runtime.instance()) is not Runtime:
        return
    pin_for_sessions()
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)


_prepare_server()


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
    navigation()
    st.title(t(title_key))


PAGES = (("app.py", "nav.home", "🏠"), ("pages/1_Upload.py", "nav.upload", "📤"),
         ("pages/2_Overview.py", "nav.overview", "📊"), ("pages/3_Trends.py", "nav.trends", "📈"),
         ("pages/4_Themes.py", "nav.themes", "🏷️"), ("pages/5_Products.py", "nav.products", "🛍️"),
         ("pages/6_Explorer.py", "nav.explorer", "🔎"), ("pages/7_Model.py", "nav.model", "🧪"),
         ("pages/8_Actions.py", "nav.actions", "✉️"), ("pages/9_Report.py", "nav.report", "📄"))


def navigation() -> None:
    """The sidebar's page list in the interface language (Streamlit's own list names Home after its file, "app",
    and every page in English; .streamlit/config.toml turns that one off)."""
    with st.sidebar:
        for path, key, icon in PAGES:
            try:
                st.page_link(path, label=t(key), icon=icon)
            except StreamlitAPIException:  # a page run alone (AppTest of one page file) has no other pages
                return


@st.cache_data(show_spinner=False, max_entries=8)
def _read_cached(data: bytes, name: str, overrides: tuple[tuple[str, str], ...], sheet: str | None) -> ReviewTable:
    return read_reviews(data, name, overrides=dict(overrides), settings=settings(), sheet=sheet)


def read_upload(data: bytes, name: str, overrides: dict[str, str] | None = None,
                sheet: str | None = None) -> ReviewTable:
    """Ingest bytes once per (content, name, overrides, workbook sheet); raises ``IngestError`` for an unusable
    file."""
    return _read_cached(data, name, tuple(sorted((overrides or {}).items())), sheet)


def sample_bytes() -> tuple[bytes, str]:
    return SAMPLE_REVIEWS.read_bytes(), SAMPLE_REVIEWS.name


def content_id(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


RESULT_KEY = "ri_result"
RESULT_NAME_KEY = "ri_result_name"


@st.cache_resource(show_spinner=False)
def workspace():
    from analysis.store import Workspace

    return Workspace(settings().workspace_file)


@st.cache_resource(show_spinner=False)
def models():
    """The embedder and the sentiment model, loaded once per server process and shared by every session."""
    from analysis.sentiment import load_sentiment_model
    from analysis.store import embedder_for

    config = settings()
    return embedder_for(config), load_sentiment_model(config.sentiment_model)


def run_analysis(table: ReviewTable, progress=None, add_to=None):
    """Analyse a table with the shared models, or add it to an earlier analysis (``add_to``)."""
    from analysis.runs import analyze, extend

    embedder, sentiment_model = models()
    if add_to is not None:
        return extend(add_to, table, settings(), progress, embedder=embedder, sentiment_model=sentiment_model)
    return analyze(table, settings(), progress, embedder=embedder, sentiment_model=sentiment_model)


@st.cache_resource(show_spinner=False)
def sample_result():
    """The bundled sample's analysis: from the workspace, else the one shipped ready (``sample_data``), else computed
    once; saved in the workspace either way."""
    from analysis.runs import model_signature, same_models, shipped_sample_analysis
    from analysis.store import WorkspaceError

    embedder, sentiment_model = models()
    current = model_signature(embedder, sentiment_model)
    try:
        saved = workspace().open(SAMPLE_ANALYSIS_NAME)
        same_sample = saved.report.rows_read == read_upload(*sample_bytes()).report.rows_read
        if same_models(saved.models, current) and same_sample:
            return saved
    except WorkspaceError:
        pass
    shipped = shipped_sample_analysis(current) if settings().shipped_sample else None
    result = shipped or run_analysis(read_upload(*sample_bytes()))
    workspace().save(result, SAMPLE_ANALYSIS_NAME, source_file=str(SAMPLE_REVIEWS.name))
    return result


_WARMING: list = []


def warm_up_sample() -> None:
    """Start analysing the sample in the background while the visitor reads Home, so the other pages open fast.

    ``sample_result`` is a cached resource: a page that asks for it while this runs waits for the same computation.
    Not a daemon thread: the interpreter waits for it at exit instead of killing it inside native code (which
    aborts the process).
    """
    import threading

    if not _WARMING and settings().warm_up_sample:
        _WARMING.append(threading.Thread(target=sample_result, name="sample-warm-up", daemon=False))
        _WARMING[0].start()


def active_result():
    """The analysis every page shows: the one run or opened in this session, else the bundled sample."""
    if RESULT_KEY in st.session_state:
        return st.session_state[RESULT_KEY], st.session_state.get(RESULT_NAME_KEY, "")
    with st.spinner(t("common.computing_sample")):
        result = sample_result()
    return result, t("common.sample_name")


def open_analysis_page(title_key: str):
    """Every analysis page starts alike: set up, say which analysis is shown, apply the sidebar filters.

    Returns the whole analysis, its name and the filtered view.
    """
    setup_page(title_key)
    result, name = active_result()
    st.caption(t("common.showing", name=name, n=len(result.reviews)))
    return result, name, filtered(result)


def show_result(result, name: str) -> None:
    st.session_state[RESULT_KEY] = result
    st.session_state[RESULT_NAME_KEY] = name


_FILTERS = {"products": "ri_f_products", "dates": "ri_f_dates", "languages": "ri_f_languages"}


def filtered(result):
    """The active analysis cut to the sidebar filters (product, dates, review language)."""
    from analysis.runs import subset

    kept = sidebar_filters(result.reviews)
    if len(kept) == len(result.reviews):
        return result
    return subset(result, result.reviews.index.isin(kept.index))


def sidebar_filters(reviews):
    """Product, date range and review-language filters in the sidebar, shared by every page; returns the rows kept."""
    import pandas as pd

    st.sidebar.header(t("filter.title"))
    mask = pd.Series(True, index=reviews.index)

    def _persist(widget_key: str, state_key: str):
        return lambda: st.session_state.__setitem__(state_key, st.session_state[widget_key])

    products = sorted(reviews["product"].dropna().unique().tolist())
    if products:
        chosen = [p for p in st.session_state.get(_FILTERS["products"], []) if p in products]
        picked = st.sidebar.multiselect(t("filter.products"), products, default=chosen, placeholder=t("filter.all"),
                                        key="_w_products", on_change=_persist("_w_products", _FILTERS["products"]))
        if picked:
            mask &= reviews["product"].isin(picked)
    dates = reviews["date"].dropna()
    if len(dates) and dates.min() < dates.max():
        low, high = dates.min().date(), dates.max().date()
        saved = st.session_state.get(_FILTERS["dates"])
        value = saved if saved and len(saved) == 2 and low <= saved[0] <= saved[1] <= high else (low, high)
        picked_dates = st.sidebar.date_input(t("filter.dates"), value=value, min_value=low, max_value=high,
                                             key="_w_dates", on_change=_persist("_w_dates", _FILTERS["dates"]))
        if isinstance(picked_dates, (tuple, list)) and len(picked_dates) == 2:
            start, end = pd.Timestamp(picked_dates[0]), pd.Timestamp(picked_dates[1]) + pd.Timedelta(days=1)
            mask &= reviews["date"].isna() | ((reviews["date"] >= start) & (reviews["date"] < end))
    languages = {t(f"lang.{x}"): x for x in ("zh", "en", "mixed", "other") if x in set(reviews["language"])}
    if len(languages) > 1:
        # Options are the translated names (AppTest formats options outside the session), mapped back to codes.
        chosen = [name for name, code in languages.items() if code in st.session_state.get(_FILTERS["languages"], [])]

        def _remember_languages() -> None:
            st.session_state[_FILTERS["languages"]] = [languages[n] for n in st.session_state["_w_langs"]]

        picked_langs = st.sidebar.multiselect(t("filter.languages"), list(languages), default=chosen,
                                              placeholder=t("filter.all"), key="_w_langs",
                                              on_change=_remember_languages)
        if picked_langs:
            mask &= reviews["language"].isin([languages[n] for n in picked_langs])
    return reviews[mask]


_PAGE_FIGURES = "_ri_page_figures"


def plot(fig, key: str) -> None:
    """Draw a Plotly figure full width and remember it for the page's HTML export."""
    st.plotly_chart(fig, width="stretch", key=key)
    st.session_state.setdefault(_PAGE_FIGURES, {})[key] = fig


def charts_download(page_name: str) -> None:
    """One self-contained HTML file (Plotly inlined, works offline) with every chart drawn on this page run."""
    from analysis.insights.charts import figures_html

    figures = st.session_state.pop(_PAGE_FIGURES, {})
    if figures:
        st.download_button(t("common.download_charts"), lambda: figures_html(list(figures.values()), page_name),
                           f"{page_name.lower()}-charts.html", "text/html", key=f"ri_charts_{page_name}",
                           on_click="ignore")
    st.caption(t("common.png_hint"))


def shown_values(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's values as the interface shows them: sentiment and language names in the interface language, dates
    without a time of day when no row has one (a day is not "2026-07-01 00:00:00")."""
    out = frame.copy()
    if "sentiment_label" in out:
        out["sentiment_label"] = out["sentiment_label"].map(lambda s: t(f"sentiment.{s}") if isinstance(s, str) else s)
    if "language" in out:
        out["language"] = out["language"].map(lambda s: t(f"lang.{s}") if isinstance(s, str) else s)
    if "date" in out:
        out["date"] = shown_dates(out["date"])
    return out


def shown_dates(dates: pd.Series) -> pd.Series:
    """Dates as text: YYYY-MM-DD, with HH:MM only when some date carries a time of day; missing ones blank."""
    parsed = pd.to_datetime(dates, errors="coerce")
    with_time = bool((parsed.dropna() != parsed.dropna().dt.normalize()).any())
    return parsed.dt.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d").fillna("")
