"""The year-end budget: what the rest of the year may still have for a target to be met.

- Annual mean budget: with S the sum and n the number of valid daily means so far and R
  days left (assumed valid), the annual mean (S + R·x)/(n + R) stays ≤ T when the rest of
  the year averages x ≤ (T·(n + R) − S)/R (``verdict.required_rest``). Negative means the
  target can no longer be met.
- Good days: a ratio ≥ P % of N days needs ceil(P·N/100) good days, so at most
  N − ceil(P·N/100) non-good days (365 days, 78 % → 80); minus those already counted.
- Heavy-pollution days: the target (3) minus those already counted.
- Projection: the seasonal profile of past years (each month's mean over its year's mean,
  years with all 12 months), applied to the year-to-date level: the level is
  ytd_mean / (profile averaged over the days so far), the rest of the year is the level
  × the profile of the days left.
- Interval: ± the calibrated relative error of the rest-of-year mean (``half_width``);
  the backtest (``python -m monitoring backtest``) measures its coverage.
- The status and outlook built on these numbers: ``monitoring.rules.verdict``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def remaining_days(through: dt.date) -> int:
    """Days after ``through`` to the end of its year."""
    return (dt.date(through.year, 12, 31) - through).days


def allowed_non_good_days(year: int, ratio_target_pct: float) -> int:
    n = days_in_year(year)
    good_needed = math.ceil(Fraction(repr(float(ratio_target_pct))) * n / 100)
    return n - good_needed


def good_and_heavy_budget(
    *, year: int, non_good: int, heavy: int, good_target: float | None, heavy_target: float | None
) -> dict[str, Any]:
    """Non-good and heavy days counted so far and left before the targets are missed."""
    allowed = allowed_non_good_days(year, good_target) if good_target is not None else None
    return {
        "non_good_days": int(non_good),
        "non_good_days_allowed": allowed,
        "non_good_days_left": None if allowed is None else allowed - int(non_good),
        "heavy_days": int(heavy),
        "heavy_days_allowed": None if heavy_target is None else int(heavy_target),
        "heavy_days_left": None if heavy_target is None else int(heavy_target) - int(heavy),
    }


@dataclass(frozen=True)
class Profile:
    """Seasonal profile: per year, 12 monthly factors (month mean / year mean)."""

    years: tuple[int, ...]
    factors: np.ndarray  # shape (len(years), 12)

    @property
    def mean(self) -> np.ndarray:
        return self.factors.mean(axis=0) if len(self.years) else np.ones(12)

    @property
    def empty(self) -> bool:
        return len(self.years) == 0


def seasonal_profile(daily: pd.DataFrame, max_years: int, before_year: int, min_days_per_month: int = 1) -> Profile:
    """From a frame of daily values (``day``, ``value``): the monthly profile of the most
    recent ``max_years`` years before ``before_year`` that have every month."""
    if daily.empty:
        return Profile((), np.zeros((0, 12)))
    d = daily.copy()
    d["year"] = [x.year for x in d["day"]]
    d["month"] = [x.month for x in d["day"]]
    d = d[d["year"] < before_year]
    monthly = d.groupby(["year", "month"])["value"].agg(["mean", "size"]).reset_index()
    monthly = monthly[monthly["size"] >= min_days_per_month]
    years = []
    rows = []
    for year, group in monthly.groupby("year"):
        if len(group) < 12:
            continue
        by_month = group.set_index("month")["mean"].reindex(range(1, 13)).to_numpy(dtype="float64")
        # the year's mean as the mean of its valid days, so the factors weigh days alike
        year_mean = float(d.loc[d["year"] == year, "value"].mean())
        if year_mean <= 0:
            continue
        years.append(int(year))
        rows.append(by_month / year_mean)
    order = np.argsort(years)[::-1][:max_years]
    chosen = sorted(years[i] for i in order)
    factors = np.array([rows[years.index(y)] for y in chosen]) if chosen else np.zeros((0, 12))
    return Profile(tuple(chosen), factors)


def profile_from_monthly(monthly: pd.DataFrame, max_years: int, before_year: int, min_days_per_month: int = 1) -> Profile:
    """``seasonal_profile`` from monthly sums (``year``, ``month``, ``total``, ``n``: the sum
    and number of the month's daily values) instead of the daily values: the same years and
    factors, each year's mean being the mean of all its days (Σ total / Σ n)."""
    if monthly.empty:
        return Profile((), np.zeros((0, 12)))
    m = monthly[monthly["year"] < before_year]
    years: list[int] = []
    rows: list[np.ndarray] = []
    for year, group in m.groupby("year", sort=True):
        year_n = int(group["n"].sum())
        counted = group[group["n"] >= min_days_per_month]
        if len(counted) < 12 or year_n == 0:
            continue
        by_month = (counted["total"] / counted["n"]).set_axis(counted["month"].astype(int)).reindex(range(1, 13))
        year_mean = float(group["total"].sum()) / year_n
        if year_mean <= 0:
            continue
        years.append(int(year))
        rows.append(by_month.to_numpy(dtype="float64") / year_mean)
    chosen = sorted(years)[-max_years:] if years else []
    factors = np.array([rows[years.index(y)] for y in chosen]) if chosen else np.zeros((0, 12))
    return Profile(tuple(chosen), factors)


def _factor_over(days: list[dt.date], factors: np.ndarray) -> float:
    if not days:
        return float("nan")
    return float(np.mean([factors[d.month - 1] for d in days]))


def _level_and_rest(ytd: pd.DataFrame, through: dt.date, factors: np.ndarray) -> tuple[float, int, float, int]:
    """(total so far, n, the rest-of-year mean projected with ``factors``, days left)."""
    days_so_far = list(ytd["day"])
    total = float(ytd["value"].sum())
    n = len(days_so_far)
    rest = [through + dt.timedelta(days=i) for i in range(1, remaining_days(through) + 1)]
    level = (total / n) / _factor_over(days_so_far, factors)
    rest_mean = level * _factor_over(rest, factors) if rest else 0.0
    return total, n, rest_mean, len(rest)


def half_width(spread: float, n: int, remaining: int, rest_mean: float) -> float:
    """Half the projection interval of the annual mean: the rest-of-year mean's relative error
    (``spread`` with one month left, shrinking as the fourth root of the months left — months
    average out, but a year's level is persistent: the backtest fits ⁴√ better than √) times
    the rest's share of the year's days."""
    if remaining <= 0:
        return 0.0
    return spread * (30.0 / remaining) ** 0.25 * rest_mean * remaining / (n + remaining)


def project(
    ytd: pd.DataFrame, through: dt.date, profile: Profile, spread: float | None = None
) -> tuple[float | None, float | None, float | None]:
    """(projection, low, high) of the annual mean, from the valid days so far (``day``,
    ``value``) and the profile; None when no profile or no day.

    The central projection uses the mean profile; the interval is ± ``half_width(spread, …)``
    (``spread`` calibrated by the backtest); without ``spread``, low/high use each past
    year's own profile in turn."""
    if profile.empty or ytd.empty:
        return None, None, None
    total, n, rest_mean, r = _level_and_rest(ytd, through, profile.mean)
    central = (total + rest_mean * r) / (n + r)
    if spread is not None:
        h = half_width(spread, n, r, rest_mean)
        return central, central - h, central + h
    each = []
    for i in range(len(profile.years)):
        t_i, n_i, rest_i, r_i = _level_and_rest(ytd, through, profile.factors[i])
        each.append((t_i + rest_i * r_i) / (n_i + r_i))
    return central, min(each + [central]), max(each + [central])


def projected_rest_mean(ytd: pd.DataFrame, through: dt.date, profile: Profile) -> float | None:
    """The mean the rest of the year is projected to have (the backtest compares it with the
    actual rest-of-year mean to calibrate ``spread``)."""
    if profile.empty or ytd.empty or remaining_days(through) <= 0:
        return None
    return _level_and_rest(ytd, through, profile.mean)[2]


def interval_covers(low: Any, value: Any, high: Any) -> Any:
    """Whether ``value`` lies inside the projection interval [low, high] (ends included);
    scalars give a bool, Series an element-wise mask (a missing end never covers)."""
    return (low <= value) & (value <= high)


def can_project(valid_days: int, *, year_over: bool, min_days: int) -> bool:
    """A year-end projection is made for a year still running with at least
    ``status_rules.min_days_for_projection`` valid days (fewer: the outlook is unknown)."""
    return not year_over and valid_days >= min_days


def profile_is_dated(profile: Profile, year: int, max_age: int) -> bool:
    """The seasonal profile's newest year lies more than ``max_age`` years before ``year``
    (``status_rules.profile_dated_after_years``): its method line says so."""
    return bool(profile.years) and max(profile.years) < year - max_age
