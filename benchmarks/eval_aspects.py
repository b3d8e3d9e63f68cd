"""Aspect themes against human aspect labels: does a text's theme match what it talks about, with the right polarity?

Data (../shared/data, SOURCES.md):
- ``en_semeval14_restaurant_aspects``: sentences with human aspect categories (food, service, price, ambience,
  anecdotes/miscellaneous) and a polarity each. Split by a seeded hash of the review id into ``dev`` (for choosing
  rules and thresholds) and ``test`` (reported, never used to choose).
- ``zh_asap_dianping_aspects_sample``: 300 restaurant reviews with 18 fine aspects in 5 groups (location, service,
  price, environment, dish). Held out entirely: nothing is chosen on it. Reviews are long and most talk about
  several groups, so its "one-aspect" texts are those where one group holds every mentioned aspect, or, when too
  few, at least two thirds of them (``--zh-dominance``).

Per set, on its single-aspect texts, for each method on the same USE-m embeddings:
- NMI and ARI of a text's primary theme against its aspect (unthemed texts count as one more cluster, for every
  method; BERTopic's outliers likewise; the product's general-feeling group, shown apart, is one more);
- themes per text (mean, share with exactly one) and the unthemed share, for the product's themes;
- polarity of the text on its primary theme against the human polarity of the aspect: polar-only accuracy (human
  positive/negative) and 3-class macro-F1 (with neutral); "whole text" is the review-level sentiment, the baseline
  the product must beat by reading the clause itself. Unthemed texts keep the review-level polarity.

Keywords of the product's themes: coherence (mean NPMI of each theme's keyword pairs over the set's texts: do the
words occur together), diversity (distinct keywords / all keywords: are themes named apart) and redundancy (mean
cosine between a theme's own keywords, embedded alone: near-duplicates).

Methods: ``ours`` (``find_themes`` as the pipeline runs it: clauses, context, complaint/praise split, after the
default sentiment model), ``ours, reviews only`` (``sentences=False``), BERTopic with defaults (UMAP 5-d,
HDBSCAN min_cluster_size=10; ``pip install -r requirements-bench.txt``), k-means with k = the number of aspects (a
reference told the answer). Run from the repository root:

    python benchmarks/eval_aspects.py [--split dev|test] [--no-bertopic] [--sentiment e5]

The e5 delta trains on SemEval's dev half only (``analysis.sentiment.transformer_recipe.semeval_half``), so its
polarity on the test half is held out; on the dev half it is a training-set number.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
POLARITIES = ("negative", "neutral", "positive")
ASAP_POLARITY = {1: "positive", 0: "neutral", -1: "negative"}


def semeval(split: str) -> pd.DataFrame:
    """Every sentence of one split; ``one_aspect`` marks those with one category and a polarity
    positive/negative/neutral (conflict left out)."""
    from analysis.sentiment.transformer_recipe import semeval_half  # the e5 delta trains on the dev half only

    frame = pd.read_csv(DATA / "en_semeval14_restaurant_aspects.csv.gz", dtype=str, keep_default_na=False)
    frame = frame[frame["review_id"].map(semeval_half) == split]
    pairs = frame["aspects"].str.split(";").str[0].str.rsplit(":", n=1, expand=True)
    frame = frame.assign(aspect=pairs[0], polarity=pairs[1])
    frame["one_aspect"] = (frame["aspects"].str.count(";") == 0) & frame["polarity"].isin(POLARITIES)
    return frame[["text", "aspects", "aspect", "polarity", "one_aspect"]].reset_index(drop=True)


def asap(dominance: float) -> pd.DataFrame:
    """Every review; ``one_aspect`` marks those where one aspect group holds at least ``dominance`` of the mentioned
    fine aspects, with the group's polarity when its fine aspects agree (else 'mixed', left out of the polarity
    numbers)."""
    frame = pd.read_csv(DATA / "zh_asap_dianping_aspects_sample.csv.gz")
    columns = [c for c in frame.columns if c.startswith("aspect_")]
    rows = []
    for _, review in frame.iterrows():
        mentioned = {c: int(review[c]) for c in columns if int(review[c]) != -2}
        groups = pd.Series([c.split("_")[1] for c in mentioned]).value_counts()
        one = not (groups.empty or groups.iloc[0] / groups.sum() < dominance
                   or (len(groups) > 1 and groups.iloc[0] == groups.iloc[1]))
        group = groups.index[0] if len(groups) else ""
        labels = {ASAP_POLARITY[v] for c, v in mentioned.items() if c.split("_")[1] == group}
        rows.append({"text": str(review["text"]), "aspect": group, "one_aspect": one, "rating": review["rating"],
                     "polarity": labels.pop() if len(labels) == 1 else "mixed"})
    return pd.DataFrame(rows)


def bertopic_labels(texts: list[str], X: np.ndarray, seed: int) -> np.ndarray:
    from bertopic import BERTopic
    from umap import UMAP

    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    topics, _ = BERTopic(umap_model=umap_model).fit_transform(texts, embeddings=X)
    return np.asarray(topics)


def polarity_scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    known = np.isin(truth, POLARITIES)
    polar = np.isin(truth, ("negative", "positive"))
    return {"n_polar": int(polar.sum()),
            "polar_acc": float((truth[polar] == predicted[polar]).mean()) if polar.any() else float("nan"),
            "f1_3class": float(f1_score(truth[known], predicted[known], labels=list(POLARITIES), average="macro",
                                        zero_division=0)) if known.any() else float("nan")}


def keyword_quality(keywords: list[list[str]], texts: list[str], embedder) -> dict[str, float]:
    """Coherence (NPMI over documents), diversity and redundancy of the themes' keyword lists (module docstring)."""
    from analysis.text.tokenizers import tokenize

    docs = [set(tokenize(t)) for t in texts]
    n = len(docs)

    def p(*words: str) -> float:
        return sum(all(w in d for w in words) for d in docs) / n

    npmi, redundancy = [], []
    for words in keywords:
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                pa, pb, pab = p(a), p(b), p(a, b)
                npmi.append(-1.0 if pab == 0 or pa == 0 or pb == 0 else
                            (np.log(pab / (pa * pb)) / -np.log(pab) if pab < 1 else 1.0))
        if len(words) > 1:
            V = embedder.embed(words)
            sims = V @ V.T
            redundancy.append(float(sims[np.triu_indices(len(words), 1)].mean()))
    flat = [w for words in keywords for w in words]
    return {"coherence": float(np.mean(npmi)) if npmi else float("nan"),
            "diversity": len(set(flat)) / max(len(flat), 1),
            "redundancy": float(np.mean(redundancy)) if redundancy else float("nan")}


def evaluate(name: str, every: pd.DataFrame, embedder, sentiment, bertopic: bool, seed: int) -> list[dict]:
    """Every method fits on all of ``every`` (as a shop's whole export); the numbers are over its one-aspect texts."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from analysis.runs.pipeline import clause_sentiment
    from analysis.themes import find_themes

    keep = every["one_aspect"].to_numpy(dtype=bool)
    texts = every[keep].reset_index(drop=True)
    truth = texts["aspect"].to_numpy()
    X = embedder.embed(every["text"].tolist())
    predictions = sentiment.predict(every["text"].tolist(), embeddings=X if sentiment.uses_embedder else None)
    reviews = pd.DataFrame({"row": np.arange(len(every)), "text": every["text"],
                            "sentiment_label": predictions.labels, "sentiment_score": predictions.scores})
    if "rating" in every:  # stars, as a shop export has them (the themes' probe learns from them)
        reviews["rating"] = pd.to_numeric(every["rating"], errors="coerce").to_numpy()
    whole = np.asarray(predictions.labels, dtype=object)[keep]
    rows = []

    def record(method: str, labels, seconds: float, result=None, keywords: bool = False) -> None:
        labels = np.asarray(labels).copy()
        if result is not None:  # the general feeling is a group the product shows apart: a cluster of its own
            labels[result.general_feeling] = -2
        labels = labels[keep]
        row = {"data": name, "method": method, "n": len(texts), "aspects": len(set(truth)),
               "NMI": normalized_mutual_info_score(truth, labels), "ARI": adjusted_rand_score(truth, labels),
               "themes": len(set(labels.tolist()) - {-1, -2}), "unthemed": float((labels == -1).mean()),
               "general feeling": float((labels == -2).mean()),
               "seconds": round(seconds, 1)}
        if result is not None:
            assignments = result.assignments[keep]
            per_text = assignments["all_theme_ids"].map(len).to_numpy()
            row.update({"themes_per_text": float(per_text.mean()), "exactly_one": float((per_text == 1).mean())})
            ours = np.array([pol.get(int(t), w) if t != -1 else w for t, pol, w in
                             zip(assignments["theme_id"], assignments["theme_polarities"], whole, strict=True)],
                            dtype=object)
            for key, value in polarity_scores(texts["polarity"].to_numpy(), ours).items():
                row[f"theme {key}"] = value
            for key, value in polarity_scores(texts["polarity"].to_numpy(), whole).items():
                row[f"whole {key}"] = value
        if keywords:  # the product's theme keywords (the baselines have none to compare)
            row.update(keyword_quality(result.themes["keywords"].tolist(), every["text"].tolist(), embedder))
        rows.append(row)
        print(f"  {method:22s} NMI {row['NMI']:.3f} ARI {row['ARI']:.3f} themes {row['themes']:3d} "
              f"unthemed {row['unthemed']:.1%}"
              + (f" themes/text {row['themes_per_text']:.2f} one {row['exactly_one']:.0%} polarity (theme) "
                 f"{row['theme polar_acc']:.3f}/{row['theme f1_3class']:.3f} (whole text) "
                 f"{row['whole polar_acc']:.3f}/{row['whole f1_3class']:.3f}" if result is not None else "")
              + (f" keywords: coherence {row['coherence']:+.3f} diversity {row['diversity']:.3f} redundancy "
                 f"{row['redundancy']:.3f}" if keywords else ""), flush=True)

    started = time.perf_counter()
    ours = find_themes(reviews, embedder, embeddings=X, seed=seed, clause_sentiment=clause_sentiment(sentiment, embedder))
    record("ours", ours.assignments["theme_id"], time.perf_counter() - started, ours, keywords=True)
    started = time.perf_counter()
    probed = find_themes(reviews, embedder, embeddings=X, seed=seed)
    record("ours, probe polarity", probed.assignments["theme_id"], time.perf_counter() - started, probed)
    started = time.perf_counter()
    alone = find_themes(reviews, embedder, embeddings=X, seed=seed, sentences=False)
    record("ours, reviews only", alone.assignments["theme_id"], time.perf_counter() - started, alone)
    if bertopic:
        started = time.perf_counter()
        record("BERTopic (defaults)", bertopic_labels(every["text"].tolist(), X, seed), time.perf_counter() - started)
    started = time.perf_counter()
    record("KMeans (k = aspects)", KMeans(len(set(truth)), n_init="auto", random_state=seed).fit_predict(X),
           time.perf_counter() - started)
    print("  themes:", " | ".join(f"{label} [{', '.join(words)}]" for label, words in
                                  ours.themes[["label", "keywords"]].head(15).itertuples(index=False)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev",
                        help="SemEval split (choose on dev; report test)")
    parser.add_argument("--zh-dominance", type=float, default=2 / 3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-bertopic", action="store_true")
    parser.add_argument("--only", choices=("en", "zh"), default=None, help="one set only")
    parser.add_argument("--sentiment", default="default",
                        help="sentiment model spec (default, e5, cascade, cascade:0.8, ...): reads the whole texts "
                             "and, as in the product, the clauses")
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "review-insights" / "eval_embeddings.sqlite"))
    args = parser.parse_args()

    from analysis.encoders import load_embedder
    from analysis.sentiment import load_sentiment_model

    embedder = load_embedder("use-m", cache=args.cache)
    sentiment = load_sentiment_model(args.sentiment)
    print(f"sentiment model: {sentiment.model_id}", flush=True)
    sets = {}
    if args.only in (None, "en"):
        sets[f"en SemEval-14 restaurants ({args.split})"] = semeval(args.split)
    if args.only in (None, "zh"):
        sets["zh ASAP Dianping (held out)"] = asap(args.zh_dominance)
    rows = []
    for name, texts in sets.items():
        one = texts[texts["one_aspect"]]
        print(f"[{name}] {len(texts)} texts, {len(one)} about one aspect: {one['aspect'].value_counts().to_dict()}",
              flush=True)
        rows += evaluate(name, texts, embedder, sentiment, not args.no_bertopic, args.seed)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.precision", 3, "display.max_columns", 30):
        print("\n" + table.to_string(index=False))
    print("\ntargets: NMI >= 1.10 x BERTopic's; themes per one-aspect text <= 1.5; polarity on the theme: polar "
          "accuracy >= 0.90, 3-class macro-F1 >= 0.70")


if __name__ == "__main__":
    main()
