"""GB 3095-2012 validity thresholds at their edges."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring.rules import validity as v


def test_day_needs_twenty_hours(targets) -> None:  # type: ignore[no-untyped-def]
    need = targets.validity(dt.date(2026, 1, 1)).daily_min_hours
    assert need == 20
    assert not v.day_is_valid(19, need)
    assert v.day_is_valid(20, need)
    assert v.day_is_valid(None, need)  # a day given as a daily value
    mask = v.valid_mask(pd.Series([19, 20, 24, None], dtype="Float64"), need)
    assert mask.tolist() == [False, True, True, True]


def test_o3_daily_max_needs_windows(targets) -> None:  # type: ignore[no-untyped-def]
    need = targets.validity(dt.date(2026, 1, 1)).o3_daily_min_windows
    assert not v.o3_day_is_valid(need - 1, need)
    assert v.o3_day_is_valid(need, need)
    assert not v.o3_day_is_valid(None, need)


def test_month_thresholds_february(targets) -> None:  # type: ignore[no-untyped-def]
    val = targets.validity(dt.date(2026, 1, 1))
    feb = v.required_days(dt.date(2026, 2, 1), dt.date(2026, 2, 28), val)
    assert (feb.kind, feb.required, feb.days) == ("month", 25, 28)
    jan = v.required_days(dt.date(2026, 1, 1), dt.date(2026, 1, 31), val)
    assert (jan.kind, jan.required) == ("month", 27)
    values = pd.Series([30.0] * 25 + [float("nan")] * 3)
    assert v.mean_of_valid(values, feb).complete
    assert not v.mean_of_valid(pd.Series([30.0] * 24 + [float("nan")] * 4), feb).complete
    assert v.mean_of_valid(pd.Series([30.0] * 27), jan).complete
    assert not v.mean_of_valid(pd.Series([30.0] * 26), jan).complete


def test_year_and_periods_in_progress(targets) -> None:  # type: ignore[no-untyped-def]
    val = targets.validity(dt.date(2026, 1, 1))
    year = v.required_days(dt.date(2026, 1, 1), dt.date(2026, 12, 31), val)
    assert (year.kind, year.required, year.days) == ("year", 324, 365)
    ytd = v.required_days(dt.date(2026, 1, 1), dt.date(2026, 3, 31), val)
    assert ytd.kind == "year_to_date" and ytd.days == 90 and ytd.required == 80  # ceil(324·90/365) = ceil(79.9)
    part = v.required_days(dt.date(2026, 3, 1), dt.date(2026, 3, 10), val)
    assert part.kind == "month_in_progress" and part.required == 9  # ceil(27·10/31) = ceil(8.7)


def test_mean_of_valid_counts_days() -> None:
    rule = v.PeriodRule(days=3, required=2, kind="period", text="")
    res = v.mean_of_valid(pd.Series([10.0, float("nan"), 20.0]), rule)
    assert res.mean == 15.0 and res.valid_days == 2 and res.complete
    empty = v.mean_of_valid(pd.Series([float("nan")]), rule)
    assert empty.mean is None and not empty.complete and empty.completeness == 0.0


def test_days_needed_and_enough_days() -> None:
    # finished: the validity threshold; in progress: at least min_days_so_far too
    assert v.days_needed(324, over=True, min_days_so_far=10) == 324
    assert v.days_needed(5, over=False, min_days_so_far=10) == 10
    assert v.days_needed(40, over=False, min_days_so_far=10) == 40
    assert v.enough_days(10, 10) and not v.enough_days(9, 10)
    assert not v.enough_days(0, 0)  # no valid day is never enough


def test_masks_take_a_threshold_per_row() -> None:
    # the rule in force can change mid-period: each day brings its own threshold
    n = pd.Series([19, 19, None], dtype="Float64")
    assert v.valid_mask(n, pd.Series([20, 18, 20])).tolist() == [False, True, True]
    assert v.o3_valid_mask(pd.Series([13, 14, None]), pd.Series([14, 14, 14])).tolist() == [False, True, False]


def test_required_after_deductions_never_below_one_day() -> None:
    assert v.required_after(324, 10) == 314
    assert v.required_after(5, 10) == 1
