"""Write result tables for people who open them in Excel: formulas neutralised, Chinese intact.

Review text is untrusted. A cell that starts with ``=``, ``+``, ``-`` or ``@`` is executed by spreadsheets (CSV
injection), so every such text cell is prefixed with an apostrophe, as OWASP recommends. CSV is written as UTF-8 with
a byte-order mark so Excel shows Chinese correctly.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula; numbers and other values pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as formulas; list cells are joined with '; ' first."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: neutralise_cell("; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
            )
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so Excel opens Chinese text intact."""
    return spreadsheet_safe(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook with a sheet per table; sheet names are cut to Excel's 31 characters."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe = spreadsheet_safe(frame)
            for column in safe.columns:
                if isinstance(safe[column].dtype, pd.DatetimeTZDtype):
                    safe[column] = safe[column].dt.tz_localize(None)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.write_bytes(to_csv_bytes(frame))
