"""Context clauses: openers, closers and stock phrases that name no aspect, kept out of the themes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.text.tokenizers import tokenize


def _normalised(text: str) -> str:
    """A clause reduced to its letters (lower case, no punctuation, digits or spaces): near-verbatim repeats match."""
    return re.sub(r"[\W_\d]+", "", str(text).lower())


def stock_phrases(units: pd.DataFrame, review_labels: np.ndarray, min_repeats: int,
                  max_shift: float = 0.3) -> frozenset[str]:
    """Normalised clauses repeated near-verbatim in at least ``min_repeats`` reviews and carried by reviews of every
    polarity alike ("Gift for my wife", "上个月买的"): the 95% interval of the positive share among their labelled
    reviews lies within ``max_shift`` of the corpus's. An aspect phrase such as "battery died" leans one way."""
    labels = np.asarray(review_labels)
    labelled = labels != 0
    if not len(units) or labelled.sum() < 20 or not 0 < (labels[labelled] > 0).mean() < 1:
        return frozenset()
    p0 = float((labels[labelled] > 0).mean())
    frame = pd.DataFrame({"key": units["sentence"].astype(str).map(_normalised).to_numpy(),
                          "review": units["review"].to_numpy()})
    frame = frame.drop_duplicates(["key", "review"])
    y = labels[frame["review"].to_numpy()]
    frame["lab"] = y != 0
    frame["pos"] = y > 0
    stats = frame.groupby("key").agg(n=("review", "size"), lab=("lab", "sum"), pos=("pos", "sum"))
    stats = stats[stats["n"] >= min_repeats]
    shift = (stats["pos"] / stats["lab"].clip(lower=1) - p0).abs()
    half_width = 1.96 * np.sqrt(p0 * (1 - p0) / stats["lab"].clip(lower=1))
    return frozenset(stats.index[(stats["lab"] > 0) & (shift + half_width <= max_shift)])


def context_mask(units: pd.DataFrame, stock: frozenset[str]) -> np.ndarray:
    """Which clauses are context: no aspect named (only stopwords, verdict and venting words: "Will buy again",
    "很满意", "太失望了") or a stock phrase. A candidate is context when its review has another, non-candidate clause
    (the review is themed by that one); a review none of whose clauses names an aspect only vents or praises in
    general, so all of its clauses are context and the review belongs to no theme but to the general feeling
    (``ThemeResult.general_feeling``). Per review, so a chunk of reviews gets the flags the whole file would."""
    if not len(units):
        return np.zeros(0, dtype=bool)
    sentences = units["sentence"].astype(str)
    token_of = {t: bool(tokenize(t)) for t in pd.unique(sentences)}
    unnamed = ~sentences.map(token_of).to_numpy(dtype=bool)
    candidate = unnamed.copy()
    if stock:
        candidate |= sentences.map(_normalised).isin(stock).to_numpy()
    review = units["review"].to_numpy()
    has_content = pd.Series(~candidate).groupby(review).transform("any").to_numpy()
    feeling = pd.Series(unnamed).groupby(review).transform("all").to_numpy()
    return (candidate & has_content) | feeling


def context_clauses(units: pd.DataFrame, review_labels: np.ndarray, min_repeats: int,
                    max_shift: float = 0.3) -> np.ndarray:
    """Which clauses are context (openers, closers, verdicts) rather than something a review says about an aspect:
    ``context_mask`` with the stock phrases of these units (``stock_phrases``)."""
    return context_mask(units, stock_phrases(units, review_labels, min_repeats, max_shift))
