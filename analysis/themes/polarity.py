"""Polarity of theme mentions: a probe trained on the data's own review labels scores each clause."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.themes.clustering import UNTHEMED, unit_rows


def review_polarity_labels(reviews: pd.DataFrame) -> np.ndarray:
    """+1 / -1 / 0 (unknown or neutral) per review: the customer's own stars (1-2, 4-5) where given, the sentiment
    model's label for reviews without stars.

    Stars come first because they are the shop's ground truth for this very export, while the sentiment model is
    trained elsewhere and leans on its domains; a probe fitted to the model's labels inherits its biases.
    """
    y = np.zeros(len(reviews), dtype=np.int8)
    rated = np.zeros(len(reviews), dtype=bool)
    if "rating" in reviews:
        r = pd.to_numeric(reviews["rating"], errors="coerce").to_numpy()
        rated = ~np.isnan(r)
        y[r <= 2] = -1
        y[r >= 4] = 1
    if "sentiment_label" in reviews and reviews["sentiment_label"].notna().any():
        lab = reviews["sentiment_label"].astype(str).str.lower().to_numpy()
        y[~rated & (lab == "negative")] = -1
        y[~rated & (lab == "positive")] = 1
    return y


def rated(reviews: pd.DataFrame) -> bool:
    """Whether most reviews carry stars: the export's own ground truth, which the probe then learns from."""
    return "rating" in reviews and bool(pd.to_numeric(reviews["rating"], errors="coerce").notna().mean() >= 0.5)


def polarity_probe(review_vectors: np.ndarray, labels: np.ndarray, seed: int = 42, max_rows: int = 10000):
    """A logistic regression from embedding to P(positive), trained on this data's own labelled reviews.

    Returns a function vectors -> scores in [-1, 1], or ``None`` when there are too few labels of either side.
    """
    from sklearn.linear_model import LogisticRegression

    idx = np.flatnonzero(labels != 0)
    if (labels[idx] > 0).sum() < 10 or (labels[idx] < 0).sum() < 10:
        return None
    if len(idx) > max_rows:
        idx = np.sort(np.random.default_rng(seed).choice(idx, size=max_rows, replace=False))
    model = LogisticRegression(C=1.0, max_iter=500, class_weight="balanced")
    model.fit(review_vectors[idx], labels[idx] > 0)

    weights, bias = model.coef_[0].astype(np.float64), float(model.intercept_[0])

    def score(V: np.ndarray) -> np.ndarray:
        # P(positive) = sigmoid(w.v + b), one row at a time in float64 (a row-wise sum, not BLAS, whose float32
        # rounding varied with the number of rows): a clause scores the same whichever rows share its call
        V = np.asarray(V)
        decision = np.empty(len(V), dtype=np.float64)
        for start in range(0, len(V), 1024):
            decision[start : start + 1024] = (V[start : start + 1024].astype(np.float64) * weights).sum(axis=1)
        return (2.0 / (1.0 + np.exp(-(decision + bias))) - 1.0).astype(np.float32)

    score.direction = unit_rows(model.coef_.astype(np.float32))[0]  # the embedding direction that is sentiment
    return score


POLARITY_THRESHOLD = 0.3  # |score| above this makes a clause negative or positive; in between it is neutral


def theme_kind(neg: float, pos: float) -> str:
    """Complaint when most mentions are negative (60%), or half are and hardly any (10%) positive, the rest
    stating facts ("申请退货", "requested a refund"); praise likewise; otherwise mixed."""
    if neg >= 0.6 or (neg >= 0.5 and pos <= 0.1):
        return "complaint"
    if pos >= 0.6 or (pos >= 0.5 and neg <= 0.1):
        return "praise"
    return "mixed"


def split_polar(labels, scores, pol_known, vectors, min_each: int, min_share: float = 0.1):
    """Split each theme whose clauses are clearly both negative and positive into complaint + praise halves.

    Returns the new labels and ``{theme: its praise half}`` for the themes that were split (the theme keeps its
    complaint half). Both halves must hold ``min_each`` clauses and ``min_share`` of the theme's polar clauses'
    members: "delivery" with 500 "fast" and 120 "took three weeks" clauses is two themes for a manager."""
    labels = labels.copy()
    next_id = labels.max() + 1
    praise_half: dict[int, int] = {}
    for t in sorted(set(labels.tolist()) - {UNTHEMED}):
        members = np.flatnonzero(labels == t)
        if not pol_known:
            break
        neg = members[scores[members] <= -POLARITY_THRESHOLD]
        pos = members[scores[members] >= POLARITY_THRESHOLD]
        if min(len(neg), len(pos)) < min_each or min(len(neg), len(pos)) < min_share * len(members):
            continue
        # neutral clauses follow their polarity score's sign (zero goes with the complaints)
        mid = np.setdiff1d(members, np.concatenate([neg, pos]))
        labels[np.concatenate([pos, mid[scores[mid] > 0]])] = next_id
        praise_half[int(t)] = int(next_id)
        next_id += 1
    return labels, praise_half
