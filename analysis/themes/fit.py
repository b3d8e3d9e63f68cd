"""Finding themes in a set of reviews: units, context, space, clusters, polarity, names and stable ids in one call."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from analysis.themes.assign import (
    MIN_REVIEWS,
    ClauseSentiment,
    ThemeModel,
    empty_result,
    link_themes,
    place_units,
    unit_scores,
)
from analysis.themes.clustering import UNTHEMED, ThemeClusterer, unit_rows
from analysis.themes.context import context_mask, stock_phrases
from analysis.themes.ids import match_theme_ids, previous_table
from analysis.themes.naming import describe_topics
from analysis.themes.polarity import polarity_probe, rated, review_polarity_labels, split_polar
from analysis.themes.result import ThemeResult, build_result
from analysis.themes.space import centred_vectors, language_codes, language_means, reduced_space
from analysis.themes.topics import TopicClusterer
from analysis.themes.units import clause_units

logger = logging.getLogger(__name__)

JOIN_SIMILARITY = 0.25  # SemEval-14 dev (benchmarks/eval_aspects.py): the largest at which one-aspect sentences with one
# theme and multi-aspect ones with two or more stay at their best balance (0.685); 0.45 gave 0.635, 0.6 gave 0.55


def find_themes(
    reviews: pd.DataFrame,
    embedder: Any = None,
    n_themes: int | None = None,
    seed: int = 42,
    previous: Any = None,
    embeddings: np.ndarray | None = None,
    sentences: bool = True,
    min_similarity: float = 0.2,
    match_similarity: float = 0.8,
    split_polarity: bool = True,
    clause_sentiment: ClauseSentiment | None = None,
    join_similarity: float = JOIN_SIMILARITY,
) -> ThemeResult:
    """Cluster reviews into named themes, each with its sentiment mix and quotes; reviews may carry several.

    Args:
        reviews: canonical review table (``text``; optional ``row``, ``rating``, ``sentiment_label``,
            ``sentiment_score``).
        embedder: anything with ``embed(texts) -> (n, d)`` L2-normalised; embeds clauses (and reviews when
            ``embeddings`` is not given). Required unless ``embeddings`` is given and ``sentences`` is False.
        n_themes: this many themes (at most: tiny clusters are dissolved; no merging, no polarity split);
            ``None`` chooses the number from the data.
        seed: same input and seed give identical output.
        previous: an earlier ``ThemeResult`` (or ``themes_table_for_saving`` output) whose ids to keep.
        embeddings: review embeddings aligned with ``reviews`` (the pipeline's); embedded here when missing.
        sentences: split reviews into clauses and theme each one (multi-theme reviews); False themes whole reviews.
        min_similarity: reduced-space cosine below which a clause or review is unthemed.
        match_similarity: centroid similarity needed to inherit a previous theme's id.
        split_polarity: split themes that are clearly both complaint and praise into two.
        join_similarity: reduced-space cosine a clause needs to its theme to add that theme to its review; a
            looser clause takes the review's primary theme (chosen on development data, see ``JOIN_SIMILARITY``).
        clause_sentiment: the sentiment model's reading of clause texts (step 5), used when the reviews carry no
            stars; with stars (or without it) a probe trained on this export's own stars scores each clause's vector.
            Measured (``benchmarks/eval_aspects.py``): on SemEval-14 sentences, which have no stars, the model's
            reading gave the primary theme the human polarity in 78.9% of one-aspect texts against the probe's
            75.4% (67.6% against 54.0% where the text has several clauses); on the starred demo data the probe split
            fast from slow delivery and the model, reading short Chinese clauses near 0, did not.
    """
    texts = reviews["text"].fillna("").astype(str).reset_index(drop=True)
    reviews = reviews.reset_index(drop=True)
    n = len(texts)
    if embeddings is None:
        if embedder is None:
            raise ValueError("find_themes needs review embeddings or an embedder to compute them.")
        embeddings = embedder.embed(texts.tolist())
    embeddings = unit_rows(embeddings)
    if len(embeddings) != n:
        raise ValueError(f"embeddings has {len(embeddings)} rows but reviews has {n}; pass the aligned array.")
    rows = reviews["row"].to_numpy() if "row" in reviews else np.arange(n)
    if n < MIN_REVIEWS:
        logger.info("themes: %d reviews, fewer than %d; nothing to cluster", n, MIN_REVIEWS)
        return empty_result(rows, texts, {"seed": seed, "n_themes": n_themes, "reason": "too few reviews"})

    # 1. units: clauses of multi-clause reviews (embedded), whole review otherwise (reusing its embedding)
    sentences = bool(sentences and embedder is not None)
    units, unit_vectors, missing = clause_units(texts, embeddings, embedder, sentences)

    # 2. context: openers, closers and verdicts do not form themes (their review is themed by its other clauses)
    review_y = review_polarity_labels(reviews)
    use_context = len(units) > n
    stock = stock_phrases(units, review_y, min_repeats=max(5, int(np.ceil(0.005 * n)))) if use_context \
        else frozenset()
    context = context_mask(units, stock) if use_context else np.zeros(len(units), dtype=bool)
    content = ~context
    # 3. one space for both languages and both moods: each language's mean removed, so a complaint in Chinese and in
    # English meet; the sentiment direction (the polarity probe's) removed, so "battery dies" and "support ignores
    # me" are not joined for being negative (polarity is step 6's job)
    probe = polarity_probe(embeddings, review_y, seed=seed)
    unit_lang = language_codes(units["sentence"].astype(str).tolist())
    means = language_means(unit_vectors[content], unit_lang[content])
    direction = probe.direction if probe is not None else None
    centred = centred_vectors(unit_vectors[content], unit_lang[content], means, direction, copy=False)

    # 4. cluster the content units; every unit is then compared with the themes' centres
    clusterer = ThemeClusterer(n_themes=n_themes, min_similarity=min_similarity, seed=seed).fit(centred)
    del centred
    unit_labels = np.full(len(units), UNTHEMED, dtype=np.int64)
    unit_labels[content] = clusterer.labels_
    Z = reduced_space(unit_vectors, unit_lang, means, direction, clusterer)

    # 5. polarity of each unit
    reads_clauses = clause_sentiment is not None and not rated(reviews)
    scores, unit_polarity = unit_scores(reviews, units, unit_vectors, probe,
                                        clause_sentiment if reads_clauses else None)

    # 6. complaint / praise split of polar themes
    praise_half: dict[int, int] = {}
    if split_polarity and n_themes is None:  # an explicit n_themes is honoured exactly
        unit_labels, praise_half = split_polar(unit_labels, scores, probe is not None, Z,
                                                min_each=max(5, len(units) // 500))

    # renumber themes by size; re-assign every unit: nearest topic (theme before the split), then its half by sign
    ids, counts_ = np.unique(unit_labels[unit_labels != UNTHEMED], return_counts=True)
    if not len(ids):
        return empty_result(rows, texts, {"seed": seed, "n_themes": n_themes, "reason": "no theme found"})
    first_seen = {t: int(np.flatnonzero(unit_labels == t)[0]) for t in ids}
    order = sorted(ids.tolist(), key=lambda t: (-counts_[list(ids).index(t)], first_seen[t]))
    topic_of = unit_labels.copy()
    for topic, praise in praise_half.items():
        topic_of[unit_labels == praise] = topic
    topic_list = sorted(set(topic_of.tolist()) - {UNTHEMED})
    topic_centroids = unit_rows(np.vstack([Z[topic_of == t].mean(axis=0) for t in topic_list]))
    model = ThemeModel(
        sentences=sentences, context=use_context, stock=stock, means=means, direction=direction, probe=probe,
        clusterer=clusterer, topic_centroids=topic_centroids, topic_list=topic_list, praise_half=praise_half,
        position={t: i for i, t in enumerate(order)}, id_map=np.array([*range(len(order)), UNTHEMED]),
        min_similarity=min_similarity, topic_model=None, topic_labels={}, join_similarity=join_similarity,
        reads_clauses=reads_clauses,
    )
    placed = place_units(model, reviews, texts, embeddings, units, unit_vectors, context, scores, Z)
    unit_theme = placed["unit_theme"]
    embed_centroids = unit_rows(np.vstack([
        unit_vectors[unit_theme == i].mean(axis=0) if (unit_theme == i).any() else np.zeros(unit_vectors.shape[1])
        for i in range(len(order))
    ]))

    # topics: what whole reviews are about (one per review, never unthemed)
    model.topic_model = TopicClusterer(seed=seed).fit(placed["review_centred"])
    topic_ids = model.topic_model.labels_
    topics = describe_topics(texts, topic_ids, seed)
    model.topic_labels = dict(zip(topics["topic_id"], topics["label"]))

    # 8. stable ids
    prev = previous_table(previous)
    new_ids = list(range(len(order)))
    labels: dict[int, str] = {}
    renamed: dict[int, bool] = {}
    if prev is not None:
        old_ids, old_centroids, old_labels, old_renamed = prev
        matched = match_theme_ids(embed_centroids, old_centroids, old_ids, match_similarity)
        next_id = max(old_ids, default=-1) + 1
        for i, m in enumerate(matched):
            if m is None:
                new_ids[i], next_id = next_id, next_id + 1
            else:
                new_ids[i] = m
                if old_renamed.get(m):
                    labels[m], renamed[m] = old_labels[m], True
    model.id_map = np.array(new_ids + [UNTHEMED])  # index -1 maps to UNTHEMED

    mentions, assignments = link_themes(model, reviews, rows, units, placed, scores, context, missing, topic_ids,
                                        unit_polarity)
    params = {"seed": seed, "n_themes": n_themes, "chosen_k": clusterer.chosen_k_, "k_scores": clusterer.k_scores_,
              "sentences": sentences, "min_similarity": min_similarity}
    params["n_topics"] = model.topic_model.n_topics_
    result = build_result(mentions, assignments, texts, new_ids, embed_centroids, labels, renamed, params, topics)
    result.model = model
    logger.info("themes: %d (k=%d), unthemed %.1f%%", result.n_themes, clusterer.chosen_k_, 100 * result.unthemed_share)
    return result
