"""AppTest runs of every page: each renders without an exception and shows what it promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def run_page(relative: str, language: str = "en", **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / relative), default_timeout=120)
    at.session_state["ri_lang"] = language
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_describes_the_app_and_shows_sample_kpis():
    at = run_page("app.py")
    assert not at.exception
    assert metrics(at)["Reviews"] == "2,000"
    assert metrics(at)["Products"] == "10"
    assert any("Upload" in m.value for m in at.markdown)


def test_home_speaks_chinese():
    at = run_page("app.py", language="zh")
    assert not at.exception
    assert at.title[0].value == "评论洞察"
    assert metrics(at)["评论数"] == "2,000"


def test_upload_reads_the_sample_by_default():
    at = run_page("pages/1_Upload.py")
    assert not at.exception
    m = metrics(at)
    assert (m["Rows read"], m["Rows kept"], m["Rows rejected"]) == ("2,000", "2,000", "0")
    roles = {s.label: s.value for s in at.selectbox}
    assert roles["Review text"] == "review" and roles["Rating"] == "rating" and roles["Date"] == "date"


def test_upload_role_override_rereads_the_file():
    at = run_page("pages/1_Upload.py")
    at.selectbox(key="role_text").select("product").run()
    assert not at.exception
    assert at.selectbox(key="role_text").value == "product"
    assert at.session_state["ri_table"].reviews["text"].iloc[0] in {
        p for p in at.session_state["ri_table"].data["product"]
    }


@pytest.mark.parametrize("language", ["en", "zh"])
def test_upload_waits_for_a_file(language):
    at = run_page("pages/1_Upload.py", language=language)
    at.radio(key="ri_source_choice").set_value(at.radio(key="ri_source_choice").options[1]).run()
    assert not at.exception
    assert at.info  # says what to do
