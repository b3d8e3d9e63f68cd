"""Browser fixtures: the real app under ``streamlit run`` on a free localhost port, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install it (apt-get install -y chromium).")
    pytest.skip(f"Chromium not found at {CHROMIUM}; install it with apt-get install -y chromium")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ, REVIEW_INSIGHTS_UI_LANGUAGE="en", REVIEW_INSIGHTS_WARM_UP_SAMPLE="1",
               REVIEW_INSIGHTS_WORKSPACE_PATH=str(tmp_path_factory.mktemp("ws") / "workspace.duckdb"))
    log = (tmp_path_factory.mktemp("server") / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"streamlit did not become healthy; see {log.name}")
    yield url
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running, as Streamlit's own browser tests do."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
