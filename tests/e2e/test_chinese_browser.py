"""The Chinese interface in headless Chromium: no English on any page, hostile uploads through the real file chooser
each with its own Chinese message, and review text that looks like HTML or a formula stays text everywhere."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.config import SAMPLE_ANALYSIS_NAME
from analysis.store import Workspace
from tests.e2e.conftest import UPLOAD_LIMIT_MB, go, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

NAV = ["首页", "上传", "总览", "趋势", "主题", "商品", "评论浏览", "模型"]
# Three Latin words in a row is an English sentence; product names, theme labels and quotes are removed first.
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ ,]+[A-Za-z][A-Za-z'’-]+){2,}")


def in_chinese(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, timeout=300_000)
    page.locator("[data-testid='stSidebar']").get_by_text("中文", exact=True).click()
    wait_for_app(page, timeout=300_000)


def visible_text(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text() + "\n" + \
        page.locator("[data-testid='stMain']").inner_text()


def data_strings(workspace: Path, tmp_path: Path) -> list[str]:
    """What the page shows that is data, not interface: review texts, products, categories, theme labels,
    keywords and quotes of the sample analysis the server saved, and the sample file's column names."""
    copy = tmp_path / "ws.duckdb"
    shutil.copyfile(workspace, copy)
    result = Workspace(copy).open(SAMPLE_ANALYSIS_NAME)
    strings = set(result.data.columns) | {"reviews.csv"}
    for column in ("text", "product", "category"):
        strings |= set(result.reviews[column].dropna().astype(str))
    for column in ("label", "keywords", "quotes", "complaint_quotes", "praise_quotes"):
        for value in result.themes.get(column, []):
            strings |= set(map(str, value)) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") \
                else {str(value)}
    if len(result.theme_result.topics):
        strings |= set(result.theme_result.topics["label"].astype(str))
    return sorted((s for s in strings if s.strip()), key=len, reverse=True)


def test_no_english_sentence_on_any_page_in_chinese(page, app_server, tmp_path):
    in_chinese(page, app_server.url)
    texts = {}
    for label in NAV:
        go(page, label)
        page.locator(".js-plotly-plot").first.wait_for(timeout=120_000) if label in ("总览", "趋势") else None
        assert page.locator("[data-testid='stException']").count() == 0, label
        texts[label] = visible_text(page)
        screenshot(page, f"zh_{label}")
    known = data_strings(app_server.workspace, tmp_path)
    found = {}
    for label, text in texts.items():
        for line in text.splitlines():
            for value in known:
                if value in line:
                    line = line.replace(value, " ")
            english = ENGLISH.findall(line)
            if english:
                found.setdefault(label, []).extend(english)
    assert not found, f"English on Chinese pages: {found}"
    assert "首页" in texts["首页"] and "app" not in texts["首页"].split()
    assert not page.errors


def _hostile_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """file -> (path, a fragment of the Chinese message it must get)."""
    files: dict[str, tuple[Path, str]] = {}

    def write(name: str, data: bytes, expected: str) -> None:
        path = folder / name
        path.write_bytes(data)
        files[name] = (path, expected)

    write("too-big.csv", b"review,rating\n" + b"a long review text,5\n" * ((UPLOAD_LIMIT_MB + 1) * 55_000),
          f"超过了 {UPLOAD_LIMIT_MB} MB 的上限")
    write("broken.xlsx", b"PK\x03\x04" + bytes(range(256)) * 40, "无法打开这个 XLSX 文件")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("reviews.csv", "review,rating\n很好,5\n")
    write("archive.csv", archive.getvalue(), "这是 ZIP 压缩包")
    write("document.csv", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "这是 PDF 文档")
    write("wide.csv", ("," * 20_000 + "\n" + "x," * 20_000 + "\n").encode(), "超过评论导出文件最多 1,000 列的限制")
    write("one-line.csv", b"a" * (10 << 20), "文件只有一行")
    write("numbers.csv", "评论,评分\n12345,5\n67890,4\n3.5,2\n".encode(), "里只有数字")
    return files


def upload(page, path: Path, shows: str) -> None:
    """Through the file chooser's own input (a file already chosen replaces the one before), then wait until the
    page shows ``shows``: the rerun that reads the file can start a while after the upload on busy cores."""
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.get_by_text(shows, exact=False).first.wait_for(timeout=300_000)
    wait_for_app(page, timeout=300_000)


def test_hostile_uploads_get_a_specific_chinese_message_and_no_traceback(page, app_url, tmp_path):
    in_chinese(page, app_url)
    go(page, "上传")
    page.get_by_text("上传文件", exact=True).click()
    wait_for_app(page)
    for name, (path, expected) in _hostile_files(tmp_path).items():
        upload(page, path, shows=expected)
        main = page.locator("[data-testid='stMain']").inner_text()
        assert expected in main, f"{name}: {main[:600]}"
        assert page.locator("[data-testid='stException']").count() == 0, name
        assert "Traceback" not in main, name
        screenshot(page, f"hostile_{path.stem}")
    assert not page.errors


def test_a_workbook_says_which_sheet_is_read_and_the_user_picks_another(page, app_url, tmp_path):
    path = tmp_path / "two-sheets.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"评价": ["物流太慢了，等了十天", "质量很好，很满意"], "评分": [1, 5]}).to_excel(
            writer, sheet_name="十月", index=False)
        pd.DataFrame({"评价": ["电池不耐用", "尺码偏小", "包装破损了"], "评分": [2, 3, 1]}).to_excel(
            writer, sheet_name="十一月", index=False)
    in_chinese(page, app_url)
    go(page, "上传")
    page.get_by_text("上传文件", exact=True).click()
    wait_for_app(page)
    upload(page, path, shows="已读取工作表“十月”")
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "已读取工作表“十月”" in main

    def rows_read() -> str:
        metrics = dict(zip(page.locator("[data-testid='stMetricLabel']").all_inner_texts(),
                           page.locator("[data-testid='stMetricValue']").all_inner_texts()))
        return metrics["读取行数"]

    assert rows_read() == "2"
    page.locator("[data-testid='stSelectbox']").filter(has_text="工作簿的工作表").click()
    page.get_by_role("option", name="十一月").click()
    page.get_by_text("已读取工作表“十一月”", exact=False).first.wait_for(timeout=300_000)
    wait_for_app(page, timeout=120_000)
    assert rows_read() == "3"
    assert "已读取工作表“十一月”" in page.locator("[data-testid='stMain']").inner_text()
    assert not page.errors


HOSTILE_TEXTS = [
    "<img src=x onerror=alert(1)> 物流太慢了，等了十天才到，很失望",
    "<script>alert(2)</script> Battery drains fast, dead by noon every day",
    "=HYPERLINK(\"http://example.com\",\"click\") 质量很好，很满意",
    "+SUM(1,2) size runs small, order one size up",
]


def test_review_text_that_looks_like_html_stays_text_on_every_page(page, app_url, tmp_path):
    """The exports of the same text are checked without a browser in tests/test_exports.py."""
    rows = [{"review": HOSTILE_TEXTS[i % 4] + f" ({i})", "rating": (i % 5) + 1, "product": f"P{i % 3}"}
            for i in range(40)]
    path = tmp_path / "hostile-text.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    in_chinese(page, app_url)
    go(page, "上传")
    page.get_by_text("上传文件", exact=True).click()
    wait_for_app(page)
    upload(page, path, shows="导入报告")
    page.get_by_role("button", name="开始分析").first.click()
    page.get_by_text("分析完成").wait_for(timeout=300_000)
    wait_for_app(page, timeout=300_000)
    for label in NAV:  # every page, drawn from this session's analysis of the hostile file
        go(page, label)
        assert page.locator("img[src='x']").count() == 0, label
        assert page.evaluate("[...document.scripts].some(s => s.text.includes('alert('))") is False, label
        assert page.locator("[data-testid='stException']").count() == 0, label
    assert not dialogs, f"review text ran as script: {dialogs}"
    assert not page.errors
