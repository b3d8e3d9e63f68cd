"""Adapt the e5 delta to one shop's reviews from its own star ratings: a new head only, in minutes.

The encoder (the wheel's base plus the delta's top layers) stays as shipped; one forward pass gives each rated review
the mean-pooled vector the head reads, and a new head starts from the shipped one and is fitted on 80% of the rated
reviews (cross-entropy, AdamW, classes balanced, early stopping on a tenth of them; its temperature refitted there).
The other 20% are set aside before anything is fitted and compare the model before and after, as the fast model's
fine-tuning does (``analysis.sentiment.finetune``). The result is a new delta file: the shipped top layers, the new
head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from analysis.messages import message
from analysis.sentiment.evaluation import evaluate_predictions
from analysis.sentiment.finetune import MIN_RATED_REVIEWS, FineTuneError, FineTuneOutcome
from analysis.sentiment.network import softmax_scores
from analysis.sentiment.predictions import SentimentPredictions, predictions_from_probabilities
from analysis.sentiment.training import balanced_weights, targets_from
from analysis.sentiment.transformer import (
    TransformerReport,
    TransformerSentimentModel,
    fit_temperature,
    pooled_features,
    save_delta,
    with_head_copy,
)


def _fit_head(model, features: np.ndarray, targets: np.ndarray, seed: int, max_epochs: int = 300,
              patience: int = 20) -> tuple[int, float]:
    """Full-batch AdamW on the head from its current weights; keeps the epoch with the lowest validation loss.
    Returns (epochs run, temperature)."""
    import torch

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(targets))
    valid, train = order[: max(1, len(order) // 10)], order[max(1, len(order) // 10):]
    x = torch.as_tensor(features)
    y = torch.as_tensor(targets, dtype=torch.long)
    w = torch.as_tensor(balanced_weights(np.zeros(len(targets), dtype=int), targets, cap=10.0))
    head = model.head
    head.requires_grad_(True)
    optimiser = torch.optim.AdamW(head.parameters(), lr=3e-3, weight_decay=0.01)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="none")
    best_epoch = 0
    best, best_state, epochs = float("inf"), {k: v.clone() for k, v in head.state_dict().items()}, 0
    for epochs in range(1, max_epochs + 1):
        head.train()
        loss = (loss_fn(head(x[train]), y[train]) * w[train]).sum() / w[train].sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            valid_loss = float((loss_fn(head(x[valid]), y[valid]) * w[valid]).sum() / w[valid].sum())
        if valid_loss < best - 1e-5:
            best, best_state, best_epoch = valid_loss, {k: v.clone() for k, v in head.state_dict().items()}, epochs
        elif epochs - best_epoch >= patience:
            break
    head.load_state_dict(best_state)
    head.requires_grad_(False)
    with torch.no_grad():
        logits = head(x[valid]).double().numpy()
    return epochs, fit_temperature(logits, targets[valid])


def fine_tune_transformer_on_ratings(
    model: TransformerSentimentModel,
    texts: Sequence[str],
    ratings: Sequence[float],
    current: SentimentPredictions,
    out_path: Path | str,
    seed: int = 42,
    progress: Callable[[int, int], None] | None = None,
) -> FineTuneOutcome:
    """Fit a new head on 80% of the rated reviews; compare old and new on the other 20%. ``model`` is not changed:
    the new head goes to ``out_path`` (a delta file that ``load_sentiment_model("e5:<path>")`` loads)."""
    import torch

    texts = list(texts)
    targets = targets_from(ratings=np.asarray(ratings, dtype=float))
    rated = np.flatnonzero(targets >= 0)
    if len(rated) < MIN_RATED_REVIEWS:
        raise FineTuneError(message("finetune.too_few", rated=len(rated), needed=MIN_RATED_REVIEWS))
    order = np.random.default_rng(seed).permutation(rated)
    test, train = np.sort(order[: len(order) // 5]), np.sort(order[len(order) // 5:])
    features = pooled_features(model.model, model.text_model, [texts[i] for i in rated], model.config,
                               model.bfloat16, progress)
    by_row = dict(zip(rated.tolist(), range(len(rated))))
    adapted = with_head_copy(model.model)

    torch.manual_seed(seed)
    epochs, temperature = _fit_head(adapted, features[[by_row[i] for i in train]], targets[train], seed)
    with torch.no_grad():
        logits = adapted.head(torch.as_tensor(features[[by_row[i] for i in test]])).double().numpy()
    after = predictions_from_probabilities(softmax_scores(logits / temperature)[0])
    config = replace(model.config, temperature=temperature)
    path = save_delta(adapted, config, out_path, TransformerReport(epochs, epochs, epochs, 0.0, 0.0, 0.0,
                                                                  adapted.head.weight.numel(), temperature))
    test_texts = [texts[i] for i in test]
    rows = test.tolist()
    before = SentimentPredictions([current.labels[i] for i in rows], current.scores[rows],
                                  current.probabilities[rows])
    return FineTuneOutcome(
        weights_path=Path(path),
        before=evaluate_predictions(test_texts, targets[test], before, "current"),
        after=evaluate_predictions(test_texts, targets[test], after, f"e5:{Path(path).stem}"),
        train_reviews=len(train), test_reviews=len(test), epochs=epochs)


def transformer_of(model) -> TransformerSentimentModel | None:
    """The e5 model inside a sentiment backend (itself, or a cascade's second stage); None for any other."""
    if isinstance(model, TransformerSentimentModel):
        return model
    slow = getattr(model, "slow", None)
    return slow if isinstance(slow, TransformerSentimentModel) else None


def adapted_model(active, weights_path: Path | str):
    """The backend to re-analyse with after fine-tuning: the same kind as ``active`` with the new weights (a cascade
    keeps its fast stage and threshold and gets the new e5 delta)."""
    from analysis.sentiment.backends import load_sentiment_model
    from analysis.sentiment.cascade import CascadeSentimentModel

    if isinstance(active, CascadeSentimentModel):
        return CascadeSentimentModel(active.fast, TransformerSentimentModel(weights_path), active.confidence)
    if isinstance(active, TransformerSentimentModel):
        return load_sentiment_model(f"e5:{weights_path}")  # as the e5 setting builds it, its clause reader included
    return load_sentiment_model(str(weights_path))
