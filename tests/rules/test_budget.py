"""The year-end budget: required rest-of-year mean, days left, projection, status."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from monitoring.rules import budget


def test_required_rest_mean_hand_case() -> None:
    # 300 valid days averaging 30 (sum 9000), 65 days left, target 28:
    # (28·365 − 9000) / 65 = (10220 − 9000) / 65 = 18.769…
    assert abs(budget.required_rest_mean(9000.0, 300, 65, 28.0) - 1220 / 65) < 1e-12  # type: ignore[operator]
    assert budget.required_rest_mean(9000.0, 300, 0, 28.0) is None
    assert budget.required_rest_mean(12000.0, 300, 65, 28.0) < 0  # type: ignore[operator]


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


def test_status_rule(targets) -> None:  # type: ignore[no-untyped-def]
    rules = targets.status_rules
    m = rules.at_risk_margin
    kw = {"valid_days": 200, "required": 20.0, "target": 28.0, "ytd_mean": 28.0, "rules": rules}
    assert budget.status(projection=28.0 - m, **kw) == "on_track"
    assert budget.status(projection=28.0, **kw) == "at_risk"
    assert budget.status(projection=28.0 + m, **kw) == "at_risk"
    assert budget.status(projection=28.0 + m + 0.1, **kw) == "off_track"
    assert budget.status(projection=20.0, **{**kw, "required": -1.0}) == "off_track"
    assert budget.status(projection=20.0, **{**kw, "valid_days": rules.min_days_for_projection - 1}) == "unknown"
    assert budget.status(projection=None, **{**kw, "target": None}) == "unknown"
    assert budget.status(projection=None, **{**kw, "ytd_mean": 28.0}, year_over=False) == "at_risk"
