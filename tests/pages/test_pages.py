"""Every page of the dashboard through AppTest: it runs, draws what it promises, follows the
sidebar's filters and language, says what to do when there is nothing to show, and shows new
data once an upload has cleared the caches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from monitoring import i18n
from tests.pages.conftest import PAGES, every_tab, svg_charts, tables, tiles

#: url path → (charts, tables, download buttons) at least, on the seeded data.
EXPECTED: dict[str, tuple[int, int, int]] = {
    "overview": (2, 2, 4),
    "rankings": (2, 1, 2),
    "progress": (1, 2, 6),
    "trends": (1, 1, 2),
    "calendar": (2, 2, 6),
    "road-dust": (2, 2, 4),
    "targets": (0, 4, 6),
}
TITLE_KEY = {"overview": "nav.overview", "rankings": "nav.rankings", "progress": "nav.progress",
             "trends": "trends.title", "calendar": "nav.calendar", "road-dust": "nav.road_dust",
             "targets": "nav.targets"}
#: The Trends title names the first year it shows (the embedded history starts in 2013).
TITLE_VALUES = {"trends.title": {"first": 2013}}


def title_of(page: str, lang: i18n.Lang) -> str:
    key = TITLE_KEY[page]
    return i18n.t(key, lang, **TITLE_VALUES.get(key, {}))


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at: AppTest) -> str:
    """Everything written on the page as text (markdown, captions, alerts, titles)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success"):
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "label", "")))
    return "\n".join(parts)


def table_frames(at: AppTest) -> list[Any]:
    return tables(at)


def charts(at: AppTest) -> list[Any]:
    """The charts drawn: static SVGs (the first screen) and plotly elements (交互图表 on)."""
    return list(at.get("plotly_chart")) + svg_charts(at)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_draws_its_charts_tables_and_downloads(open_page: Callable[..., AppTest], page: str) -> None:
    runs = every_tab(page)  # a page with lazy tabs: each tab is drawn when shown
    at = runs[0]
    for run in runs:
        assert_clean(run)
    n_charts, n_tables, n_downloads = EXPECTED[page]
    assert at.title[0].value == title_of(page, "zh")
    assert sum(len(charts(run)) for run in runs) >= n_charts
    assert sum(len(tables(run)) for run in runs) >= n_tables
    assert sum(len(run.get("download_button")) for run in runs) >= n_downloads
    if page == "overview":
        # The router's demo banner (the browser test checks it on every page: AppTest keeps
        # only the page's own elements after a page switch).
        assert any("演示数据" in w.value for w in at.warning)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_in_english(open_page: Callable[..., AppTest], page: str) -> None:
    at = open_page(page, lang="en")
    assert_clean(at)
    assert at.title[0].value == title_of(page, "en")
    headers = [str(c) for frame in table_frames(at) for c in getattr(frame, "columns", [])]
    assert headers, "no table on the page"
    # No Chinese column header is left on the English screen.
    assert not [h for h in headers if any("\u4e00" <= ch <= "\u9fff" for ch in h)], headers


def test_overview_tiles_show_the_district_indicators(open_page: Callable[..., AppTest]) -> None:
    at = open_page("overview")
    labels = [m.value for m in tiles(at)]
    assert len(labels) == 4
    # PM2.5 year to date with its unit; the good-day ratio in %.
    assert labels[0].endswith("µg/m³") and labels[1].endswith("%")
    assert "目标 29.0 µg/m³" in texts(at)
    assert "UCI" in texts(at)  # the demo year is derived from the CC BY 4.0 history


def test_rankings_follow_the_pollutant_and_period(open_page: Callable[..., AppTest]) -> None:
    pm25 = open_page("rankings")
    pm10 = open_page("rankings", pollutant="pm10")
    march = open_page("rankings", period="month", month=3)
    for at in (pm25, pm10, march):
        assert_clean(at)
    means = [table_frames(at)[0]["均值 (µg/m³)"].tolist() for at in (pm25, pm10)]
    assert means[0] != means[1]
    assert "PM10" in texts(pm10)
    assert "2026-03-01 – 2026-03-31" in texts(march)
    assert "2026-01-01 – 2026-11-21" in texts(pm25)


def test_ranking_table_is_ranked_with_shared_ranks(open_page: Callable[..., AppTest]) -> None:
    frame = table_frames(open_page("rankings"))[0]
    ranks = frame["排名"].dropna().astype(int).tolist()
    assert ranks == sorted(ranks) and ranks[0] == 1 and len(frame) == 15


def test_progress_lists_subdistricts_at_risk_first(open_page: Callable[..., AppTest]) -> None:
    at = open_page("progress")
    assert_clean(at)
    budget = table_frames(at)[1]
    order = {"难以达标": 0, "有风险": 1, "无法判断": 2, "按计划": 3}
    ranks = [order[s] for s in budget["全年预判"].tolist()[:-1]]  # the district row closes the table
    assert set(budget["累计（截至目前）"]) <= {"累计达标", "累计超标", "数据不足"}
    assert ranks == sorted(ranks)
    assert budget["街道"].tolist()[-1] == "西城区"
    assert {b.label for b in at.get("download_button")} >= {"下载简报 PDF", "下载简报 Excel"}


def test_progress_follows_the_chosen_subdistrict(open_page: Callable[..., AppTest]) -> None:
    at = open_page("progress")
    district_months = table_frames(at)[0]["当月均值 (µg/m³)"].tolist()
    at.radio(key="progress_where__zh").set_value("白纸坊").run()
    assert_clean(at)
    assert table_frames(at)[0]["当月均值 (µg/m³)"].tolist() != district_months


def test_year_filter_reaches_the_real_history(open_page: Callable[..., AppTest]) -> None:
    at = open_page("overview", year=2015)
    assert_clean(at)
    assert "2015-01-01" in texts(at)
    assert "CC BY 4.0" in texts(at)


def test_filters_survive_a_page_switch(open_page: Callable[..., AppTest]) -> None:
    at = open_page("rankings", lang="en", pollutant="no2")
    at.switch_page("pages/trends.py").run()
    assert_clean(at)
    assert at.title[0].value == "Since 2013"
    assert at.session_state["pollutant"] == "no2"
    assert "NO2" in texts(at)


def _filter_box(at: AppTest) -> Any:
    return next(e for e in at.sidebar.expander if getattr(e, "key", None) == "sidebar-filters")


def test_the_closed_filter_box_names_the_choice_and_keeps_it(open_page: Callable[..., AppTest]) -> None:
    """The sidebar's filters open on a click (their widgets cost every cold load): closed, the
    line above the box says what is chosen, and opening it
    shows the widgets with those values. (AppTest draws the router's sidebar on the app's root
    page only: the sidebar is read there.)"""
    at = open_page("overview", expanders_open=False, period="month", month=6, pollutant="no2")
    assert_clean(at)
    assert "当前：2026 年 · 6 月 · 二氧化氮 NO2" in [c.value for c in at.sidebar.caption]
    assert not _filter_box(at).children and not at.sidebar.selectbox  # nothing drawn while closed
    rankings = open_page("rankings", expanders_open=False, period="month", month=6, pollutant="no2")
    assert "2026-06-01 – 2026-06-30" in texts(rankings)  # the month the box names is the one a page shows
    at.session_state["sidebar-filters"] = True  # the reader opens the box
    at.run()
    assert at.sidebar.selectbox(key="pollutant").value == "no2"
    assert at.sidebar.selectbox(key="month").value == 6
    assert at.sidebar.radio(key="period").value == "month"
    at.sidebar.selectbox(key="pollutant").set_value("pm10").run()
    assert_clean(at)
    assert "当前：2026 年 · 6 月 · PM10" in [c.value for c in at.sidebar.caption]
    assert at.session_state["sidebar-filters"] is True and _filter_box(at).children  # still open after a change
    at.session_state["lang"] = "en"
    at.run()
    assert "Showing: 2026 · month 6 · PM10" in [c.value for c in at.sidebar.caption]


def test_a_stale_session_s_filters_are_checked_while_the_box_is_closed(open_page: Callable[..., AppTest]) -> None:
    """A session that outlived a change (a year no longer stored, a removed pollutant, a bad month)
    gets the first valid choice, as the widgets would give it, though the box draws none of them."""
    at = open_page("overview", expanders_open=False, year=1999, period="week", month=13, pollutant="pm1")
    assert_clean(at)
    assert (at.session_state["year"], at.session_state["period"], at.session_state["pollutant"]) == (2026, "ytd", "pm25")
    assert 1 <= at.session_state["month"] <= 12
    assert "当前：2026 年 · 年初至今 · PM2.5" in [c.value for c in at.sidebar.caption]


def test_calendar_shows_the_chosen_day(open_page: Callable[..., AppTest]) -> None:
    at = open_page("calendar")
    at.selectbox(key="calendar_day_pick").set_value(dt.date(2026, 1, 15)).run()
    assert_clean(at)
    day = table_frames(at)[1]  # [0]: the chosen area's pollutant values that day
    assert len(day) == 15 and (day["日期"].astype(str) == "2026-01-15").all()
    # the choice lists the period's days, newest first, as dates a reader types to search
    picker = at.selectbox(key="calendar_day_pick")
    assert picker.options[0] > picker.options[-1] == "2026-01-01" and "2026-01-15" in picker.options


def test_progress_and_calendar_open_without_a_select_box_and_keep_a_picked_day(
        open_page: Callable[..., AppTest]) -> None:
    """The scope is a row of radio buttons and the calendar's day picker one click away (a select
    box on the first screen cost each cold load its JavaScript); a day picked stays with the box closed."""
    for name in ("progress", "calendar"):
        at = open_page(name, expanders_open=False)
        assert_clean(at)
        assert not at.main.selectbox, name
        assert len(at.radio(key=f"{'progress_where' if name == 'progress' else 'calendar_subdistrict'}__zh").options) == 16
    at = open_page("calendar", expanders_open=False, **{"calendar-day-pick": True})
    at.selectbox(key="calendar_day_pick").set_value(dt.date(2026, 2, 3)).run()
    at.session_state["calendar-day-pick"] = False
    at.run()
    assert_clean(at)
    assert not at.main.selectbox and at.session_state["calendar_day"] == dt.date(2026, 2, 3)
    assert any("2026-02-03" in s.value for s in at.subheader)


def test_no_sidebar_toggle_the_method_names_the_events(open_page: Callable[..., AppTest]) -> None:
    # exceptional events are shown side by side (tests/pages/test_events_pages.py), not toggled
    at = open_page("rankings")
    assert_clean(at)
    assert "本时段无例外事件" in texts(at)
    # the sidebar is the router's: AppTest draws it for the app's root page, so it is read there
    root = open_page("overview", expanders_open=True)
    assert root.sidebar.radio(key="lang") and root.sidebar.selectbox(key="pollutant")  # the sidebar is drawn
    assert not root.sidebar.toggle


@pytest.mark.parametrize("page", ["overview", "rankings", "progress", "calendar", "road-dust"])
def test_a_selection_without_data_says_what_to_do(open_page: Callable[..., AppTest], page: str) -> None:
    """2025 lies between the history (2013–2017) and the demo year: the year box offers it, it has no data."""
    at = open_page(page, year=2025)
    assert_clean(at)
    assert not charts(at), "no empty chart"
    assert any("上传" in i.value for i in at.info), [i.value for i in at.info]


def test_an_empty_database_still_draws_the_targets(make_db: Callable[..., Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.pages.conftest import clear_caches

    engine = make_db(load=False)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MONITOR_LOAD_DEMO", "0")
    clear_caches()
    try:
        runs = every_tab("targets")
        for at in runs:
            assert_clean(at)
        assert sum(len(tables(at)) for at in runs) >= 4
    finally:
        clear_caches()


def _june_2025_file() -> bytes:
    """One whole day (24 hour-ending labels) for two subdistricts, in a month with no data."""
    lines = ["subdistrict,time,pollutant,value"]
    for sd in ("德胜", "白纸坊"):
        for hour in range(1, 25):
            label = f"2025-06-10 {hour:02d}:00" if hour < 24 else "2025-06-11 00:00"
            lines.append(f"{sd},{label},PM2.5,{30 + hour % 5}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_new_data_appears_once_the_caches_are_cleared(private_app: Callable[..., AppTest], seeded_db: Any,
                                                      targets: Any) -> None:
    """The cache is real (stale until cleared) and clear_data_caches, which an upload calls, refreshes it."""
    from monitoring.actors import Actor
    from monitoring.ingest.pipeline import ingest_file

    at = private_app("rankings", year=2025, period="month", month=6)
    assert_clean(at)
    assert not charts(at) and at.info  # no June 2025 data yet
    ingest_file(seeded_db, _june_2025_file(), name="june.csv", targets=targets, actor=Actor("tester", "analyst"))
    at.run()
    assert not charts(at)  # still the cached figure
    from dashboard import context as ctx

    ctx.clear_data_caches()
    at.run()
    assert_clean(at)
    assert charts(at)
    ranked = table_frames(at)[0]
    assert ranked["均值 (µg/m³)"].notna().sum() == 2


def test_upload_page_clears_the_caches(private_app: Callable[..., AppTest], targets: Any) -> None:
    from monitoring.actors import Actor

    at = private_app("rankings", year=2025, period="month", month=6)
    assert not charts(at)
    at.session_state["actor"] = Actor("tester", "analyst")
    at.switch_page("pages/upload.py").run()
    assert_clean(at)
    at.file_uploader[0].upload("june.csv", _june_2025_file(), "text/csv").run()
    for button in at.button:
        if any(word in str(button.label) for word in ("写入", "导入", "上传", "确认")):
            button.click().run()
            break
    assert_clean(at)
    at.switch_page("pages/rankings.py").run()
    assert_clean(at)
    assert charts(at), "the upload must clear the cached figures (ctx.clear_data_caches())"


@pytest.mark.parametrize("pollutant", ["pm10", "so2", "no2", "o3", "co"])
@pytest.mark.parametrize("page", ["rankings", "trends"])
def test_every_pollutant_draws(open_page: Callable[..., AppTest], page: str, pollutant: str) -> None:
    at = open_page(page, pollutant=pollutant)
    assert_clean(at)
    assert charts(at) or at.info
    unit = "mg/m³" if pollutant == "co" else "µg/m³"
    headers = " ".join(str(c) for frame in table_frames(at) for c in frame.columns)
    assert unit in texts(at) + headers
