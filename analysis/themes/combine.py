"""Inputs larger than one fit: the seeded sample themes are fitted on, and the fit's themes restated over every review."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.themes.clustering import UNTHEMED
from analysis.themes.polarity import theme_kind
from analysis.themes.result import ThemeResult


# --------------------------------------------------------------------------------------------------------------
# Inputs larger than one fit
# --------------------------------------------------------------------------------------------------------------
def fit_sample(rows: np.ndarray, texts: Sequence[str], limit: int, seed: int = 42) -> np.ndarray:
    """Positions of the reviews themes are fitted on when there are more than ``limit``: the ``limit`` with the
    smallest seeded hash of (row, text). A property of each review, not of the order or chunk it comes in, so a file
    read in pieces picks the same sample as the whole file."""
    if len(texts) <= limit:
        return np.arange(len(texts))
    return smallest_keys(review_keys(rows, texts, seed), limit)


def smallest_keys(keys: np.ndarray, limit: int) -> np.ndarray:
    """Positions, in order, of the ``limit`` smallest keys (all of them when there are no more)."""
    if len(keys) <= limit:
        return np.arange(len(keys))
    return np.sort(np.argsort(keys, kind="stable")[:limit])


def review_keys(rows: np.ndarray, texts: Sequence[str], seed: int = 42) -> np.ndarray:
    """The seeded hash ``fit_sample`` ranks reviews by (for callers that see the reviews in chunks)."""
    import hashlib

    return np.fromiter((int.from_bytes(hashlib.blake2b(f"{seed}\x00{r}\x00{t}".encode(), digest_size=8).digest(),
                                       "little") for r, t in zip(rows, texts, strict=True)),
                       dtype=np.uint64, count=len(texts))


def theme_counts(mentions: pd.DataFrame, assignments: pd.DataFrame, width: int, n_topics: int) -> dict[str, np.ndarray]:
    """What a theme's size and sentiment mix are counted from, over these reviews only: arrays by theme id (and by
    topic id), which add up over disjoint sets of reviews (``analysis.runs.distributed`` sums them per batch).

    ``mentions['review']`` indexes ``assignments``. Counted with numpy over integer keys: at a million reviews (2.5M
    mentions) a pandas group-by costs hundreds of MB."""
    theme = mentions["theme_id"].to_numpy()
    themed = theme != UNTHEMED
    theme = theme[themed].astype(np.int64)
    review = mentions["review"].to_numpy()[themed].astype(np.int64)

    def per_theme(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(theme, weights=weights, minlength=width)

    stride = int(review.max(initial=0)) + 1
    primary = assignments["theme_id"].to_numpy()
    topic_of_review = assignments["topic_id"].to_numpy(dtype=np.int64) if "topic_id" in assignments \
        else np.zeros(len(assignments), dtype=np.int64)
    topic = topic_of_review[review]
    votes = np.bincount(theme * n_topics + topic, minlength=width * n_topics).reshape(width, n_topics) if n_topics \
        else np.zeros((width, 0), dtype=np.int64)
    return {
        "mentions": per_theme(),
        "reviews": np.bincount(np.unique(theme * stride + review) // stride, minlength=width),  # distinct reviews
        "sentiment": per_theme(mentions["sentiment_score"].to_numpy(dtype=np.float64)[themed]),
        "negative": per_theme((mentions["polarity"] == "negative").to_numpy(dtype=np.float64)[themed]),
        "positive": per_theme((mentions["polarity"] == "positive").to_numpy(dtype=np.float64)[themed]),
        "primary": np.bincount(primary[primary != UNTHEMED].astype(np.int64), minlength=width),
        "topic_votes": votes,
        "topic_sizes": np.bincount(topic_of_review[topic_of_review >= 0], minlength=n_topics),
    }


def restated_themes(themes: pd.DataFrame, counts: dict[str, np.ndarray], n_reviews: int) -> pd.DataFrame:
    """The fitted themes' counts and sentiment mix from ``theme_counts`` (names and quotes stay the fit's)."""
    mention_count = counts["mentions"]
    counted = np.maximum(mention_count, 1)
    mean_sentiment = np.where(mention_count > 0, counts["sentiment"] / counted, np.nan)
    negative_share = counts["negative"] / counted
    positive_share = counts["positive"] / counted
    out = themes.copy()
    ids = out["theme_id"].to_numpy(dtype=np.int64)
    out["size"] = counts["reviews"][ids].astype(int)
    out["share"] = out["size"] / max(n_reviews, 1)
    out["primary_size"] = counts["primary"][ids].astype(int)
    out["mention_count"] = mention_count[ids].astype(int)
    out["mean_sentiment"] = mean_sentiment[ids].astype(float)
    out["negative_share"] = negative_share[ids].astype(float)
    out["positive_share"] = positive_share[ids].astype(float)
    out["kind"] = [theme_kind(a, b) for a, b in zip(out["negative_share"], out["positive_share"], strict=True)]
    if "topic_id" in out:
        votes = counts["topic_votes"]
        majority = votes.argmax(axis=1) if votes.shape[1] else np.zeros(len(votes), dtype=np.int64)  # ties: smallest
        out["topic_id"] = np.where(mention_count[ids] > 0, majority[ids], -1).astype(int)
    return out


def restated_topics(topics: pd.DataFrame, sizes: np.ndarray, n_reviews: int) -> pd.DataFrame:
    """Topic sizes and shares over every review, from the number of reviews per topic id (``np.bincount``)."""
    topics = topics.copy()
    if len(topics):
        ids = topics["topic_id"].to_numpy(dtype=np.int64)
        padded = np.concatenate([np.asarray(sizes, dtype=np.int64), np.zeros(int(ids.max(initial=0)) + 1, np.int64)])
        topics["size"] = padded[ids].astype(int)
        topics["share"] = topics["size"] / max(n_reviews, 1)
    return topics


def _restated(themes: pd.DataFrame, mentions: pd.DataFrame, assignments: pd.DataFrame, n_reviews: int) -> pd.DataFrame:
    """The fitted themes' counts and sentiment mix recomputed over every review (names and quotes stay the fit's)."""
    theme = mentions["theme_id"].to_numpy()
    themed = theme[theme != UNTHEMED]
    width = int(max(themed.max(initial=-1), themes["theme_id"].max() if len(themes) else -1)) + 1
    n_topics = 0
    if "topic_id" in themes:
        review = mentions["review"].to_numpy()[theme != UNTHEMED].astype(np.int64)
        n_topics = int(assignments["topic_id"].to_numpy(dtype=np.int64)[review].max(initial=-1)) + 1
    return restated_themes(themes, theme_counts(mentions, assignments, width, n_topics), n_reviews)


def combine_parts(fit: ThemeResult, fit_positions: np.ndarray, parts: Sequence[tuple[np.ndarray, pd.DataFrame,
                  pd.DataFrame]], texts: pd.Series) -> ThemeResult:
    """One result over every review from the fit (on a sample) and ``assign_reviews`` output for the others.

    ``parts``: (positions of its reviews, mentions, assignments) with ``review`` local to the part. Themes keep the
    fit's names, keywords and quotes; their sizes, shares and sentiment mix are counted over all reviews."""
    kept = [c for c in fit.mentions.columns if all(c in m for _, m, _ in parts)]  # parts may be slimmed
    fit_mentions = fit.mentions[kept].assign(review=fit_positions[fit.mentions["review"].to_numpy(dtype=np.int64)])
    if parts:  # in the parts' types: slimmed parts (analysis.runs.batch) stay slim when concatenated
        fit_mentions = fit_mentions.astype(parts[0][1][kept].dtypes.to_dict())
    mention_parts = [fit_mentions] + [m[kept].assign(review=pos[m["review"].to_numpy(dtype=np.int64)])
                                      for pos, m, _ in parts]
    mentions = pd.concat(mention_parts, ignore_index=True).sort_values(["review", "sentence_no"], kind="stable")
    order = np.concatenate([fit_positions] + [pos for pos, _, _ in parts])
    columns = [c for c in fit.assignments.columns if c != "theme_label" and all(c in a for _, _, a in parts)]
    assignments = pd.concat([fit.assignments[columns]] + [a[columns] for _, _, a in parts], ignore_index=True)
    assignments = assignments.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    n = len(assignments)
    themes = _restated(fit.themes, mentions.reset_index(drop=True), assignments, n)
    label_of = dict(zip(themes["theme_id"], themes["label"]))
    assignments["theme_label"] = [label_of.get(t, "") if t != UNTHEMED else "" for t in assignments["theme_id"]]
    topic_ids = assignments["topic_id"].to_numpy(dtype=np.int64)
    topics = restated_topics(fit.topics, np.bincount(topic_ids[topic_ids >= 0]), n)
    params = {**fit.params, "fitted_on": len(fit_positions), "reviews": n}
    return ThemeResult(themes, fit.centroids, assignments, mentions.reset_index(drop=True),
                       texts.reset_index(drop=True), params, topics, fit.model)
