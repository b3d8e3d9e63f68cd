"""What an encoder is: anything that turns texts into L2-normalised vectors, and the cache key of a text."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def text_key(model_id: str, text: str) -> str:
    """Cache key: the model and the exact text, hashed so no review text is stored in the key."""
    return hashlib.blake2b(f"{model_id}\x00{text}".encode(), digest_size=16).hexdigest()
