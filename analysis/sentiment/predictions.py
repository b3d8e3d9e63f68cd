"""What every sentiment backend returns: labels, scores and three class probabilities, blanks neutral."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd



LABELS = ("negative", "neutral", "positive")


FRAME_COLUMNS = ("sentiment_label", "sentiment_score", "p_negative", "p_neutral", "p_positive")


@dataclass
class SentimentPredictions:
    """Per-review sentiment, aligned with the input texts."""

    labels: list[str]
    scores: np.ndarray
    probabilities: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                "sentiment_label": self.labels,
                "sentiment_score": self.scores,
                "p_negative": self.probabilities[:, 0],
                "p_neutral": self.probabilities[:, 1],
                "p_positive": self.probabilities[:, 2],
            }
        )


@runtime_checkable
class SentimentModel(Protocol):
    """Anything that scores reviews; the pipeline, the CLI and the dashboard only use this surface."""

    model_id: str
    uses_embedder: str | None

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions: ...


def predictions_from_probabilities(probabilities: np.ndarray, scores: np.ndarray | None = None) -> SentimentPredictions:
    """Labels by the most probable class; the score defaults to P(positive) - P(negative)."""
    probabilities = np.asarray(probabilities, dtype=np.float64).reshape(-1, 3)
    if scores is None:
        scores = probabilities[:, 2] - probabilities[:, 0]
    scores = np.clip(np.asarray(scores, dtype=np.float64), -1.0, 1.0)
    labels = [LABELS[i] for i in probabilities.argmax(axis=1)] if len(probabilities) else []
    return SentimentPredictions(labels=labels, scores=scores, probabilities=probabilities)


def blank_mask(texts: Sequence[str]) -> np.ndarray:
    return np.array([not (isinstance(t, str) and t.strip()) for t in texts], dtype=bool)


def with_blanks_neutral(texts: Sequence[str], score_some) -> SentimentPredictions:
    """Score the non-blank texts with ``score_some(indices) -> (probabilities, scores)``; blanks are neutral."""
    n = len(texts)
    probabilities = np.zeros((n, 3))
    probabilities[:, 1] = 1.0
    scores = np.zeros(n)
    keep = np.flatnonzero(~blank_mask(texts))
    if len(keep):
        p, s = score_some(keep)
        probabilities[keep] = p
        scores[keep] = s
    return predictions_from_probabilities(probabilities, scores)
