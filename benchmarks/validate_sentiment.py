"""Leave-one-domain-out validation of the default sentiment recipe, inside the training sources only.

    python benchmarks/validate_sentiment.py [--embedding-cache FILE] [--balance-cap 10] [--ngram-l2 1e-5]

This is how the recipe and its hyperparameters were chosen: the held-out sources of ``benchmarks/eval_sentiment.py``
had already been looked at, so they may only report the result, never pick it. Each fold of
``analysis.training.domain_folds`` trains both experts (the USE-m MLP and the n-gram logistic regression) without one
domain and scores that domain; the per-fold polarity accuracy / macro-F1 / AUC-ROC of each expert and of their
logit-weighted sum are printed, together with the n-gram weight and polarity bias that maximise the mean over folds
of (accuracy + macro-F1) / 2, and that choice re-made for each fold on the other folds only ("nested"), which is the
honest estimate of choosing them this way.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.training import (
    DATA_DIR,
    NEUTRAL,
    POSITIVE,
    TrainingConfig,
    balanced_weights,
    domain_folds,
    fit_network,
    fit_ngram_logistic,
    load_corpus,
    split_held_out,
    validation_mask,
)

WEIGHTS = np.round(np.arange(0.0, 1.01, 0.1), 2)
BIASES = np.round(np.arange(-2.0, 2.01, 0.25), 2)


def fold_scores(folds, targets, logits, bias=0.0) -> dict[str, tuple[float, float, float]]:
    """Per fold polarity (accuracy, macro-F1, AUC-ROC) of logits; decision: logit(pos) - logit(neg) + bias >= 0."""
    from sklearn.metrics import f1_score, roc_auc_score

    out = {}
    for name, (_, rows) in folds.items():
        rows = rows[targets[rows] != NEUTRAL]
        truth = (targets[rows] == POSITIVE).astype(int)
        margin = logits[rows, 2] - logits[rows, 0] + bias
        predicted = (margin >= 0).astype(int)
        out[name] = (float((predicted == truth).mean()), float(f1_score(truth, predicted, average="macro")),
                     float(roc_auc_score(truth, margin)))  # fmt: skip
    return out


def criterion(scores: dict, skip: str | None = None) -> float:
    return float(np.mean([(a + f) / 2 for name, (a, f, _) in scores.items() if name != skip]))


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def out_of_fold_logits(train, embeddings, folds, config: TrainingConfig) -> tuple[np.ndarray, np.ndarray]:
    """Each expert's logits on every validated row, from the model trained without that row's domain."""
    from analysis.sentiment import NgramHasher

    targets = train["target"].to_numpy()
    groups = (train["source"] + "/" + train["category"].fillna("")).to_numpy()
    sources = train["source"].to_numpy()
    texts = np.asarray(train["text"].tolist(), dtype=object)
    mlp_logits = np.zeros((len(train), 3), dtype=np.float32)
    ngram_logits = np.zeros((len(train), 3), dtype=np.float32)
    for name, (fit_rows, rows) in folds.items():
        started = time.perf_counter()
        weights = balanced_weights(groups[fit_rows], targets[fit_rows], config.balance_cap) if config.balance_cap > 0 else None
        validation = validation_mask(sources[fit_rows], config.validation_fraction, config.seed)
        network, _, _ = fit_network(embeddings[fit_rows], targets[fit_rows], config, validation, weights, log=lambda _: None)
        import torch

        with torch.inference_mode():
            mlp_logits[rows] = network(torch.from_numpy(np.ascontiguousarray(embeddings[rows], dtype=np.float32))).numpy()
        hasher = NgramHasher(config.n_features_log2).fit(list(texts[fit_rows]))
        coefficients, intercept, _ = fit_ngram_logistic(
            hasher.transform(list(texts[fit_rows])), targets[fit_rows], weights, config.ngram_l2, threads=config.threads
        )
        ngram_logits[rows] = hasher.transform(list(texts[rows])) @ coefficients + intercept
        print(f"fold {name}: {len(fit_rows)} training rows, {len(rows)} validated, {time.perf_counter() - started:.0f} s",
              flush=True)  # fmt: skip
    return mlp_logits, ngram_logits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--embedding-cache", type=Path, default=None, help="SQLite USE-m cache shared with training")
    parser.add_argument("--balance-cap", type=float, default=TrainingConfig().balance_cap)
    parser.add_argument("--ngram-l2", type=float, default=TrainingConfig().ngram_l2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()

    from analysis.embeddings import load_embedder

    config = replace(TrainingConfig(), balance_cap=args.balance_cap, ngram_l2=args.ngram_l2, threads=args.threads)
    started = time.perf_counter()
    train, _, _ = split_held_out(load_corpus(args.data_dir))
    folds = domain_folds(train)
    targets = train["target"].to_numpy()
    embeddings = load_embedder("use-m", cache_path=args.embedding_cache).embed(train["text"].tolist())
    mlp, ngram = out_of_fold_logits(train, embeddings, folds, config)
    mlp, ngram = log_softmax(mlp), log_softmax(ngram)  # each expert's calibrated log-probabilities

    def show(label: str, scores: dict) -> None:
        cells = "  ".join(f"{name} {a:.3f}/{f:.3f}/{u:.3f}" for name, (a, f, u) in scores.items())
        print(f"{label:<34} mean {criterion(scores):.3f}  {cells}")

    print(f"\nbalance_cap {config.balance_cap}, ngram_l2 {config.ngram_l2}; per fold accuracy/macro-F1/AUC, mean of "
          "(accuracy + macro-F1) / 2 over folds")  # fmt: skip
    results = {}
    for weight in (0.0, 1.0, config.ngram_weight):
        scores = fold_scores(folds, targets, (1 - weight) * mlp + weight * ngram, config.polarity_bias)
        results[f"w={weight}"] = scores
        show(f"n-gram weight {weight}, bias {config.polarity_bias:+.2f}", scores)
    grid = {(w, b): fold_scores(folds, targets, (1 - w) * mlp + w * ngram, b) for w in WEIGHTS for b in BIASES}
    best = max(grid, key=lambda key: criterion(grid[key]))
    show(f"best: weight {best[0]}, bias {best[1]:+.2f}", grid[best])
    nested = {}
    for name in folds:
        chosen = max(grid, key=lambda key, name=name: criterion(grid[key], skip=name))
        nested[name] = grid[chosen][name]
        print(f"  nested: without {name}, the other folds choose weight {chosen[0]}, bias {chosen[1]:+.2f}")
    show("nested (choice made without the fold)", nested)
    print(f"{time.perf_counter() - started:.0f} s")
    if args.json_out:
        results.update({"best": {"weight": best[0], "bias": best[1], "scores": grid[best]}, "nested": nested})
        args.json_out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
