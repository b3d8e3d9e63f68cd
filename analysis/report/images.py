"""Charts as PNG images for a file that opens offline: Plotly's own static export (kaleido), which drives the
system's Chrome or Chromium (``BROWSER_PATH``, else the first on ``PATH``); one browser for all of a report's charts.

Without kaleido or a browser the report keeps its tables and says which charts are missing and what to install.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from concurrent.futures import ThreadPoolExecutor

import plotly.graph_objects as go

from analysis.messages import Message, message

logger = logging.getLogger(__name__)
SCALE = 2  # pixels per layout pixel: sharp on screens and in print
TIMEOUT_S = 120


async def _render(figures: dict[str, go.Figure]) -> dict[str, bytes]:
    import kaleido

    async with kaleido.Kaleido(n=1) as renderer:
        return {key: await renderer.calc_fig(fig, opts={"format": "png", "width": fig.layout.width or 760,
                                                       "height": fig.layout.height or 340, "scale": SCALE})
                for key, fig in figures.items()}


def chart_images(figures: dict[str, go.Figure]) -> tuple[dict[str, bytes], Message | None]:
    """PNG bytes per chart, and a notice when they could not be made (then no image at all)."""
    if not figures:
        return {}, None
    if importlib.util.find_spec("kaleido") is None:
        return {}, message("report.no_kaleido")
    # in a thread of its own: asyncio.run needs a thread without a running event loop (Streamlit's has one)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-charts")
    try:
        return pool.submit(asyncio.run, _render(figures)).result(timeout=TIMEOUT_S), None
    except Exception as exc:  # noqa: BLE001  no browser, a crash, a timeout: the report goes out without images
        logger.info("chart images failed: %s: %s", type(exc).__name__, exc)
        return {}, message("report.no_chart_browser", error=type(exc).__name__)
    finally:
        pool.shutdown(wait=False)  # a browser that hangs must not hold the report past the timeout
