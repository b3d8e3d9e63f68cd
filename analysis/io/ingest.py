"""Read a review export into a typed table and an honest report of what was kept, rejected and why.

Every input row ends up either in the table or in the report's rejected list with its reason; a bad rating or date
becomes missing with a warning rather than costing the row. Row numbers count data records from 1 (the header row
is not counted), as they are numbered in the report, the CLI and the UI.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from analysis.config import Settings
from analysis.io.decoding import DecodingError, decode_text, sniff_delimiter, sniff_format
from analysis.io.exports import FORMULA_PREFIXES
from analysis.io.roles import ROLES, infer_roles, parse_dates, parse_ratings
from analysis.text import detect_language

CANONICAL_COLUMNS = ("row", "text", "rating", "date", "product", "review_id", "title", "category", "language")
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]{0,200}>")
_SCRIPT = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_EXAMPLES = 5


class IngestError(ValueError):
    """The file cannot be used at all; the message says why and what to do."""


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str


@dataclass
class IngestReport:
    """What happened to a file on the way in; rows_read == rows_kept + len(rows_rejected), always."""

    source: str
    file_format: str = ""
    encoding: str = ""
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    role_reasons: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    rows_kept: int = 0
    rows_rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0
    languages: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["rows_rejected"] = [{"row": r.row, "reason": r.reason} for r in self.rows_rejected]
        return out

    def summary(self) -> str:
        """A human-readable report for the terminal."""
        lines = [
            f"file: {self.source} ({self.file_format}, encoding {self.encoding}"
            + (f", delimiter {self.delimiter!r})" if self.delimiter else ")"),
            f"rows: {self.rows_read} read, {self.rows_kept} kept, {len(self.rows_rejected)} rejected",
            "columns:",
            *(f"  {role:<10} <- {col!r}  ({self.role_reasons.get(role, '')})" for role, col in self.columns.items()),
            "languages: " + ", ".join(f"{k} {v}" for k, v in self.languages.items()),
        ]
        if self.rows_rejected:
            lines.append("rejected rows:")
            lines += [f"  row {r.row}: {r.reason}" for r in self.rows_rejected[:50]]
            if len(self.rows_rejected) > 50:
                lines.append(f"  ... and {len(self.rows_rejected) - 50} more (use --json for all)")
        if self.warnings:
            lines.append("warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class ReviewTable:
    """Kept rows twice: as the user's original columns (``data``) and in canonical roles (``reviews``)."""

    data: pd.DataFrame
    reviews: pd.DataFrame
    report: IngestReport


# ------------------------------------------------------------------------------------------------ reading rows
@dataclass
class _Raw:
    frame: pd.DataFrame  # all values as read; index = row number
    rejected: list[RejectedRow]
    warnings: list[str]
    encoding: str = ""
    delimiter: str | None = None


def record_lines(text: str) -> list[str]:
    """The file's lines, broken only at \\r\\n, \\n or \\r, with their endings.

    ``str.splitlines`` also breaks at U+0085, U+2028, U+2029, form feed, vertical tab and \\x1c-\\x1e, which can sit
    inside a review (a field ends only at \\r or \\n, RFC 4180): splitting there cut a review in two and turned its
    tail into a row of its own. A text stream with ``newline=""`` knows only the three real line endings.
    """
    return io.StringIO(text, newline="").readlines()


def _unique_headers(headers: list[object]) -> tuple[list[str], list[str]]:
    """Blank headers get a name, repeated ones a suffix, and the user is told."""
    seen: Counter[str] = Counter()
    out, warnings = [], []
    for position, header in enumerate(headers, start=1):
        name = str(header).strip() if header is not None and str(header).strip() not in ("", "nan") else ""
        if not name:
            name = f"column_{position}"
        seen[name] += 1
        if seen[name] > 1:
            new = f"{name} ({seen[name]})"
            warnings.append(f"column '{name}' appears more than once; occurrence {seen[name]} is read as '{new}'.")
            name = new
        out.append(name)
    return out, warnings


def _read_delimited(data: bytes, file_format: str) -> _Raw:
    decoded = decode_text(data)
    text = decoded.text
    warnings = []
    if decoded.mixed_lines:
        shown = ", ".join(map(str, decoded.mixed_lines[:_EXAMPLES]))
        warnings.append(f"the file mixes encodings: {len(decoded.mixed_lines)} lines (e.g. lines {shown}) are not "
                        "UTF-8 and were decoded as GB18030; check those rows, or re-save the file as UTF-8.")
    if "\ufffd" in text:
        warnings.append("some characters could not be decoded and show as '\ufffd'; re-save the file as UTF-8 if "
                        "text looks wrong.")
    delimiter = sniff_delimiter(text, file_format)
    lines = record_lines(text)
    if not any(line.strip() for line in lines):
        raise IngestError("the file is empty; export the reviews again and upload the file with its header row.")

    header, records, broken = _parse_records(lines, delimiter)
    names, header_warnings = _unique_headers(header)
    warnings += header_warnings
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    # Number records in file order, the rows lost to broken quoting among them.
    events = sorted([(line, "ok", values) for line, values in records] + [(line, "bad", []) for line in broken],
                    key=lambda e: e[0])
    rejected: list[RejectedRow] = []
    for number, (line, kind, payload) in enumerate(events, start=1):
        if kind == "bad":
            rejected.append(RejectedRow(number, f"broken quoting: a quote opened on line {line} is never closed "
                                                "properly; fix that line's quotes and upload again"))
        elif len(payload) > len(names):
            extra = payload[len(names):]
            if any(v.strip() for v in extra):
                rejected.append(RejectedRow(number, f"has {len(payload)} values but the header has {len(names)} "
                                                    f"(line {line}); a delimiter inside unquoted text? quote that "
                                                    "field and upload again"))
            else:
                rows.append(payload[: len(names)])
                row_numbers.append(number)
        else:
            rows.append(payload + [""] * (len(names) - len(payload)))
            row_numbers.append(number)
    frame = pd.DataFrame(rows, columns=names, index=pd.Index(row_numbers, name="row"), dtype=object)
    return _Raw(frame, rejected, warnings, decoded.encoding, delimiter)


def _parse_records(lines: list[str], delimiter: str) -> tuple[list[str] | None, list[tuple[int, list[str]]], list[int]]:
    """Header, records with their first line number, and lines where a broken quote began.

    A quote opened and never closed would otherwise swallow the rest of the file into one cell: the record where it
    opened is set aside and reading resumes on the next line.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # a 1 MB review is a review, not an error
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    broken: list[int] = []
    position = 0
    while position < len(lines):
        reader = csv.reader(lines[position:], delimiter=delimiter, strict=True)
        consumed = 0
        try:
            for values in reader:
                first_line = position + consumed + 1
                consumed = reader.line_num
                if header is None:
                    header = values
                elif any(v.strip() for v in values):
                    records.append((first_line, values))
            break
        except csv.Error:
            bad = position + consumed
            if header is None:
                raise IngestError(f"the header line is broken (a quote is not closed on line {bad + 1}); fix the "
                                  "header or export the file again.") from None
            broken.append(bad + 1)
            position = bad + 1
    return header, records, broken


def _read_json(data: bytes, file_format: str) -> _Raw:
    decoded = decode_text(data)
    text = decoded.text.strip()
    if not text:
        raise IngestError("the file is empty; export the reviews again.")
    items: list[tuple[int, object]] = []
    rejected: list[RejectedRow] = []
    if file_format == "jsonl":
        for number, line in enumerate((ln for ln in record_lines(text) if ln.strip()), start=1):
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                rejected.append(RejectedRow(number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; fix the file or "
                              "export it again.") from None
        if isinstance(document, dict):
            lists = [v for v in document.values() if isinstance(v, list)]
            if not lists:
                raise IngestError("the JSON is one object without a list of reviews; give an array of objects, "
                                  "e.g. [{\"review\": \"...\", \"rating\": 5}].")
            document = max(lists, key=len)
        if not isinstance(document, list):
            raise IngestError("the JSON must be an array of review objects.")
        items = list(enumerate(document, start=1))
    records, numbers = [], []
    for number, item in items:
        if isinstance(item, dict):
            records.append({str(k): v if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False)
                            for k, v in item.items()})
            numbers.append(number)
        else:
            rejected.append(RejectedRow(number, f"is a {type(item).__name__}, not an object with named fields"))
    frame = pd.DataFrame.from_records(records, index=pd.Index(numbers, name="row")) if records else pd.DataFrame()
    frame = frame.astype(object).where(frame.notna(), "") if len(frame) else frame
    return _Raw(frame, rejected, [], decoded.encoding)


def _read_table_file(data: bytes, file_format: str) -> _Raw:
    buffer = io.BytesIO(data)
    warnings: list[str] = []
    try:
        if file_format == "xlsx":
            sheets = pd.read_excel(buffer, sheet_name=None, dtype=object, header=None, engine="openpyxl")
            filled = {name: s.dropna(how="all") for name, s in sheets.items()}
            filled = {name: s for name, s in filled.items() if len(s)}
            if not filled:
                raise IngestError("the workbook has no filled cells; put the reviews on the first sheet.")
            name = next(iter(filled))
            if len(filled) > 1:
                warnings.append(f"the workbook has {len(filled)} sheets with data; only '{name}' was read. Move "
                                "other reviews onto it or upload each sheet as its own file.")
            sheet = filled[name]
            header, body = sheet.iloc[0].tolist(), sheet.iloc[1:]
        else:
            table = pd.read_parquet(buffer)
            header, body = list(table.columns), table.astype(object)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001  openpyxl/pyarrow raise many types for corrupt files
        raise IngestError(f"the {file_format.upper()} file could not be opened ({type(exc).__name__}); it may be "
                          "damaged or password-protected. Re-save it and upload again.") from None
    names, header_warnings = _unique_headers(header)
    frame = pd.DataFrame(body.to_numpy(), columns=names, dtype=object)
    frame = frame.where(frame.notna(), "")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    frame = frame[frame.apply(lambda r: any(str(v).strip() for v in r), axis=1)] if len(frame) else frame
    return _Raw(frame, [], warnings + header_warnings, "n/a (binary format)")


# ------------------------------------------------------------------------------------------------ the public entry
def read_reviews(
    source: str | Path | bytes | BinaryIO,
    filename: str | None = None,
    overrides: dict[str, str] | None = None,
    settings: Settings | None = None,
) -> ReviewTable:
    """Read an export from a path, bytes or an uploaded file; raise ``IngestError`` only when nothing is usable."""
    settings = settings or Settings.from_env()
    data, name = _load_bytes(source, filename)
    limit = settings.max_upload_mb * 1024 * 1024
    if len(data) > limit:
        raise IngestError(f"the file is {len(data) / 1048576:.0f} MB, over the {settings.max_upload_mb} MB limit; "
                          "split it, or raise REVIEW_INSIGHTS_MAX_UPLOAD_MB (the CLI handles big files in chunks).")
    if not data.strip():
        raise IngestError("the file is empty; export the reviews again and upload the file with its header row.")
    try:
        file_format, format_warning = sniff_format(data, name)
    except DecodingError as exc:
        raise IngestError(str(exc)) from None
    if file_format in ("csv", "tsv"):
        raw = _read_delimited(data, file_format)
    elif file_format in ("json", "jsonl"):
        raw = _read_json(data, file_format)
    else:
        raw = _read_table_file(data, file_format)
    if format_warning:
        raw.warnings.insert(0, format_warning)
    return _build_table(raw, name, file_format, overrides or {}, settings)


def _load_bytes(source: str | Path | bytes | BinaryIO, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), filename or "upload"
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise IngestError(f"no such file: {path}; check the path.")
        if path.is_dir():
            raise IngestError(f"{path} is a folder; give the export file inside it.")
        return path.read_bytes(), filename or path.name
    data = source.read()
    return data, filename or getattr(source, "name", "upload")


def _build_table(raw: _Raw, name: str, file_format: str, overrides: dict[str, str], settings: Settings) -> ReviewTable:
    frame = raw.frame
    report = IngestReport(source=name, file_format=file_format, encoding=raw.encoding, delimiter=raw.delimiter,
                          warnings=list(raw.warnings))
    rejected = list(raw.rejected)
    report.rows_read = len(frame) + len(rejected)
    if frame.empty or len(frame.columns) == 0:
        raise IngestError("no review rows were found under the header; check that the file holds data rows.")
    try:
        roles = infer_roles(frame, overrides)
    except KeyError as exc:
        raise IngestError(f"column {exc.args[0]!r} does not exist; the columns are: "
                          f"{', '.join(map(str, frame.columns))}.") from None
    if "text" not in roles:
        raise IngestError("no column looks like review text (columns: " + ", ".join(map(str, frame.columns)) +
                          "); choose the text column in the Upload page or pass --text-column.")
    report.columns = {role: roles[role].column for role in ROLES if role in roles}
    report.role_reasons = {role: roles[role].reason for role in ROLES if role in roles}

    if len(frame) > settings.max_rows:
        beyond = frame.index[settings.max_rows:]
        rejected += [RejectedRow(int(n), f"beyond the row limit of {settings.max_rows:,}; split the file or raise "
                                         "REVIEW_INSIGHTS_MAX_ROWS") for n in beyond]
        frame = frame.iloc[: settings.max_rows]

    text = frame[roles["text"].column].map(lambda v: "" if v is None else str(v))
    keep = pd.Series(True, index=frame.index)
    for number in frame.index[text.str.strip().eq("")]:
        rejected.append(RejectedRow(int(number), f"the review text ('{roles['text'].column}') is empty"))
        keep[number] = False
    no_words = text.str.strip().ne("") & ~text.str.contains(r"[^\W_]", regex=True)
    for number in frame.index[no_words & keep]:
        rejected.append(RejectedRow(int(number), "the review text has no letters or digits, only punctuation"))
        keep[number] = False
    row_hash = pd.util.hash_pandas_object(frame.astype(str), index=False)
    duplicated = row_hash.duplicated(keep="first") & keep
    if duplicated.any():
        first_seen = pd.Series(row_hash.index, index=row_hash.to_numpy()).groupby(level=0).first()
        for number in frame.index[duplicated]:
            rejected.append(RejectedRow(int(number), f"exact duplicate of row {first_seen[row_hash[number]]}"))
            keep[number] = False
    data = frame[keep]
    text = text[keep]
    reviews = pd.DataFrame(index=data.index)
    reviews["row"] = data.index.astype(int)
    reviews["text"] = _clean_text(text, report, settings)
    reviews["rating"] = _parsed_column(data, roles, "rating", report)
    reviews["date"] = _parsed_column(data, roles, "date", report)
    for role in ("product", "review_id", "title", "category"):
        reviews[role] = (data[roles[role].column].map(lambda v: str(v).strip() or None)
                         if role in roles else None)
    if "language" in roles:
        given = data[roles["language"].column].astype(str).str.lower().str.strip()
        reviews["language"] = given.where(given.ne(""), reviews["text"].map(detect_language))
    else:
        reviews["language"] = reviews["text"].map(detect_language)

    _note_text_risks(text, report)
    same_text = reviews["text"].duplicated(keep=False)
    report.duplicates = int(reviews["text"].duplicated().sum())
    if report.duplicates:
        example = ", ".join(map(str, reviews.index[same_text][:_EXAMPLES]))
        report.warnings.append(f"{report.duplicates} kept reviews repeat the text of another review (e.g. rows "
                               f"{example}); they are kept because other columns differ.")
    report.rows_rejected = sorted(rejected, key=lambda r: r.row)
    report.rows_kept = len(reviews)
    report.languages = dict(Counter(reviews["language"]).most_common())
    assert report.rows_read == report.rows_kept + len(report.rows_rejected), "a row was lost"
    return ReviewTable(data=data.reset_index(drop=True), reviews=reviews.reset_index(drop=True), report=report)


def _clean_text(text: pd.Series, report: IngestReport, settings: Settings) -> pd.Series:
    """Analysed text: markup removed (it is never rendered), whitespace tidied, giant cells cut with a warning."""
    cleaned = text.map(lambda t: re.sub(r"\s+", " ", _TAG.sub(" ", _SCRIPT.sub(" ", t.replace("<br>", "\n")))).strip())
    cleaned = cleaned.where(cleaned.ne(""), text.str.strip())
    too_long = cleaned.str.len() > settings.max_cell_chars
    for number in cleaned.index[too_long][:_EXAMPLES]:
        report.warnings.append(f"row {number}: the review text has {len(cleaned[number]):,} characters; only the "
                               f"first {settings.max_cell_chars:,} are analysed.")
    if too_long.sum() > _EXAMPLES:
        report.warnings.append(f"{int(too_long.sum()) - _EXAMPLES} more rows were cut to {settings.max_cell_chars:,} "
                               "characters.")
    return cleaned.where(~too_long, cleaned.str.slice(0, settings.max_cell_chars))


def _note_text_risks(text: pd.Series, report: IngestReport) -> None:
    markup = text.str.contains(_TAG, regex=True)
    if markup.any():
        rows = ", ".join(map(str, text.index[markup][:_EXAMPLES]))
        report.warnings.append(f"{int(markup.sum())} reviews contain HTML markup (e.g. rows {rows}); tags are "
                               "removed for analysis and review text is always shown as plain text.")
    formulas = text.str.startswith(FORMULA_PREFIXES)
    if formulas.any():
        rows = ", ".join(map(str, text.index[formulas][:_EXAMPLES]))
        report.warnings.append(f"{int(formulas.sum())} reviews start with =, +, - or @ (e.g. rows {rows}), which "
                               "spreadsheets run as formulas; exports prefix them with ' so they stay text.")


def _parsed_column(data: pd.DataFrame, roles: dict, role: str, report: IngestReport) -> pd.Series:
    if role not in roles:
        return pd.Series(float("nan") if role == "rating" else pd.NaT, index=data.index)
    column = roles[role].column
    parsed = (parse_ratings if role == "rating" else parse_dates)(data[column])
    if parsed.note:
        report.warnings.append(f"{role} column '{column}': {parsed.note}.")
    if parsed.unreadable:
        numbers = [int(data.index[i]) for i in parsed.unreadable]
        examples = ", ".join(f"row {n} ({str(data.loc[n, column])[:30]!r})" for n in numbers[:_EXAMPLES])
        what = "a 1-5 star rating" if role == "rating" else "a date"
        report.warnings.append(f"{len(numbers)} values in {role} column '{column}' are not {what} and are treated "
                               f"as missing: {examples}.")
    return parsed.values
