"""Where a period stands on a day (monitoring.rules.periods): edges of each state."""

from __future__ import annotations

import datetime as dt

from monitoring.rules import periods

D = dt.date
JAN1, DEC31 = D(2026, 1, 1), D(2026, 12, 31)


def test_period_span_through_before_the_end_is_to_date_and_never_before_first() -> None:
    assert periods.period_span(JAN1, DEC31, None, D(2027, 3, 1), through=D(2026, 6, 30)) == (D(2026, 6, 30), "to_date")
    assert periods.period_span(D(2026, 3, 1), DEC31, None, D(2027, 3, 1), through=D(2026, 2, 1)) == (D(2026, 3, 1), "to_date")


def test_period_span_over_once_the_end_has_passed_or_through_reaches_it() -> None:
    assert periods.period_span(JAN1, DEC31, D(2026, 12, 20), D(2027, 1, 1)) == (DEC31, "over")
    assert periods.period_span(JAN1, DEC31, D(2026, 12, 20), DEC31) == (D(2026, 12, 20), "to_date")  # the last day itself: running
    assert periods.period_span(JAN1, DEC31, None, D(2026, 5, 1), through=DEC31) == (DEC31, "over")


def test_period_span_in_progress_runs_to_the_last_data_or_today_inside_the_period() -> None:
    today = D(2026, 5, 10)
    assert periods.period_span(JAN1, DEC31, D(2026, 5, 8), today) == (D(2026, 5, 8), "to_date")
    assert periods.period_span(JAN1, DEC31, None, today) == (today, "to_date")
    assert periods.period_span(D(2026, 6, 1), DEC31, D(2026, 5, 8), today) == (D(2026, 6, 1), "to_date")  # clamped to first


def test_month_state_edges() -> None:
    today = D(2026, 5, 10)
    kw = {"period_over": False, "period_last": today}
    assert periods.month_state(D(2026, 4, 1), D(2026, 4, 30), today, **kw) == "over"
    assert periods.month_state(D(2026, 5, 1), D(2026, 5, 31), today, **kw) == "in_progress"
    assert periods.month_state(D(2026, 5, 11), D(2026, 5, 31), today, **kw) == "future"
    assert periods.month_state(D(2026, 5, 10), D(2026, 5, 31), today, **kw) == "in_progress"
    # a period ended by "through" closes its months up to that day
    assert periods.month_state(D(2026, 5, 1), D(2026, 5, 31), today, period_over=True, period_last=DEC31) == "over"
    assert periods.month_state(D(2026, 6, 1), D(2026, 6, 30), today, period_over=True, period_last=D(2026, 5, 31)) == "future"


def test_year_over_and_complete() -> None:
    assert periods.year_over(DEC31, DEC31, D(2026, 12, 31))
    assert periods.year_over(DEC31, D(2026, 11, 30), D(2027, 1, 1))  # last days without data: still over
    assert not periods.year_over(DEC31, D(2026, 11, 30), DEC31)
    assert not periods.year_over(DEC31, None, D(2027, 6, 1))
    assert periods.is_complete(324, 324, over=True)
    assert not periods.is_complete(323, 324, over=True)
    assert not periods.is_complete(365, 324, over=False)


def test_data_through() -> None:
    assert periods.data_through(DEC31, DEC31)
    assert not periods.data_through(D(2026, 12, 30), DEC31)
    assert not periods.data_through(None, DEC31)
