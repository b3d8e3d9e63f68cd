"""Choose the cascade's confidence threshold on the e5 delta's validation rows (training sources only, never the
held-out ones): for each threshold, the share of reviews the transformer reads and the cascade's accuracy; then, at
the chosen threshold, the same per language.

    python benchmarks/choose_cascade.py [--data-dir ../shared/data] [--delta FILE] [--budget 0.15]

The budget is the share of reviews the speed target leaves the transformer (see the README's sentiment section).
The fast model was trained on these rows too (the e5 delta only on the other 90%), so the comparison favours it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.sentiment import load_sentiment_model
from analysis.sentiment.cascade import DEFAULT_CONFIDENCE
from analysis.sentiment.training import DATA_DIR, validation_mask
from analysis.sentiment.transformer_recipe import SHIPPED_RECIPE, transformer_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--delta", default="", help="e5 delta file (default: the shipped one)")
    parser.add_argument("--budget", type=float, default=0.15)
    args = parser.parse_args()
    frame, _ = transformer_corpus(args.data_dir, seed=SHIPPED_RECIPE.seed)
    valid = frame[validation_mask(frame["source"].to_numpy(), 0.1, SHIPPED_RECIPE.seed)].reset_index(drop=True)
    texts, truth = valid["text"].tolist(), valid["target"].to_numpy()
    started = time.perf_counter()
    fast = load_sentiment_model("fast").predict(texts)
    slow = load_sentiment_model(f"e5:{args.delta}" if args.delta else "e5").predict(texts)
    print(f"{len(texts)} validation rows scored by both models in {time.perf_counter() - started:.0f} s")
    print(f"{'confidence':>10} {'share to e5':>12} {'3-class acc':>12} {'polarity acc':>13}")
    for name, share, p in (("fast", 0, fast.probabilities), ("e5", 1, slow.probabilities)):
        three, two = accuracies(p, truth)
        print(f"{name:>10} {share:>12.3f} {three:>12.3f} {two:>13.3f}")
    best = None
    confidence = fast.probabilities.max(1)
    for threshold in np.round(np.arange(0.50, 0.96, 0.05), 2):
        unsure = confidence < threshold
        mixed = np.where(unsure[:, None], slow.probabilities, fast.probabilities)
        three, two = accuracies(mixed, truth)
        print(f"{threshold:>10.2f} {unsure.mean():>12.3f} {three:>12.3f} {two:>13.3f}")
        if unsure.mean() <= args.budget and (best is None or three > best[1]):
            best = (threshold, three)
    if best:
        print(f"chosen: confidence {best[0]:.2f} (best 3-class accuracy within a {args.budget:.0%} share)")
    by_language(texts, truth, fast.probabilities, slow.probabilities, best[0] if best else DEFAULT_CONFIDENCE)


def accuracies(p: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """3-class accuracy, and polarity accuracy over the rows labelled negative or positive."""
    polar = truth != 1
    return (float((p.argmax(1) == truth).mean()),
            float(((p[polar, 2] > p[polar, 0]) * 2 == truth[polar]).mean()) if polar.any() else float("nan"))


def by_language(texts: list[str], truth: np.ndarray, fast: np.ndarray, slow: np.ndarray, threshold: float) -> None:
    """Per language, the share the cascade sends to e5 at ``threshold`` and the 3-class / polarity accuracy of the
    fast model, e5 and the cascade."""
    from analysis.text import detect_language

    languages = np.array([detect_language(text) for text in texts])
    cascade = np.where((fast.max(1) < threshold)[:, None], slow, fast)
    print(f"\nby language, cascade at {threshold:.2f}: {'rows':>6} {'share to e5':>12}  3-class / polarity accuracy")
    for language in sorted(set(languages)):
        rows = languages == language
        (f3, f2), (e3, e2), (c3, c2) = (accuracies(p[rows], truth[rows]) for p in (fast, slow, cascade))
        print(f"  {language:6} {rows.sum():>6} {(fast[rows].max(1) < threshold).mean():>12.3f}  fast {f3:.3f} / "
              f"{f2:.3f}, e5 {e3:.3f} / {e2:.3f}, cascade {c3:.3f} / {c2:.3f}")


if __name__ == "__main__":
    main()
