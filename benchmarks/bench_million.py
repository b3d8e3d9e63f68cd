"""A million-review export through the CLI in pieces: peak memory, time, and every input row accounted for.

Rows are real reviews resampled from ../shared/data (``analysis.runs.bench.build_corpus``), each with its own review id
so none is an exact duplicate row (the texts repeat, as re-posted reviews do; the embedding cache embeds each
distinct text once). The CLI runs as a child process with a fresh workspace; its peak RSS is the larger of the
kernel's ``ru_maxrss`` of the waited-for child and its process tree's summed resident memory sampled every 0.5 s
(the encoder's worker processes, when a cold cache starts them, count too). The issue's bar: 1M reviews with peak
RSS < 2.5 GB, every row in the output.

    python benchmarks/bench_million.py [--rows 1000000] [--chunk-mb 4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-mb", type=float, default=4)
    parser.add_argument("--keep", type=Path, default=None, help="keep the input and outputs in this folder")
    parser.add_argument("--warm-from", type=Path, nargs="*", default=[],
                        help="SQLite embedding caches (e.g. from bench or training runs) copied into the fresh "
                             "workspace first: exact vectors, so only the time changes")
    args = parser.parse_args()

    from analysis.runs.bench import build_corpus, run_watched

    scratch = args.keep or Path(tempfile.mkdtemp(prefix="review-insights-million-"))
    scratch.mkdir(parents=True, exist_ok=True)
    source = scratch / f"reviews-{args.rows}.csv"
    started = time.perf_counter()
    corpus = build_corpus(args.rows)
    corpus.insert(0, "review_id", [f"R{i:07d}" for i in range(len(corpus))])
    corpus.to_csv(source, index=False)
    del corpus
    print(f"input: {args.rows:,} rows, {source.stat().st_size / 1e6:.0f} MB, written in "
          f"{time.perf_counter() - started:.0f} s", flush=True)

    out = scratch / "out"
    env = {"REVIEW_INSIGHTS_WORKSPACE_PATH": str(scratch / "workspace.duckdb")}
    if args.warm_from:
        import sqlite3

        from analysis.store import Workspace

        workspace = Workspace(env["REVIEW_INSIGHTS_WORKSPACE_PATH"])
        for cache in args.warm_from:
            rows = sqlite3.connect(cache).execute("SELECT key, vector FROM embedding")
            while batch := rows.fetchmany(50_000):
                workspace.put(dict(batch))
        print(f"workspace cache warmed from {', '.join(map(str, args.warm_from))}", flush=True)
    started = time.perf_counter()
    done, tree_mb = run_watched([sys.executable, "-m", "analysis", "analyze", str(source), "--out", str(out),
                                 "--chunk-mb", str(args.chunk_mb)], cwd=ROOT, text=True, env={**os.environ, **env})
    seconds = time.perf_counter() - started
    # the CLI's own peak (exact), and its process tree's summed memory (sampled: encoder workers are extra processes)
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, tree_mb)
    if done.returncode != 0:
        print(f"the CLI failed with exit {done.returncode}")
        sys.exit(1)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    ingest = report["ingest"]
    with (out / "reviews.csv").open(encoding="utf-8-sig", newline="") as handle:
        output_rows = sum(1 for _ in csv.reader(handle)) - 1  # records, not lines: reviews have line breaks
    print(f"{ingest['rows_read']:,} rows read = {ingest['rows_kept']:,} analysed + "
          f"{len(ingest['rows_rejected']):,} rejected; reviews.csv lines: {output_rows:,}")
    print(f"time {seconds / 60:.1f} min ({args.rows / seconds:.0f} reviews/s), peak RSS {peak_mb:,.0f} MB, "
          f"{report['pieces']} pieces, {report['themes']} themes, {report['alerts']} alerts")
    print("steps (s):", report["timings_s"])
    if args.keep is None:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
