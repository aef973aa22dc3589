"""AppTest of the 指标进展 and 重点任务 pages on a copy of the seeded database."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from monitoring import plan
from monitoring.actors import Actor
from monitoring.targets import Targets
from tests.pages.conftest import LAZY_EXPANDERS, tables, tiles

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
ANALYST = Actor("wang", "analyst")


@pytest.fixture
def app_db(seeded_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", seeded_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MONITOR_LOAD_DEMO", "0")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield seeded_db
    st.cache_data.clear()
    st.cache_resource.clear()


def page(name: str, *, expanders_open: bool = True, **state: object) -> AppTest:
    """The page run once; ``expanders_open``: its lazy expanders open (a long table's grid drawn)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=TIMEOUT)
    if expanders_open:
        for key in LAZY_EXPANDERS:
            at.session_state[key] = True
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def test_indicators_page_for_a_viewer_has_no_controls(app_db: Engine) -> None:
    at = page("indicators")
    assert not at.exception and not at.error
    table = tables(at)[0]
    assert len(table) == 27
    assert "PM2.5年均浓度" in set(table["指标"])
    assert not at.text_input  # no entry form for a viewer
    assert "以分析员身份登录后可录入数值" in _texts(at)


def test_analyst_enters_a_value_and_sees_who(app_db: Engine, targets: Targets) -> None:
    at = page("indicators", actor=ANALYST, lang="zh")
    assert not at.exception
    at.selectbox(key="indicator_entry_key").set_value("truck_nev_share")
    at.date_input(key="indicator_entry_day").set_value(dt.date(2026, 10, 31))
    at.text_input(key="indicator_entry_value").set_value("28%")
    at.text_area(key="indicator_entry_note").set_value("交通委报送")
    at.button(key="indicator_entry_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    history = plan.indicator_history(app_db, targets)
    assert list(history["entered_by"]) == ["wang"] and list(history["value"]) == [28.0]
    assert "已保存" in _texts(at)
    assert "wang" in set(tables(at)[-1]["录入人"])
    # a wrong unit: the message, nothing stored
    at.text_input(key="indicator_entry_value").set_value("28家")
    at.button(key="indicator_entry_submit").click().run()
    assert at.error and "单位" in at.error[0].value
    assert len(plan.indicator_history(app_db, targets)) == 1


def test_tasks_page_filters_overdue_and_summary(app_db: Engine) -> None:
    at = page("tasks", lang="zh")
    assert not at.exception and not at.error
    assert len(tables(at)[0]) == 179
    at.selectbox(key="tasks_annex__zh").set_value(3).run()
    assert len(tables(at)[0]) == 31
    at.selectbox(key="tasks_unit__zh").set_value("区城市管理委").run()
    shown = tables(at)[0]
    assert 0 < len(shown) < 31
    assert all("区城市管理委" in (lead + sup) for lead, sup in zip(shown["主责单位"], shown["协办单位"], strict=True))
    assert any(str(m.value).startswith("<svg") for m in at.markdown)  # the per-lead-unit chart (static SVG)
    assert "重点任务" in at.title[0].value
    assert not at.text_area  # viewer: no status form


def test_the_first_screen_keeps_filters_and_unit_summary_closed_and_names_the_filter(app_db: Engine) -> None:
    """Filters and the per-unit summary are drawn when opened (each cost cold loads in the browser);
    a filter chosen stays in force with its box closed, and the count line names it."""
    at = page("tasks", lang="zh", expanders_open=False)
    assert not at.exception and not at.selectbox  # a viewer's first screen: no select box at all
    assert {"tasks-filters", "tasks-by-unit"} <= {e.key for e in at.expander}
    assert not any(str(m.value).startswith("<svg") for m in at.markdown)  # the summary chart not drawn
    at.session_state["tasks-filters"] = True
    at.run()
    def count() -> str:
        return next(c.value for c in at.caption if "符合条件的措施" in c.value)

    assert "179 条" in count() and "已筛选" not in count()
    at.selectbox(key="tasks_annex__zh").set_value(3).run()
    assert "31 条" in count()
    at.selectbox(key="tasks_status__zh").set_value("unreported").run()
    shown = tables(at)[0]  # the first rows (a list over 30 rows shows 30, the grid behind)
    assert len(shown) > 0 and set(shown["状态"]) == {"未填报"}
    line = count()
    at.session_state["tasks-filters"] = False  # the reader closes the box: the choice stays
    at.run()
    assert not at.selectbox and tables(at)[0]["措施编号"].tolist() == shown["措施编号"].tolist()
    assert count() == line and "已筛选：附3 深化多元协同共治" in line and "未填报" in line
    at.session_state["tasks-by-unit"] = True
    at.run()
    assert any(str(m.value).startswith("<svg") for m in at.markdown)  # opened: the chart of these measures


def test_analyst_sets_a_status_and_it_is_audited(app_db: Engine) -> None:
    at = page("tasks", actor=ANALYST, lang="zh")
    at.selectbox(key="task_set_measure").set_value("1-03-2")
    at.selectbox(key="task_set_status").set_value("late")
    at.text_area(key="task_set_note").set_value("进度滞后")
    at.button(key="task_set_submit").click().run()
    assert not at.exception and not at.error
    history = plan.task_history(app_db)
    assert history[["measure_id", "status", "set_by", "note"]].values.tolist() == [["1-03-2", "late", "wang", "进度滞后"]]
    at.selectbox(key="tasks_status__zh").set_value("late").run()
    assert list(tables(at)[0]["措施编号"]) == ["1-03-2"]
    assert "滞后" in at.subheader[0].value or any("逾期或滞后" in s.value for s in at.subheader)


def test_coverage_section_renders(app_db: Engine) -> None:
    def script() -> None:
        from dashboard import context as ctx
        from dashboard.coverage_section import render_coverage

        render_coverage(ctx.engine(), ctx.targets(), 2026)

    at = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert not at.exception and not at.error
    assert any("监测覆盖" in s.value for s in at.subheader)
    assert len(tiles(at)) == 3


def test_road_dust_page_shows_the_coverage_section(app_db: Engine) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["year"] = 2026
    at.run()
    at.switch_page("pages/road_dust.py")
    at.run()
    assert not at.exception, [getattr(e, "message", e) for e in at.exception]
    assert any("监测覆盖" in s.value for s in at.subheader)


@pytest.mark.parametrize("name", ["indicators", "tasks"])
def test_pages_in_english_have_every_label(app_db: Engine, name: str) -> None:
    at = page(name, lang="en")
    assert not at.exception and not at.error
    shown = _texts(at) + "\n".join(str(c) for c in tables(at)[0].columns) + at.title[0].value
    for prefix in ("plan.", "tasks.", "indicators.", "coverage."):
        assert prefix not in shown, shown
    assert at.title[0].value in ("Indicators", "Key tasks")


# -- issue 14: empty is not bad; one click to enter; downloads ------------------------------------------


def _all_text(at: AppTest) -> str:
    parts = [_texts(at), *(m.label + " " + str(m.value) for m in tiles(at))]
    parts += ["\n".join(map(str, d.to_numpy().ravel())) for d in tables(at, shown=True)]
    return "\n".join(parts)


def test_the_indicators_as_of_day_is_one_click_away_and_stays_when_closed(app_db: Engine) -> None:
    """No date input on the first screen (its JavaScript cost every cold load); a day chosen in the
    box stays in force after the box is closed, and the caption and the figures follow it."""
    at = page("indicators", lang="zh", expanders_open=False)
    assert not at.exception and not at.date_input
    assert "indicators-as-of" in {e.key for e in at.expander}
    assert any("2026-11-21" in c.value for c in at.caption)  # the last day with data
    at.session_state["indicators-as-of"] = True
    at.run()
    at.date_input(key="indicators_as_of").set_value(dt.date(2026, 6, 30)).run()
    assert any("2026-06-30" in c.value for c in at.caption)
    june = tables(at)[0]
    at.session_state["indicators-as-of"] = False
    at.run()
    assert not at.date_input and any("2026-06-30" in c.value for c in at.caption)
    assert tables(at)[0].equals(june)
    at.session_state["indicators-as-of"] = True
    at.run()
    assert at.date_input(key="indicators_as_of").value == dt.date(2026, 6, 30)  # reopened on the day kept


def test_indicators_say_not_entered_and_how_many_for_a_viewer(app_db: Engine, targets: Targets) -> None:
    at = page("indicators", lang="zh")
    assert not at.exception and not at.error
    text = _all_text(at)
    entered = [m for m in tiles(at) if m.label == "已录入"]
    n_entered = int(plan.entered_count(plan.indicators_table(app_db, targets, as_of=dt.date(2026, 11, 21)))[0])
    assert entered and entered[0].value == f"{n_entered} / {len(targets.indicators)} 项"
    assert "尚未录入" in text and "暂无数据" not in text and "未达标" in text  # "不是未达标" is said
    shown = tables(at)[0]
    statuses = set(shown.loc[shown["来源"] == "分析员录入", "累计状态"])  # measured ones: reports.district's words
    assert statuses & {"尚未录入"} and not statuses & {"暂无数据", "未达标", "尚未达到"}
    # the table downloads (CSV and Excel)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载 CSV" in labels and "下载 Excel" in labels


def test_one_click_opens_the_entry_form_for_that_indicator(app_db: Engine, targets: Targets) -> None:
    at = page("indicators", actor=ANALYST, lang="zh")
    assert not at.exception
    at.button(key="enter-zero_emission_fleets").click().run()
    assert not at.exception
    # the dialog holds the form for exactly that indicator
    assert at.session_state["indicator_dialog"] == "zero_emission_fleets"
    assert any(targets.indicator("zero_emission_fleets").name in m.value for m in at.markdown)
    at.text_input(key="indicator_dialog_value").set_value("2")
    at.button(key="indicator_dialog_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    history = plan.indicator_history(app_db, targets)
    assert list(history["indicator"]) == ["zero_emission_fleets"] and list(history["value"]) == [2.0]
    assert "indicator_dialog" not in at.session_state
    assert "enter-zero_emission_fleets" not in [b.key for b in at.button]  # entered now


def test_tasks_say_unreported_and_a_measure_opens_its_form(app_db: Engine) -> None:
    at = page("tasks", lang="zh")
    assert not at.exception
    text = _all_text(at)
    assert "未填报" in text and "0 / 179 条" in text
    assert "未开始" not in set(tables(at)[0]["状态"].str.replace(" ⚠", ""))
    assert len([b for b in at.get("download_button")]) >= 4  # measures and summary: CSV + Excel each
    # the analyst's selection of a row opens the form for that measure (the page's dialog state)
    at = page("tasks", actor=ANALYST, lang="zh", task_dialog="1-03-2")
    assert any("1-03-2" in m.value for m in at.markdown)
    at.selectbox(key="task_dialog_status").set_value("in_progress")
    at.button(key="task_dialog_submit").click().run()
    assert not at.exception and not at.error
    assert plan.task_history(app_db)[["measure_id", "status"]].values.tolist() == [["1-03-2", "in_progress"]]
    assert any(m.label == "已填报" and m.value == "1 / 179 条" for m in tiles(at))


def test_task_filters_survive_a_language_switch_in_english_words(app_db: Engine) -> None:
    at = page("tasks", lang="zh")
    at.selectbox(key="tasks_annex__zh").set_value(3).run()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    annex = at.selectbox(key="tasks_annex__en")
    assert annex.value == 3 and "Annex 3 co-governance" in annex.options
    assert at.selectbox(key="tasks_status__en").options[0] == "All"
    assert len(tables(at)[0]) == 31


def _select_row(at: AppTest, key: str, row: int) -> AppTest:
    """A reader selects one row of the grid under ``key``: the run gets the selection as the browser
    sends it (the grid's JSON state), so the page's on_select callback runs. AppTest has no
    ``set_value`` for a grid; this is what its ``run()`` does, plus that one widget's state."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    grid = next(d for d in at.dataframe if d.key == key)
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=grid.proto.id,
                                      string_value=json.dumps({"selection": {"rows": [row], "columns": [], "cells": []}})))
    return at._run(states)


def test_the_long_task_list_is_30_rows_static_and_the_grid_only_when_opened(app_db: Engine) -> None:
    at = page("tasks", lang="zh", expanders_open=False)
    assert not at.exception
    # the first screen: 30 rows static, how many there are, and no grid (issue 14: its JavaScript is ≈ 1.7 MB)
    assert not at.dataframe
    first = tables(at)[0]
    assert len(first) == 30 and first["措施编号"].iloc[0] == "1-01-1"
    assert "前 30 条，共 179 条" in [c.value for c in at.caption]
    box = next(e for e in at.expander if e.key == "tasks-table-all")
    assert box.label == "全部 179 条（可排序）" and not box.children
    # the reader opens it: the whole list as the grid, counted once by the tests' helper
    at.session_state["tasks-table-all"] = True
    at.run()
    assert [len(d.value) for d in at.dataframe] == [179]
    whole = tables(at)[0]
    assert len(whole) == 179 and list(whole.columns) == list(first.columns)
    assert list(whole["措施编号"].head(30)) == list(first["措施编号"])  # the preview is its first rows
    # the downloads hold the whole list, opened or not
    assert {"dl-csv-tasks-table", "dl-xlsx-tasks-table"} <= {b.key for b in at.get("download_button")}


def test_long_tables_in_english_say_how_many(app_db: Engine) -> None:
    at = page("tasks", lang="en", expanders_open=False)
    assert "First 30 of 179 rows" in [c.value for c in at.caption]
    assert "All 179 rows (sortable)" in [e.label for e in at.expander]


def test_a_short_table_is_static_whole_with_no_expander(app_db: Engine) -> None:
    # annex 3 has 31 measures; one unit's are fewer: the list is shown whole, no caption, no grid
    at = page("tasks", lang="zh", expanders_open=False, **{"tasks-filters": True})
    unit = at.selectbox(key="tasks_unit__zh").options[1]
    at.selectbox(key="tasks_unit__zh").set_value(unit).run()
    shown = tables(at)[0]
    assert 0 < len(shown) <= 30
    assert not at.dataframe and "tasks-table-all" not in [e.key for e in at.expander]
    assert not any("共" in str(c.value) and "前 30 条" in str(c.value) for c in at.caption)


def test_an_analyst_opens_the_grid_and_a_selected_row_opens_that_measure(app_db: Engine) -> None:
    at = page("tasks", actor=ANALYST, lang="zh", expanders_open=False)
    assert not at.dataframe and "全部 179 条（可排序，点选一行填报）" in [e.label for e in at.expander]
    at.session_state["tasks-table-all"] = True
    at.run()
    grid = next(d for d in at.dataframe if d.key == "tasks-table")
    wanted = str(grid.value["措施编号"].iloc[5])
    at = _select_row(at, "tasks-table", 5)
    assert not at.exception
    assert at.session_state["task_dialog"] == wanted
    assert any(wanted in str(m.value) for m in at.markdown)  # the dialog names that measure
    at.selectbox(key="task_dialog_status").set_value("done")
    at.button(key="task_dialog_submit").click().run()
    assert not at.exception and not at.error
    assert plan.task_history(app_db)[["measure_id", "status"]].values.tolist() == [[wanted, "done"]]
