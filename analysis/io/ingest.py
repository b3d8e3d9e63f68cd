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
from analysis.messages import ROLE_NAMES, Message, MessageError, message, render
from analysis.text import detect_language

CANONICAL_COLUMNS = ("row", "text", "rating", "date", "product", "review_id", "title", "category", "language")
MAX_COLUMNS = 1000  # a review export has tens of columns; thousands mean a wrong delimiter or not an export
ONE_LINE_BYTES = 1 << 20  # a file this big on one line is not a table of reviews
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]{0,200}>")
_SCRIPT = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_EXAMPLES = 5


class IngestError(MessageError, ValueError):
    """The file cannot be used at all; the message says why and what to do."""


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: Message | str  # a plain string only in reports saved by earlier versions


@dataclass
class IngestReport:
    """What happened to a file on the way in; rows_read == rows_kept + len(rows_rejected), always."""

    source: str
    file_format: str = ""
    encoding: str = ""
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    role_reasons: dict[str, Message | str] = field(default_factory=dict)
    rows_read: int = 0
    rows_kept: int = 0
    rows_rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[Message | str] = field(default_factory=list)
    duplicates: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    sheet: str = ""  # the workbook sheet that was read ("" for other formats)
    sheets: list[str] = field(default_factory=list)  # every sheet with data, so the user can pick another

    def to_dict(self) -> dict:
        """JSON-ready: messages as their code, parameters and English text (``analysis.messages.from_stored`` reads
        them back)."""
        out = asdict(self)
        out["rows_rejected"] = [{"row": r.row, "reason": _stored(r.reason)} for r in self.rows_rejected]
        out["warnings"] = [_stored(w) for w in self.warnings]
        out["role_reasons"] = {role: _stored(r) for role, r in self.role_reasons.items()}
        return out

    def summary(self, language: str = "en") -> str:
        """A human-readable report for the terminal, in ``language``."""
        def say(code: str, **params: object) -> str:
            return message(code, **params).render(language)

        delimiter = say("summary.delimiter", delimiter=repr(self.delimiter)) if self.delimiter else ""
        lines = [
            say("summary.file", source=self.source, kind=self.file_format, encoding=self.encoding or "—",
                delimiter=delimiter),
            say("summary.rows", read=self.rows_read, kept=self.rows_kept, rejected=len(self.rows_rejected)),
            say("summary.columns"),
            *(f"  {ROLE_NAMES[role][language]:<10} <- {col!r}  ({render(self.role_reasons.get(role, ''), language)})"
              for role, col in self.columns.items()),
            say("summary.languages", languages=", ".join(f"{k} {v}" for k, v in self.languages.items())),
        ]
        if self.rows_rejected:
            lines.append(say("summary.rejected"))
            lines += ["  " + say("summary.rejected_row", row=r.row, reason=render(r.reason, language))
                      for r in self.rows_rejected[:50]]
            if len(self.rows_rejected) > 50:
                lines.append("  " + say("summary.more", count=len(self.rows_rejected) - 50))
        if self.warnings:
            lines.append(say("summary.warnings"))
            lines += [f"  - {render(w, language)}" for w in self.warnings]
        return "\n".join(lines)


def _stored(value: Message | str) -> dict | str:
    return value.to_dict() if isinstance(value, Message) else value


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
    warnings: list[Message]
    encoding: str = ""
    delimiter: str | None = None
    sheet: str = ""  # the workbook sheet read
    sheets: list[str] = field(default_factory=list)  # a workbook's sheets that hold data, to pick another
    size: int = 0  # bytes of the file
    lines: int = 0  # lines of a delimited file (0 for other formats)


def record_lines(text: str) -> list[str]:
    """The file's lines, broken only at \\r\\n, \\n or \\r, with their endings.

    ``str.splitlines`` also breaks at U+0085, U+2028, U+2029, form feed, vertical tab and \\x1c-\\x1e, which can sit
    inside a review (a field ends only at \\r or \\n, RFC 4180): splitting there cut a review in two and turned its
    tail into a row of its own. A text stream with ``newline=""`` knows only the three real line endings.
    """
    return io.StringIO(text, newline="").readlines()


def _unique_headers(headers: list[object]) -> tuple[list[str], list[Message]]:
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
            warnings.append(message("header.repeated", name=name, occurrence=seen[name], new=new))
            name = new
        out.append(name)
    return out, warnings


def _read_delimited(data: bytes, file_format: str) -> _Raw:
    decoded = decode_text(data)
    text = decoded.text
    warnings = []
    if decoded.mixed_lines:
        warnings.append(message("encoding.mixed", count=len(decoded.mixed_lines),
                                lines=list(decoded.mixed_lines[:_EXAMPLES])))
    if "\ufffd" in text:
        warnings.append(message("encoding.replaced"))
    delimiter = sniff_delimiter(text, file_format)
    lines = record_lines(text)
    if not any(line.strip() for line in lines):
        raise IngestError(message("file.empty"))

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
            rejected.append(RejectedRow(number, message("row.broken_quote", line=line)))
        elif len(payload) > len(names):
            extra = payload[len(names):]
            if any(v.strip() for v in extra):
                rejected.append(RejectedRow(number, message("row.too_many_values", values=len(payload),
                                                            columns=len(names), line=line)))
            else:
                rows.append(payload[: len(names)])
                row_numbers.append(number)
        else:
            rows.append(payload + [""] * (len(names) - len(payload)))
            row_numbers.append(number)
    frame = pd.DataFrame(rows, columns=names, index=pd.Index(row_numbers, name="row"), dtype=object)
    return _Raw(frame, rejected, warnings, decoded.encoding, delimiter, size=len(data), lines=len(lines))


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
                raise IngestError(message("header.broken_quote", line=bad + 1)) from None
            broken.append(bad + 1)
            position = bad + 1
    return header, records, broken


def _read_json(data: bytes, file_format: str) -> _Raw:
    decoded = decode_text(data)
    text = decoded.text.strip()
    if not text:
        raise IngestError(message("json.empty"))
    items: list[tuple[int, object]] = []
    rejected: list[RejectedRow] = []
    if file_format == "jsonl":
        for number, line in enumerate((ln for ln in record_lines(text) if ln.strip()), start=1):
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                rejected.append(RejectedRow(number, message("row.bad_json", error=exc.msg, column=exc.colno)))
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(message("json.invalid", error=exc.msg, at_line=exc.lineno, column=exc.colno)) from None
        if isinstance(document, dict):
            lists = [v for v in document.values() if isinstance(v, list)]
            if not lists:
                raise IngestError(message("json.no_list"))
            document = max(lists, key=len)
        if not isinstance(document, list):
            raise IngestError(message("json.not_array"))
        items = list(enumerate(document, start=1))
    records, numbers = [], []
    for number, item in items:
        if isinstance(item, dict):
            records.append({str(k): v if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False)
                            for k, v in item.items()})
            numbers.append(number)
        else:
            rejected.append(RejectedRow(number, message("row.not_object", kind=type(item).__name__)))
    frame = pd.DataFrame.from_records(records, index=pd.Index(numbers, name="row")) if records else pd.DataFrame()
    frame = frame.astype(object).where(frame.notna(), "") if len(frame) else frame
    return _Raw(frame, rejected, [], decoded.encoding)


def _read_table_file(data: bytes, file_format: str, sheet: str | None = None) -> _Raw:
    buffer = io.BytesIO(data)
    warnings: list[Message] = []
    names_with_data: list[str] = []
    try:
        if file_format == "xlsx":
            sheets = pd.read_excel(buffer, sheet_name=None, dtype=object, header=None, engine="openpyxl")
            filled = {str(name): s.dropna(how="all") for name, s in sheets.items()}
            filled = {name: s for name, s in filled.items() if len(s)}
            if not filled:
                raise IngestError(message("xlsx.no_cells"))
            names_with_data = list(filled)
            if sheet is not None and sheet not in filled:
                raise IngestError(message("xlsx.no_such_sheet", sheet=sheet, sheets=names_with_data))
            sheet = sheet if sheet is not None else names_with_data[0]
            if len(filled) > 1:
                warnings.append(message("xlsx.several_sheets", count=len(filled), sheets=names_with_data, sheet=sheet))
            header, body = filled[sheet].iloc[0].tolist(), filled[sheet].iloc[1:]
        else:
            table = pd.read_parquet(buffer)
            header, body = list(table.columns), table.astype(object)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001  openpyxl/pyarrow raise many types for corrupt files
        raise IngestError(message("file.unopenable", kind=file_format.upper(), error=type(exc).__name__)) from None
    names, header_warnings = _unique_headers(header)
    frame = pd.DataFrame(body.to_numpy(), columns=names, dtype=object)
    frame = frame.where(frame.notna(), "")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    frame = frame[frame.apply(lambda r: any(str(v).strip() for v in r), axis=1)] if len(frame) else frame
    return _Raw(frame, [], warnings + header_warnings, "", sheet=sheet or "",  # a binary format has no encoding
                sheets=names_with_data)


# ------------------------------------------------------------------------------------------------ the public entry
def read_reviews(
    source: str | Path | bytes | BinaryIO,
    filename: str | None = None,
    overrides: dict[str, str] | None = None,
    settings: Settings | None = None,
    sheet: str | None = None,
) -> ReviewTable:
    """Read an export from a path, bytes or an uploaded file; raise ``IngestError`` only when nothing is usable.

    ``sheet``: which sheet of a workbook to read (default: the first with data; the report lists the others)."""
    settings = settings or Settings.from_env()
    data, name = _load_bytes(source, filename)
    limit = settings.max_upload_mb * 1024 * 1024
    if len(data) > limit:
        raise IngestError(message("file.too_big", mb=len(data) / 1048576, limit=settings.max_upload_mb))
    if not data.strip():
        raise IngestError(message("file.empty"))
    try:
        file_format, format_warning = sniff_format(data, name)
    except DecodingError as exc:
        raise IngestError(exc.message) from None
    if file_format in ("csv", "tsv"):
        raw = _read_delimited(data, file_format)
    elif file_format in ("json", "jsonl"):
        raw = _read_json(data, file_format)
    else:
        raw = _read_table_file(data, file_format, sheet)
    if format_warning:
        raw.warnings.insert(0, format_warning)
    return _build_table(raw, name, file_format, overrides or {}, settings)


def _load_bytes(source: str | Path | bytes | BinaryIO, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), filename or "upload"
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise IngestError(message("path.missing", path=str(path)))
        if path.is_dir():
            raise IngestError(message("path.folder", path=str(path)))
        return path.read_bytes(), filename or path.name
    data = source.read()
    return data, filename or getattr(source, "name", "upload")


def _build_table(raw: _Raw, name: str, file_format: str, overrides: dict[str, str], settings: Settings) -> ReviewTable:
    frame = raw.frame
    report = IngestReport(source=name, file_format=file_format, encoding=raw.encoding, delimiter=raw.delimiter,
                          warnings=list(raw.warnings), sheet=raw.sheet, sheets=list(raw.sheets))
    rejected = list(raw.rejected)
    report.rows_read = len(frame) + len(rejected)
    if len(frame.columns) > MAX_COLUMNS:
        shown = {"\t": "TAB", None: "—"}.get(raw.delimiter, repr(raw.delimiter))
        raise IngestError(message("header.too_wide", columns=len(frame.columns), limit=MAX_COLUMNS, delimiter=shown))
    if frame.empty or len(frame.columns) == 0:
        if raw.size > ONE_LINE_BYTES and raw.lines <= 1:
            raise IngestError(message("file.one_line", mb=raw.size / 1048576))
        raise IngestError(message("rows.none"))
    try:
        roles = infer_roles(frame, overrides)
    except KeyError as exc:
        raise IngestError(message("column.missing", column=exc.args[0], columns=", ".join(map(str, frame.columns)))
                          ) from None
    if "text" not in roles:
        raise IngestError(message("column.no_text", columns=", ".join(map(str, frame.columns))))
    if _only_numbers(frame[roles["text"].column]):
        raise IngestError(message("column.text_is_numbers", column=roles["text"].column))
    report.columns = {role: roles[role].column for role in ROLES if role in roles}
    report.role_reasons = {role: roles[role].reason for role in ROLES if role in roles}

    if len(frame) > settings.max_rows:
        beyond = frame.index[settings.max_rows:]
        rejected += [RejectedRow(int(n), message("row.beyond_limit", limit=settings.max_rows)) for n in beyond]
        frame = frame.iloc[: settings.max_rows]

    text = frame[roles["text"].column].map(lambda v: "" if v is None else str(v))
    keep = pd.Series(True, index=frame.index)
    for number in frame.index[text.str.strip().eq("")]:
        rejected.append(RejectedRow(int(number), message("row.empty_text", column=roles["text"].column)))
        keep[number] = False
    no_words = text.str.strip().ne("") & ~text.str.contains(r"[^\W_]", regex=True)
    for number in frame.index[no_words & keep]:
        rejected.append(RejectedRow(int(number), message("row.no_letters")))
        keep[number] = False
    row_hash = pd.util.hash_pandas_object(frame.astype(str), index=False)
    duplicated = row_hash.duplicated(keep="first") & keep
    if duplicated.any():
        first_seen = pd.Series(row_hash.index, index=row_hash.to_numpy()).groupby(level=0).first()
        for number in frame.index[duplicated]:
            rejected.append(RejectedRow(int(number), message("row.duplicate", first=int(first_seen[row_hash[number]]))))
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
        report.warnings.append(message("text.repeated", count=report.duplicates,
                                       rows=[int(r) for r in reviews.index[same_text][:_EXAMPLES]]))
    report.rows_rejected = sorted(rejected, key=lambda r: r.row)
    report.rows_kept = len(reviews)
    report.languages = dict(Counter(reviews["language"]).most_common())
    assert report.rows_read == report.rows_kept + len(report.rows_rejected), "a row was lost"
    return ReviewTable(data=data.reset_index(drop=True), reviews=reviews.reset_index(drop=True), report=report)


def _only_numbers(text: pd.Series) -> bool:
    """Whether every filled cell of a column is a number: ratings or ids, not review text."""
    filled = text.map(lambda v: "" if v is None else str(v).strip())
    filled = filled[filled.ne("")]
    return bool(len(filled)) and bool(filled.str.fullmatch(r"[-+]?\d+(?:[.,]\d+)*%?").all())


def _clean_text(text: pd.Series, report: IngestReport, settings: Settings) -> pd.Series:
    """Analysed text: markup removed (it is never rendered), whitespace tidied, giant cells cut with a warning."""
    cleaned = text.map(lambda t: re.sub(r"\s+", " ", _TAG.sub(" ", _SCRIPT.sub(" ", t.replace("<br>", "\n")))).strip())
    cleaned = cleaned.where(cleaned.ne(""), text.str.strip())
    too_long = cleaned.str.len() > settings.max_cell_chars
    for number in cleaned.index[too_long][:_EXAMPLES]:
        report.warnings.append(message("text.cut", row=int(number), chars=len(cleaned[number]),
                                       limit=settings.max_cell_chars))
    if too_long.sum() > _EXAMPLES:
        report.warnings.append(message("text.cut_more", count=int(too_long.sum()) - _EXAMPLES,
                                       limit=settings.max_cell_chars))
    return cleaned.where(~too_long, cleaned.str.slice(0, settings.max_cell_chars))


def _note_text_risks(text: pd.Series, report: IngestReport) -> None:
    markup = text.str.contains(_TAG, regex=True)
    if markup.any():
        report.warnings.append(message("text.markup", count=int(markup.sum()),
                                       rows=[int(r) for r in text.index[markup][:_EXAMPLES]]))
    formulas = text.str.startswith(FORMULA_PREFIXES)
    if formulas.any():
        report.warnings.append(message("text.formulas", count=int(formulas.sum()),
                                       rows=[int(r) for r in text.index[formulas][:_EXAMPLES]]))


def _parsed_column(data: pd.DataFrame, roles: dict, role: str, report: IngestReport) -> pd.Series:
    if role not in roles:
        return pd.Series(float("nan") if role == "rating" else pd.NaT, index=data.index)
    column = roles[role].column
    parsed = (parse_ratings if role == "rating" else parse_dates)(data[column])
    if parsed.scale:
        report.warnings.append(message("rating.rescaled", column=column, scale=parsed.scale))
    if parsed.unreadable:
        numbers = [int(data.index[i]) for i in parsed.unreadable]
        examples = [message("example.value", row=n, value=repr(str(data.loc[n, column])[:30]))
                    for n in numbers[:_EXAMPLES]]
        report.warnings.append(message("rating.unreadable", count=len(numbers), column=column, examples=examples)
                               if role == "rating" else
                               message("date.unreadable", count=len(numbers), column=column, examples=examples))
    return parsed.values
