"""Inputs of a distributed run: which shards an INPUT names, and each shard read, checked and parked as Parquet pieces.

A shard is one file (CSV/TSV in pieces cut between records by ``analysis.runs.batch.read_pieces``; JSONL and Parquet
whole). Column roles are settled once, on the first readable shard, and applied to every other; a shard whose columns
differ from the first one's is reported, not guessed. ``ingest_shard`` runs where Ray puts it and writes:

- ``<work>/pieces/sNNNNN-pNNNNN.parquet``: the kept rows of one piece, canonical columns plus ``_key`` (the seeded
  hash ``analysis.themes.fit_sample`` ranks reviews by) and the user's columns as ``data:<name>``;
- ``<out>/rejected/sNNNNN.parquet``: every rejected row with its file, row and reason.

It returns a small summary (counts, languages, warnings, date range, the shard's ``limit`` smallest keys), never
the rows. Names are fixed by shard and piece, so a retried task overwrites what a failed attempt left.
"""

from __future__ import annotations

import glob
import heapq
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import Settings
from analysis.io import ROLES, IngestError, ReviewTable, read_reviews

PIECE_FORMATS = (".csv", ".tsv", ".txt")  # read in pieces
WHOLE_FORMATS = (".jsonl", ".json", ".parquet")  # read whole: keep such shards to a few hundred MB
DATA = "data:"


class ShardError(ValueError):
    """An INPUT that names no usable shard, or a shard that cannot join the others; the text says which and why."""


def list_shards(source: str | Path) -> list[Path]:
    """The files an INPUT names: a file, a folder of CSV/TSV/JSONL/Parquet shards, or a glob; sorted by path."""
    path = Path(source)
    if path.is_file():
        return [path]
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in PIECE_FORMATS + WHOLE_FORMATS)
        if not found:
            raise ShardError(f"{path} holds no CSV, TSV, JSONL or Parquet file; point INPUT at the folder of shards.")
        return found
    found = sorted(Path(p) for p in glob.glob(str(source)) if Path(p).is_file())
    if not found:
        raise ShardError(f"{source}: no such file or folder, and no file matches it as a pattern.")
    return found


def reason_text(reason: object) -> str:
    """A rejection reason as English text (a ``Message`` renders itself; older reports hold plain strings)."""
    render = getattr(reason, "render", None)
    return render("en") if callable(render) else str(reason)


def shard_tables(path: Path, overrides: dict[str, str] | None, settings: Settings,
                 piece_bytes: int) -> Iterator[ReviewTable]:
    """The shard's review tables, piece by piece, rows numbered as in the whole file."""
    from analysis.runs.batch import read_pieces

    if path.suffix.lower() in PIECE_FORMATS:
        yield from read_pieces(path, overrides, settings, piece_bytes)
    else:
        yield read_reviews(path, overrides=overrides,
                           settings=replace(settings, max_rows=1 << 62, max_upload_mb=1 << 30))


def settled_roles(table: ReviewTable) -> dict[str, str]:
    """The roles a first piece settled, unused ones switched off, to apply to every other piece and shard."""
    return {role: table.report.columns.get(role, "") for role in ROLES}


def _columns_differ(path: Path, columns: list[str], expected: list[str]) -> str | None:
    if not columns or columns == expected:
        return None
    missing = [c for c in expected if c not in columns]
    extra = [c for c in columns if c not in expected]
    differences = (f"missing: {', '.join(missing) or 'none'}; extra: {', '.join(extra) or 'none'}"
                   if missing or extra else "the same columns in another order")
    return (f"{path.name}: its columns differ from the first shard's ({differences}); export it with the first "
            "shard's columns, or analyse it on its own.")


def ingest_shard(index: int, path: str, roles: dict[str, str], expected: list[str], settings: Settings,
                 piece_bytes: int, work: str, out: str, limit: int) -> dict:
    """Read one shard into Parquet pieces and its rejected rows; the summary, or ``error`` when it cannot be used."""
    from analysis.themes import review_keys

    source = Path(path)
    summary: dict = {"index": index, "file": str(source), "rows_read": 0, "rows_kept": 0, "rows_rejected": 0,
                     "languages": {}, "warnings": [], "pieces": [], "date_min": None, "date_max": None,
                     "smallest": []}
    rejected: list[tuple[str, int, str]] = []
    smallest: list[tuple[int, int, int]] = []  # a max-heap (negated) of the shard's ``limit`` smallest keys
    try:
        for number, table in enumerate(shard_tables(source, roles, settings, piece_bytes)):
            differs = _columns_differ(source, list(table.data.columns), expected)
            if differs:
                raise ShardError(differs)
            report = table.report
            summary["rows_read"] += report.rows_read
            summary["rows_kept"] += report.rows_kept
            rejected += [(str(source), int(r.row), reason_text(r.reason)) for r in report.rows_rejected]
            for language, count in report.languages.items():
                summary["languages"][language] = summary["languages"].get(language, 0) + count
            summary["warnings"] += [reason_text(w) for w in report.warnings if reason_text(w) not in summary["warnings"]]
            if table.reviews.empty:
                continue
            reviews = table.reviews.reset_index(drop=True)
            keys = review_keys(reviews["row"].to_numpy(), reviews["text"].astype(str).tolist(), settings.seed)
            for key, row in zip(keys.tolist(), reviews["row"].tolist(), strict=True):
                item = (-key, -row, number)
                if len(smallest) < limit:
                    heapq.heappush(smallest, item)
                elif item > smallest[0]:
                    heapq.heapreplace(smallest, item)
            dates = pd.to_datetime(reviews["date"], errors="coerce").dropna()
            if len(dates):
                low, high = dates.min(), dates.max()
                summary["date_min"] = low if summary["date_min"] is None else min(summary["date_min"], low)
                summary["date_max"] = high if summary["date_max"] is None else max(summary["date_max"], high)
            frame = reviews.assign(_key=keys)
            data = table.data.reset_index(drop=True)
            for column in data.columns:
                frame[DATA + str(column)] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                                             for v in data[column].tolist()]
            name = Path(work) / "pieces" / f"s{index:05d}-p{number:05d}.parquet"
            _write_atomic(frame, name)
            summary["pieces"].append({"path": str(name), "rows": len(frame)})
    except (IngestError, OSError, UnicodeError, ValueError) as exc:  # the shard is reported whole, nothing kept
        for piece in summary["pieces"]:
            Path(piece["path"]).unlink(missing_ok=True)
        reason = reason_text(getattr(exc, "message", exc))
        differs = _columns_differ(source, _header(source), expected) if not isinstance(exc, ShardError) else None
        reason = f"{differs} ({reason})" if differs else reason
        return {**summary, "error": reason if source.name in reason else f"{source.name}: {reason}",
                "rows_read": 0, "rows_kept": 0, "pieces": [], "languages": {}}
    summary["rows_rejected"] = len(rejected)
    if rejected:
        _write_atomic(pd.DataFrame(rejected, columns=["file", "row", "reason"]),
                      Path(out) / "rejected" / f"s{index:05d}.parquet")
    summary["smallest"] = sorted((-k, index, -r, p) for k, r, p in smallest)  # (key, shard, row, piece)
    return summary


def _header(path: Path) -> list[str]:
    """A shard's column names, read cheaply (its header line, first JSON record or Parquet schema); [] if unreadable."""
    import csv
    import json

    try:
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
            line = handle.readline()
        if suffix in (".jsonl", ".json"):
            record = json.loads(line.strip().lstrip("["))
            return list(record) if isinstance(record, dict) else []
        return max((next(csv.reader([line], delimiter=d), []) for d in ",\t;|"), key=len)  # the delimiter it uses
    except (OSError, ValueError, ImportError):
        return []


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a Parquet file under a temporary name and rename it: a reader sees all of it or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    frame.to_parquet(partial, index=False)
    partial.replace(path)
