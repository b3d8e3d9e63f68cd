"""Placing reviews in fitted themes: the fitted state (ThemeModel) and the assignment of any further reviews."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.themes.clustering import UNTHEMED, ThemeClusterer, unit_rows
from analysis.themes.context import context_mask
from analysis.themes.polarity import POLARITY_THRESHOLD
from analysis.themes.result import ThemeResult, build_result
from analysis.themes.space import centred_vectors, language_codes, reduced_space
from analysis.themes.topics import TopicClusterer
from analysis.themes.units import clause_units


def _assign(vectors: np.ndarray, scores: np.ndarray, topic_centroids: np.ndarray, topic_ids: Sequence[int],
            praise_half: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Theme of each vector and its similarity: the nearest topic (the sentiment direction is not in this space),
    then, for a topic split into complaint and praise, the half its polarity score's sign points to."""
    sims = vectors @ topic_centroids.T
    nearest = np.asarray(topic_ids)[sims.argmax(axis=1)]
    theme = nearest.copy()
    for topic, praise in praise_half.items():
        theme[(nearest == topic) & (scores > 0)] = praise
    return theme, sims.max(axis=1)


MIN_REVIEWS = 10


def empty_result(rows: np.ndarray, texts: pd.Series, params: dict) -> ThemeResult:
    """Every review unthemed: too few reviews (or nothing similar enough) to form a theme."""
    n = len(rows)
    assignments = pd.DataFrame({
        "row": rows, "theme_id": np.full(n, UNTHEMED, dtype=np.int64), "all_theme_ids": [[] for _ in range(n)],
        "theme_polarities": [{} for _ in range(n)], "similarity": np.zeros(n, dtype=np.float32),
        "topic_id": np.zeros(n, dtype=np.int64), "topic_label": "",
    })
    mentions = pd.DataFrame(columns=["review", "row", "sentence_no", "sentence", "theme_id", "similarity",
                                     "sentiment_score", "polarity", "context"])
    return build_result(mentions, assignments, texts, [], np.zeros((0, 0), dtype=np.float32), {}, {}, params,
                         pd.DataFrame(columns=["topic_id", "label", "keywords", "size", "share"]))


@dataclass
class ThemeModel:
    """The fitted state of ``find_themes``: what assigning further reviews to its themes needs (``assign_reviews``).

    Kept in memory with a result (``ThemeResult.model``), not saved: a large input is themed by fitting on a sample
    and assigning every other review with this, chunk by chunk, so memory does not grow with the input.
    """

    sentences: bool
    context: bool  # whether clause context detection ran in the fit (it needs multi-clause reviews)
    stock: frozenset[str]
    means: np.ndarray  # (2, d): each language's mean clause vector
    direction: np.ndarray | None  # the sentiment direction removed from the space
    probe: Any  # vectors -> polarity scores, or None
    clusterer: ThemeClusterer
    topic_centroids: np.ndarray
    topic_list: list[int]
    praise_half: dict[int, int]
    position: dict[int, int]  # cluster label -> theme position (themes ordered by size)
    id_map: np.ndarray  # theme position -> theme id; index -1 maps to UNTHEMED
    min_similarity: float
    topic_model: TopicClusterer
    topic_labels: dict[int, str]


def _has_review_scores(reviews: pd.DataFrame) -> bool:
    return "sentiment_score" in reviews and reviews["sentiment_score"].notna().any()


def unit_scores(reviews: pd.DataFrame, units: pd.DataFrame, unit_vectors: np.ndarray, probe) -> np.ndarray:
    """Step 5: polarity of each unit: the probe on its vector, the review's own score for a one-clause review."""
    if probe is not None:
        scores = np.concatenate([probe(unit_vectors[i : i + 50000]) for i in range(0, len(unit_vectors), 50000)])
    else:
        scores = np.zeros(len(units), dtype=np.float32)
    if _has_review_scores(reviews):
        single = units.groupby("review")["sentence"].transform("size").to_numpy() == 1
        review_scores = pd.to_numeric(reviews["sentiment_score"], errors="coerce").to_numpy()[units["review"]]
        use = single & ~np.isnan(review_scores)
        scores[use] = review_scores[use]
    return scores


def place_units(model: ThemeModel, reviews: pd.DataFrame, texts: pd.Series, embeddings: np.ndarray,
           units: pd.DataFrame, unit_vectors: np.ndarray, context: np.ndarray, scores: np.ndarray,
           Z: np.ndarray | None = None) -> dict:
    """Theme positions of every unit and review, and each review's topic, under a fitted model.

    ``Z``: the units in the model's reduced space, when the caller has them (the fit does)."""
    n = len(texts)
    if Z is None:
        Z = reduced_space(unit_vectors, language_codes(units["sentence"].astype(str).tolist()), model.means, model.direction,
                     model.clusterer)
    to_position = np.vectorize(model.position.__getitem__, otypes=[np.int64])
    label, unit_sim = _assign(Z, scores, model.topic_centroids, model.topic_list, model.praise_half)
    unit_theme = np.where((unit_sim >= model.min_similarity) & ~context, to_position(label), UNTHEMED)

    # review-level primary theme: nearest to the whole review (its half by the review's polarity), else its best clause
    review_centred = centred_vectors(embeddings, language_codes(texts.tolist()), model.means, model.direction)
    review_Z = model.clusterer.transform(review_centred)
    if _has_review_scores(reviews):
        review_scores = pd.to_numeric(reviews["sentiment_score"], errors="coerce").fillna(0.0).to_numpy()
    elif model.probe is not None:
        review_scores = np.concatenate([model.probe(embeddings[i : i + 50000]) for i in range(0, n, 50000)])
    else:
        review_scores = np.zeros(n, dtype=np.float32)
    label, primary_sim = _assign(review_Z, review_scores, model.topic_centroids, model.topic_list, model.praise_half)
    primary = np.where(primary_sim >= model.min_similarity, to_position(label), UNTHEMED)
    best_unit = pd.DataFrame({"review": units["review"], "t": unit_theme, "s": unit_sim})
    best_unit = best_unit[best_unit["t"] != UNTHEMED].sort_values(["review", "s"], ascending=[True, False])
    best_unit = best_unit.drop_duplicates("review").set_index("review")
    fallback = (primary == UNTHEMED) & np.isin(np.arange(n), best_unit.index)
    primary[fallback] = best_unit.loc[np.flatnonzero(fallback), "t"].to_numpy()
    primary_sim[fallback] = best_unit.loc[np.flatnonzero(fallback), "s"].to_numpy()
    return {"unit_theme": unit_theme, "unit_sim": unit_sim, "primary": primary, "primary_sim": primary_sim,
            "review_centred": review_centred}


def link_themes(model: ThemeModel, reviews: pd.DataFrame, rows: np.ndarray, units: pd.DataFrame, placed: dict,
          scores: np.ndarray, context: np.ndarray, missing: np.ndarray, topic_ids: np.ndarray):
    """Mentions (one row per clause) and assignments (one per review: primary theme, every theme with its polarity)."""
    n = len(rows)
    id_map = model.id_map
    polarity = np.where(scores <= -POLARITY_THRESHOLD, "negative",
                        np.where(scores >= POLARITY_THRESHOLD, "positive", "neutral"))
    if model.probe is None and not _has_review_scores(reviews):
        polarity[:] = "neutral"
    mentions = units.assign(
        row=rows[units["review"].to_numpy()],
        theme_id=id_map[placed["unit_theme"]],
        similarity=placed["unit_sim"].astype(np.float32),
        sentiment_score=scores.astype(np.float32),
        polarity=polarity,
        context=context,
    )[["review", "row", "sentence_no", "sentence", "theme_id", "similarity", "sentiment_score", "polarity", "context"]]

    themed = mentions[mentions["theme_id"] != UNTHEMED]
    all_ids: list[list[int]] = [[] for _ in range(n)]
    pols: list[dict[int, str]] = [{} for _ in range(n)]
    for r, t, p in zip(themed["review"].to_numpy(), themed["theme_id"].to_numpy(), themed["polarity"].to_numpy()):
        if t not in pols[r]:
            all_ids[r].append(int(t))
            pols[r][int(t)] = p
        elif pols[r][int(t)] != p:
            pols[r][int(t)] = "mixed" if {pols[r][int(t)], p} == {"negative", "positive"} else pols[r][int(t)]
    primary_ids = id_map[placed["primary"]]
    for r in range(n):
        if primary_ids[r] != UNTHEMED and primary_ids[r] not in pols[r]:
            all_ids[r].insert(0, int(primary_ids[r]))
            pols[r][int(primary_ids[r])] = "neutral"
    assignments = pd.DataFrame({
        "row": rows,
        "theme_id": primary_ids.astype(np.int64),
        "all_theme_ids": [sorted(a) for a in all_ids],
        "theme_polarities": pols,
        "similarity": placed["primary_sim"].astype(np.float32),
        "topic_id": topic_ids,
        "topic_label": pd.Series(topic_ids).map(model.topic_labels).to_numpy(),
    })
    if len(missing):
        assignments.loc[missing, "theme_id"] = UNTHEMED
    return mentions, assignments


def assign_reviews(model: ThemeModel, reviews: pd.DataFrame, embeddings: np.ndarray, embedder: Any = None,
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentions and assignments of further reviews under fitted themes, exactly as ``find_themes`` assigns its own.

    Every step is per review (the context rule uses the fitted stock phrases), so a file assigned chunk by chunk
    gets the rows it would get in one piece. ``review`` positions are within ``reviews``.
    """
    texts = reviews["text"].fillna("").astype(str).reset_index(drop=True)
    reviews = reviews.reset_index(drop=True)
    embeddings = unit_rows(embeddings)
    rows = reviews["row"].to_numpy() if "row" in reviews else np.arange(len(texts))
    units, unit_vectors, missing = clause_units(texts, embeddings, embedder, model.sentences)
    context = context_mask(units, model.stock) if model.context else np.zeros(len(units), dtype=bool)
    scores = unit_scores(reviews, units, unit_vectors, model.probe)
    placed = place_units(model, reviews, texts, embeddings, units, unit_vectors, context, scores)
    topic_ids = model.topic_model.predict(placed["review_centred"]) if len(texts) else np.zeros(0, dtype=np.int64)
    return link_themes(model, reviews, rows, units, placed, scores, context, missing, topic_ids)
