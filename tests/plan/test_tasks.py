"""Key tasks: the parsed counts, unit aliases, the overdue rule, audited status changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from monitoring import plan
from monitoring.actors import Actor
from monitoring.errors import InputError, PermissionDenied
from monitoring.storage.schema import task_status_changes
from monitoring.targets import Targets

ANALYST = Actor("wang", "analyst")
VIEWER = Actor("leader", "viewer")
TODAY = dt.date(2026, 11, 20)


def _changes(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(task_status_changes)).scalar_one())


def test_counts_equal_the_document() -> None:
    tasks = plan.load_tasks()
    # 附1 37 tasks / 90 measures, 附2 30 / 58, 附3 11 / 31 (data/plan_2026_tasks.md, hand count).
    per_annex = {a: (g["task_no"].nunique(), len(g)) for a, g in tasks.groupby("annex")}
    assert per_annex == {1: (37, 90), 2: (30, 58), 3: (11, 31)}
    assert len(tasks) == 179
    assert tasks["measure_id"].is_unique


def test_unit_spellings_are_merged() -> None:
    assert plan.canonical_units("区城管委；区生态环境局") == ["区城市管理委", "区生态环境局"]
    assert plan.canonical_units("区城管委（区水务局）") == ["区城市管理委", "区水务局"]
    units = plan.all_units()
    for variant in ("区城管委", "区经促局", "区机关服务中心"):
        assert variant not in units
    assert plan.resolve_unit("区经促局") == "区经济促进局"
    assert plan.resolve_unit("生态环境局") == "区生态环境局"
    with pytest.raises(InputError):
        plan.resolve_unit("区不存在局")


def test_unit_filter_includes_the_alias_spelling(make_db: Callable[..., Engine], targets: Targets) -> None:
    engine = make_db()
    rows = plan.tasks_table(engine, targets, as_of=TODAY, unit="区城市管理委")
    assert "1-30-1" in set(rows["measure_id"])  # written 区城管委 in the plan
    assert "3-06-2" in set(rows["measure_id"])  # written 区城管委（区水务局）
    assert "3-06-2" in set(plan.tasks_table(engine, targets, as_of=TODAY, unit="区水务局")["measure_id"])
    # a named subdistrict office also gets the measures of 各街道办事处
    zhanlan = plan.tasks_table(engine, targets, as_of=TODAY, unit="展览路街道办事处")
    assert "1-01-1" in set(zhanlan["measure_id"])
    summary = plan.lead_unit_summary(plan.tasks_table(engine, targets, as_of=TODAY))
    assert "区城管委" not in set(summary["lead_unit"])
    assert (summary["total"] == summary[list(plan.SHOWN_STATUSES)].sum(axis=1)).all()


def test_overdue_at_year_end_and_after_september(make_db: Callable[..., Engine], targets: Targets) -> None:
    engine = make_db()
    on = {d: plan.tasks_table(engine, targets, as_of=d).set_index("measure_id") for d in (
        dt.date(2026, 9, 30), dt.date(2026, 10, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1))}
    # 1-05-1 is the only 6-9月 measure: due 30 September.
    assert not on[dt.date(2026, 9, 30)].loc["1-05-1", "overdue"]
    assert on[dt.date(2026, 10, 1)].loc["1-05-1", "overdue"]
    assert on[dt.date(2026, 10, 1)]["overdue"].sum() == 1
    # 年底前: overdue once the year has ended; 长期实施 / 持续推进 never.
    assert not on[dt.date(2026, 12, 31)].loc["1-02-1", "overdue"]
    after = on[dt.date(2027, 1, 1)]
    assert after.loc["1-02-1", "overdue"]
    assert after["overdue"].sum() == 144 + 1
    assert not after[after["deadline_kind"].isin(["long_term", "ongoing"])]["overdue"].any()
    # done is never overdue
    plan.set_task_status(engine, "1-02-1", "已完成", "done in June", dt.date(2026, 6, 30), ANALYST, targets=targets, today=TODAY)
    later = plan.tasks_table(engine, targets, as_of=dt.date(2027, 1, 1)).set_index("measure_id")
    assert not later.loc["1-02-1", "overdue"]
    assert "1-02-1" not in set(plan.overdue_tasks(later.reset_index())["measure_id"])


def test_status_changes_are_audited(make_db: Callable[..., Engine], targets: Targets) -> None:
    engine = make_db()
    plan.set_task_status(engine, "1-03-2", "in_progress", "started", dt.date(2026, 3, 1), ANALYST, targets=targets, today=TODAY)
    plan.set_task_status(engine, "1-03-2", "滞后", "supplier late", dt.date(2026, 8, 1), Actor("li", "analyst"),
                         targets=targets, today=TODAY)
    history = plan.task_history(engine, "1-03-2")
    assert list(history["status"]) == ["late", "in_progress"]  # newest first, nothing overwritten
    assert list(history["set_by"]) == ["li", "wang"]
    assert list(history["note"]) == ["supplier late", "started"]
    table = plan.tasks_table(engine, targets, as_of=TODAY).set_index("measure_id")
    assert table.loc["1-03-2", "status"] == "late" and table.loc["1-03-2", "set_by"] == "li"
    # as of an earlier day, the status then in force
    earlier = plan.tasks_table(engine, targets, as_of=dt.date(2026, 5, 1)).set_index("measure_id")
    assert earlier.loc["1-03-2", "status"] == "in_progress"
    assert plan.tasks_table(engine, targets, as_of=TODAY, status="滞后")["measure_id"].tolist() == ["1-03-2"]
    # 1-05-1 (6-9月) is past September; 1-03-2 is marked late
    assert plan.overdue_tasks(plan.tasks_table(engine, targets, as_of=TODAY))["measure_id"].tolist() == ["1-03-2", "1-05-1"]


@pytest.mark.parametrize(
    ("measure", "status", "day", "words"),
    [
        ("9-99-9", "done", dt.date(2026, 5, 1), "not in the plan"),
        ("1-03-2", "finished", dt.date(2026, 5, 1), "unknown status"),
        ("1-03-2", "done", dt.date(2025, 12, 31), "2026-01-01"),
        ("1-03-2", "done", dt.date(2026, 12, 1), "today"),
        ("1-03-2", "done", "2026-13-01", "not a date"),
    ],
)
def test_bad_status_input_is_refused_and_changes_nothing(
    make_db: Callable[..., Engine], targets: Targets, measure: str, status: str, day: object, words: str
) -> None:
    engine = make_db()
    with pytest.raises(InputError) as info:
        plan.set_task_status(engine, measure, status, "", day, ANALYST, targets=targets, today=TODAY)  # type: ignore[arg-type]
    assert words in str(info.value)
    assert info.value.message_zh and info.value.hint
    assert _changes(engine) == 0


def test_only_analysts_set_statuses(make_db: Callable[..., Engine], targets: Targets) -> None:
    engine = make_db()
    with pytest.raises(PermissionDenied):
        plan.set_task_status(engine, "1-03-2", "done", "", dt.date(2026, 5, 1), VIEWER, targets=targets, today=TODAY)
    with pytest.raises(PermissionDenied):
        plan.set_task_status(engine, "1-03-2", "done", "", dt.date(2026, 5, 1), None, targets=targets, today=TODAY)
    assert _changes(engine) == 0
