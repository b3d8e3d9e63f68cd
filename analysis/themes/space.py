"""The space themes are found in: each language's mean and the sentiment direction removed, then reduced."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.text.tokenizers import CJK_CHAR, LATIN_WORD
from analysis.themes.clustering import BLOCK_ROWS, ThemeClusterer


def language_codes(texts: Sequence[str]) -> np.ndarray:
    """0 for mostly-Latin text, 1 for mostly-Chinese text (more CJK characters than Latin words)."""
    return np.array([int(len(CJK_CHAR.findall(t)) > len(LATIN_WORD.findall(t.lower()))) for t in texts],
                    dtype=np.int64)


def language_means(vectors: np.ndarray, languages: np.ndarray) -> np.ndarray:
    """Mean vector of each language (row per language id); zeros for a language that has no vectors."""
    means = np.zeros((2, vectors.shape[1]), dtype=np.float32)
    for lang in (0, 1):
        if (languages == lang).any():
            means[lang] = vectors[languages == lang].mean(axis=0)
    return means


# --------------------------------------------------------------------------------------------------------------
# Polarity of each clause
# --------------------------------------------------------------------------------------------------------------


def centred_vectors(vectors: np.ndarray, languages: np.ndarray, means: np.ndarray, direction: np.ndarray | None,
             block: int = 65536, copy: bool = True) -> np.ndarray:
    """Step 3: each language's mean and the sentiment direction removed, rows L2-normalised.

    Worked in place, a block of rows at a time, so a large input costs one copy of its vectors (none with
    ``copy=False``, for a float32 array the caller no longer needs), not four."""
    out = np.array(vectors, dtype=np.float32) if copy else np.asarray(vectors, dtype=np.float32)
    for start in range(0, len(out), block):
        part = out[start : start + block]
        part -= means[languages[start : start + block]]
        if direction is not None:
            part -= np.outer(part @ direction, direction)
        part /= np.maximum(np.linalg.norm(part, axis=1, keepdims=True), 1e-12)
    return out


def reduced_space(vectors: np.ndarray, languages: np.ndarray, means: np.ndarray, direction: np.ndarray | None,
             clusterer: ThemeClusterer) -> np.ndarray:
    """Steps 3-4 for many rows: centred and projected a block at a time, so only the small reduced space is held."""
    Z = np.empty((len(vectors), len(clusterer.components_)), dtype=np.float32)
    for start in range(0, len(vectors), BLOCK_ROWS):
        part = centred_vectors(vectors[start : start + BLOCK_ROWS], languages[start : start + BLOCK_ROWS], means, direction)
        Z[start : start + BLOCK_ROWS] = clusterer.transform(part)
    return Z
