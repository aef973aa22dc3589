"""The annual PM2.5 budget's shared parts: the seasonal profile of past years, the budget
row of one place (mean so far, required rest, projection, verdict), and the projection's
method text. Budget, progress, ranking, district and backtest all build on these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.common import _nan, _r, _validity_segments
from monitoring.rules import budget as budget_rules
from monitoring.rules import verdict
from monitoring.rules.rounding import is_missing as _is_missing
from monitoring.storage import queries
from monitoring.targets import Targets

BUDGET_COLUMNS = [
    "subdistrict", "code", "target", "ytd_mean", "valid_days", "required_days", "remaining_days", "required_rest_mean",
    "cannot_meet", "best_possible_mean", "best_gap", "projection", "projection_low", "projection_high",
    "non_good_days", "non_good_days_left", "heavy_days", "heavy_days_left", "status", "outlook",
]


def _monthly_sums(engine: Engine, targets: Targets, first: dt.date, last: dt.date, exclude_events: bool) -> pd.DataFrame:
    parts = [
        queries.district_monthly_sums(
            engine, f, la, "pm25", targets.validity(f).daily_min_hours, exclude_events=exclude_events
        )
        for f, la in _validity_segments(targets, first, last)
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["year", "month", "total", "n"])
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts).groupby(["year", "month"], as_index=False)[["total", "n"]].sum()


#: A month counts with at least half of its days, so one station's gap does not bend the profile.
_PROFILE_MIN_DAYS = 15


def seasonal_profile(engine: Engine, targets: Targets, year: int, exclude_events: bool = False) -> budget_rules.Profile:
    """The district PM2.5 seasonal profile of the years before ``year`` held in the database
    (the most recent ``status_rules.seasonal_profile_years`` with every month; demo data
    left out): monthly sums from the database, not every daily row."""
    n_years = targets.status_rules.seasonal_profile_years
    last = dt.date(year - 1, 12, 31)
    # the most recent years first (one spare for a gap); all years only when they fall short
    window_first = dt.date(max(year - n_years - 1, 1), 1, 1)
    profile = budget_rules.profile_from_monthly(
        _monthly_sums(engine, targets, window_first, last, exclude_events), n_years, year, _PROFILE_MIN_DAYS
    )
    if len(profile.years) < n_years:
        held = queries.available_years(engine)
        if held and held[-1] < window_first.year:
            profile = budget_rules.profile_from_monthly(
                _monthly_sums(engine, targets, dt.date(held[-1], 1, 1), last, exclude_events), n_years, year, _PROFILE_MIN_DAYS
            )
    return profile


#: Where a report gets the seasonal profile: called only when needed (the dashboard passes
#: its cached one, computed once per year and events setting for all pages).
ProfileSource = Callable[[], budget_rules.Profile]


def _profile_source(
    engine: Engine, targets: Targets, year: int, exclude_events: bool, given: ProfileSource | None
) -> ProfileSource:
    return given if given is not None else (lambda: seasonal_profile(engine, targets, year, exclude_events))


def _budget_row(
    days_values: pd.DataFrame,
    through: dt.date,
    target: float | None,
    profile: budget_rules.Profile,
    targets: Targets,
    *,
    year_over: bool,
    complete: bool,
) -> dict[str, Any]:
    """The budget of one place: its annual mean so far, what the rest may average, the
    projection with its interval, and the verdict (``rules.verdict``): ``status`` so far and
    the year-end ``outlook``."""
    rules = targets.status_rules
    n = len(days_values)
    total = float(days_values["value"].sum()) if n else 0.0
    ytd = _r(total / n if n else None, "pm25", targets)
    remaining = 0 if year_over else budget_rules.remaining_days(through)
    required = verdict.required_rest(total, n, remaining, target)
    proj = low = high = None
    if budget_rules.can_project(n, year_over=year_over, min_days=int(rules.min_days_for_projection)):
        proj, low, high = budget_rules.project(days_values, through, profile, rules.projection_spread)
    proj, low, high = _r(proj, "pm25", targets), _r(low, "pm25", targets), _r(high, "pm25", targets)
    status = verdict.so_far(ytd, target, complete=complete)
    outlook = verdict.pm25_outlook(
        year_over=year_over, status=status, valid_days=n, required=required, projection=proj, low=low, high=high,
        ytd_mean=ytd, target=target, rules=rules,
    )
    return {
        "target": _nan(target),
        "ytd_mean": _nan(ytd),
        "valid_days": n,
        "remaining_days": remaining,
        "required_rest_mean": _nan(_r(required.mean, "pm25", targets)),
        "cannot_meet": required.cannot_meet,
        "best_possible_mean": _nan(_r(required.best_possible, "pm25", targets)),
        "best_gap": _nan(_r(required.best_gap, "pm25", targets)),
        "projection": _nan(proj),
        "projection_low": _nan(low),
        "projection_high": _nan(high),
        "status": status,
        "outlook": outlook,
    }


def required_text(row: dict[str, Any]) -> tuple[str, str]:
    """The required rest-of-year mean in words: a number, or that the target can no longer
    be met this year and by how much the year exceeds it at best."""
    if row.get("cannot_meet"):
        return (
            f"今年已无法实现：即使余下各天均为 0，全年至少 {row['best_possible_mean']:g}，高于目标 {row['best_gap']:g}",
            f"can no longer be met this year: even at zero for the rest, the year ends at {row['best_possible_mean']:g} at best, "
            f"{row['best_gap']:g} above the target",
        )
    value = row.get("required_rest_mean")
    if value is None or _is_missing(value):
        return "", ""
    return f"余下各天需日均 ≤ {value:g}", f"the rest of the year must average ≤ {value:g}"


def projection_method(targets: Targets, profile: budget_rules.Profile) -> tuple[str, str]:
    """How the projection and its interval are made (cites the backtest)."""
    rules = targets.status_rules
    years = "、".join(str(y) for y in profile.years) or "无"
    years_en = ", ".join(str(y) for y in profile.years) or "none"
    old = budget_rules.profile_is_dated(profile, targets.year, rules.profile_dated_after_years)
    zh = f"年末预测：往年（{years}）各月浓度与其年均值之比的季节曲线，乘以今年累计水平"
    en = f"projection: the monthly profile of past years ({years_en}) normalised to each year's mean, applied to this year's level"
    if old:
        zh += "（库中没有近年完整年份，季节曲线取自内置的历史监测数据，冬季偏重，预测可能偏高）"
        en += " (no recent complete year in the store: the profile comes from the embedded history, whose winters were dirtier; projections may run high)"
    if rules.projection_spread is not None:
        cov = f"{rules.projection_coverage * 100:.0f}%" if rules.projection_coverage else ""
        zh += f"；区间：余下天数均值的相对误差 {rules.projection_spread:g}（剩一个月时，按月数的四次方根缩小）"
        en += f"; interval: ± the rest-of-year mean's relative error {rules.projection_spread:g} (one month left, shrinking with the fourth root of the months left)"
        if cov:
            zh += f"，回测覆盖率 {cov}"
            en += f", backtest coverage {cov}"
        if rules.projection_calibration:
            zh += f"（{rules.projection_calibration}）"
        if rules.projection_calibration_en:
            en += f" ({rules.projection_calibration_en})"
    else:
        zh += "；高低值取各年曲线的最大和最小"
        en += "; low/high from each past year's own profile"
    return zh, en
