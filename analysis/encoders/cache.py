"""The text-hash embedding cache, so no review is ever embedded twice: in memory, in a workspace or a SQLite file."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from analysis.encoders.base import Embedder, text_key
from analysis.memory import return_freed_memory


class SqliteStore:
    """A standalone embedding cache file (benchmarks and training share one across runs); the app uses the workspace."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB)")

    def get(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT key, vector FROM embedding WHERE key IN ({marks})", chunk))
        return found

    def put(self, items: dict[str, bytes]) -> None:
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO embedding VALUES (?, ?)", list(items.items()))


class VectorStore(Protocol):
    """Where cached vectors live on disk: exact float32 bytes by key (a workspace's ``embedding_cache`` table, or
    ``SqliteStore``)."""

    def get(self, keys: list[str]) -> dict[str, bytes]: ...

    def put(self, items: dict[str, bytes]) -> None: ...


Cache = Path | str | Callable[[], VectorStore] | None
"""A cache a ``CachedEmbedder`` opens when first needed: a SQLite file's path, or a function that opens any store
(``analysis.store.open_vector_store`` gives one for a workspace too)."""


def open_store(cache: Cache) -> VectorStore | None:
    """The store a ``Cache`` names, opened now."""
    if cache is None:
        return None
    if callable(cache):
        return cache()
    if Path(cache).suffix == ".duckdb":
        raise ValueError(f"{cache} is a workspace: pass analysis.store.open_vector_store({str(cache)!r}) instead of "
                         "its path, so the workspace opens it.")
    return SqliteStore(cache)


class CachedEmbedder:
    """Wraps an embedder with an in-memory and an optional on-disk cache keyed by model id + text hash.

    The on-disk store is the workspace's DuckDB file in the app (so one file holds a user's analyses and the vectors
    behind them) or a standalone SQLite file; either way vectors are stored as exact float32 bytes, so a warm run
    gives the same results as a cold one. The in-memory layer keeps at most ``memory_limit`` vectors (the oldest go
    first), so a million-review run does not hold every vector twice.
    """

    # Misses are encoded and stored this many at a time: a cold run's clauses (63,000 for 10k reviews) in one piece
    # held every vector's bytes, their table and the store's copy at once (the cold run's memory peak).
    ENCODE_CHUNK = 8192

    def __init__(self, inner: Embedder, cache: Cache = None, memory_limit: int = 200_000) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.cache = cache
        self.memory_limit = memory_limit
        self._memory: dict[str, np.ndarray] = {}
        self.misses = 0
        self._store = None

    @property
    def has_disk_cache(self) -> bool:
        return self.cache is not None

    def _disk(self) -> VectorStore | None:
        if self.cache is not None and self._store is None:
            self._store = open_store(self.cache)
        return self._store

    def _remember(self, items: dict[str, np.ndarray]) -> None:
        self._memory.update(items)
        overflow = len(self._memory) - self.memory_limit
        if overflow > 0:  # dicts keep insertion order: drop the oldest
            for key in list(itertools.islice(self._memory, overflow)):
                del self._memory[key]

    def prime(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Remember vectors computed earlier (e.g. stored with a saved analysis) so they are never recomputed."""
        self._remember({text_key(self.model_id, t): v for t, v in zip(texts, np.asarray(vectors, np.float32),
                                                                         strict=True)})

    def preload(self, texts: Sequence[str]) -> None:
        """Fetch every cached vector of ``texts`` from disk in one query, before embedding them chunk by chunk.

        A workspace query costs about as much for one key as for thousands (the file is opened, read and closed each
        time, so the app never holds it locked), so a run asks once rather than once per chunk."""
        store = self._disk()
        if store is None:
            return
        keys = sorted({text_key(self.model_id, t) for t in texts} - self._memory.keys())
        self._remember({k: np.frombuffer(blob, dtype=np.float32) for k, blob in store.get(keys).items()})

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(self.model_id, t) for t in texts]
        found = {k: self._memory[k] for k in keys if k in self._memory}
        missing = sorted({k for k in keys if k not in found})
        store = self._disk()
        if missing and store is not None:
            for key, blob in store.get(missing).items():
                found[key] = np.frombuffer(blob, dtype=np.float32)
            missing = [k for k in missing if k not in found]
        if missing:
            wanted = set(missing)
            todo: dict[str, str] = {}
            for key, text in zip(keys, texts):
                if key in wanted and key not in todo:
                    todo[key] = text
            self.misses += len(todo)
            found.update(self._encode_and_store(list(todo.items()), store))
        self._remember(found)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.asarray(np.vstack([found[k] for k in keys]), dtype=np.float32)  # no second copy

    def uncached(self, texts: Sequence[str]) -> list[str]:
        """The texts with no vector in memory or on disk yet (after ``preload``, memory answers for the disk)."""
        keys = [text_key(self.model_id, t) for t in texts]
        missing = {k for k in keys if k not in self._memory}
        store = self._disk()
        if missing and store is not None:
            missing -= store.get(sorted(missing)).keys()
        return [t for t, k in zip(texts, keys, strict=True) if k in missing]

    def _encode_and_store(self, pending: list[tuple[str, str]], store) -> dict[str, np.ndarray]:
        """Vectors of (key, text) pairs, encoded ``ENCODE_CHUNK`` at a time; a chunk is stored by a writer thread
        while the next one is encoded (a store write of 8,192 vectors takes 0.3-1.7 s, during which the encoder
        would otherwise wait)."""
        from concurrent.futures import ThreadPoolExecutor

        out: dict[str, np.ndarray] = {}
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedding-cache-writer") as writer:
            writing = None
            for start in range(0, len(pending), self.ENCODE_CHUNK):
                part = pending[start : start + self.ENCODE_CHUNK]
                vectors = np.asarray(self.inner.embed([text for _, text in part]), dtype=np.float32)
                new = dict(zip((key for key, _ in part), vectors))
                out.update(new)
                if store is not None:
                    if writing is not None:
                        writing.result()  # one write at a time; a failed write raises here
                    writing = writer.submit(store.put, {k: v.tobytes() for k, v in new.items()})
            if writing is not None:
                writing.result()
        return out

    def release_encoder(self) -> None:
        """Free the encoder (worker processes and in-process model, ~0.5 GB each at bfloat16); cached vectors stay
        and a later miss loads it again. A run calls this when it has nothing left to encode, so its larger later
        steps do not carry it."""
        release = getattr(self.inner, "release", None) or getattr(self.inner, "close", None)
        if release is not None:
            release()
        return_freed_memory()  # the encoder's batches were freed in its threads' heaps, kept until trimmed
