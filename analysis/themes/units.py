"""Clause units: every review's clauses, and which of them need a vector of their own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.text.clauses import explode_sentences


def _clauses(texts: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Every review's clauses, and which of them are embedded on their own: those of multi-clause reviews (a
    one-clause review is its own clause and reuses the review's vector)."""
    units = explode_sentences(texts)
    return units, units.groupby("review")["sentence"].transform("size").to_numpy() > 1


def clauses_to_embed(texts: Sequence[str]) -> list[str]:
    """The clause texts theming ``texts`` will embed, so a run can encode them ahead (``analysis.runs.batch``)."""
    units, multi = _clauses(list(texts))
    return units.loc[multi, "sentence"].tolist()


def clause_units(texts: pd.Series, embeddings: np.ndarray, embedder: Any, sentences: bool):
    """Step 1: clauses of multi-clause reviews (embedded), the whole review otherwise (reusing its embedding)."""
    n = len(texts)
    if sentences and embedder is not None:
        units, multi = _clauses(texts.tolist())
        unit_vectors = np.empty((len(units), embeddings.shape[1]), dtype=np.float32)
        unit_vectors[~multi] = embeddings[units["review"].to_numpy()[~multi]]
        if multi.any():
            clause_vectors = np.asarray(embedder.embed(units.loc[multi, "sentence"].tolist()), dtype=np.float32)
            clause_vectors /= np.maximum(np.linalg.norm(clause_vectors, axis=1, keepdims=True), 1e-12)
            unit_vectors[multi] = clause_vectors
            del clause_vectors
        missing = np.setdiff1d(np.arange(n), units["review"].unique())  # blank reviews
    else:
        units = pd.DataFrame({"review": np.arange(n), "sentence_no": 0, "sentence": texts})
        unit_vectors, missing = embeddings, np.array([], dtype=int)
    return units.reset_index(drop=True), unit_vectors, missing
