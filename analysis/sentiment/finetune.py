"""Adapt the sentiment model to one shop's reviews using its own star ratings, and show honestly whether it helped.

A fifth of the rated reviews is set aside before training and used only to compare the model before and after, so
the improvement shown is measured on reviews the new model has not seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.messages import MessageError, message
from analysis.sentiment.backends import load_sentiment_model
from analysis.sentiment.evaluation import EvaluationReport, evaluate_predictions
from analysis.sentiment.predictions import SentimentPredictions
from analysis.sentiment.training import TrainingConfig, targets_from, train_sentiment_model

MIN_RATED_REVIEWS = 100


class FineTuneError(MessageError, ValueError):
    """This file cannot adapt the model (too few rated reviews); the message says what to do."""


@dataclass
class FineTuneOutcome:
    weights_path: Path
    before: EvaluationReport  # the current model on the set-aside reviews
    after: EvaluationReport  # the adapted model on the same reviews
    train_reviews: int
    test_reviews: int
    epochs: int


def _rows(predictions: SentimentPredictions, rows: np.ndarray) -> SentimentPredictions:
    return SentimentPredictions([predictions.labels[i] for i in rows], predictions.scores[rows],
                                predictions.probabilities[rows])


def fine_tune_on_ratings(
    texts: Sequence[str],
    ratings: Sequence[float],
    embeddings: np.ndarray,
    current: SentimentPredictions,
    out_path: Path | str,
    seed: int = 42,
    log: Callable[[str], None] | None = None,
) -> FineTuneOutcome:
    """Train on 80% of the rated reviews, compare old and new model on the other 20%."""
    texts = list(texts)
    targets = targets_from(ratings=np.asarray(ratings, dtype=float))
    rated = np.flatnonzero(targets >= 0)
    if len(rated) < MIN_RATED_REVIEWS:
        raise FineTuneError(message("finetune.too_few", rated=len(rated), needed=MIN_RATED_REVIEWS))
    order = np.random.default_rng(seed).permutation(rated)
    test = np.sort(order[: len(order) // 5])
    train = np.sort(order[len(order) // 5 :])
    path, history = train_sentiment_model(
        [texts[i] for i in train], targets[train], embeddings[train], out_path,
        TrainingConfig(seed=seed, max_epochs=40), model_id=f"finetuned-{Path(out_path).stem}",
        log=log or (lambda _: None),
    )
    adapted = load_sentiment_model(str(path))
    test_texts = [texts[i] for i in test]
    after = adapted.predict(test_texts, embeddings=embeddings[test])
    return FineTuneOutcome(
        weights_path=Path(path),
        before=evaluate_predictions(test_texts, targets[test], _rows(current, test), "current"),
        after=evaluate_predictions(test_texts, targets[test], after, adapted.model_id),
        train_reviews=len(train),
        test_reviews=len(test),
        epochs=int(history["epochs"]),
    )
