"""The Report page under AppTest, in both interface languages: period pickers, the preview's numbers, tables and
charts, the download buttons; the browser download itself is in tests/e2e/test_report_browser.py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[1] / "pages" / "9_Report.py"


def run_page(language: str) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=180)
    at.session_state["ri_lang"] = language
    return at.run()


@pytest.mark.parametrize(("language", "month", "reviews", "download", "chart"), [
    ("en", "October 2026", "Reviews", "Download HTML report", "Reviews and satisfaction per month"),
    ("zh", "2026年10月", "评论数", "下载 HTML 报告", "每月评论数与满意度"),
])
def test_the_report_page_previews_the_last_full_month(language, month, reviews, download, chart):
    at = run_page(language)
    assert not at.exception
    assert at.selectbox(key=f"ri_report_month_{language}").value == month
    assert {m.label: m.value for m in at.metric}[reviews] == "175"
    assert [b.label for b in at.get("download_button")] == [download]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles[0] == chart and len(titles) == 3
    assert len(at.dataframe) == 3  # complaints, products at risk, price perception
    assert "SmartFit Watch S3" in at.dataframe[1].value.iloc[:, 0].tolist()


def test_chosen_days_and_a_month_without_a_previous_one():
    at = run_page("en")
    at.radio(key="ri_report_kind_en").set_value("Chosen days").run()
    assert not at.exception
    assert "October 2026, compared with September 2026" in [c.value for c in at.caption]  # a whole month is one
    at.date_input(key="ri_report_days").set_value((date(2026, 10, 5), date(2026, 10, 20))).run()
    assert not at.exception
    assert "2026-10-05 – 2026-10-20, compared with 2026-09-19 – 2026-10-04" in [c.value for c in at.caption]
    at.radio(key="ri_report_kind_en").set_value("A calendar month").run()
    at.selectbox(key="ri_report_month_en").set_value(at.selectbox(key="ri_report_month_en").options[-1]).run()
    assert not at.exception
    assert any("previous period" in i.value for i in at.info)  # the first month has nothing to compare with


def test_an_analysis_without_dates_gets_a_report_over_all_reviews(tmp_path):
    import shutil
    from dataclasses import replace

    import pandas as pd

    from analysis.config import SAMPLE_ANALYSIS, SAMPLE_ANALYSIS_NAME
    from analysis.store import Workspace

    shutil.copyfile(SAMPLE_ANALYSIS, tmp_path / "ws.duckdb")
    sample = Workspace(tmp_path / "ws.duckdb").open(SAMPLE_ANALYSIS_NAME)
    at = AppTest.from_file(str(PAGE), default_timeout=180)
    at.session_state["ri_lang"] = "zh"
    at.session_state["ri_result"] = replace(sample, reviews=sample.reviews.assign(date=pd.NaT))
    at.session_state["ri_result_name"] = "无日期"
    at.run()
    assert not at.exception
    assert [r.key for r in at.radio] == ["_ri_lang_widget"] and not at.selectbox  # no period to pick
    assert any("评论没有日期" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["评论数"] == "2,000"
