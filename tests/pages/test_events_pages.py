"""AppTest of the pages that show exceptional events: the deducted figure beside the published
one (Rankings, Overview, Monthly progress) only when the period has events, and the Data
quality panel (everyone sees the list, only analysts the controls)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from monitoring import events, reports
from monitoring.actors import Actor
from monitoring.targets import Targets
from tests.pages.conftest import interactive
from tests.pages.test_pages import assert_clean, table_frames, texts

ANALYST = Actor("wang", "analyst")
VIEWER = Actor("leader", "viewer")


@pytest.fixture
def with_event(seeded_db: Engine, targets: Targets) -> Engine:
    events.flag_event(seeded_db, targets, "2026-03-14", "2026-03-16", "sand_dust", "气象部门沙尘通报", ANALYST)
    return seeded_db


def test_rankings_show_the_deducted_mean_beside_the_published_one(
    private_app: Callable[..., AppTest], with_event: Engine, targets: Targets
) -> None:
    at = private_app("rankings")
    assert_clean(at)
    table = table_frames(at)[0]
    assert list(table.columns[2:4]) == ["均值 (µg/m³)", "扣除例外事件 (µg/m³)"]
    expected = reports.ranking(with_event, targets, year=2026, exclude_events=True).frame.set_index("subdistrict")["mean"]
    got = dict(zip(table["街道"], table["扣除例外事件 (µg/m³)"], strict=True))
    assert got == {sd: expected[sd] for sd in got}
    assert (table["均值 (µg/m³)"] != table["扣除例外事件 (µg/m³)"]).any()
    page = texts(at)
    assert "（表中一列、图中◆）扣除了 3 天（沙尘 2026-03-14—03-16）" in page
    assert "含例外事件 3 天（沙尘 2026-03-14—03-16），未扣除" in page  # the published figure's method
    traces = json.loads(interactive(at).get("plotly_chart")[0].proto.spec)["data"]
    assert "扣除例外事件" in [tr.get("name") for tr in traces]  # the deducted means drawn as markers on the bars


def test_rankings_of_a_month_without_events_have_one_column(
    private_app: Callable[..., AppTest], with_event: Engine
) -> None:
    at = private_app("rankings", period="month", month=6)
    assert_clean(at)
    assert "扣除例外事件 (µg/m³)" not in table_frames(at)[0].columns
    assert "本时段无例外事件" in texts(at)


def test_overview_tiles_carry_the_deducted_value(private_app: Callable[..., AppTest], with_event: Engine,
                                                  targets: Targets) -> None:
    at = private_app("overview")
    assert_clean(at)
    d = reports.district(with_event, targets, year=2026, exclude_events=True).frame.set_index("key")
    assert f"扣除例外事件：{d.loc['pm25_annual', 'value']:.1f} µg/m³" in texts(at)
    assert "标“扣除例外事件”的数值扣除了 3 天（沙尘 2026-03-14—03-16）" in texts(at)


def test_progress_months_with_and_without(private_app: Callable[..., AppTest], with_event: Engine,
                                          targets: Targets) -> None:
    at = private_app("progress")
    assert_clean(at)
    months = next(f for f in table_frames(at) if "月均值（扣除例外事件） (µg/m³)" in f.columns)
    p = reports.progress(with_event, targets, year=2026, exclude_events=True).frame.set_index("month")
    assert months.iloc[2]["月均值（扣除例外事件） (µg/m³)"] == p.loc[3, "monthly_mean"]
    assert months.iloc[1]["月均值（扣除例外事件） (µg/m³)"] == months.iloc[1].iloc[1]  # February: nothing deducted
    b = reports.budget(with_event, targets, year=2026, exclude_events=True).frame
    assert f"扣除例外事件：{b.iloc[-1]['ytd_mean']:.1f} µg/m³" in texts(at)
    assert "标“扣除例外事件”的数值扣除了 3 天（沙尘 2026-03-14—03-16）" in texts(at)


def _quality(app: Callable[..., AppTest], actor: Actor | None) -> AppTest:
    at = app("quality.py", run=False, **({"actor": actor} if actor else {}))
    at.run()
    return at


def test_viewer_sees_the_list_and_no_controls(private_app: Callable[..., AppTest], with_event: Engine) -> None:
    at = _quality(private_app, VIEWER)
    assert_clean(at)
    listed = next(f for f in table_frames(at) if "标记人" in f.columns)
    assert listed.iloc[0]["标记人"] == "wang" and listed.iloc[0]["类型"] == "沙尘"
    assert listed.iloc[0]["原因及依据"] == "气象部门沙尘通报"
    assert not [w for w in at.text_input if str(w.key).startswith("events_")]
    assert "只有分析员可以标记或删除例外事件" in texts(at)


def test_analyst_flags_and_removes_an_event(private_app: Callable[..., AppTest], with_event: Engine) -> None:
    at = _quality(private_app, ANALYST)
    assert_clean(at)
    at.date_input(key="events_first").set_value(dt.date(2026, 4, 2))
    at.date_input(key="events_last").set_value(dt.date(2026, 4, 3))
    at.selectbox(key="events_kind").set_value("wildfire")
    at.text_input(key="events_reason").input("山火烟羽（市局通报）")
    _submit(at, "标记")
    assert_clean(at)
    found = events.list_events(with_event)
    assert [(e.first_day, e.kind, e.flagged_by) for e in found][-1] == (dt.date(2026, 4, 2), "wildfire", "wang")
    assert any("已标记例外事件" in s.value for s in at.success)

    # an overlapping range is refused in one line, nothing written
    at.date_input(key="events_first").set_value(dt.date(2026, 4, 3))
    at.date_input(key="events_last").set_value(dt.date(2026, 4, 5))
    at.text_input(key="events_reason").input("重复")
    _submit(at, "标记")
    assert any("重叠" in e.value for e in at.error) and len(events.list_events(with_event)) == 2

    new_id = found[-1].id
    at.selectbox(key="events_remove_id").set_value(new_id)
    at.text_input(key="events_remove_reason").input("复核不属实")
    _submit(at, "删除")
    assert_clean(at)
    gone = events.get_event(with_event, new_id)
    assert gone is not None and gone.removed_by == "wang" and gone.removed_reason == "复核不属实"

    # the list shows the events in effect; 含已删除的事件 lists the removed one too, with who removed it
    def listed(at: AppTest) -> list[Any]:
        return next(f for f in table_frames(at) if "标记人" in f.columns)["编号"].tolist()
    assert new_id not in listed(at)
    choice = at.radio(key="events_show_removed")
    assert choice.options == ["有效的事件", "含已删除的事件"]
    choice.set_value(True).run()
    assert_clean(at)
    assert new_id in listed(at)
    removed = next(f for f in table_frames(at) if "标记人" in f.columns).set_index("编号").loc[new_id]
    assert removed["删除人"] == "wang"


def _submit(at: AppTest, label: str) -> Any:
    for button in at.button:
        if str(button.label) == label:
            return button.click().run()
    raise AssertionError(f"no button {label!r}: {[b.label for b in at.button]}")


def test_rankings_in_english(private_app: Callable[..., AppTest], with_event: Engine) -> None:
    at = private_app("rankings", lang="en")
    assert_clean(at)
    assert "Events deducted (µg/m³)" in table_frames(at)[0].columns
    page = texts(at)
    assert "leave out 3 days (sand and dust 2026-03-14–03-16); the valid days required fall by 3" in page
    assert "exceptional events included: 3 days (sand and dust 2026-03-14–03-16), not deducted" in page
