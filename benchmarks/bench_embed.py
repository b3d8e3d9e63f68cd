"""USE-m encoding speed: the wheel's float32 pass in-process (the baseline), the default precision in-process (2
threads) and in the worker-process pool (1 thread each), same texts, same process.

    python benchmarks/bench_embed.py [--n 3000] [--processes 2] [--repeats 2] [--sweep 64,128,256,512,1024]

N real reviews are resampled half Chinese (online shopping: books, computers, hotels) and half English (Yelp) from
../shared/data and shuffled. The runs alternate (pool, in-process, baseline, pool, ...) in one process, so a
neighbour's burst on the shared cores hits all of them; the best of ``--repeats`` counts. The pool's first call, which
starts the workers, is reported apart. ``--sweep`` times the pool against in-process on smaller calls, which is how
``UseEmbedder.POOL_THRESHOLD`` was chosen. Peak RSS is VmHWM from /proc: the parent's before it loads its own model,
then the parent's and each worker's.
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
SOURCES = ["zh_online_shopping_books_computers_hotel", "en_yelp_10k"]


def reviews(n: int, data_dir: Path, seed: int = 0) -> list[str]:
    """N real reviews, half from each source, resampled with replacement only if a source is too small."""
    parts = []
    for i, name in enumerate(SOURCES):
        text = pd.read_csv(data_dir / f"{name}.csv.gz", usecols=["text"])["text"].dropna().astype(str)
        size = n // len(SOURCES) + (i < n % len(SOURCES))
        parts.append(text.sample(size, replace=size > len(text), random_state=seed))
    texts = pd.concat(parts).tolist()
    np.random.default_rng(seed).shuffle(texts)
    return texts


def seconds(fn, texts: list[str]) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    vectors = fn(texts)
    return time.perf_counter() - started, vectors


def compare(embedders: list, texts: list[str], repeats: int) -> tuple[list[float], list[np.ndarray]]:
    """Best seconds of each embedder over ``repeats`` alternating rounds, and each one's vectors."""
    best, vectors = [float("inf")] * len(embedders), [None] * len(embedders)
    for _ in range(repeats):
        for i, embedder in enumerate(embedders):
            took, vectors[i] = seconds(embedder.embed, texts)
            best[i] = min(best[i], took)
    return best, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=None, help="workers (default: the encoder_processes setting)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sweep", default="", help="comma-separated call sizes to time both ways")
    parser.add_argument("--data-dir", type=Path, default=DATA)
    args = parser.parse_args()

    from analysis.encoders import UseEmbedder, default_encoder_processes
    from analysis.runs.bench import status_mb

    processes = args.processes or default_encoder_processes()
    texts = reviews(args.n, args.data_dir)
    chars = sum(len(t) for t in texts)
    baseline = UseEmbedder(threads=2, processes=1, precision="float32")
    here = UseEmbedder(threads=2, processes=1)
    pooled = UseEmbedder(processes=processes, pool_threshold=1)
    print(f"{len(texts)} reviews ({chars:,} chars); baseline: the wheel's float32 pass in-process, 2 threads; "
          f"default precision here: {here.precision}, in-process (2 threads) and pool ({processes} workers x 1)")

    cold, _ = seconds(pooled.embed, texts)
    parent_pool_only = status_mb("self", "VmHWM")
    for embedder in (baseline, here):  # load the in-process models outside the clock, as the pool's start is apart
        embedder.embed(["warm up"])
    (s_base, s_here, s_pool), (v_base, v_here, v_pool) = compare([baseline, here, pooled], texts, args.repeats)
    n = len(texts)
    print(f"float32 in-process  {n / s_base:6.0f} texts/s  ({s_base:.2f} s)  baseline")
    print(f"{here.precision:8} in-process {n / s_here:6.0f} texts/s  ({s_here:.2f} s)  -> {s_base / s_here:.2f}x baseline")
    print(f"{here.precision:8} pool       {n / s_pool:6.0f} texts/s  ({s_pool:.2f} s)  -> {s_base / s_pool:.2f}x baseline, "
          f"{s_here / s_pool:.2f}x in-process")
    print(f"pool first call, incl. start {cold:.2f} s -> {s_base / cold:.2f}x baseline")
    cosine = (v_base * v_here).sum(axis=1)
    print(f"pool vs in-process: max abs difference {np.abs(v_here - v_pool).max():.1e}; {here.precision} vs float32: "
          f"cosine min {cosine.min():.5f}, median {np.median(cosine):.6f}, below 0.9999 for {(cosine < 0.9999).mean():.2%}")
    workers = {pid: status_mb(pid, "VmHWM") for pid in pooled.pool.worker_pids()}
    parent_all = status_mb("self", "VmHWM")
    print(f"peak RSS: parent {parent_pool_only:.0f} MB with the pool only, {parent_all:.0f} MB after its own model "
          f"too; workers " + ", ".join(f"{mb:.0f} MB" for mb in workers.values()))

    for size in [int(s) for s in args.sweep.split(",") if s]:
        (s_here, s_pool), _ = compare([here, pooled], texts[:size], max(args.repeats, 3))
        print(f"sweep {size:>5} texts: in-process {s_here * 1000:7.0f} ms, pool {s_pool * 1000:7.0f} ms, "
              f"pool {s_here / s_pool:.2f}x")
    pooled.close()


if __name__ == "__main__":
    main()
