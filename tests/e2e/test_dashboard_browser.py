"""The whole dashboard in headless Chromium: run the sample, visit every page, drill into a theme, export."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import ROOT, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

PAGES = [("Overview", 2), ("Trends", 2), ("Themes", 2), ("Products", 3), ("Model", 1)]


def test_upload_run_shows_sentiment_chart(page, app_url):
    page.goto(f"{app_url}/Upload")
    wait_for_app(page)
    page.get_by_role("button", name="Run analysis").first.click()
    page.get_by_text("Analysis finished").wait_for(timeout=300_000)
    wait_for_app(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    screenshot(page, "upload_run")
    assert not page.errors


@pytest.mark.parametrize(("name", "min_charts"), PAGES)
def test_every_page_renders_its_charts(page, app_url, name, min_charts):
    page.goto(f"{app_url}/{name}")
    wait_for_app(page, timeout=300_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    # Charts below the fold are drawn as they scroll into view: scroll through the page until all are there.
    for _ in range(40):
        if page.locator(".js-plotly-plot").count() >= min_charts:
            break
        page.mouse.wheel(0, 800)
        page.wait_for_timeout(250)
    assert page.locator(".js-plotly-plot").count() >= min_charts
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, name.lower())
    assert not page.errors


def test_trends_page_shows_the_planted_emerging_issue(page, app_url):
    page.goto(f"{app_url}/Trends")
    wait_for_app(page, timeout=300_000)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "SmartFit Watch S3" in text and "表带" in text


def test_theme_drill_down_lists_the_themes_reviews(page, app_url):
    page.goto(f"{app_url}/Themes")
    wait_for_app(page, timeout=300_000)
    top = page.locator("[data-testid='stMain']").inner_text()
    assert "General feeling:" in top  # bare verdicts ("好评！") shown apart, not as a theme
    page.locator("[data-testid='stSelectbox']").first.click()
    page.keyboard.type("battery")  # the list is long and drawn as it scrolls: search it
    options = page.locator("[role='option']")
    options.filter(has_text="battery dies").first.wait_for(timeout=10_000)  # a phrase label, not three keywords
    options.filter(has_text="battery dies").first.click()
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Reviews in this theme" in main and "没电" in main
    assert page.locator("[data-testid='stDataFrame']").count() >= 2
    screenshot(page, "themes_drilldown")
    assert not page.errors


def test_explorer_export_downloads_and_reads_back(page, app_url):
    page.goto(f"{app_url}/Explorer")
    wait_for_app(page, timeout=300_000)
    with page.expect_download(timeout=120_000) as download:  # 30 s (the default) timed out once on busy cores
        page.get_by_role("button", name="Download CSV (opens in Excel)").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese intact
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(frame) == 2000
    assert {"review", "sentiment_label", "sentiment_score", "theme_label"} <= set(frame.columns)
    assert frame["review"].str.contains("电池").any()
    screenshot(page, "explorer")


def test_a_long_run_in_one_session_does_not_freeze_another(browser, app_url, tmp_path):
    """While one browser session analyses a fresh 3,000-review file, another session's page still loads and draws."""
    source = pd.read_csv(ROOT / "sample_data" / "reviews.csv")
    big = pd.concat([source.assign(review=source["review"] + f" (batch {i})") for i in range(2)], ignore_index=True)
    big = big.head(3000)
    path = tmp_path / "fresh-3000.csv"
    big.to_csv(path, index=False)

    busy = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    busy.goto(f"{app_url}/Upload")
    wait_for_app(busy, timeout=300_000)
    busy.get_by_text("Upload a file").click()
    wait_for_app(busy)
    busy.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    busy.get_by_text("Ingest report").wait_for(timeout=60_000)
    wait_for_app(busy)
    busy.get_by_role("button", name="Run analysis").first.click()
    busy.get_by_text("Analysing 3,000 reviews").wait_for(timeout=60_000)

    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.goto(f"{app_url}/Overview")
    other.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    assert not busy.get_by_text("Analysis finished").is_visible()  # the other session was served during the run
    busy.get_by_text("Analysis finished").wait_for(timeout=600_000)
    busy.context.close()
    other.context.close()
