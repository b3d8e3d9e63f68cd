"""Choose the cascade's confidence threshold on the e5 delta's validation rows (training sources only, never the
held-out ones): for each threshold, the share of reviews the transformer reads and the cascade's accuracy.

    python benchmarks/choose_cascade.py [--data-dir ../shared/data] [--delta FILE] [--budget 0.15]

The budget is the share of reviews the speed target leaves the transformer (see the README's sentiment section).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.sentiment import load_sentiment_model
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
    polar = truth != 1

    def accuracy(p: np.ndarray) -> tuple[float, float]:
        three = float((p.argmax(1) == truth).mean())
        two = float(((p[polar, 2] > p[polar, 0]) * 2 == truth[polar]).mean())
        return three, two

    print(f"{'confidence':>10} {'share to e5':>12} {'3-class acc':>12} {'polarity acc':>13}")
    print(f"{'fast':>10} {0:>12.3f} {accuracy(fast.probabilities)[0]:>12.3f} {accuracy(fast.probabilities)[1]:>13.3f}")
    print(f"{'e5':>10} {1:>12.3f} {accuracy(slow.probabilities)[0]:>12.3f} {accuracy(slow.probabilities)[1]:>13.3f}")
    best = None
    confidence = fast.probabilities.max(1)
    for threshold in np.round(np.arange(0.50, 0.96, 0.05), 2):
        unsure = confidence < threshold
        mixed = np.where(unsure[:, None], slow.probabilities, fast.probabilities)
        three, two = accuracy(mixed)
        print(f"{threshold:>10.2f} {unsure.mean():>12.3f} {three:>12.3f} {two:>13.3f}")
        if unsure.mean() <= args.budget and (best is None or three > best[1]):
            best = (threshold, three)
    if best:
        print(f"chosen: confidence {best[0]:.2f} (best 3-class accuracy within a {args.budget:.0%} share)")


if __name__ == "__main__":
    main()
