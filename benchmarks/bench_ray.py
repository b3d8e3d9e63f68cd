"""The batch analysis on local Ray against the in-process batch path, on the same real reviews in the same command.

Rows are real reviews resampled from ../shared/data (``analysis.runs.bench.build_corpus``, each with its own review
id). Both runs start cold (a fresh workspace, so a fresh embedding cache; the Ray actors keep no disk cache) as child
processes, one after the other: first the baseline, ``analyze --chunk-mb 4`` in-process, then ``analyze --engine ray
--actors N --chunk-mb 4`` on a Ray instance the CLI starts on this machine. Printed: each run's time and peak memory
(its process tree, Ray's workers included, sampled), the overhead ratio (Ray time / baseline time), Ray's stage
timings, its throughput per actor in the analysing stage (reviews / stage seconds / actors) and the peak resident
memory of one analysing actor. Speed is measured here, never asserted by a test.

    python benchmarks/bench_ray.py [--rows 100000] [--actors 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _descends_from(pid: int, ancestor: int) -> bool:
    """Whether a process is below ``ancestor`` (other work on the machine may run Ray actors too)."""
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        pid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid")))
    return False


def actor_peak_mb(stop: threading.Event, peak: list[float], interval: float = 1.0) -> None:
    """The largest resident memory of one of this run's analysing actor processes (Ray names them after the
    class), sampled."""
    while not stop.wait(interval):
        for proc in Path("/proc").iterdir():
            try:
                if not proc.name.isdigit() or b"MapBatches(Analyser)" not in (proc / "cmdline").read_bytes() \
                        or not _descends_from(int(proc.name), os.getpid()):
                    continue
                rss = next(line for line in (proc / "status").read_text().splitlines() if line.startswith("VmRSS"))
            except (OSError, StopIteration):
                continue
            peak[0] = max(peak[0], int(rss.split()[1]) / 1024)


def cpu_name() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        name = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, StopIteration):
        name = platform.processor() or "unknown CPU"
    return f"{name}, {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--chunk-mb", type=float, default=4)
    parser.add_argument("--keep", type=Path, default=None, help="keep the input and outputs in this folder")
    args = parser.parse_args()

    from analysis.config import Settings
    from analysis.runs.bench import build_corpus, run_watched

    scratch = args.keep or Path(tempfile.mkdtemp(prefix="review-insights-ray-"))
    scratch.mkdir(parents=True, exist_ok=True)
    source = scratch / f"reviews-{args.rows}.csv"
    corpus = build_corpus(args.rows)
    corpus.insert(0, "review_id", [f"R{i:07d}" for i in range(len(corpus))])
    corpus.to_csv(source, index=False)
    del corpus
    print(f"{cpu_name()}; input {args.rows:,} rows, {source.stat().st_size / 1e6:.0f} MB", flush=True)

    runs = {"in-process batch": [], f"ray, {args.actors} actors": ["--engine", "ray", "--actors", str(args.actors)]}
    measured = {}
    for name, extra in runs.items():
        out = scratch / name.split(",")[0].replace(" ", "-")
        env = {**os.environ, "REVIEW_INSIGHTS_WORKSPACE_PATH": str(scratch / f"{out.name}.duckdb")}
        env.pop("REVIEW_INSIGHTS_EMBEDDING_CACHE_DIR", None)
        stop, actor_peak = threading.Event(), [0.0]
        sampler = threading.Thread(target=actor_peak_mb, args=(stop, actor_peak), daemon=True)
        sampler.start()
        started = time.perf_counter()
        done, tree_mb = run_watched([sys.executable, "-m", "analysis", "analyze", str(source), "--out", str(out),
                                     "--chunk-mb", str(args.chunk_mb), *extra], cwd=ROOT, text=True, env=env)
        seconds = time.perf_counter() - started
        stop.set()
        if done.returncode != 0:
            sys.exit(f"{name}: the CLI failed with exit {done.returncode}")
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        measured[name] = (seconds, report)
        kept = report["ingest"]["rows_kept"]
        load = os.getloadavg()[1]  # the 5-minute load average at the end: other work on the machine slows a run
        print(f"{name}: {seconds:.1f} s ({kept / seconds:.0f} reviews/s), load average {load:.1f}, "
              f"peak tree RSS {tree_mb:,.0f} MB"
              + (f", one analysing actor peak {actor_peak[0]:,.0f} MB" if actor_peak[0] else ""), flush=True)
        print(f"  steps (s): {report['timings_s']}", flush=True)

    (base, _), (ray_seconds, ray_report) = measured.values()
    timings = ray_report["timings_s"]
    stage = timings.get("encode + sentiment + themes", float("nan"))
    sample = timings.get("themes: sample", 0.0)
    kept = ray_report["ingest"]["rows_kept"]
    fitted = min(kept, Settings.from_env().theme_fit_reviews)
    print(f"overhead ratio (ray / in-process batch): {ray_seconds / base:.2f}")
    print(f"throughput per actor, analysing stage: {(kept - fitted) / stage / args.actors:.1f} reviews/s "
          f"({kept - fitted:,} reviews in {stage:.1f} s on {args.actors} actors); sample stage: "
          f"{fitted / max(sample, 1e-9) / args.actors:.1f} reviews/s per actor")
    if args.keep is None:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
