"""Speed and memory of ``find_themes`` after embedding, at 10k / 30k / 100k reviews, against k-means in the same run.

Reviews are real (zh shopping + English Amazon/Yelp from ../shared/data); sizes above the pool are drawn with
replacement and their review vectors jittered slightly so no two are identical. Every review and clause is embedded
(and cached) before the clock starts: the times are "after embedding", as the pipeline sees them when the cache is
warm. Each size runs in a fresh child process so its peak memory (ru_maxrss) is its own.

    python benchmarks/bench_themes.py                   # 10k, 30k, 100k
    python benchmarks/bench_themes.py --sizes 10000     # one size
Targets: 10k < 20 s, 100k < 5 min, memory growing about linearly (see the per-review columns).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
POOL_FILES = ["zh_online_shopping_books_computers_hotel", "en_amazon_alexa", "en_datafiniti_amazon_products",
              "en_amazon2018_beauty"]


def pool(limit_per_file: int, seed: int) -> pd.DataFrame:
    frames = []
    for name in POOL_FILES:
        frame = pd.read_csv(DATA / f"{name}.csv.gz")
        frame = frame[frame["text"].notna()]
        frames.append(frame.sample(min(limit_per_file, len(frame)), random_state=seed))
    frame = pd.concat(frames, ignore_index=True)
    return pd.DataFrame({"text": frame["text"].astype(str).str.slice(0, 1000), "rating": frame["rating"],
                         "sentiment_label": frame["label"].map({0: "negative", 1: "positive"})})


def reviews_of_size(base: pd.DataFrame, X: np.ndarray, n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(base), size=n, replace=n > len(base))
    vectors = X[idx] + (0.02 * rng.standard_normal((n, X.shape[1])) if n > len(base) else 0.0)
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return base.iloc[idx].reset_index(drop=True).assign(row=np.arange(n)), vectors


def child(n: int, args: argparse.Namespace) -> dict:
    from sklearn.cluster import KMeans

    from analysis.encoders import load_embedder
    from analysis.themes import find_themes

    embedder = load_embedder("use-m", cache=args.cache)
    base = pool(args.pool_per_file, args.seed)
    X = embedder.embed(base["text"].tolist())
    reviews, vectors = reviews_of_size(base, X, n, args.seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    result = find_themes(reviews, embedder, embeddings=vectors, seed=args.seed)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    KMeans(result.n_themes, n_init="auto", random_state=args.seed).fit(vectors)
    kmeans_seconds = time.perf_counter() - t
    return {"reviews": n, "clauses": len(result.mentions), "themes": result.n_themes,
            "unthemed": round(result.unthemed_share, 3), "seconds": round(seconds, 1),
            "kmeans_seconds": round(kmeans_seconds, 1), "peak_mb_above_start": round(peak - rss_before, 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--pool-per-file", type=int, default=2500, help="real reviews drawn from each file")
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "review-insights" / "eval_embeddings.sqlite"))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args)))
        return

    # warm the cache once: every pool review and clause embedded before any clock starts
    from analysis.encoders import load_embedder
    from analysis.text import explode_sentences

    embedder = load_embedder("use-m", cache=args.cache)
    base = pool(args.pool_per_file, args.seed)
    t = time.perf_counter()
    embedder.embed(base["text"].tolist())
    units = explode_sentences(base["text"].tolist())
    multi = units.groupby("review")["sentence"].transform("size") > 1
    embedder.embed(units.loc[multi, "sentence"].tolist())
    print(f"pool: {len(base)} real reviews, {int(multi.sum())} clauses embedded/cached in "
          f"{time.perf_counter() - t:.0f}s", flush=True)

    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(n), "--seed", str(args.seed), "--cache", args.cache,
               "--pool-per-file", str(args.pool_per_file)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        rows.append(json.loads(out))
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    first = table.iloc[0]
    table["time_per_1k"] = (table["seconds"] / table["reviews"] * 1000).round(2)
    table["x_time_vs_first"] = (table["seconds"] / first["seconds"]).round(1)
    table["x_size_vs_first"] = (table["reviews"] / first["reviews"]).round(1)
    table["mb_per_1k"] = (table["peak_mb_above_start"] / table["reviews"] * 1000).round(1)
    table["x_vs_kmeans"] = (table["seconds"] / table["kmeans_seconds"].clip(lower=0.1)).round(1)
    with pd.option_context("display.width", 220):
        print("\n" + table.to_string(index=False))


if __name__ == "__main__":
    main()
