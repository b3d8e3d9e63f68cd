"""The Report page in headless Chromium on the sample, in Chinese and English: the preview, no English sentence in
the Chinese page, and the HTML and PDF downloads with the period's content."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest

from tests.e2e.conftest import download, go, screenshot, wait_for_app
from tests.e2e.test_chinese_browser import ENGLISH, data_strings, in_chinese, visible_text

pytestmark = pytest.mark.e2e


def test_the_chinese_report_page_previews_and_downloads_html_and_pdf(page, app_server, tmp_path):
    in_chinese(page, app_server.url)
    go(page, "报告")
    page.get_by_text("主要差评", exact=True).first.wait_for(timeout=300_000)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "2026年10月，对比2026年9月" in main and "SmartFit Watch S3" in main
    assert page.locator("[data-testid='stException']").count() == 0
    known = data_strings(app_server.workspace, tmp_path)
    english = []
    for line in visible_text(page).splitlines():
        for value in known:
            line = line.replace(value, " ")
        english += ENGLISH.findall(line)
    assert not english, f"English on the Chinese Report page: {english}"
    screenshot(page, "zh_report")

    html = download(page, "下载 HTML 报告").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "评论报告" in html and "主要差评" in html
    assert html.count("data:image/png;base64,") == 3 and "<script" not in html

    page.get_by_role("button", name="生成 PDF").click()
    wait_for_app(page, timeout=300_000)
    pdf = download(page, "下载 PDF 报告").read_bytes()
    from pypdf import PdfReader

    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "主要差评" in re.sub(r"\s+", "", text)
    assert not page.errors


def test_the_english_report_page_downloads_the_html(page, app_url):
    page.goto(f"{app_url}/Report")
    wait_for_app(page, timeout=300_000)
    page.get_by_text("Top complaints", exact=True).first.wait_for(timeout=300_000)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "October 2026, compared with September 2026" in main and "Products at risk" in main
    html = download(page, "Download HTML report").read_text(encoding="utf-8")
    assert "Review report" in html and "October 2026" in html and "Price perception" in html
    screenshot(page, "report")
    assert not page.errors
