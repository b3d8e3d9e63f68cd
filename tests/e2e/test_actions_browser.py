"""The reply queue in headless Chromium: on the sample in English and Chinese, edit a draft, mark it sent, download
the export; review text that looks like HTML stays text."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.actions import EXPORT_COLUMNS, reply_queue
from analysis.config import SAMPLE_ANALYSIS, SAMPLE_ANALYSIS_NAME
from analysis.store import Workspace
from tests.e2e.conftest import download, go, screenshot, wait_for_app
from tests.e2e.test_chinese_browser import ENGLISH, data_strings, in_chinese, visible_text

pytestmark = pytest.mark.e2e


def metrics(page) -> dict[str, int]:
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return {label.strip(): int(value.replace(",", "")) for label, value in zip(labels, values)}


def edit_first_draft(page, text: str) -> None:
    """Type into the first card's draft and commit it (Ctrl+Enter), as a person editing in place."""
    area = page.locator("[data-testid='stTextArea'] textarea").first
    area.fill(text)
    area.press("Control+Enter")
    wait_for_app(page, timeout=120_000)


def saved_replies(server) -> pd.DataFrame:
    return Workspace(server.workspace).replies(SAMPLE_ANALYSIS_NAME)


def test_edit_mark_sent_and_export_in_english(page, app_server):
    page.goto(f"{app_server.url}/Actions")
    wait_for_app(page, timeout=300_000)
    page.get_by_text("Work through the queue").wait_for(timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0
    before = metrics(page)
    edit_first_draft(page, "Sorry about the strap, written in the browser. We will send a new one today.")
    page.get_by_role("button", name="Mark sent").first.click()
    wait_for_app(page, timeout=120_000)
    after = metrics(page)
    assert after["Sent"] == before["Sent"] + 1 and after["Open"] == before["Open"] - 1
    kept = saved_replies(app_server)
    sent = kept[kept["draft"] == "Sorry about the strap, written in the browser. We will send a new one today."]
    assert sent["status"].tolist() == ["sent"] and sent["edited"].tolist() == [True]
    screenshot(page, "actions_en")
    exported = pd.read_csv(download(page, "Download replies (CSV)"), encoding="utf-8-sig")
    assert exported.columns.tolist() == EXPORT_COLUMNS
    assert len(exported) == after["Open"] and set(exported["status"]) == {"open"}  # the queue as filtered: open
    assert exported["priority"].is_monotonic_decreasing and exported["draft_reply"].str.len().gt(40).all()
    assert not page.errors


def test_the_queue_in_chinese(page, app_server, tmp_path):
    in_chinese(page, app_server.url)
    go(page, "行动")
    page.get_by_text("逐条处理").wait_for(timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0
    text = visible_text(page)
    for value in data_strings(app_server.workspace, tmp_path):
        text = text.replace(value, " ")
    assert not ENGLISH.findall(text), ENGLISH.findall(text)
    before = metrics(page)
    edit_first_draft(page, "很抱歉给您添麻烦了，这条回复是在浏览器里改的。")
    page.get_by_role("button", name="标记为已发送").first.click()
    wait_for_app(page, timeout=120_000)
    assert metrics(page)["已发送"] == before["已发送"] + 1
    kept = saved_replies(app_server)
    assert kept.loc[kept["draft"] == "很抱歉给您添麻烦了，这条回复是在浏览器里改的。", "status"].tolist() == ["sent"]
    screenshot(page, "actions_zh")
    sheet = pd.read_excel(download(page, "下载回复（Excel）"), sheet_name="replies")
    assert sheet.columns.tolist() == EXPORT_COLUMNS and len(sheet) == metrics(page)["待处理"]
    assert not page.errors


HOSTILE = ["<img src=x onerror=alert(1)> 表带断了", "<script>alert(2)</script> The strap snapped",
           "**bold** [link](http://example.com) 客服不回复"]


def test_review_text_that_looks_like_html_stays_text_on_the_actions_page(page, app_server, tmp_path):
    from dataclasses import replace

    copy = tmp_path / "sample.duckdb"
    shutil.copy(SAMPLE_ANALYSIS, copy)
    sample = Workspace(copy).open(SAMPLE_ANALYSIS_NAME)
    # three of the first page's reviews that no emerging issue lifts: renaming one's product cannot move it off the page
    first_page = reply_queue(sample).head(10)
    top = first_page[first_page["emerging"] == 0].head(3)["review"].tolist()
    assert len(top) == 3
    reviews = sample.reviews.copy()
    for position, text in zip(top, HOSTILE):
        reviews.loc[reviews.index[position], "text"] = text + " " + reviews["text"].iloc[position]
    reviews.loc[reviews.index[top[0]], "product"] = "<b id='evil'>Evil</b> 商品"
    server_workspace = Workspace(app_server.workspace)
    server_workspace.save(replace(sample, reviews=reviews), "hostile-replies")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(app_server.url)
        wait_for_app(page, timeout=300_000)
        page.locator("[data-testid='stSelectbox']").filter(has_text="Name").click()
        page.get_by_role("option", name="hostile-replies").click()
        wait_for_app(page)
        page.locator("[data-testid='stBaseButton-primary']").filter(has_text="Open").click()
        page.get_by_text("every page now shows it").wait_for(timeout=120_000)
        go(page, "Actions")
        page.get_by_text("Work through the queue").wait_for(timeout=120_000)
        main = page.locator("[data-testid='stMain']")
        text = main.inner_text()
        assert all(h.split(" ")[0] in text for h in HOSTILE)  # shown as the characters they are
        assert "<b id='evil'>Evil</b> 商品" in text
        assert page.locator("img[src='x']").count() == 0 and page.locator("#evil").count() == 0
        assert main.locator("a[href='http://example.com']").count() == 0 and main.locator("strong", has_text="bold"
                                                                                              ).count() == 0
        assert page.evaluate("[...document.scripts].some(s => s.text.includes('alert('))") is False
        assert page.locator("[data-testid='stException']").count() == 0
        assert not dialogs and not page.errors
    finally:
        server_workspace.delete("hostile-replies")
