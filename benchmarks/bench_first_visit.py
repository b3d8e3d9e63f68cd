"""How long a first visitor waits for the demo: Overview's first chart, fresh server and workspace, in Chromium.

Two runs in one command, each a fresh ``streamlit run`` with an empty workspace: the sample's analysis shipped ready
(``sample_data/sample_analysis.duckdb``, the default) against analysing the sample on the spot (the baseline,
``REVIEW_INSIGHTS_SHIPPED_SAMPLE=0``). ``--precision float32`` stands in for a CPU without native bfloat16 (USE-m's
float32 pass; the 2-core AVX2 laptops the demo must serve are slower still at encoding). Prints seconds and the
ratio. Needs Chromium (``/usr/bin/chromium``) and Playwright, as the browser tests do.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_chart_seconds(shipped: bool, precision: str, browser) -> float:
    """Seconds from opening Overview on a fresh server (already healthy) to its first drawn chart."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="review-insights-first-visit-") as scratch:
        env = dict(os.environ, REVIEW_INSIGHTS_WORKSPACE_PATH=str(Path(scratch) / "ws.duckdb"),
                   REVIEW_INSIGHTS_SHIPPED_SAMPLE="1" if shipped else "0", REVIEW_INSIGHTS_ENCODER_PRECISION=precision,
                   REVIEW_INSIGHTS_UI_LANGUAGE="zh")
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.5)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            started = time.perf_counter()
            page.goto(f"{url}/Overview")
            page.locator(".js-plotly-plot").first.wait_for(timeout=600_000)
            seconds = time.perf_counter() - started
            page.context.close()
            return seconds
        finally:
            server.terminate()
            server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", default="float32", choices=["auto", "float32", "bfloat16"])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"CPU: {_cpu()}; encoder precision {args.precision}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        computed = first_chart_seconds(False, args.precision, browser)
        shipped = first_chart_seconds(True, args.precision, browser)
        browser.close()
    print(f"first Overview chart, analysing the sample on the spot (baseline): {computed:6.1f} s")
    print(f"first Overview chart, the sample's analysis shipped ready:         {shipped:6.1f} s")
    print(f"ratio baseline / shipped: {computed / shipped:.1f}x")


def _cpu() -> str:
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in flags.splitlines() if line.startswith("model name")), "?")
    return f"{model}, {os.cpu_count()} cores, {'avx512_bf16' if 'avx512_bf16' in flags else 'no native bfloat16'}"


if __name__ == "__main__":
    main()
