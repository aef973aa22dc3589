"""The plan's status rules: a work measure's deadline and the status in force, an indicator's state.

One status language (the words are in monitoring/labels/plan.py and analytics.py):

- an **entered 附4 indicator** is judged with the verdict's "so far" words
  (``rules/verdict.py``: meets / exceeds / incomplete — 累计达标 / 累计超标 / 数据不足);
  without a value it is ``not_entered`` (尚未录入), with a target in words ``no_target``
  (定性目标): missing input or no verdict, never a failure;
- a **work measure** has the status an analyst set — not_started / in_progress / done / late
  (未开始 / 进行中 / 已完成 / 滞后), a workflow state, not a verdict on a figure. One nobody
  has reported on is ``unreported`` (未填报), not "not started": on 1 December 179
  measures "未开始" read as a failure when nothing had been entered.

Pure functions: no I/O, no storage; monitoring.plan feeds them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from monitoring.rules import verdict

#: The statuses an analyst sets on a measure.
TASK_STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done", "late")
#: A measure nobody has reported on yet (未填报): a status to filter by, never one to set.
UNREPORTED = "unreported"
#: Every status a measure can show, in display order.
SHOWN_TASK_STATUSES: tuple[str, ...] = (UNREPORTED, *TASK_STATUSES)

#: What the indicator table says about a row: why there is no verdict, or the verdict.
INDICATOR_STATES: tuple[str, ...] = ("not_entered", "unavailable", "no_target", *verdict.STATUSES)


def as_number(value: object) -> float | None:
    """A cell as a float, or None when it is empty, NaN or not a number."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


# -- work measures ------------------------------------------------------------------------


def due_date(kind: str, end_month: int | None, year: int) -> dt.date | None:
    """The last day a measure may be done: 年底前 → 31 December; "6-9月" → the end of
    the month read from the deadline; 长期实施 / 持续推进 (open-ended) → None."""
    if kind == "year_end":
        return dt.date(year, 12, 31)
    if kind == "months" and end_month:
        return dt.date(year, end_month, calendar.monthrange(year, end_month)[1])
    return None


def is_overdue(status: str, due: dt.date | None, as_of: dt.date) -> bool:
    """Not done and past its deadline (an unreported measure counts: nobody said it is done)."""
    return status != "done" and due is not None and as_of > due


def needs_attention(status: str, overdue: bool) -> bool:
    """Listed as 逾期或滞后: past its deadline and not done, or marked 滞后 by an analyst."""
    return bool(overdue) or status == "late"


def in_force(history: pd.DataFrame, key: str, as_of: dt.date | None) -> pd.DataFrame:
    """The row in force per ``key`` on ``as_of``: the latest ``day`` on or before it, the
    latest entry (highest ``id``) on a tie. Every entry is kept; none is overwritten."""
    if history.empty:
        return history
    rows = history if as_of is None else history[[d <= as_of for d in history["day"]]]
    if rows.empty:
        return rows
    return rows.sort_values(["day", "id"]).groupby(key, sort=False).tail(1)


# -- 附4 indicators -----------------------------------------------------------------------


def entered_status(direction: str | None, target: float | None, value: float | None) -> verdict.Status:
    """The verdict "so far" of an entered value: meets / exceeds (on the wrong side of the
    target, whichever the direction) / incomplete (no value, or a target in words)."""
    if direction not in ("at_most", "at_least") or target is None:
        return "incomplete"
    return verdict.so_far(value, float(target), complete=value is not None,
                          direction="at_least" if direction == "at_least" else "at_most")


def indicator_state(row: Mapping[str, Any] | pd.Series) -> str:
    """What the indicator table says about a row: its status, or why it has none.

    ``not_entered`` (尚未录入: an entered indicator without a value), ``unavailable`` (a
    measured one that could not be computed), ``no_target`` (a value against a target in
    words), otherwise the status (meets / exceeds / incomplete)."""
    if row["source"] == "entered" and as_number(row["value"]) is None:
        return "not_entered"
    if row["source"] == "measured" and row.get("note") and as_number(row["value"]) is None:
        return "unavailable"
    if as_number(row["target"]) is None and as_number(row["value"]) is not None:
        return "no_target"
    return str(row["status"])
