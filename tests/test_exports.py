"""Review text that looks like HTML or a spreadsheet formula stays text in every export format.

The browser test (tests/e2e/test_chinese_browser.py) checks the pages' DOM for the same texts; this one runs the
real analysis on them and reads back what the Explorer's CSV and Excel downloads, the themes table and the CLI write.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.config import Settings
from analysis.io import read_reviews, to_csv_bytes, to_xlsx_bytes, write_csv
from analysis.runs import analyze

HOSTILE_TEXTS = [
    "<img src=x onerror=alert(1)> 物流太慢了，等了十天才到，很失望",
    "<script>alert(2)</script> Battery drains fast, dead by noon every day",
    "=HYPERLINK(\"http://example.com\",\"click\") 质量很好，很满意",
    "+SUM(1,2) size runs small, order one size up",
    "@cmd|' /C calc'!A0 包装破损了，盒子压扁",
    "-2+3 customer service never answers",
]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    rows = [{"review": HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)] + f" ({i})", "rating": (i % 5) + 1,
             "product": f"P{i % 3}"} for i in range(48)]
    path = tmp_path_factory.mktemp("hostile") / "hostile-text.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    settings = Settings.from_env()
    return analyze(read_reviews(path, settings=settings), settings)


def _text_cells(frame: pd.DataFrame) -> list[str]:
    return [v for v in frame.astype(object).to_numpy().ravel() if isinstance(v, str)]


def test_csv_and_excel_downloads_keep_markup_as_text_and_neutralise_formulas(result, tmp_path: Path) -> None:
    csv = pd.read_csv(io.BytesIO(to_csv_bytes(result.output_frame())), encoding="utf-8-sig")
    assert csv["review"].str.contains("<img src=x onerror=alert(1)>", regex=False).any()  # kept, as text
    assert csv["review"].str.contains("<script>alert(2)</script>", regex=False).any()
    for cells in (_text_cells(csv), _text_cells(pd.read_csv(io.BytesIO(to_csv_bytes(result.themes)),
                                                            encoding="utf-8-sig"))):
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert csv["review"].str.startswith("'=HYPERLINK").any() and csv["review"].str.startswith("'@cmd").any()

    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"reviews": result.output_frame(),
                                                                "themes": result.themes})))
    cells = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert any(c.startswith("'+SUM") for c in cells)
    assert all(c.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for c in row)  # no formula cell

    write_csv(result.output_frame(), tmp_path / "reviews.csv")  # what `python -m analysis analyze` writes
    written = pd.read_csv(tmp_path / "reviews.csv", encoding="utf-8-sig")
    assert not [c for c in _text_cells(written) if c.startswith(("=", "+", "-", "@"))]
