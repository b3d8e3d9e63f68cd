"""The floor under a warm re-analysis: what it costs before any clustering, block by block, in one fresh process.

``python -m analysis bench`` compares a warm run with a cold one (target: 20x). This measures the parts of a warm run
that do not depend on the clustering: imports and model loading, reading the file, every review and clause vector
from the workspace cache, sentiment, clause splitting and the theme tokenizer's dictionary. Their sum bounds how
fast any warm run that re-analyses the reviews can be; the cold run divided by it is the highest ratio one could
reach. The file is analysed once first (cold), so the cache holds every vector.

    python benchmarks/bench_warm_floor.py [--n 10000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(csv_path: str, workspace: str) -> None:
    """The floor's blocks, printed as they finish (in a fresh process, so model and dictionary loading count)."""
    last = time.perf_counter()

    def lap(what: str) -> None:
        nonlocal last
        now = time.perf_counter()
        print(f"  {what:70s} {now - last:6.2f} s", flush=True)
        last = now

    from dataclasses import replace

    from analysis.config import Settings
    from analysis.io import read_reviews
    lap("imports (not counted: `analysis bench` starts its clock after them)")
    started = last
    table = read_reviews(csv_path)
    lap("reading the file")
    settings = replace(Settings.from_env(), workspace_path=workspace, embedding_cache_dir="")
    from analysis.runs.pipeline import embed_texts, score_sentiment
    from analysis.store import embedder_for
    embedder = embedder_for(settings)
    lap("embedder (imports torch)")
    texts = table.reviews["text"].astype(str).tolist()
    vectors = embed_texts(embedder, texts, lambda fraction: None)
    lap("review vectors from the cache")
    from analysis.sentiment import load_sentiment_model
    model = load_sentiment_model(settings.sentiment_model)
    score_sentiment(model, texts, vectors)
    lap("sentiment model and scoring")
    from analysis.text.tokenizers import _segmenter
    from analysis.themes import clauses_to_embed
    clauses = clauses_to_embed(texts)
    lap(f"clause splitting ({len(clauses):,} clauses)")
    embedder.embed(clauses)
    lap("clause vectors from the cache")
    _segmenter()
    lap("theme tokenizer's dictionary")
    print(f"floor: {time.perf_counter() - started:.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="reviews (resampled as `analysis bench` does)")
    args = parser.parse_args()
    from analysis.runs.bench import _child, build_corpus

    with tempfile.TemporaryDirectory(prefix="review-insights-floor-") as scratch:
        csv_path, workspace = str(Path(scratch) / "reviews.csv"), str(Path(scratch) / "workspace.duckdb")
        build_corpus(args.n).to_csv(csv_path, index=False)
        cold = _child("ours", csv_path, workspace)
        print(f"cold run: {cold['seconds']:.1f} s")
        code = "import sys; from benchmarks.bench_warm_floor import measure; measure(*sys.argv[1:])"
        done = subprocess.run([sys.executable, "-c", code, csv_path, workspace], cwd=ROOT, text=True,
                              capture_output=True, check=True)
        print(done.stdout, end="")
        floor = float(done.stdout.strip().splitlines()[-1].split()[1])
        print(f"highest warm/cold ratio a re-analysing warm run could reach: {cold['seconds'] / floor:.1f}x")


if __name__ == "__main__":
    main()
