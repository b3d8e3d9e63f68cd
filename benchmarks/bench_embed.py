"""USE-m encoding speed in-process (2 BLAS threads) against the worker-process pool (1 BLAS thread each), same texts.

    python benchmarks/bench_embed.py [--n 3000] [--processes 2] [--repeats 2] [--sweep 64,128,256,512,1024]

N real reviews are resampled half Chinese (online shopping: books, computers, hotels) and half English (Yelp) from
../shared/data and shuffled. The runs alternate (pool, in-process, pool, ...) in one process, so a neighbour's burst on
the shared cores hits both; the best of ``--repeats`` counts. The pool's first call, which starts the workers, is
reported apart. ``--sweep`` times both ways on smaller calls, which is how ``UseEmbedder.POOL_THRESHOLD`` was chosen.
Peak RSS is VmHWM from /proc: the parent's before it loads its own model, then the parent's and each worker's.
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


def compare(here, pooled, texts: list[str], repeats: int) -> tuple[float, float, float]:
    """(best in-process s, best pool s, max abs difference), runs alternating."""
    best_here, best_pool, diff = float("inf"), float("inf"), 0.0
    for _ in range(repeats):
        s_pool, v_pool = seconds(pooled.embed, texts)
        s_here, v_here = seconds(here.embed, texts)
        best_here, best_pool = min(best_here, s_here), min(best_pool, s_pool)
        diff = max(diff, float(np.abs(v_here - v_pool).max()))
    return best_here, best_pool, diff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=None, help="workers (default: the encoder_processes setting)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sweep", default="", help="comma-separated call sizes to time both ways")
    parser.add_argument("--data-dir", type=Path, default=DATA)
    args = parser.parse_args()

    from analysis.bench import status_mb
    from analysis.embeddings import UseEmbedder, default_encoder_processes

    processes = args.processes or default_encoder_processes()
    texts = reviews(args.n, args.data_dir)
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} reviews ({chars:,} chars), pool of {processes} workers x 1 BLAS thread "
          f"vs in-process 2 BLAS threads")
    here = UseEmbedder(threads=2, processes=1)
    pooled = UseEmbedder(processes=processes, pool_threshold=1)

    cold, _ = seconds(pooled.embed, texts)
    parent_pool_only = status_mb("self", "VmHWM")
    here.embed(["warm up"])  # load the in-process model outside the clock, as the pool's start is reported apart
    best_here, best_pool, diff = compare(here, pooled, texts, args.repeats)
    n = len(texts)
    print(f"in-process   {n / best_here:8.0f} texts/s  ({best_here:.2f} s)")
    print(f"pool (warm)  {n / best_pool:8.0f} texts/s  ({best_pool:.2f} s)  -> {best_here / best_pool:.2f}x in-process")
    print(f"pool (first call, incl. start) {cold:.2f} s -> {best_here / cold:.2f}x in-process")
    print(f"max abs difference {diff:.1e}")
    workers = {pid: status_mb(pid, "VmHWM") for pid in pooled.pool.worker_pids()}
    parent_all = status_mb("self", "VmHWM")
    print(f"peak RSS: parent {parent_pool_only:.0f} MB with the pool only, {parent_all:.0f} MB after its own model "
          f"too; workers " + ", ".join(f"{mb:.0f} MB" for mb in workers.values()))

    for size in [int(s) for s in args.sweep.split(",") if s]:
        part = texts[:size]
        s_here, s_pool, _ = compare(here, pooled, part, max(args.repeats, 3))
        print(f"sweep {size:>5} texts: in-process {s_here * 1000:7.0f} ms, pool {s_pool * 1000:7.0f} ms, "
              f"pool {s_here / s_pool:.2f}x")
    pooled.close()


if __name__ == "__main__":
    main()
