"""Where a period stands on a given day: over, to date, in progress or still to come.

Pure functions of dates (``today`` is passed in, never read here), so each is tested
directly; reports pass ``timeutil.today_beijing()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

PeriodState = Literal["over", "to_date"]
MonthState = Literal["over", "in_progress", "future"]


def period_span(
    first: dt.date, end: dt.date, last_data: dt.date | None, today: dt.date, *, through: dt.date | None = None
) -> tuple[dt.date, PeriodState]:
    """The last day judged and the state of the period ``first … end``.

    - ``through`` before ``end``: to date through it (never before ``first``);
    - ``through`` at or past ``end``, or ``end`` already past: over, through ``end``;
    - otherwise in progress: to date through the last day with data (or today), kept
      inside ``first … end``."""
    if through is not None and through < end:
        return max(through, first), "to_date"
    if through is not None or end < today:
        return end, "over"
    last = last_data if last_data is not None else today
    return min(max(last, first), end), "to_date"


def month_state(
    m_first: dt.date, m_end: dt.date, today: dt.date, *, period_over: bool, period_last: dt.date
) -> MonthState:
    """A calendar month of the year shown: over once it has ended (or the period is over and
    reaches its end), in progress when it has begun, future otherwise."""
    if m_end < today or (period_over and m_end <= period_last):
        return "over"
    if m_first <= today:
        return "in_progress"
    return "future"


def year_over(year_end: dt.date, last_data: dt.date | None, today: dt.date) -> bool:
    """A year is over when its data reach 31 December, or when that day has passed (a year
    whose last days have no data is still over; the year in progress never is)."""
    return last_data == year_end or (last_data is not None and today > year_end)


def is_complete(valid_days: int, required: int, *, over: bool) -> bool:
    """A finished period with its validity threshold of valid days: a month counted as
    complete, a year entering a multi-year statistic (trend test, moving average, backtest)."""
    return over and valid_days >= required


def data_through(last_data: dt.date | None, day: dt.date) -> bool:
    """The data reach ``day`` (a year's moving average waits for data through 31 December)."""
    return last_data is not None and last_data >= day
