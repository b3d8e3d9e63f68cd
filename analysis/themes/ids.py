"""Stable theme ids: new themes inherit the ids and user labels of the previous run's closest themes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.themes.clustering import unit_rows
from analysis.themes.result import ThemeResult


def previous_table(previous: Any) -> tuple[list[int], np.ndarray, dict[int, str], dict[int, bool]] | None:
    if previous is None:
        return None
    if isinstance(previous, ThemeResult):
        themes, centroids = previous.themes, previous.centroids
    elif isinstance(previous, pd.DataFrame) and "centroid" in previous:
        themes, centroids = previous, np.vstack(previous["centroid"].to_numpy())
    else:
        raise TypeError("previous must be a ThemeResult or a themes table with a 'centroid' column")
    ids = [int(t) for t in themes["theme_id"]]
    renamed = dict(zip(ids, themes["renamed"] if "renamed" in themes else [False] * len(ids)))
    return ids, unit_rows(centroids), dict(zip(ids, themes["label"])), renamed


def match_theme_ids(new_centroids: np.ndarray, old_centroids: np.ndarray, old_ids: Sequence[int],
                    min_similarity: float = 0.8) -> list[int | None]:
    """For each new centroid, the id of the old theme it continues (one-to-one, by cosine similarity), or None."""
    from scipy.optimize import linear_sum_assignment

    out: list[int | None] = [None] * len(new_centroids)
    if not len(new_centroids) or not len(old_centroids):
        return out
    sims = unit_rows(new_centroids) @ unit_rows(old_centroids).T
    rows, cols = linear_sum_assignment(-sims)
    for r, c in zip(rows, cols):
        if sims[r, c] >= min_similarity:
            out[r] = int(old_ids[c])
    return out
