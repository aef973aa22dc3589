"""Issue 14, screens: leaders read no settings files, commands, raw keys or English words on the
Chinese screen; the calendar is a month-by-day grid coloured by the report's own categories
with click-through; the trends page says what it shows; one as-of date; tiles that count what
they say."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from monitoring import i18n, reports
from monitoring.targets import Targets
from tests.pages.conftest import every_tab, interactive, tables, tiles
from tests.pages.screen_text import FORBIDDEN, findings, page_text

#: The seeded demo year ends on 2026-11-21 (tests/conftest.py DEMO_NOW).
LAST_DAY = "2026-11-21"


def _values(array: object) -> list[object]:
    """A plotly array from a chart's JSON: a list, or numpy's bytes in base64 (``bdata``)."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        import numpy as np

        return list(np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]))
    return list(array)  # type: ignore[call-overload]


@pytest.mark.parametrize("page", ["trends", "calendar", "road-dust", "rankings"])
def test_leader_pages_in_chinese_have_no_settings_keys_or_english(open_page: Callable[..., AppTest],
                                                                   page: str) -> None:
    runs = every_tab(page)  # every tab of a page with lazy tabs, each as its reader opens it
    for at in runs:
        assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(page_text(at) for at in runs)
    assert len(text) > 500
    assert findings(text) == []


@pytest.mark.parametrize("page", ["overview", "progress"])
def test_every_leader_page_names_no_settings_file_command_or_key(open_page: Callable[..., AppTest],
                                                                 page: str) -> None:
    # (their method texts come from reports being rewritten elsewhere: the Latin-word check
    # is the one above; these must never name a settings file, a command or a column key)
    at = open_page(page)
    text = page_text(at)
    assert [line for line in text.splitlines() for pattern, _ in FORBIDDEN if pattern.search(line)] == []


@pytest.mark.parametrize("page", ["trends", "calendar", "road-dust"])
def test_pages_in_english_leave_no_label_key(open_page: Callable[..., AppTest], page: str) -> None:
    at = open_page(page, lang="en")
    assert not at.exception
    text = page_text(at)
    for prefix in ("calendar.", "trends.", "road.", "ui.", "coverage.", "status."):
        assert not [line for line in text.splitlines() if line.strip().startswith(prefix)], prefix


def test_calendar_is_a_month_by_day_grid_in_the_reports_colours(open_page: Callable[..., AppTest],
                                                               shared_db: str, targets: Targets) -> None:
    at = interactive(open_page("calendar"))
    assert not at.exception
    import json

    grid = json.loads(at.get("plotly_chart")[0].proto.spec)
    rows = {y for trace in grid["data"] for y in trace["y"]}
    assert rows <= {f"{m}月" for m in range(1, 13)} and "1月" in rows and "11月" in rows
    days = {int(x) for trace in grid["data"] for x in _values(trace["x"])}
    assert days <= set(range(1, 32)) and max(days) == 31
    # one legend entry per category the district's days had, in the report's colours
    from sqlalchemy import create_engine

    frame = reports.daily_aqi(create_engine(shared_db), targets, year=2026, end=dt.date(2026, 11, 21),
                              district=True).frame
    pairs = set(zip(frame["category"], frame["color"], strict=True))
    drawn = {(trace["name"], trace["marker"]["color"]) for trace in grid["data"]}
    assert drawn == {p for p in pairs if isinstance(p[1], str)}
    assert sum(len(_values(trace["x"])) for trace in grid["data"]) == len(frame)  # a cell per day, none twice
    assert grid["layout"]["legend"]["title"]["text"] == "AQI 类别"


def test_calendar_colours_come_from_each_days_row(open_page: Callable[..., AppTest]) -> None:
    """Two standards in one year (HJ 633-2012, then another from March): each day keeps the
    category and colour its own row gives, and the legend lists both."""

    def script() -> None:
        import pandas as pd
        import streamlit as st

        from dashboard import widgets as w

        frame = pd.DataFrame({
            "day": [pd.Timestamp("2026-02-27").date(), pd.Timestamp("2026-03-02").date()],
            "aqi": [40, 40], "level": [1, 1], "category": ["优", "优"], "category_en": ["Excellent", "Excellent"],
            "color": ["#00e400", "#00b050"], "primary": ["", ""], "pm25": [20.0, 21.0],
        })
        fig = w.calendar_months(frame, title="t")
        st.session_state["drawn"] = [(tr.name, tr.marker.color, list(tr.x)) for tr in fig.data]

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert at.session_state["drawn"] == [("优", "#00e400", [27]), ("优", "#00b050", [2])]


def test_a_click_on_a_day_opens_its_values(open_page: Callable[..., AppTest]) -> None:
    at = open_page("calendar", run=False)
    at.session_state["calendar-months"] = {"selection": {"points": [{"customdata": ["2026-03-05"]}],
                                                         "point_indices": [], "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="calendar_day_pick").value == dt.date(2026, 3, 5) == at.session_state["calendar_day"]
    assert any("2026-03-05" in s.value for s in at.subheader)
    assert [m.label for m in tiles(at)] == ["AQI", "类别", "首要污染物"]
    values = tables(at)[0]
    assert list(values["污染物"]) == ["PM2.5", "PM10", "SO2", "NO2", "CO", "O3 8小时"]
    day = tables(at)[1]
    assert (day["日期"].astype(str) == "2026-03-05").all() and len(day) == 15


def test_one_subdistrict_and_the_district_default(open_page: Callable[..., AppTest]) -> None:
    at = open_page("calendar")
    assert at.radio(key="calendar_subdistrict__zh").value == ""  # the district
    at.radio(key="calendar_subdistrict__zh").set_value("德胜").run()
    assert not at.exception
    assert any(s.value.startswith("德胜") for s in at.subheader)


def test_periods_end_on_the_last_day_with_data(open_page: Callable[..., AppTest]) -> None:
    for page in ("calendar", "road-dust"):
        at = open_page(page)
        text = page_text(at)
        assert "2026-12-31" not in text, page
    assert f"2026-01-01 – {LAST_DAY}" in page_text(open_page("calendar"))


def test_trends_title_headline_partial_years_and_sources(open_page: Callable[..., AppTest]) -> None:
    at = open_page("trends")
    assert not at.exception
    assert at.title[0].value == "2013 年以来的变化"
    lines = [m.value for m in at.markdown]
    assert any(line.startswith("**2014–2020 年（西城区）**") for line in lines)
    assert any(line.startswith("**近年完整年份 2021–2025（北京市公开数据") for line in lines)
    import json

    chart = json.loads(interactive(at).get("plotly_chart")[0].proto.spec)
    partial = [tr for tr in chart["data"] if "（不完整）" in tr.get("name", "")]
    assert partial and all(tr["marker"]["color"] == "white" and tr.get("text") for tr in partial)
    assert any("截至11-21" in tr["text"] for tr in partial)  # the year in progress is partial
    table = tables(at)[0]
    sources = dict(zip(table["时段"].astype(str), table["来源"], strict=False))
    assert sources["2024"].startswith("https://www.beijing.gov.cn/")
    assert sources["2025"].startswith("转载：") and "原始发布页未找到" in sources["2025"]
    assert any("小时结束" in c.value for c in at.caption)


def test_nav_label_is_not_five_years() -> None:
    assert i18n.t("nav.trends", "zh") == "多年趋势" and "五年" not in i18n.t("nav.trends", "zh")


def test_trend_report_marks_the_year_in_progress_partial(seeded_db: Engine, targets: Targets) -> None:
    frame = reports.trend(seeded_db, targets).frame
    demo = frame[frame["kind"] == "data_demo"].iloc[0]
    assert not bool(demo["complete"]) and str(demo["period"]).endswith(LAST_DAY)
    city = frame[(frame["kind"] == "published_beijing")].set_index("period")
    assert bool(city.loc["2024", "primary_known"]) and not bool(city.loc["2025", "primary_known"])
    recent = reports.trend(seeded_db, targets).extra["recent"]
    assert recent["years"] == [2021, 2022, 2023, 2024, 2025] and recent["scope"] == "beijing"


def test_tiles_count_roads_and_shares_in_points() -> None:
    def script() -> None:
        import streamlit as st

        from dashboard import widgets as w

        st.session_state["out"] = [
            w.days_caption(12, 20, "poor_road_share"), w.days_caption(300, 335, "pm25_annual"),
            w.gap_text(2.3, "%"), w.gap_text(-1.2, "µg/m³"),
            w.tile_font_size("Guang'anmenwai"), w.tile_font_size("德胜"), w.tile_font_size("Desheng"),
            w.plain("等级：targets.yaml 未设定阈值（road_dust.grades）"),
        ]

    at = AppTest.from_function(script).run()
    out = at.session_state["out"]
    assert out[0] == "已定级 12/20 条次道路" and out[1] == "有效 300/335 天"
    assert out[2] == "+2.3 个百分点" and out[3] == "-1.2 µg/m³"
    assert out[4] < 12 and out[5] == 12 and out[6] == 12
    assert out[7] == "等级：“目标设置”中未设定阈值"


def test_road_dust_coverage_tables_have_headers_not_keys(open_page: Callable[..., AppTest]) -> None:
    at = open_page("road-dust")
    headers = {str(c) for d in tables(at) for c in d.columns}
    assert not headers & {"subdistrict", "road", "poor_month", "quarter", "scope", "empty"}
    assert len(at.get("download_button")) >= 6




def test_progress_tables_in_chinese_show_a_dash_or_the_verdict_never_none(open_page: Callable[..., AppTest]) -> None:
    """Issue 14: a missing cell reads "—", never "None"/"nan"; where the target can no longer
    be met, 余下日均需≤ says 已无法实现; short tables are static (no grid JavaScript)."""
    at = open_page("progress")
    assert not at.exception, [e.value for e in at.exception]
    shown = tables(at, shown=True)
    assert len(shown) >= 3 and not at.dataframe  # months, subdistricts, standards: all static
    for frame in shown:
        cells = {str(v) for v in frame.to_numpy().ravel()}
        assert not cells & {"None", "nan", "NaN", "<NA>", "NaT", "none", "True", "False"}, frame
    months = shown[0]
    december = months[months.iloc[:, 0].astype(str).str.contains("12")]
    assert len(december) == 1 and "—" in set(december.iloc[0])  # the month not reached yet
    required = i18n.t("ui.col.required_rest_mean", "zh")
    budget = next(f for f in shown if f.columns[0] == "街道" and any(str(c).startswith(required) for c in f.columns))
    column = next(c for c in budget.columns if str(c).startswith(required))
    raw = next(f for f in tables(at) if list(f.columns) == list(budget.columns))
    gone = i18n.t("ui.col.cannot_meet", "zh")
    # every cell is a number to one decimal, or the verdict
    assert all(v == gone or re.fullmatch(r"\d+\.\d", v) for v in budget[column]), list(budget[column])
    assert list(budget[column] == gone) == list(raw[column].astype(str) == gone)


#: Any Chinese character or full-width punctuation.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("page", ["overview", "rankings", "progress", "calendar"])
def test_leader_pages_in_english_have_no_chinese_at_all(open_page: Callable[..., AppTest], page: str) -> None:
    """Issue 14, English mode complete: method lines cite 'GB 3095-2012 Table 4', 'Annex 1', 'transition
    period', with ASCII punctuation — not 表4, 附1, 过渡期（…）, a full-width colon or space. (Pages that quote
    the plan's own measures, road names or published sources by their Chinese titles are not in this list.)"""
    runs = every_tab(page, lang="en")
    text = "\n".join(page_text(at) for at in runs)
    assert len(text) > 500
    # the language switch names both languages on purpose, so a reader finds it in either
    found = [line for line in text.splitlines() if _CJK.search(line) and line.strip() != "语言 / Language"]
    assert found == [], "\n".join(found)


#: A Chinese character (CJK ideographs, CJK and full-width punctuation).
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("page", ["overview", "rankings", "progress", "calendar", "indicators.py", "upload.py",
                                  "quality.py"])
def test_pages_in_english_show_no_chinese(open_page: Callable[..., AppTest], page: str) -> None:
    """Issue 14, "English mode complete": the pages whose words are the monitor's own (not the
    plan's task texts, road names or the cited Chinese sources of trends and targets) show no
    Chinese in English, station names and the exceptional-events rule included."""
    at = open_page(page, lang="en")
    assert not at.exception
    # the language switch's own label is in both languages on purpose: a reader of either finds it
    lines = [line for line in page_text(at).splitlines() if line.strip() != "语言 / Language"]
    assert [line for line in lines if CJK.search(line)] == []


def test_targets_page_in_english_names_the_plan_in_english(open_page: Callable[..., AppTest], targets: Targets) -> None:
    at = open_page("targets", lang="en")
    assert not at.exception
    assert targets.plan_en and any(targets.plan_en in c.value for c in at.caption)
    assert not any(targets.plan in c.value for c in at.caption)
