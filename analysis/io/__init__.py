"""Reading review exports and writing results: formats, encodings, delimiters, column roles, a typed table with an
honest ingest report, and exports that are safe to open in Excel.

Modules: ``decoding`` (bytes to text: format, encoding, delimiter), ``roles`` (what each column means, how to read
ratings and dates), ``ingest`` (``read_reviews``: the table plus the report), ``exports`` (CSV/XLSX with formulas
neutralised).
"""

from analysis.io.decoding import FORMATS, DecodedText, DecodingError, decode_text, sniff_delimiter, sniff_format
from analysis.io.exports import (
    FORMULA_PREFIXES,
    neutralise_cell,
    spreadsheet_safe,
    to_csv_bytes,
    to_xlsx_bytes,
    write_csv,
)
from analysis.io.ingest import CANONICAL_COLUMNS, IngestError, IngestReport, RejectedRow, ReviewTable, read_reviews
from analysis.io.roles import ROLES, Parsed, RoleChoice, infer_roles, parse_dates, parse_ratings

__all__ = [
    "CANONICAL_COLUMNS", "FORMATS", "FORMULA_PREFIXES", "ROLES", "DecodedText", "DecodingError", "IngestError",
    "IngestReport", "Parsed", "RejectedRow", "ReviewTable", "RoleChoice", "decode_text", "infer_roles",
    "neutralise_cell", "parse_dates", "parse_ratings", "read_reviews", "sniff_delimiter", "sniff_format",
    "spreadsheet_safe", "to_csv_bytes", "to_xlsx_bytes", "write_csv",
]
