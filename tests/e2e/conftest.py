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
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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


@dataclass
class Server:
    """The app under test: its address, its process (for memory and CPU readings), its workspace file and its log."""

    url: str
    pid: int
    workspace: Path
    log: Path


UPLOAD_LIMIT_MB = 15  # REVIEW_INSIGHTS_MAX_UPLOAD_MB for the app under test: an over-limit upload stays small


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[Server]:
    port = _free_port()
    workspace = tmp_path_factory.mktemp("ws") / "workspace.duckdb"
    env = dict(os.environ, REVIEW_INSIGHTS_UI_LANGUAGE="en", REVIEW_INSIGHTS_WARM_UP_SAMPLE="1",
               REVIEW_INSIGHTS_WORKSPACE_PATH=str(workspace), REVIEW_INSIGHTS_MAX_UPLOAD_MB=str(UPLOAD_LIMIT_MB))
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
    yield Server(url, server.pid, workspace, Path(log.name))
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(app_server: Server) -> str:
    return app_server.url


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


def go(page, label: str) -> None:
    """Follow the sidebar's link to a page, in the same session (so the language stays)."""
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']").get_by_text(label, exact=True).click()
    wait_for_app(page, timeout=300_000)


def download(page, button: str) -> Path:
    """Click a download button and return the file. Streamlit builds the file on click from the latest run; a click
    on a button drawn by a run that another rerun replaced finds no file (its log: "Deferred file ... not found"),
    so a click that yields nothing is repeated once the page is idle, as a user would."""
    for attempt in range(3):
        page.wait_for_timeout(1000)
        wait_for_app(page, timeout=120_000)
        try:
            with page.expect_download(timeout=40_000) as done:
                page.get_by_role("button", name=button).click()
            return Path(done.value.path())
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
