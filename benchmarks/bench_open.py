"""Reopening a saved analysis: seconds to open it from the workspace and to draw each page, for 10k real reviews.

The issue's bar: a saved 10k-review analysis reopens and every page shows without recomputation in under a second.
The analysis is computed once (the embedding cache makes a rerun quick), saved to a scratch workspace, then:
``Workspace.open`` alone, the Home page's Open button (AppTest), and each analysis page drawn with the opened
result, each timed in this process; the first run of each page also pays Streamlit's script compilation.

    python benchmarks/bench_open.py [--reviews 10000] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ["pages/2_Overview.py", "pages/3_Trends.py", "pages/4_Themes.py", "pages/5_Products.py",
         "pages/6_Explorer.py", "pages/7_Model.py"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--cache", default="", help="standalone embedding cache directory reused across runs")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="review-insights-open-"))
    os.environ["REVIEW_INSIGHTS_WORKSPACE_PATH"] = str(scratch / "workspace.duckdb")
    os.environ["REVIEW_INSIGHTS_WARM_UP_SAMPLE"] = "0"
    from streamlit.testing.v1 import AppTest

    from analysis.config import Settings
    from analysis.io import read_reviews
    from analysis.runs import analyze
    from analysis.runs.bench import build_corpus
    from analysis.store import Workspace

    csv_path = scratch / "reviews.csv"
    build_corpus(args.reviews).to_csv(csv_path, index=False)
    table = read_reviews(csv_path)
    started = time.perf_counter()
    result = analyze(table, replace(Settings.from_env(), embedding_cache_dir=args.cache))
    print(f"analysed {len(result.reviews):,} reviews in {time.perf_counter() - started:.1f} s")
    workspace = Workspace(os.environ["REVIEW_INSIGHTS_WORKSPACE_PATH"])
    started = time.perf_counter()
    workspace.save(result, "bench")
    print(f"save: {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    opened = workspace.open("bench")
    print(f"Workspace.open: {time.perf_counter() - started:.2f} s")

    home = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    home.session_state["ri_lang"] = "en"
    home.run()
    home.selectbox(key="ri_saved_pick").set_value("bench")
    started = time.perf_counter()
    home.button(key="ri_open").click().run()
    print(f"Home, Open button: {time.perf_counter() - started:.2f} s (exception: {bool(home.exception)})")

    for page in PAGES:
        times = []
        for _ in range(2):
            at = AppTest.from_file(str(ROOT / page), default_timeout=120)
            at.session_state["ri_lang"] = "en"
            at.session_state["ri_result"] = opened
            at.session_state["ri_result_name"] = "bench"
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
        print(f"{page}: first {times[0]:.2f} s, again {times[1]:.2f} s (exception: {bool(at.exception)})")


if __name__ == "__main__":
    main()
