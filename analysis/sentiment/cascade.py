"""A cascade: the fast model decides the reviews it is sure of, the fine-tuned transformer the rest.

The fast model (USE-m + n-grams) reads every review from the vectors the themes need anyway; a review whose most
probable class is below ``confidence`` goes to the e5 delta, whose answer replaces the fast one. The decision is per
review (a fixed threshold, not a share of each batch), so a review gets the same answer whether it is analysed alone,
in a chunk of the batch path or on a Ray actor. The threshold is chosen on the transformer's validation rows for a
share of reviews the speed budget allows (``benchmarks/eval_sentiment.py --also cascade`` prints its accuracy).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.sentiment.predictions import (
    SentimentModel,
    SentimentPredictions,
    blank_mask,
    predictions_from_probabilities,
)

# Chosen by benchmarks/choose_cascade.py on the e5 delta's validation rows (1,330, training sources only): the best
# 3-class accuracy with at most 15% of reviews sent to e5 (0.872 at 0.50 with 5.8% sent, against the fast model's
# 0.861 and 0.829 at 0.80 with 49.7% sent). Shipped before at 0.80, never chosen by that script.
DEFAULT_CONFIDENCE = 0.50


class CascadeSentimentModel:
    """``fast`` first; rows it gives less than ``confidence`` to its top class go to ``slow``."""

    def __init__(self, fast: SentimentModel, slow: SentimentModel, confidence: float = DEFAULT_CONFIDENCE) -> None:
        self.fast, self.slow, self.confidence = fast, slow, float(confidence)
        self.uses_embedder = fast.uses_embedder
        # Theme clauses (about four per review) are read by the fast model alone, from the clause vectors the themes
        # compute anyway: read by the cascade, e5 ran on every clause the fast model was unsure of, and the themes
        # step took 151 s on 10k reviews against 28 s.
        self.clause_model = fast
        self.model_id = f"cascade:{fast.model_id}<{self.confidence:.2f}>{slow.model_id}"
        self.last_share = 0.0  # share of the last call's reviews the slow model read (for the benchmark)

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions:
        texts = list(texts)
        first = self.fast.predict(texts, embeddings=embeddings)
        blank = blank_mask(texts)
        unsure = np.flatnonzero((first.probabilities.max(1) < self.confidence) & ~blank)
        self.last_share = len(unsure) / max(1, len(texts))
        if len(unsure) == 0:
            return first
        second = self.slow.predict([texts[i] for i in unsure])
        probabilities = first.probabilities.copy()
        probabilities[unsure] = second.probabilities
        return predictions_from_probabilities(probabilities)
