"""Issue 14, screens in a real browser: every page, in Chinese and in English,
saved under tests/artifacts/screens/<page>-<lang>.png for a person to look at (the Chinese
screens by test_browser.py's test_every_page_draws, which opens each page anyway, and the English
rankings and overview by its language-switch test, which opens both in English); a click on a
calendar day opens that day's values; an analyst's click on a missing indicator opens its form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server, track_network
from tests.e2e.test_browser import (
    SCREENS,
    SWITCH_SCREENS,
    _login,
    assert_no_exception,
    assert_screen_words,
    open_path,
    screenshot,
    wait_ready,
)

pytestmark = pytest.mark.e2e


def _english(page: Any) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    wait_ready(page)


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    folder = artifacts / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def english_tab(browser_context: Any, server: Server) -> Iterator[Any]:
    """One tab switched to English once: each English screen is reached from it by the sidebar's
    link, as a reader would, which keeps the session's language — one script run a screen instead
    of a Chinese load and an English rerun (issue 15). The tests only read the pages."""
    tab = browser_context.new_page()
    track_network(tab)
    try:
        open_path(tab, server, "overview")
        _english(tab)
        yield tab
    finally:
        tab.close()


@pytest.mark.parametrize("path", [p for p in SCREENS if p not in SWITCH_SCREENS])
def test_screen_in_english(english_tab: Any, shots: Path, path: str) -> None:
    page = english_tab
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
    page.wait_for_url(f"**/{path}")
    wait_ready(page)
    assert page.locator('[data-testid="stSidebar"] input[type="radio"]:checked').evaluate_all(
        "els => els.some(e => e.closest('label') && e.closest('label').innerText.trim() === 'English')"
    ), "the tab is no longer in English"
    assert_no_exception(page)
    assert_screen_words(page, path, "en")
    shot = screenshot(page, shots, f"{path}-en")
    assert shot.stat().st_size > 10_000


def test_a_click_on_a_calendar_day_shows_its_values(page: Any, server: Server, shots: Path) -> None:
    open_path(page, server, "calendar")
    heading = page.locator('[data-testid="stMain"] h3').filter(has_text="当日数值").first
    before = heading.inner_text()
    # the grid opens as a static picture: the reader chooses 交互图表 under it to click a day
    page.locator('[data-testid="stMain"] label').filter(has_text="交互图表").first.click()
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    wait_ready(page)
    # the first cell drawn (a category's trace is empty when no day of the year fell in it, so
    # "the first trace's first point" may not exist): the earliest day of the first category seen
    cell = page.locator(".js-plotly-plot").first.locator(".scatterlayer .trace .point").first
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    assert box is not None
    # plotly's drag layer lies over the points: hover and click where the cell is, as a person
    # would; the hover label names the cell's day, which the values below must then be of
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    label = page.locator(".js-plotly-plot .hoverlayer .hovertext").first
    label.wait_for()
    day = re.search(r"2026-\d\d-\d\d", label.text_content() or "")
    assert day is not None and day.group() not in before, (label.text_content(), before)
    page.mouse.click(x, y)
    wait_ready(page)
    page.locator('[data-testid="stMain"] h3').filter(has_text=day.group()).first.wait_for(timeout=30_000)
    after = page.locator('[data-testid="stMain"] h3').filter(has_text="当日数值").first.inner_text()
    assert after != before and day.group() in after
    screenshot(page, shots, "calendar-clicked")


def test_an_analyst_opens_the_form_of_a_missing_indicator(page: Any, server: Server, shots: Path) -> None:
    open_path(page, server, "indicators")
    _login(page)
    page.locator('[data-testid="stMain"] .st-key-enter-zero_emission_fleets button').first.click()
    dialog = page.locator('[role="dialog"]')
    dialog.wait_for(state="visible")
    assert "零排放运输车队" in dialog.inner_text() or "零排放" in dialog.inner_text()
    page.screenshot(path=str(shots / "indicators-dialog.png"))
