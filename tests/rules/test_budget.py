"""The year-end budget: required rest-of-year mean, days left, projection, status."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from monitoring.rules import budget


def test_non_good_days_allowed() -> None:
    assert budget.allowed_non_good_days(2026, 78) == 80  # 365 − ceil(284.7)
    assert budget.allowed_non_good_days(2028, 78) == 80  # 366 − ceil(285.48)
    assert budget.allowed_non_good_days(2026, 80) == 73  # 365 − 292 exactly
    b = budget.good_and_heavy_budget(year=2026, non_good=70, heavy=2, good_target=78, heavy_target=3)
    assert b["non_good_days_left"] == 10 and b["heavy_days_left"] == 1
    none = budget.good_and_heavy_budget(year=2026, non_good=70, heavy=2, good_target=None, heavy_target=None)
    assert none["non_good_days_left"] is None and none["heavy_days_left"] is None


def test_remaining_days() -> None:
    assert budget.remaining_days(dt.date(2026, 12, 31)) == 0
    assert budget.remaining_days(dt.date(2026, 11, 21)) == 40


def _year(year: int, monthly: list[float]) -> pd.DataFrame:
    days = [dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    return pd.DataFrame({"day": days, "value": [monthly[d.month - 1] for d in days]})


def test_profile_and_projection() -> None:
    winter = [60.0, 50, 40, 30, 30, 30, 30, 30, 30, 40, 50, 60]
    past = pd.concat([_year(2014, winter), _year(2015, [v * 0.5 for v in winter])])
    prof = budget.seasonal_profile(past, 5, 2026)
    assert prof.years == (2014, 2015)
    assert np.allclose(prof.factors[0], prof.factors[1])  # same shape, different level
    # this year runs exactly at half the 2014 level through November: the projection is
    # the year at that level, i.e. the mean of the profile times the level
    this = _year(2026, [v * 0.5 for v in winter])
    through = dt.date(2026, 11, 30)
    so_far = this[this["day"] <= through]
    proj, low, high = budget.project(so_far, through, prof)
    assert proj is not None and abs(proj - this["value"].mean()) < 1e-9
    assert low == high == proj
    assert budget.project(so_far, through, budget.Profile((), np.zeros((0, 12)))) == (None, None, None)


def test_profile_skips_incomplete_years() -> None:
    part = _year(2013, [50.0] * 12)
    part = part[part["day"] >= dt.date(2013, 3, 1)]
    assert budget.seasonal_profile(part, 5, 2026).empty


def test_interval_from_the_calibrated_spread() -> None:
    winter = [60.0, 50, 40, 30, 30, 30, 30, 30, 30, 40, 50, 60]
    prof = budget.seasonal_profile(_year(2014, winter), 5, 2026)
    this = _year(2026, winter)
    through = dt.date(2026, 11, 30)
    so_far = this[this["day"] <= through]
    proj, low, high = budget.project(so_far, through, prof, spread=0.2)
    assert proj is not None and low is not None and high is not None
    half = 0.2 * (30 / 31) ** 0.25 * 60 * 31 / 365  # 31 days left at 60
    assert abs((high - proj) - half) < 1e-9 and abs((proj - low) - half) < 1e-9
    assert budget.projected_rest_mean(so_far, through, prof) == pytest.approx(60.0)
    # the interval narrows as the year goes on
    early = dt.date(2026, 3, 31)
    _, lo2, hi2 = budget.project(this[this["day"] <= early], early, prof, spread=0.2)
    assert hi2 - lo2 > high - low  # type: ignore[operator]


def test_can_project_needs_a_running_year_and_enough_days() -> None:
    assert budget.can_project(30, year_over=False, min_days=30)
    assert not budget.can_project(29, year_over=False, min_days=30)
    assert not budget.can_project(300, year_over=True, min_days=30)


def test_interval_covers_ends_included_scalars_and_series() -> None:
    assert budget.interval_covers(30.0, 30.0, 32.0) and budget.interval_covers(30.0, 32.0, 32.0)
    assert not budget.interval_covers(30.0, 32.1, 32.0)
    mask = budget.interval_covers(pd.Series([1.0, 1.0, np.nan]), pd.Series([0.5, 1.5, 1.0]), pd.Series([2.0, 2.0, 2.0]))
    assert mask.tolist() == [False, True, False]


def test_profile_is_dated() -> None:
    profile = budget.Profile((2014, 2015, 2016), np.ones((3, 12)))
    assert budget.profile_is_dated(profile, 2026, 3)
    assert not budget.profile_is_dated(budget.Profile((2023,), np.ones((1, 12))), 2026, 3)
    assert budget.profile_is_dated(budget.Profile((2022,), np.ones((1, 12))), 2026, 3)
    assert not budget.profile_is_dated(budget.Profile((), np.zeros((0, 12))), 2026, 3)
