"""Issue 14, screens in a real browser: every page this work changed, in Chinese and in English,
saved under tests/artifacts/screens/<page>-<lang>.png for a person to look at; a click on a
calendar day opens that day's values; an analyst's click on a missing indicator opens its form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.e2e.test_browser import _login, assert_no_exception, open_path, screenshot, wait_ready

pytestmark = pytest.mark.e2e

#: The pages this work changed (url paths).
SCREENS = ("overview", "progress", "calendar", "trends", "indicators", "tasks", "road-dust", "rankings", "quality")
#: The analysts' pages may name commands and settings (the README's audience column).
ANALYST_PAGES = ("quality",)


def _english(page: Any) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    wait_ready(page)


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    folder = artifacts / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", SCREENS)
def test_screen_in_both_languages(page: Any, server: Server, shots: Path, path: str, lang: str) -> None:
    open_path(page, server, path)
    if lang == "en":
        _english(page)
    assert_no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    if lang == "zh" and path not in ANALYST_PAGES:
        for word in ("targets.yaml", "python -m", "暂无数据", "五年趋势"):
            assert word not in text, word
    else:
        assert "五年" not in text and "语言 / Language" not in text
    shot = screenshot(page, shots, f"{path}-{lang}")
    assert shot.stat().st_size > 10_000


def test_a_click_on_a_calendar_day_shows_its_values(page: Any, server: Server, shots: Path) -> None:
    open_path(page, server, "calendar")
    heading = page.locator('[data-testid="stMain"] h3').filter(has_text="当日数值").first
    before = heading.inner_text()
    # the grid opens as a static picture: the reader turns on 交互图表 under it to click a day
    page.locator('[data-testid="stMain"] label').filter(has_text="交互图表").first.click()
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    wait_ready(page)
    # the first cell of the first category trace (a day in January)
    cell = page.locator(".js-plotly-plot").first.locator(".scatterlayer .trace").first.locator(".point").first
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    assert box is not None
    # plotly's drag layer lies over the points: click where the cell is, as a person would
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_ready(page)
    page.wait_for_timeout(500)
    wait_ready(page)
    after = page.locator('[data-testid="stMain"] h3').filter(has_text="当日数值").first.inner_text()
    assert after != before and "2026-01-" in after
    screenshot(page, shots, "calendar-clicked")


def test_an_analyst_opens_the_form_of_a_missing_indicator(page: Any, server: Server, shots: Path) -> None:
    open_path(page, server, "indicators")
    _login(page)
    page.locator('[data-testid="stMain"] .st-key-enter-zero_emission_fleets button').first.click()
    dialog = page.locator('[role="dialog"]')
    dialog.wait_for(state="visible")
    assert "零排放运输车队" in dialog.inner_text() or "零排放" in dialog.inner_text()
    page.screenshot(path=str(shots / "indicators-dialog.png"))
