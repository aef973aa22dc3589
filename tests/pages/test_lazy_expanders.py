"""Lazy expanders and tabs (``w.lazy_expander``, ``w.lazy_tabs``): on a page's first draw the
expanders are closed with nothing drawn inside, and only the first tab is drawn; each is drawn in
full once the reader opens it (Streamlit reruns the page on the click).

Why it matters: a closed ``st.expander`` or a hidden tab still sends its content, and the
browser pays for every element on a cold load (docs/PERFORMANCE.md, "Browser")."""

from __future__ import annotations

import pytest

from tests.pages.conftest import LAZY_EXPANDERS, LAZY_TABS, PAGES, make_app, svg_charts, tables


def _lazy(at: object) -> list[object]:
    return [e for e in at.expander if getattr(e, "key", None)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_lazy_expander_is_known_and_starts_closed(open_page: object, page: str) -> None:
    at = make_app(page, expanders_open=False)
    assert not at.exception, [e.value for e in at.exception]
    for box in _lazy(at):
        key = box.key  # type: ignore[attr-defined]
        # the page tests open the expanders they know: a new one must be listed, or its content goes untested
        assert key in LAZY_EXPANDERS, key
        assert at.session_state[key] is False
        assert not box.children, (key, box.children)  # type: ignore[attr-defined]


def test_opening_draws_the_content(open_page: object) -> None:
    closed = make_app("overview", expanders_open=False)
    boxes = {box.key: box for box in _lazy(closed)}  # type: ignore[attr-defined]
    assert {"overview-tables", "method-overview-indicators", "method-overview-ranking"} <= set(boxes)
    shut_tables = len(tables(closed))
    shut_buttons = len(closed.download_button)

    # a reader opens the table expander: the rerun draws the two tables and their downloads
    closed.session_state["overview-tables"] = True
    opened = closed.run()
    assert len(tables(opened)) == shut_tables + 2
    assert len(opened.download_button) == shut_buttons + 4  # CSV and XLSX of each
    method = next(b for b in _lazy(opened) if b.key == "method-overview-ranking")  # type: ignore[attr-defined]
    assert not method.children  # type: ignore[attr-defined]  # the others stay closed


def test_only_the_shown_tab_is_drawn(open_page: object) -> None:
    first = make_app("rankings")
    labels = [tab.label for tab in first.tabs]
    assert labels == ["排名柱状图", "示意图", "同比变化"]
    assert first.session_state[LAZY_TABS["rankings"]] == labels[0]
    assert [len(tab.children) > 0 for tab in first.tabs] == [True, False, False]
    bars = [str(c.value) for c in svg_charts(first)]
    # a reader clicks the tile-map tab: the rerun draws it, and the bar chart is no longer sent
    first.session_state[LAZY_TABS["rankings"]] = labels[1]
    shown = first.run()
    assert [len(tab.children) > 0 for tab in shown.tabs] == [False, True, False]
    maps = [str(c.value) for c in svg_charts(shown)]
    assert len(maps) == len(bars) == 1 and maps != bars


def test_the_calendars_second_chart_is_drawn_when_its_box_opens(open_page: object) -> None:
    """The calendar's first screen is the month grid; the days per category of every subdistrict
    (chart and table) are one click away (issue 14: a second chart cost every switch ≈ 0.1 s)."""
    closed = make_app("calendar", expanders_open=False)
    assert len(svg_charts(closed)) == 1
    closed.session_state["calendar-counts"] = True
    opened = closed.run()
    assert not opened.exception
    drawings = svg_charts(opened)
    assert len(drawings) == 2 and "各街道 AQI 类别天数" in drawings[1].value
