"""Ingestion over a corpus of hostile and foreign-encoded files that the tests write themselves."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.config import Settings
from analysis.io import IngestError, parse_dates, parse_ratings, read_reviews

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"

ZH = ["物流太慢了，等了十天才到", "电池不耐用，半天就没电", "质量很好，很满意", "尺码偏小，建议拍大一码"]
ZH_TRADITIONAL = ["這家店的服務很好，物流也很快", "商品質量不錯，下次還會再來購買", "電池不耐用，很失望", "尺碼偏小"]
EN = ["Battery drains fast", "Arrived quickly, great value", "Size runs small", "Customer service never answers"]


def csv_bytes(rows: list[dict], encoding: str = "utf-8", sep: str = ",") -> bytes:
    return pd.DataFrame(rows).to_csv(index=False, sep=sep).encode(encoding)


def reviews(texts: list[str], header: str = "review") -> list[dict]:
    return [{header: t, "rating": i % 5 + 1, "date": f"2024-0{i % 9 + 1}-15"} for i, t in enumerate(texts)]


def assert_accounted(table) -> None:
    report = table.report
    assert report.rows_read == report.rows_kept + len(report.rows_rejected)
    assert len(table.reviews) == report.rows_kept == len(table.data)


# ------------------------------------------------------------------------------------------------- encodings
@pytest.mark.parametrize(
    ("encoding", "texts", "expected"),
    [
        ("utf-8", ZH + EN, "utf-8"),
        ("utf-8-sig", ZH + EN, "utf-8-sig"),
        ("gbk", ZH * 3, "gb18030"),
        ("gb18030", ZH * 3, "gb18030"),
        ("big5", ZH_TRADITIONAL * 3, "big5"),
        ("utf-16", ZH + EN, "utf-16"),
    ],
)
def test_encodings_are_detected_and_text_survives(encoding, texts, expected):
    table = read_reviews(csv_bytes(reviews(texts), encoding), "export.csv")
    assert table.report.encoding == expected
    assert table.reviews["text"].tolist() == texts
    assert_accounted(table)


def test_short_gbk_file_is_not_mistaken_for_korean():
    data = csv_bytes([{"评论": "质量很好"}, {"评论": "物流太慢"}], "gbk")
    table = read_reviews(data, "short.csv")
    assert table.report.encoding == "gb18030"
    assert table.reviews["text"].tolist() == ["质量很好", "物流太慢"]


def test_mixed_encodings_are_decoded_line_by_line_with_a_warning():
    utf8 = csv_bytes(reviews(ZH[:2]))
    gbk_lines = "\n".join(f"{t},4,2024-05-01" for t in ZH[2:]).encode("gbk")
    table = read_reviews(utf8 + gbk_lines + b"\n", "stitched.csv")
    assert table.reviews["text"].tolist() == ZH
    assert any("mixes encodings" in str(w) for w in table.report.warnings)


# ------------------------------------------------------------------------------------------------- formats
@pytest.mark.parametrize(("sep", "name"), [(";", "x.csv"), ("\t", "x.tsv"), ("|", "x.csv"), ("\t", "x.txt")])
def test_delimiters(sep, name):
    table = read_reviews(csv_bytes(reviews(EN), sep=sep), name)
    assert table.report.delimiter == sep
    assert table.reviews["text"].tolist() == EN
    assert table.reviews["rating"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_json_array_jsonl_with_bad_line_parquet_and_excel(tmp_path):
    rows = reviews(EN)
    assert read_reviews(json.dumps(rows).encode(), "x.json").reviews["text"].tolist() == EN
    wrapped = json.dumps({"meta": 1, "reviews": rows}, ensure_ascii=False).encode()
    assert read_reviews(wrapped, "x.json").report.rows_kept == 4

    lines = [json.dumps(r) for r in rows]
    lines.insert(2, "{not json")
    lines.insert(3, "[1, 2]")
    table = read_reviews("\n".join(lines).encode(), "x.jsonl")
    assert table.report.rows_kept == 4
    assert [r.row for r in table.report.rows_rejected] == [3, 4]
    assert "not valid JSON" in str(table.report.rows_rejected[0].reason)
    assert "not an object" in str(table.report.rows_rejected[1].reason)
    assert_accounted(table)

    parquet = io.BytesIO()
    pd.DataFrame(rows).to_parquet(parquet)
    assert read_reviews(parquet.getvalue(), "x.parquet").reviews["text"].tolist() == EN

    path = tmp_path / "x.xlsx"
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    frame.to_excel(path, index=False)
    table = read_reviews(path)
    assert table.reviews["date"].dt.month.tolist() == [1, 2, 3, 4]


def test_wrong_extension_is_read_by_content_with_a_warning(tmp_path):
    path = tmp_path / "reviews.csv"
    pd.DataFrame(reviews(EN)).to_excel(path, index=False)
    table = read_reviews(path)
    assert table.report.file_format == "xlsx"
    assert "ends in .csv but the content is XLSX" in str(table.report.warnings[0])

    table = read_reviews(csv_bytes(reviews(EN)), "reviews.xlsx")
    assert table.report.file_format == "csv"
    assert any(".xlsx but the content is CSV" in str(w) for w in table.report.warnings)


# ------------------------------------------------------------------------------------------------- hostile input
@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"\n\n  \n", "blank.csv", "empty"),
        (bytes(range(256)) * 20, "photo.csv", "binary file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "Excel 97-2003"),
        (b"\x1f\x8b\x08\x00" + b"\0" * 50, "x.csv.gz", "gzip"),
        (b"id,price,stock\n1,3.5,10\n2,4.0,12\n", "numbers.csv", "no column looks like review text"),
        (b"review,rating\n", "header_only.csv", "no review rows"),
        (b"[1, 2, 3]", "x.json", "no review rows"),
        (b"{\"a\": 1}", "x.json", "without a list of reviews"),
        (b"[{\"review\": \"ok\"", "x.json", "not valid JSON"),
        (b"PK\x03\x04garbage that is not a workbook", "x.xlsx", "could not be opened"),
    ],
)
def test_unusable_files_raise_a_specific_message(data, name, message):
    with pytest.raises(IngestError, match=message):
        read_reviews(data, name)


def test_broken_quoting_rejects_only_the_broken_row():
    data = (
        b"review,rating\n"
        b"Great value,5\n"
        b'"Battery drains fast, and the quote never closes,2\n'
        b"Size runs small,3\n"
        b"Arrived quickly,4\n"
    )
    table = read_reviews(data, "quotes.csv")
    rejected = table.report.rows_rejected
    assert [r.row for r in rejected] == [2]
    assert "broken quoting" in str(rejected[0].reason) and "line 3" in str(rejected[0].reason)
    assert table.reviews["text"].tolist() == ["Great value", "Size runs small", "Arrived quickly"]
    assert table.reviews["row"].tolist() == [1, 3, 4]
    assert_accounted(table)


def test_rows_with_extra_values_empty_text_and_exact_duplicates_are_rejected_with_reasons():
    data = (
        b"review,rating,date\n"
        b"Great value,5,2024-01-01\n"
        b"Battery drains fast, really,2,2024-01-02\n"  # unquoted comma: one value too many
        b",4,2024-01-03\n"
        b"!!!,4,2024-01-03\n"
        b"Great value,5,2024-01-01\n"
        b"Size runs small,3,2024-01-04\n"
    )
    table = read_reviews(data, "x.csv")
    reasons = {r.row: str(r.reason) for r in table.report.rows_rejected}
    assert set(reasons) == {2, 3, 4, 5}
    assert "4 values but the header has 3" in reasons[2]
    assert "empty" in reasons[3]
    assert "no letters or digits" in reasons[4]
    assert reasons[5] == "exact duplicate of row 1"
    assert_accounted(table)


def test_huge_cell_is_kept_but_cut_with_a_warning():
    huge = "电池不耐用" * 210_000  # over 1 MB of UTF-8
    table = read_reviews(csv_bytes([{"review": huge}, {"review": "ok good"}]), "huge.csv")
    assert table.report.rows_kept == 2
    limit = Settings().max_cell_chars
    assert len(table.reviews["text"][0]) == limit
    assert any("row 1" in str(w) and f"first {limit:,}" in str(w) for w in table.report.warnings)


def test_duplicate_and_blank_column_names_are_renamed_with_a_warning():
    data = b"review,rating,rating,\nGood value,5,4,x\nToo small,2,1,y\n"
    table = read_reviews(data, "dup.csv")
    assert list(table.data.columns) == ["review", "rating", "rating (2)", "column_4"]
    assert any("'rating' appears more than once" in str(w) for w in table.report.warnings)
    assert table.reviews["rating"].tolist() == [5.0, 2.0]


def test_html_and_script_are_kept_as_plain_text_without_tags():
    rows = [{"review": "<script>alert('x')</script>Great <b>value</b><br>would buy"}, {"review": "Fine product"}]
    table = read_reviews(csv_bytes(rows), "html.csv")
    assert table.reviews["text"][0] == "Great value would buy"
    assert "<script>" in table.data["review"][0]  # the original stays untouched
    assert any("HTML markup" in str(w) for w in table.report.warnings)


def test_spreadsheet_formulas_are_reported():
    rows = [{"review": "=HYPERLINK(\"http://x\",\"click\")"}, {"review": "+1 great"}, {"review": "-fine- okay"},
            {"review": "@everyone look"}, {"review": "normal text"}]
    table = read_reviews(csv_bytes(rows), "formula.csv")
    assert table.report.rows_kept == 5
    assert any(str(w).startswith("4 reviews start with =, +, - or @") for w in table.report.warnings)


def test_row_and_size_limits_are_settings_with_instructions():
    table = read_reviews(csv_bytes(reviews(EN * 5)), "x.csv", settings=Settings(max_rows=7))
    assert table.report.rows_kept == 7
    assert len(table.report.rows_rejected) == 13
    assert "REVIEW_INSIGHTS_MAX_ROWS" in str(table.report.rows_rejected[0].reason)
    assert_accounted(table)
    with pytest.raises(IngestError, match="REVIEW_INSIGHTS_MAX_UPLOAD_MB"):
        read_reviews(b"review\n" + b"x" * (1024 * 1024 + 10), "big.csv", settings=Settings(max_upload_mb=1))


@pytest.mark.slow
def test_half_a_million_rows_are_all_accounted_for():
    n = 500_000
    frame = pd.DataFrame({"review": [f"review {i} about the battery" for i in range(n)], "stars": np.arange(n) % 5 + 1})
    table = read_reviews(frame.to_csv(index=False).encode(), "big.csv")
    assert table.report.rows_kept == n
    assert table.reviews["rating"].iloc[-1] == 5.0


# ------------------------------------------------------------------------------------------------- roles
def test_roles_from_chinese_headers_on_the_gbk_sample():
    table = read_reviews(SAMPLE / "reviews_gbk.csv")
    assert table.report.encoding == "gb18030"
    assert table.report.columns == {"text": "评价内容", "rating": "评分", "date": "评价时间", "product": "商品名称",
                                    "review_id": "订单编号"}
    assert table.reviews["rating"].between(1, 5).all()
    assert table.reviews["date"].notna().all()
    assert set(table.report.languages) == {"zh"}


def test_roles_from_content_when_headers_say_nothing():
    rows = [{"c1": f"R{i}", "c2": ["★★★★★", "★★", "★★★"][i % 3], "c3": f"2024年{i % 12 + 1}月3日", "c4": t}
            for i, t in enumerate(ZH + EN)]
    table = read_reviews(csv_bytes(rows), "anon.csv")
    assert table.report.columns["text"] == "c4"
    assert table.report.columns["rating"] == "c2"
    assert table.report.columns["date"] == "c3"
    assert "longest free text" in str(table.report.role_reasons["text"])


def test_user_overrides_win_and_unknown_columns_are_named():
    rows = [{"title": f"Title {t}", "body": t + " and more words here", "score": 4} for t in EN]
    table = read_reviews(csv_bytes(rows), "x.csv", overrides={"text": "title"})
    assert table.report.columns["text"] == "title"
    assert str(table.report.role_reasons["text"]) == "chosen by the user"
    with pytest.raises(IngestError, match="'nope' does not exist; the columns are: title, body, score"):
        read_reviews(csv_bytes(rows), "x.csv", overrides={"text": "nope"})


def test_bad_rating_or_date_becomes_missing_with_a_warning_not_a_rejection():
    rows = [{"review": "good", "rating": "5", "date": "2024-01-01"},
            {"review": "bad", "rating": "terrible", "date": "yesterday-ish"}]
    table = read_reviews(csv_bytes(rows), "x.csv")
    assert table.report.rows_kept == 2
    assert np.isnan(table.reviews["rating"][1]) and pd.isna(table.reviews["date"][1])
    assert any("row 2 ('terrible')" in str(w) for w in table.report.warnings)
    assert any("row 2 ('yesterday-ish')" in str(w) for w in table.report.warnings)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("4", 4.0), ("4.0", 4.0), ("4星", 4.0), ("★★★★", 4.0), ("★★★☆☆", 3.0), ("五星", 5.0), ("8/10", 4.0),
     ("4/5", 4.0), ("3 stars", 3.0)],
)
def test_rating_forms(raw, expected):
    assert parse_ratings(pd.Series([raw, "5"])).values[0] == expected


def test_rating_scales_are_rescaled():
    assert parse_ratings(pd.Series(["10", "2", "6"])).values.tolist() == [5.0, 1.0, 3.0]
    assert parse_ratings(pd.Series(["100", "20", "80"])).values.tolist() == [5.0, 1.0, 4.0]
    assert parse_ratings(pd.Series(["0", "3"])).unreadable == [0]


@pytest.mark.parametrize(
    "raw",
    ["2024-03-05", "2024/3/5", "2024年3月5日", "05-Mar-24", "1709596800", "1709596800000", "45356", 45356,
     "2024-03-05T10:00:00+08:00", "20240305"],
)
def test_date_forms(raw):
    parsed = parse_dates(pd.Series([raw])).values[0]
    assert (parsed.year, parsed.month, parsed.day) == (2024, 3, 5)


def test_languages_are_counted():
    table = read_reviews(csv_bytes(reviews(ZH + EN + ["电池不耐用 but the screen is great and very bright"])), "x.csv")
    assert table.report.languages == {"zh": 4, "en": 4, "mixed": 1}


def test_a_wrongly_detected_role_can_be_turned_off():
    table = read_reviews(csv_bytes(reviews(EN)), "x.csv", overrides={"date": ""})
    assert "date" not in table.report.columns
    assert table.reviews["date"].isna().all()
    assert table.report.columns["rating"] == "rating"


# ------------------------------------------------------------------------------ characters that look like breaks
LINE_BREAK_LOOKALIKES = ["\x85", "\u2028", "\u2029", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "unquoted"])
@pytest.mark.parametrize("sep", [",", "\t"], ids=["csv", "tsv"])
@pytest.mark.parametrize("char", LINE_BREAK_LOOKALIKES, ids=[f"U+{ord(c):04X}" for c in LINE_BREAK_LOOKALIKES])
def test_a_line_break_lookalike_stays_inside_its_field(char: str, sep: str, quoted: bool, encoding: str) -> None:
    """A field ends only at \\r or \\n (RFC 4180); str.splitlines would also break at these and cut a review."""
    text = f"电池不耐用{char}battery dies fast"
    cell = f'"{text}"' if quoted else text
    data = f"review{sep}rating\r\n{cell}{sep}2\r\nFast delivery{sep}5\r\n".encode(encoding)
    table = read_reviews(data, "export.tsv" if sep == "\t" else "export.csv")
    assert table.report.rows_read == 2 and not table.report.rows_rejected
    assert table.data["review"].tolist() == [text, "Fast delivery"]
    assert table.data["rating"].tolist() == ["2", "5"]


def test_a_real_20000_row_file_written_by_pandas_reads_as_20000_rows(shared_data: Path, tmp_path: Path) -> None:
    """The UCI sentences hold U+0085 inside a review: once read as 20,001 rows, the tail rejected as empty."""
    sources = ["en_uci_labelled_sentences", "en_yelp_10k", "zh_online_shopping_books_computers_hotel"]
    frame = pd.concat([pd.read_csv(shared_data / f"{s}.csv.gz", dtype=str, keep_default_na=False) for s in sources])
    frame = frame[["review_id", "text", "rating", "lang"]].head(20_000)
    assert frame["text"].str.contains("\x85").any()  # the case that broke
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)  # the way pandas writes it: quotes only where needed
    table = read_reviews(path, settings=Settings(max_rows=50_000))
    assert table.report.rows_read == 20_000
    assert table.report.rows_kept + len(table.report.rows_rejected) == 20_000
    kept = table.data.set_index("review_id")["text"]
    source = frame.set_index("review_id")["text"]
    assert kept.to_dict() == source.loc[kept.index].to_dict()  # every kept text identical to the source
    assert all("empty" not in str(r.reason) for r in table.report.rows_rejected)


# ------------------------------------------------------------------------------ hostile uploads: specific messages
def _workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def test_a_workbook_with_several_sheets_says_which_is_read_and_reads_the_one_picked() -> None:
    data = _workbook({"一月": pd.DataFrame(reviews(ZH)), "二月": pd.DataFrame(reviews(EN))})
    first = read_reviews(data, "export.xlsx")
    assert first.report.sheet == "一月" and first.report.sheets == ["一月", "二月"]
    assert first.data["review"].tolist() == ZH
    warning = next(w for w in first.report.warnings if w.code == "xlsx.several_sheets")
    assert "sheet '一月' was read" in str(warning) and "已读取工作表“一月”" in warning.render("zh")
    second = read_reviews(data, "export.xlsx", sheet="二月")
    assert second.report.sheet == "二月" and second.data["review"].tolist() == EN
    with pytest.raises(IngestError, match="no sheet with data called '三月'"):
        read_reviews(data, "export.xlsx", sheet="三月")


def _zip(names: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "name", "code"), [
    (_zip({"reviews.csv": b"review,rating\nok,5\n"}), "reviews.csv", "file.zip"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "reviews.csv", "file.pdf"),
    (b"PK\x03\x04" + bytes(range(256)) * 20, "reviews.xlsx", "file.unopenable"),
    (("," * 20_000 + "\n" + "x," * 20_000 + "\n").encode(), "wide.csv", "header.too_wide"),
    (b"a" * (10 << 20), "one-line.csv", "file.one_line"),
    ("评论,评分\n12345,5\n67890,4\n3.5,2\n".encode(), "numbers.csv", "column.text_is_numbers"),
], ids=["zip-as-csv", "pdf-as-csv", "corrupt-xlsx", "20000-columns", "10MB-line", "numbers-as-text"])
def test_a_hostile_file_gets_its_own_message_in_both_languages(data: bytes, name: str, code: str) -> None:
    with pytest.raises(IngestError) as caught:
        read_reviews(data, name)
    assert caught.value.message.code == code
    chinese = caught.value.message.render("zh")
    assert chinese != str(caught.value) and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
