"""The plan's status rules (monitoring.rules.plan_status), called directly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from monitoring import i18n
from monitoring.rules import plan_status, verdict

D = dt.date


def test_due_dates() -> None:
    assert plan_status.due_date("year_end", None, 2026) == D(2026, 12, 31)
    assert plan_status.due_date("months", 9, 2026) == D(2026, 9, 30)
    assert plan_status.due_date("months", 2, 2028) == D(2028, 2, 29)  # a leap year's February
    assert plan_status.due_date("months", None, 2026) is None  # no month read: no deadline
    assert plan_status.due_date("ongoing", None, 2026) is None  # 长期实施 / 持续推进


def test_overdue_is_not_done_after_the_deadline() -> None:
    due = D(2026, 9, 30)
    assert not plan_status.is_overdue("in_progress", due, D(2026, 9, 30))  # the last day is still in time
    assert plan_status.is_overdue("in_progress", due, D(2026, 10, 1))
    assert plan_status.is_overdue(plan_status.UNREPORTED, due, D(2026, 10, 1))
    assert not plan_status.is_overdue("done", due, D(2027, 1, 1))
    assert not plan_status.is_overdue("late", None, D(2027, 1, 1))  # open-ended: never overdue


def test_attention_is_overdue_or_marked_late() -> None:
    assert plan_status.needs_attention("late", False)
    assert plan_status.needs_attention("in_progress", True)
    assert not plan_status.needs_attention("in_progress", False)
    assert not plan_status.needs_attention(plan_status.UNREPORTED, False)


def test_in_force_is_the_latest_day_on_or_before_then_the_latest_entry() -> None:
    history = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "key": ["a", "a", "a", "b", "b"],
            "day": [D(2026, 3, 1), D(2026, 6, 1), D(2026, 6, 1), D(2026, 8, 1), D(2026, 2, 1)],
            "value": [10, 20, 21, 30, 5],
        }
    )
    on = plan_status.in_force(history, "key", D(2026, 7, 1)).set_index("key")["value"].to_dict()
    assert on == {"a": 21, "b": 5}  # 3 beats 2 on the same day; b's August entry is not yet in force
    assert plan_status.in_force(history, "key", D(2026, 1, 1)).empty
    assert plan_status.in_force(history, "key", None).set_index("key")["value"].to_dict() == {"a": 21, "b": 30}
    assert plan_status.in_force(history.iloc[:0], "key", D(2026, 7, 1)).empty


@pytest.mark.parametrize(
    ("direction", "target", "value", "expected"),
    [
        ("at_most", 10.0, 10.0, "meets"),
        ("at_most", 10.0, 10.5, "exceeds"),
        ("at_least", 35.0, 35.0, "meets"),
        ("at_least", 35.0, 30.0, "exceeds"),  # on the wrong side of an at-least target
        ("at_least", 35.0, None, "incomplete"),  # no value: no verdict
        (None, None, 3.0, "incomplete"),  # a target in words
        ("at_most", None, 3.0, "incomplete"),
    ],
)
def test_entered_status_uses_the_verdict_words(direction: str | None, target: float | None, value: float | None,
                                               expected: str) -> None:
    status = plan_status.entered_status(direction, target, value)
    assert status == expected and status in verdict.STATUSES


def test_indicator_state_tells_missing_input_from_a_verdict() -> None:
    base = {"source": "entered", "value": None, "target": 35.0, "status": "incomplete", "note": ""}
    assert plan_status.indicator_state(base) == "not_entered"
    assert plan_status.indicator_state({**base, "value": float("nan")}) == "not_entered"
    assert plan_status.indicator_state({**base, "value": 40.0, "status": "meets"}) == "meets"
    assert plan_status.indicator_state({**base, "value": 3.0, "target": None}) == "no_target"
    measured = {**base, "source": "measured", "note": "no readings"}
    assert plan_status.indicator_state(measured) == "unavailable"
    assert plan_status.indicator_state({**measured, "note": ""}) == "incomplete"
    assert set(plan_status.INDICATOR_STATES) >= set(verdict.STATUSES)


def test_every_status_has_its_words_and_not_entered_is_not_a_failure() -> None:
    for code in plan_status.SHOWN_TASK_STATUSES:
        assert i18n.t(f"plan.task_status.{code}", "zh") != f"plan.task_status.{code}"
    assert i18n.t(f"plan.task_status.{plan_status.UNREPORTED}", "zh") == "未填报"
    assert i18n.t("plan.state.not_entered", "zh") == "尚未录入"
    assert plan_status.UNREPORTED not in plan_status.TASK_STATUSES  # filtered by, never set


def test_as_number() -> None:
    assert plan_status.as_number("3.5") == 3.5
    assert plan_status.as_number(None) is None
    assert plan_status.as_number(float("nan")) is None
    assert plan_status.as_number("n/a") is None
