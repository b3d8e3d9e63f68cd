"""Saved analyses in one DuckDB file, so managers reopen results without recomputing anything.

Each analysis is a row of ``analyses`` plus its own tables (reviews, original columns, themes, alerts, clause-level
mentions) and its embeddings as one blob. The ``embedding_cache`` table holds every vector ever computed (keyed by a
hash of model id and text, never the text), so re-analysing or extending an export embeds only what is new.
``replies`` keeps the reply queue's drafts and statuses per analysis and review (by a content key, so they survive
re-saving), ``llm_cache`` the optional LLM's answers by prompt hash. A save runs in a single transaction: a crash
mid-save leaves the previous state intact, and readers in the same process keep seeing the last committed state while
a writer saves. Another process holding the file (a CLI run saving) makes calls wait and retry for a while before
saying so.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analysis.io import IngestReport, RejectedRow
from analysis.messages import MessageError, from_stored, message
from analysis.store.result import AnalysisResult

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3
PARTS = ("reviews", "data", "themes", "alerts", "mentions", "assignments")
_MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        """CREATE TABLE IF NOT EXISTS analyses (
            id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, created TIMESTAMP, updated TIMESTAMP,
            source_file VARCHAR, rows_read BIGINT, rows_kept BIGINT, rows_rejected BIGINT,
            models VARCHAR, report VARCHAR, timings VARCHAR, json_columns VARCHAR, theme_params VARCHAR)""",
        ("CREATE TABLE IF NOT EXISTS blobs (analysis_id VARCHAR, name VARCHAR, data BLOB, "
         "PRIMARY KEY (analysis_id, name))"),
    ],
    # the embedding cache (analysis.encoders.cache.CachedEmbedder): key = hash of model id + text, vector = float32 bytes
    2: ["CREATE TABLE IF NOT EXISTS embedding_cache (key VARCHAR PRIMARY KEY, vector BLOB)"],
    # the reply queue's state per review (analysis.actions) and the LLM's answers by prompt hash (never the prompt)
    3: [("CREATE TABLE IF NOT EXISTS replies (analysis_id VARCHAR, review_key VARCHAR, draft VARCHAR, "
         "status VARCHAR, edited BOOLEAN, updated TIMESTAMP, PRIMARY KEY (analysis_id, review_key))"),
        ("CREATE TABLE IF NOT EXISTS llm_cache (key VARCHAR PRIMARY KEY, model VARCHAR, task VARCHAR, "
         "answer VARCHAR, created TIMESTAMP)")],
}
REPLY_STATUSES = ("open", "sent", "skipped")

CACHE_QUERY_MEMORY = "128MB"  # DuckDB's buffer for embedding-cache lookups: a million-review cache is gigabytes
_before_commit: Callable[[], None] | None = None  # tests use it to crash a save half-way


class WorkspaceError(MessageError, RuntimeError):
    """A workspace operation failed; the message says what to do."""


def _table(analysis_id: str, part: str) -> str:
    return f"a_{analysis_id}_{part}"


def _to_storable(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """DuckDB-friendly copy: dict cells become JSON text, mixed-type object columns become text."""
    out = frame.reset_index(drop=True).copy()
    json_columns = []
    for column in out.columns:
        series = out[column]
        if series.dtype != object:
            continue
        sample = series.dropna().head(50).tolist()
        if any(isinstance(v, dict) for v in sample):
            out[column] = series.map(lambda v: json.dumps({str(k): w for k, w in v.items()}) if isinstance(v, dict)
                                     else None)
            json_columns.append(column)
        elif any(isinstance(v, (list, tuple, np.ndarray)) for v in sample):
            out[column] = series.map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else [])
        else:
            out[column] = series.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    out.columns = [str(c) for c in out.columns]
    return out, json_columns


# Connections of one process to one file share a database instance, created by the first connect and dropped by the
# last close. Opened and closed from several session threads at once, a connection could meet an instance that was
# being set up or torn down: four sessions saving embeddings together failed once with "Table Function with name
# pandas_scan does not exist" (DuckDB's Python scan of a registered frame). Opening and closing in turn, each call's
# work still runs beside the others'.
_OPENING = threading.Lock()


class Workspace:
    """A DuckDB file of saved analyses: save, list, open, rename, delete; the reply queue's state and
    the LLM answer cache."""

    def __init__(self, path: Path | str, lock_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.lock_timeout_s = lock_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            self._migrate(db)

    # ------------------------------------------------------------------------------------------------ plumbing
    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        deadline = time.monotonic() + self.lock_timeout_s
        while True:
            try:
                with _OPENING:
                    db = duckdb.connect(str(self.path))
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise WorkspaceError(message("workspace.busy", path=str(self.path), error=str(exc))) from None
                time.sleep(0.2)
        try:
            yield db
        finally:
            with _OPENING:
                db.close()

    def _migrate(self, db: duckdb.DuckDBPyConnection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise WorkspaceError(message("workspace.newer", path=str(self.path), version=version))
        for target in range(version + 1, SCHEMA_VERSION + 1):
            db.execute("BEGIN TRANSACTION")
            for statement in _MIGRATIONS[target]:
                db.execute(statement)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(target)])
            db.execute("COMMIT")

    def _resolve(self, db: duckdb.DuckDBPyConnection, name_or_id: str) -> str:
        row = db.execute("SELECT id FROM analyses WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1",
                         [name_or_id, name_or_id, name_or_id]).fetchone()
        if row is None:
            names = [r[0] for r in db.execute("SELECT name FROM analyses ORDER BY created").fetchall()]
            raise WorkspaceError(message("workspace.unknown", name=name_or_id, names=names))
        return row[0]

    def _drop_tables(self, db: duckdb.DuckDBPyConnection, analysis_id: str) -> None:
        for part in PARTS:
            db.execute(f'DROP TABLE IF EXISTS "{_table(analysis_id, part)}"')
        db.execute("DELETE FROM blobs WHERE analysis_id = ?", [analysis_id])

    # ------------------------------------------------------------------------------------------------ public
    def save(self, result: AnalysisResult, name: str, source_file: str | None = None) -> str:
        """Save (or replace) an analysis under ``name`` in one transaction; returns its id."""
        name = name.strip()
        if not name:
            raise WorkspaceError(message("workspace.no_name"))
        analysis_id = uuid.uuid4().hex[:12]
        frames = {"reviews": result.reviews, "data": result.data, "themes": result.themes, "alerts": result.alerts}
        theme_result = result.theme_result
        if theme_result is not None:
            frames["mentions"] = theme_result.mentions
            frames["assignments"] = theme_result.assignments
        json_columns: dict[str, list[str]] = {}
        now = datetime.now(UTC).replace(tzinfo=None)
        report = result.report
        with self._connect() as db:
            db.execute("BEGIN TRANSACTION")
            try:
                old = db.execute("SELECT id, created FROM analyses WHERE name = ?", [name]).fetchone()
                if old:
                    self._drop_tables(db, old[0])
                    db.execute("DELETE FROM analyses WHERE id = ?", [old[0]])
                    # replies are keyed by review content, so they follow the analysis to its new id
                    db.execute("UPDATE replies SET analysis_id = ? WHERE analysis_id = ?", [analysis_id, old[0]])
                for part, frame in frames.items():
                    if not len(frame.columns):  # no alerts without dates: nothing to keep, and DuckDB needs a column
                        continue
                    storable, json_columns[part] = _to_storable(frame)
                    db.register("frame_to_save", storable)
                    db.execute(f'CREATE TABLE "{_table(analysis_id, part)}" AS SELECT * FROM frame_to_save')
                    db.unregister("frame_to_save")
                blobs = {}
                if result.embeddings is not None:
                    blobs["embeddings"] = _array_bytes(result.embeddings)
                if theme_result is not None:
                    blobs["centroids"] = _array_bytes(theme_result.centroids)
                for blob_name, data in blobs.items():
                    db.execute("INSERT INTO blobs VALUES (?, ?, ?)", [analysis_id, blob_name, data])
                db.execute(
                    "INSERT INTO analyses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [analysis_id, name, old[1] if old else now, now, source_file or report.source, report.rows_read,
                     report.rows_kept, len(report.rows_rejected), json.dumps(result.models),
                     json.dumps(report.to_dict(), ensure_ascii=False), json.dumps(result.timings),
                     json.dumps(json_columns), json.dumps(getattr(theme_result, "params", {}), default=str)],
                )
                if _before_commit is not None:
                    _before_commit()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return analysis_id

    def list(self) -> pd.DataFrame:
        """Saved analyses, newest first: id, name, created, updated, source_file, row counts, models."""
        with self._connect() as db:
            return db.execute(
                "SELECT id, name, created, updated, source_file, rows_read, rows_kept, rows_rejected, models "
                "FROM analyses ORDER BY updated DESC"
            ).df()

    def open(self, name_or_id: str) -> AnalysisResult:
        """The saved analysis exactly as it was computed, without running any model."""
        with self._connect() as db:
            analysis_id = self._resolve(db, name_or_id)
            meta = db.execute("SELECT report, models, timings, json_columns, theme_params FROM analyses WHERE id = ?",
                              [analysis_id]).fetchone()
            json_columns = json.loads(meta[3])
            frames = {}
            for part in PARTS:
                exists = db.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                                    [_table(analysis_id, part)]).fetchone()[0]
                if exists:
                    frame = db.execute(f'SELECT * FROM "{_table(analysis_id, part)}"').df()
                    for column in json_columns.get(part, []):
                        frame[column] = frame[column].map(lambda v: _json_dict(v))
                    frames[part] = _lists(frame)
            blobs = {n: _bytes_array(d) for n, d in db.execute(
                "SELECT name, data FROM blobs WHERE analysis_id = ?", [analysis_id]).fetchall()}
        report = _report_from_dict(json.loads(meta[0]))
        theme_result = None
        if "mentions" in frames and "centroids" in blobs:
            from analysis.themes import ThemeResult

            theme_result = ThemeResult(themes=frames["themes"], centroids=blobs["centroids"],
                                       assignments=frames["assignments"], mentions=frames["mentions"],
                                       texts=frames["reviews"]["text"], params=json.loads(meta[4] or "{}"))
        reviews = frames["reviews"]
        if theme_result is not None and "general_feeling" not in reviews:  # saved before reviews carried the flag
            from analysis.themes import general_feeling_flags

            reviews = reviews.assign(general_feeling=general_feeling_flags(theme_result.assignments,
                                                                           theme_result.mentions))
        return AnalysisResult(
            reviews=reviews, data=frames["data"], report=report, themes=frames.get("themes", pd.DataFrame()),
            alerts=frames.get("alerts", pd.DataFrame()), timings=json.loads(meta[2]), models=json.loads(meta[1]),
            embeddings=blobs.get("embeddings"), theme_result=theme_result,
        )

    # ------------------------------------------------------------------------------------------------ embeddings
    def get(self, keys: list[str]) -> dict[str, bytes]:
        """Cached embedding bytes for the keys that have one (the embedding cache's store interface)."""
        if not keys:
            return {}
        with self._connect() as db:
            # the join scans the whole cache; a small buffer makes it stream instead of caching gigabytes of vectors
            # (measured on a 1.2 GB cache: peak RSS 1,435 MB without, 274 MB with 64 MB, same speed)
            db.execute(f"SET memory_limit = '{CACHE_QUERY_MEMORY}'")
            try:
                db.register("wanted_keys", pd.DataFrame({"key": keys}))
                rows = db.execute("SELECT e.key, e.vector FROM embedding_cache e JOIN wanted_keys w USING (key)"
                                  ).fetchall()
            finally:
                db.execute("RESET memory_limit")
        return dict(rows)

    def put(self, items: dict[str, bytes]) -> None:
        """Store embeddings by key in one transaction; keys already cached keep their vector."""
        if not items:
            return
        frame = pd.DataFrame({"key": list(items), "vector": list(items.values())})
        for attempt in range(3):
            try:
                with self._connect() as db:
                    db.register("new_vectors", frame)
                    db.execute("INSERT OR IGNORE INTO embedding_cache SELECT key, vector FROM new_vectors")
                return
            except (duckdb.ConstraintException, duckdb.TransactionException, duckdb.CatalogException):
                # Two sessions caching the same new text at once: the other's insert won. Its vector is the same
                # bytes (same model, same text), so inserting again ignores what it wrote and adds the rest. (A
                # catalog error: a registered frame's scan missing in a connection made mid-set-up, see _OPENING.)
                if attempt == 2:
                    raise

    def rename(self, name_or_id: str, new_name: str) -> None:
        new_name = new_name.strip()
        with self._connect() as db:
            analysis_id = self._resolve(db, name_or_id)
            if db.execute("SELECT count(*) FROM analyses WHERE name = ? AND id <> ?",
                          [new_name, analysis_id]).fetchone()[0]:
                raise WorkspaceError(message("workspace.name_taken", name=new_name))
            db.execute("UPDATE analyses SET name = ? WHERE id = ?", [new_name, analysis_id])

    def delete(self, name_or_id: str) -> None:
        with self._connect() as db:
            analysis_id = self._resolve(db, name_or_id)
            db.execute("BEGIN TRANSACTION")
            self._drop_tables(db, analysis_id)
            db.execute("DELETE FROM analyses WHERE id = ?", [analysis_id])
            db.execute("DELETE FROM replies WHERE analysis_id = ?", [analysis_id])
            db.execute("COMMIT")

    # ------------------------------------------------------------------------------------------------ replies
    def replies(self, name_or_id: str) -> pd.DataFrame:
        """The reply queue's saved state of an analysis: review_key, draft, status, edited, updated."""
        with self._connect() as db:
            analysis_id = self._resolve(db, name_or_id)
            return db.execute("SELECT review_key, draft, status, edited, updated FROM replies WHERE analysis_id = ? "
                              "ORDER BY review_key", [analysis_id]).df()

    def set_reply(self, name_or_id: str, review_key: str, draft: str | None, status: str, edited: bool) -> None:
        """Keep one review's reply: its draft (the user's text when ``edited``) and status (open, sent, skipped)."""
        if status not in REPLY_STATUSES:
            raise WorkspaceError(message("replies.bad_status", status=status, statuses=list(REPLY_STATUSES)))
        now = datetime.now(UTC).replace(tzinfo=None)
        with self._connect() as db:
            analysis_id = self._resolve(db, name_or_id)
            db.execute("INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?, ?, ?)",
                       [analysis_id, review_key, draft, status, bool(edited), now])

    # ------------------------------------------------------------------------------------------------ LLM answers
    def llm_answer(self, key: str) -> str | None:
        """A cached LLM answer by its prompt hash, or None."""
        with self._connect() as db:
            row = db.execute("SELECT answer FROM llm_cache WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def put_llm_answer(self, key: str, model: str, task: str, answer: str) -> None:
        """Cache an LLM answer under its prompt hash (the prompt itself, holding review text, is not kept)."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO llm_cache VALUES (?, ?, ?, ?, ?)", [key, model, task, answer, now])


def _array_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def _bytes_array(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


def _json_dict(value: object) -> dict:
    if not isinstance(value, str):
        return {}
    return {int(k) if re.fullmatch(r"-?\d+", k) else k: v for k, v in json.loads(value).items()}


def _lists(frame: pd.DataFrame) -> pd.DataFrame:
    """DuckDB returns list columns as numpy arrays; pages and themes expect Python lists."""
    for column in frame.columns:
        if frame[column].dtype == object and len(frame) and isinstance(frame[column].iloc[0], np.ndarray):
            frame[column] = frame[column].map(lambda v: v.tolist() if isinstance(v, np.ndarray) else v)
    return frame


def _report_from_dict(data: dict) -> IngestReport:
    data = dict(data)
    data["rows_rejected"] = [RejectedRow(r["row"], from_stored(r["reason"])) for r in data.get("rows_rejected", [])]
    data["warnings"] = [from_stored(w) for w in data.get("warnings", [])]
    data["role_reasons"] = {role: from_stored(r) for role, r in data.get("role_reasons", {}).items()}
    return IngestReport(**data)
