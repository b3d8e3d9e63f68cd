"""The real app in headless Chromium: upload the GBK sample through the file chooser and read the report."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ROOT, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_home_shows_sample_kpis(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    assert page.get_by_text("Review Insights").first.is_visible()
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() == "2,000"
    screenshot(page, "home")
    assert not page.errors


def test_upload_gbk_file_through_the_file_chooser(page, app_url):
    page.goto(f"{app_url}/Upload")
    wait_for_app(page)
    page.get_by_text("Upload a file").click()
    wait_for_app(page)
    with page.expect_file_chooser() as chooser:
        page.locator("[data-testid='stFileUploaderDropzone'] button").click()
    chooser.value.set_files(str(ROOT / "sample_data" / "reviews_gbk.csv"))
    page.get_by_text("Ingest report").wait_for(timeout=60_000)
    wait_for_app(page)
    metrics = dict(zip(page.locator("[data-testid='stMetricLabel']").all_inner_texts(),
                       page.locator("[data-testid='stMetricValue']").all_inner_texts()))
    assert metrics["Encoding"] == "gb18030"
    assert metrics["Rows read"] == "150"
    assert metrics["Rows kept"] == "150"
    assert metrics["Rows rejected"] == "0"
    text_role = page.locator("[data-testid='stSelectbox']").filter(has_text="Review text").first
    assert "评价内容" in text_role.inner_html()  # the Chinese header survived decoding and became the text column
    screenshot(page, "upload_gbk")
    assert not page.errors
