"""Search reviews by meaning: a query in any language against the stored review embeddings."""

from __future__ import annotations

import numpy as np

from analysis.encoders import Embedder


def semantic_scores(embedder: Embedder, query: str, embeddings: np.ndarray) -> np.ndarray:
    """Cosine similarity of the query to each review (embeddings are L2-normalised, so a dot product)."""
    if not len(embeddings):
        return np.zeros(0, dtype=np.float32)
    vector = embedder.embed([query])[0]
    return embeddings @ vector
