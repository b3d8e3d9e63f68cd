"""Why a review got its sentiment: how much each clause pushed its score, by clause occlusion.

Each clause is removed in turn and the review scored again; a clause's push is the full review's score minus the score
without it (the score is P(positive) - P(negative), in [-1, 1]). Occlusion was chosen over gradient x input because it
needs nothing but ``predict``: it explains every backend the same way (the fast model's USE-m encoder is numpy code
without gradients, a Hugging Face classifier, the e5 delta), and its numbers are in the unit the dashboard shows. One
review of n clauses costs n + 1 predictions in one batch, a fraction of a second for the fast model.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.text.clauses import split_sentences


@dataclass(frozen=True)
class ClausePush:
    """One clause of a review, where it sits in the text, and how far it moved the review's score."""

    text: str
    start: int
    end: int
    push: float


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the review's clauses, in order (the splitter's pieces found back in the text)."""
    spans, cursor = [], 0
    for piece in split_sentences(text):
        start = text.find(piece, cursor)
        if start < 0:  # the splitter glued pieces with a space the text does not have
            start = cursor
        end = min(len(text), start + len(piece))
        spans.append((start, end))
        cursor = end
    return spans


@dataclass(frozen=True)
class Explanation:
    """A review's label and score, and its clauses' pushes (empty when nothing splits the review: the score then
    is all the one clause's own)."""

    label: str
    score: float
    clauses: tuple[ClausePush, ...]


def explain_review(model, text: str) -> Explanation:
    """The review's prediction and each clause's push, from one batch of n + 1 predictions."""
    spans = clause_spans(text)
    variants = [text] + ([(text[:a] + " " + text[b:]).strip() for a, b in spans] if len(spans) > 1 else [])
    predictions = model.predict(variants)
    full = float(predictions.scores[0])
    pushes = tuple(ClausePush(text[a:b], a, b, round(full - float(s), 4))
                   for (a, b), s in zip(spans, predictions.scores[1:]))
    return Explanation(predictions.labels[0], full, pushes)
