"""Placing reviews in fitted themes: the fitted state (ThemeModel) and the assignment of any further reviews."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
        "topic_id": np.zeros(n, dtype=np.int64), "topic_label": "", "general_feeling": np.zeros(n, dtype=bool),
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
    join_similarity: float = 0.0  # a clause less similar than this to its theme takes its review's primary theme
    reads_clauses: bool = False  # the fit read clause polarity with the sentiment model (no stars), not the probe


def _has_review_scores(reviews: pd.DataFrame) -> bool:
    return "sentiment_score" in reviews and reviews["sentiment_score"].notna().any()


ClauseSentiment = Callable[[list[str], np.ndarray], pd.DataFrame]
"""The sentiment model's reading of clause texts, given their vectors: a frame with ``sentiment_label`` and
``sentiment_score`` (P(positive) - P(negative)) per clause (``analysis.runs.pipeline.clause_sentiment``)."""


def _labels_of(scores: np.ndarray) -> np.ndarray:
    return np.where(scores <= -POLARITY_THRESHOLD, "negative", np.where(scores >= POLARITY_THRESHOLD, "positive",
                                                                       "neutral")).astype(object)


def combined_polarity(first: str, second: str) -> str:
    """A theme's polarity in a review from two of its clauses: an opinion outweighs a fact ("we ordered the duck"
    and "it was dry" are a complaint about the food), opposite opinions are mixed."""
    if first == second or second == "neutral":
        return first
    if first == "neutral":
        return second
    return "mixed"


def unit_scores(reviews: pd.DataFrame, units: pd.DataFrame, unit_vectors: np.ndarray, probe,
                clause_sentiment: ClauseSentiment | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Step 5: polarity of each unit from its own text, as (scores, labels).

    With ``clause_sentiment`` the sentiment model reads each clause (what the clause says, not what the review's
    stars say) and its label is the clause's polarity, neutral included; else the probe scores the clause's vector
    and the label comes from ``POLARITY_THRESHOLD`` (labels None). A one-clause review's unit is the review: its own
    score and label."""
    labels = None
    if clause_sentiment is not None and len(units):
        read = clause_sentiment(units["sentence"].astype(str).tolist(), unit_vectors)
        scores = read["sentiment_score"].to_numpy(dtype=np.float32)
        labels = read["sentiment_label"].astype(str).to_numpy(dtype=object)
    elif probe is not None:
        scores = np.concatenate([probe(unit_vectors[i : i + 50000]) for i in range(0, len(unit_vectors), 50000)])
    else:
        scores = np.zeros(len(units), dtype=np.float32)
    if _has_review_scores(reviews):
        single = units.groupby("review")["sentence"].transform("size").to_numpy() == 1
        review_scores = pd.to_numeric(reviews["sentiment_score"], errors="coerce").to_numpy()[units["review"]]
        use = single & ~np.isnan(review_scores)
        scores[use] = review_scores[use]
        if labels is not None and "sentiment_label" in reviews:
            labels[use] = reviews["sentiment_label"].astype(str).to_numpy(dtype=object)[units["review"].to_numpy()[use]]
    return scores, labels


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
    # a review whose every clause is context names nothing: general feeling, no theme (``context_mask``)
    of_review = units["review"].to_numpy()
    feeling = np.zeros(n, dtype=bool)
    if len(units):
        feeling[np.unique(of_review)] = pd.Series(context).groupby(of_review).all().to_numpy()
    primary[feeling] = UNTHEMED
    # a clause adds a theme of its own only when it is close to it; a looser one belongs to what its review is about
    loose = (unit_sim < model.join_similarity) & ~context & (primary[of_review] != UNTHEMED)
    unit_theme[loose] = primary[of_review[loose]]
    return {"unit_theme": unit_theme, "unit_sim": unit_sim, "primary": primary, "primary_sim": primary_sim,
            "review_centred": review_centred, "feeling": feeling}


def link_themes(model: ThemeModel, reviews: pd.DataFrame, rows: np.ndarray, units: pd.DataFrame, placed: dict,
          scores: np.ndarray, context: np.ndarray, missing: np.ndarray, topic_ids: np.ndarray,
          labels: np.ndarray | None = None):
    """Mentions (one row per clause) and assignments (one per review: primary theme, every theme with its polarity).

    ``labels``: each unit's polarity when the sentiment model read it (``unit_scores``); else from its score."""
    n = len(rows)
    id_map = model.id_map
    polarity = labels if labels is not None else _labels_of(scores)
    if labels is None and model.probe is None and not _has_review_scores(reviews):
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
        else:
            pols[r][int(t)] = combined_polarity(pols[r][int(t)], p)
    primary_ids = id_map[placed["primary"]]
    # The text about a review's theme is the whole review when it has one theme (the primary, or the only one its
    # clauses carry) and no context clause (an opener or a verdict such as "Love it." would lend the review a
    # polarity the theme's clause does not have): that theme has the review's own polarity, read from all of its
    # text. Otherwise each theme has its clauses' polarity.
    whole_polarity = None
    if "sentiment_label" in reviews and reviews["sentiment_label"].isin(["negative", "neutral", "positive"]).all():
        whole_polarity = reviews["sentiment_label"].astype(str).to_numpy(dtype=object)
    elif _has_review_scores(reviews):
        whole_polarity = _labels_of(pd.to_numeric(reviews["sentiment_score"], errors="coerce").fillna(0.0).to_numpy())
    has_context = np.zeros(n, dtype=bool)
    has_context[mentions.loc[mentions["context"].to_numpy(dtype=bool), "review"].to_numpy(dtype=np.int64)] = True
    for r in range(n):
        if primary_ids[r] != UNTHEMED and primary_ids[r] not in pols[r]:
            all_ids[r].insert(0, int(primary_ids[r]))
            pols[r][int(primary_ids[r])] = "neutral"
        if whole_polarity is not None and len(all_ids[r]) == 1 and not has_context[r]:
            pols[r][all_ids[r][0]] = str(whole_polarity[r])
    if whole_polarity is not None and len(mentions):  # the same for the mentions of a one-theme review
        one_theme = np.fromiter((len(a) == 1 for a in all_ids), dtype=bool, count=n) & ~has_context
        of_review = mentions["review"].to_numpy(dtype=np.int64)
        whole = one_theme[of_review] & (mentions["theme_id"].to_numpy() != UNTHEMED)
        mentions.loc[whole, "polarity"] = whole_polarity[of_review[whole]]
        if _has_review_scores(reviews):
            review_scores = pd.to_numeric(reviews["sentiment_score"], errors="coerce").to_numpy(dtype=np.float32)
            mentions.loc[whole, "sentiment_score"] = np.nan_to_num(review_scores[of_review[whole]])
    assignments = pd.DataFrame({
        "row": rows,
        "theme_id": primary_ids.astype(np.int64),
        "all_theme_ids": [sorted(a) for a in all_ids],
        "theme_polarities": pols,
        "similarity": placed["primary_sim"].astype(np.float32),
        "topic_id": topic_ids,
        "topic_label": pd.Series(topic_ids).map(model.topic_labels).to_numpy(),
        "general_feeling": placed["feeling"].astype(bool),
    })
    if len(missing):
        assignments.loc[missing, "theme_id"] = UNTHEMED
        assignments.loc[missing, "general_feeling"] = False
    return mentions, assignments


def assign_reviews(model: ThemeModel, reviews: pd.DataFrame, embeddings: np.ndarray, embedder: Any = None,
                   clause_sentiment: ClauseSentiment | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    scores, labels = unit_scores(reviews, units, unit_vectors, model.probe,
                                 clause_sentiment if model.reads_clauses else None)
    placed = place_units(model, reviews, texts, embeddings, units, unit_vectors, context, scores)
    topic_ids = model.topic_model.predict(placed["review_centred"]) if len(texts) else np.zeros(0, dtype=np.int64)
    return link_themes(model, reviews, rows, units, placed, scores, context, missing, topic_ids, labels)
