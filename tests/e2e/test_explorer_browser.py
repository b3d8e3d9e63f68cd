"""The Explorer's "why this sentiment" view in headless Chromium: pick a review, read each clause's push."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def _pick_first_row(page) -> None:
    """Tick the first row of the Explorer's table (the grid is a canvas: its row-marker column is clicked)."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 18)  # header row ~35 px, then the first row's marker cell
    wait_for_app(page, timeout=120_000)


@pytest.mark.parametrize("language, keyword, title, clause", [
    ("en", "strap", "Why this sentiment", "Clause"),
    ("zh", "电池", "为什么是这个情感", "分句"),
])
def test_a_picked_review_shows_each_clauses_push(page, app_url, language, keyword, title, clause):
    page.goto(f"{app_url}/Explorer")
    wait_for_app(page, timeout=300_000)
    if language == "zh":
        page.locator("[data-testid='stSidebar']").get_by_text("中文", exact=True).click()
        wait_for_app(page, timeout=120_000)
    box = page.locator("[data-testid='stTextInput'] input").first
    box.fill(keyword)
    box.press("Enter")
    wait_for_app(page, timeout=120_000)
    _pick_first_row(page)
    page.get_by_text(title, exact=True).wait_for(timeout=60_000)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert keyword.lower() in main.lower()
    assert page.locator("[data-testid='stDataFrame']").count() >= 2  # the reviews, then the clauses
    assert clause in main or page.locator("[data-testid='stDataFrame']").nth(1).is_visible()
    screenshot(page, f"explorer_why_{language}")
    assert not page.errors
