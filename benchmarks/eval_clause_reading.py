"""How well each sentiment reader tells a sentence's clauses apart: SemEval-14 sentences that praise one aspect and
criticise another ("The food was great but the service was slow"), split into clauses as the themes split them.

A reader that gives a theme mention the polarity of its own clause must find both a positive and a negative clause in
such a sentence. Readers:
- ``fast on clause vectors``: the default model on each clause's USE-m vector (what the themes use today);
- ``e5, pooled``: the e5 head on the mean of each clause's hidden states in its sentence's one forward pass
  (``TransformerSentimentModel.predict_with_clauses``, the issue's "one pass" idea);
- ``e5, clause alone``: e5 on each clause's own text (a second pass over the clauses).
Mixed sentences never train the e5 delta (its recipe drops sentences with opposite opinions), whichever half.

    python benchmarks/eval_clause_reading.py [--split dev|test|both]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def mixed_sentences(split: str) -> list[str]:
    """Sentences of one half (or both) with a positive and a negative aspect opinion, cut into two or more clauses."""
    from analysis.sentiment.transformer_recipe import semeval_half
    from analysis.text import split_sentences

    frame = pd.read_csv(DATA / "en_semeval14_restaurant_aspects.csv.gz", dtype=str, keep_default_na=False)
    if split != "both":
        frame = frame[frame["review_id"].map(semeval_half) == split]
    polarities = frame["aspects"].str.split(";").map(lambda parts: {p.rsplit(":", 1)[-1] for p in parts})
    texts = frame.loc[polarities.map(lambda found: {"positive", "negative"} <= found).to_numpy(), "text"]
    return [text for text in texts if len(split_sentences(text)) > 1]


def both_found(labels: list[np.ndarray]) -> float:
    """Share of sentences whose clause labels hold both a positive and a negative one."""
    return float(np.mean([{"positive", "negative"} <= set(found) for found in labels]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="dev")
    parser.add_argument("--e5", default="e5", help="e5 spec (e5 or e5:<delta file>)")
    args = parser.parse_args()

    from analysis.encoders import load_embedder
    from analysis.insights.explain import clause_spans
    from analysis.sentiment import load_sentiment_model
    from analysis.text import split_sentences

    texts = mixed_sentences(args.split)
    clauses = [split_sentences(text) for text in texts]
    flat = [c for cs in clauses for c in cs]
    cuts = np.cumsum([0] + [len(cs) for cs in clauses])

    def per_sentence(labels) -> list[np.ndarray]:
        labels = np.asarray(labels, dtype=object)
        return [labels[cuts[i] : cuts[i + 1]] for i in range(len(texts))]

    fast = load_sentiment_model("default")
    vectors = load_embedder("use-m").embed(flat)
    e5 = load_sentiment_model(args.e5)
    _reviews, pooled = e5.predict_with_clauses(texts, [clause_spans(text) for text in texts])
    rows = {"fast on clause vectors": per_sentence(fast.predict(flat, embeddings=vectors).labels),
            "e5, pooled in one pass": [np.asarray(p.labels, dtype=object) for p in pooled],
            "e5, clause alone": per_sentence(e5.predict(flat).labels)}
    print(f"{len(texts)} SemEval-14 sentences ({args.split}) with a positive and a negative opinion, "
          f"{len(flat)} clauses; e5 = {e5.model_id}")
    for name, labels in rows.items():
        print(f"  {name:24s} both polarities found in {both_found(labels):.1%} of the sentences")


if __name__ == "__main__":
    main()
