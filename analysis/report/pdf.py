"""The report as PDF: the HTML page printed by headless Chrome or Chromium (``--print-to-pdf``), the browser the
charts already use, so the PDF looks like the page, Chinese included (the system's CJK fonts).

The browser is ``BROWSER_PATH`` when set, else the first of ``BROWSERS`` on ``PATH``; without one ``ReportError``
says what to install. The page has no script and loads nothing; the browser runs with a throwaway profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from analysis.messages import message
from analysis.report.period import ReportError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
TIMEOUT_S = 120


def pdf_browser() -> str | None:
    """The browser that prints PDFs here, or None."""
    given = os.environ.get("BROWSER_PATH")
    if given:
        return given if Path(given).exists() or shutil.which(given) else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of a self-contained HTML page (A4, as its ``@page`` rule says)."""
    browser = pdf_browser()
    if browser is None:
        raise ReportError(message("report.no_pdf_browser"))
    with tempfile.TemporaryDirectory(prefix="review-report-") as folder:
        page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                   "--disable-background-networking", "--disable-component-update", "--disable-extensions",
                   "--no-pdf-header-footer", f"--user-data-dir={Path(folder) / 'profile'}",
                   f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            run = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False,
                                 env={**os.environ, "HOME": folder})
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReportError(message("report.pdf_failed", browser=browser, error=type(exc).__name__)) from None
        if not pdf.exists() or pdf.stat().st_size == 0:
            detail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {run.returncode}"]
            raise ReportError(message("report.pdf_failed", browser=browser, error=detail[0][:200]))
        return pdf.read_bytes()
