"""The year-end budget: what the rest of the year may still have for a target to be met.

- Annual mean budget: with S the sum and n the number of valid daily means so far and R
  days left (assumed valid), the annual mean (S + R·x)/(n + R) stays ≤ T when the rest of
  the year averages x ≤ (T·(n + R) − S)/R: ``required_rest_mean``. Negative means the
  target can no longer be met.
- Good days: a ratio ≥ P % of N days needs ceil(P·N/100) good days, so at most
  N − ceil(P·N/100) non-good days (365 days, 78 % → 80); minus those already counted.
- Heavy-pollution days: the target (3) minus those already counted.
- Projection: the seasonal profile of past years (each month's mean over its year's mean,
  years with all 12 months), applied to the year-to-date level: the level is
  ytd_mean / (profile averaged over the days so far), the rest of the year is the level
  × the profile of the days left; low/high use each past year's own profile in turn.
- Status (rule in targets.yaml ``status_rules``): ``unknown`` below
  ``min_days_for_projection`` valid days; ``off_track`` when the required rest-of-year
  mean is below zero or the projection exceeds target + at_risk_margin; ``on_track``
  when the projection ≤ target − at_risk_margin; else ``at_risk``.
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


def required_rest_mean(total: float, valid_days: int, remaining: int, target: float) -> float | None:
    """The mean the remaining days may have for the annual mean to stay ≤ target (None when
    no day is left)."""
    if remaining <= 0:
        return None
    return (target * (valid_days + remaining) - total) / remaining


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


def project(
    ytd: pd.DataFrame, through: dt.date, profile: Profile
) -> tuple[float | None, float | None, float | None]:
    """(projection, low, high) of the annual mean, from the valid days so far (``day``,
    ``value``) and the profile; None when no profile or no day."""
    if profile.empty or ytd.empty:
        return None, None, None
    days_so_far = list(ytd["day"])
    total = float(ytd["value"].sum())
    n = len(days_so_far)
    rest = [through + dt.timedelta(days=i) for i in range(1, remaining_days(through) + 1)]

    def one(factors: np.ndarray) -> float:
        level = (total / n) / _factor_over(days_so_far, factors)
        rest_sum = level * _factor_over(rest, factors) * len(rest) if rest else 0.0
        return (total + rest_sum) / (n + len(rest))

    central = one(profile.mean)
    each = [one(profile.factors[i]) for i in range(len(profile.years))]
    return central, min(each + [central]), max(each + [central])


def status(
    *,
    valid_days: int,
    projection: float | None,
    required: float | None,
    target: float | None,
    ytd_mean: float | None,
    rules: Any,
    year_over: bool = False,
) -> str:
    """on_track / at_risk / off_track / unknown (rule in the module docstring)."""
    if target is None or ytd_mean is None:
        return "unknown"
    margin = float(rules.at_risk_margin)
    if year_over:
        return "on_track" if ytd_mean <= target else "off_track"
    if valid_days < int(rules.min_days_for_projection):
        return "unknown"
    if required is not None and required < 0:
        return "off_track"
    value = projection if projection is not None else ytd_mean
    if value > target + margin:
        return "off_track"
    if value <= target - margin:
        return "on_track"
    return "at_risk"


def status_rule_text(rules: Any) -> tuple[str, str]:
    m = f"{float(rules.at_risk_margin):g}"
    zh = (
        f"有效天数少于 {rules.min_days_for_projection} 天：无法判断；剩余天数所需均值为负或年末预测 > 目标+{m}：偏离目标；"
        f"年末预测 ≤ 目标−{m}：按计划；其间：有风险。无季节曲线时以累计均值代替预测"
    )
    en = (
        f"fewer than {rules.min_days_for_projection} valid days: unknown; required rest-of-year mean below zero or projection "
        f"> target + {m}: off track; projection ≤ target − {m}: on track; otherwise at risk. "
        "Without a seasonal profile the year-to-date mean stands in for the projection"
    )
    return zh, en
