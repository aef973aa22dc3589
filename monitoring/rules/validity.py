"""Validity of daily, monthly, annual and period means (GB 3095-2012 表4, HJ 663-2013).

A day is valid with at least ``daily_min_hours`` hourly values (a day given as a daily
value by its publisher counts as valid: the publisher had the hours). A calendar month
needs ``monthly_min_days`` valid days (February ``february_min_days``), a calendar year
``annual_min_days``. A period still in progress (year to date, the current month) is
judged pro rata: it needs ceil(threshold × days elapsed / days in the whole month or
year) valid days — the same share of its days the whole period would need.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


def day_is_valid(n_hours: Any, min_hours: int) -> bool:
    """A daily mean is valid with ≥ ``min_hours`` hours; ``None`` (a given daily value) is valid."""
    if n_hours is None or n_hours is pd.NA or (isinstance(n_hours, float) and math.isnan(n_hours)):
        return True
    return int(n_hours) >= min_hours


def valid_mask(n_hours: pd.Series, min_hours: int | pd.Series) -> pd.Series:
    """Vectorised ``day_is_valid``; ``min_hours`` may vary by row (the rule in force each day)."""
    numeric = pd.to_numeric(n_hours, errors="coerce")
    return (numeric.isna() | (numeric >= min_hours)).astype(bool)


def o3_day_is_valid(n_8h: Any, min_windows: int) -> bool:
    """A daily maximum 8-hour mean is valid with ≥ ``min_windows`` valid 8-hour windows."""
    if n_8h is None or n_8h is pd.NA or (isinstance(n_8h, float) and math.isnan(n_8h)):
        return False
    return int(n_8h) >= min_windows


def o3_valid_mask(n_8h: pd.Series, min_windows: int | pd.Series) -> pd.Series:
    """Vectorised ``o3_day_is_valid``; ``min_windows`` may vary by row."""
    numeric = pd.to_numeric(n_8h, errors="coerce")
    return (numeric.fillna(-1) >= min_windows).astype(bool)


def month_min_days(year: int, month: int, validity: Any) -> int:
    """Valid days a whole calendar month needs (February has its own threshold)."""
    return int(validity.february_min_days if month == 2 else validity.monthly_min_days)


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


@dataclass(frozen=True)
class PeriodRule:
    """How many valid days a period needs, and why (for the method text)."""

    days: int
    required: int
    kind: str  # month | year | month_in_progress | year_to_date | period
    text: str


def required_days(first: dt.date, last: dt.date, validity: Any) -> PeriodRule:
    """Valid days needed for the period first … last (both inclusive)."""
    days = (last - first).days + 1
    if first.year == last.year and first.month == last.month and first.day == 1:
        month_days = calendar.monthrange(first.year, first.month)[1]
        need = month_min_days(first.year, first.month, validity)
        if last.day == month_days:
            return PeriodRule(days, need, "month", f"month: ≥ {need} valid days")
        pro = math.ceil(need * days / month_days)
        return PeriodRule(days, pro, "month_in_progress", f"month in progress: ≥ {need}×{days}/{month_days} = {pro} valid days")
    if first == dt.date(first.year, 1, 1) and last.year == first.year:
        year_days = days_in_year(first.year)
        need = int(validity.annual_min_days)
        if last == dt.date(first.year, 12, 31):
            return PeriodRule(days, need, "year", f"year: ≥ {need} valid days")
        pro = math.ceil(need * days / year_days)
        return PeriodRule(days, pro, "year_to_date", f"year to date: ≥ {need}×{days}/{year_days} = {pro} valid days")
    # any other span: the annual share
    pro = math.ceil(int(validity.annual_min_days) * days / 365)
    return PeriodRule(days, pro, "period", f"period: ≥ {validity.annual_min_days}×{days}/365 = {pro} valid days")


def required_after(required: int, n_excluded: int) -> int:
    """The validity threshold after deducting exceptional-event days (never below one day)."""
    return max(required - n_excluded, 1)


def days_needed(required: int, *, over: bool, min_days_so_far: int) -> int:
    """Valid days a verdict needs: a finished period its validity threshold (``required``,
    after deductions); a period in progress also at least ``min_days_so_far``."""
    return required if over else max(required, min_days_so_far)


def enough_days(valid_days: int, needed: int) -> bool:
    """Enough valid days for a verdict (never with none at all)."""
    return valid_days > 0 and valid_days >= needed


def validity_text(validity: Any) -> str:
    """The method line shown under every figure."""
    return (
        f"{validity.standard}: day ≥ {validity.daily_min_hours} h; month ≥ {validity.monthly_min_days} days "
        f"(February ≥ {validity.february_min_days}); year ≥ {validity.annual_min_days} days; "
        f"O3 8-h ≥ {validity.o3_8h_min_hours} h, daily max ≥ {validity.o3_daily_min_windows} windows; "
        "a period in progress needs the same share of its elapsed days"
    )


def validity_text_zh(validity: Any) -> str:
    return (
        f"{validity.standard}：日均值至少 {validity.daily_min_hours} 个小时值；月均值至少 {validity.monthly_min_days} 个日均值"
        f"（2月至少 {validity.february_min_days} 个）；年均值至少 {validity.annual_min_days} 个日均值；"
        f"臭氧8小时均值至少 {validity.o3_8h_min_hours} 个小时值；未结束的时段按已过天数同比例要求"
    )


@dataclass(frozen=True)
class MeanResult:
    """A mean of valid daily means with its counts."""

    mean: float | None
    valid_days: int
    days: int
    required: int

    @property
    def completeness(self) -> float:
        return self.valid_days / self.days if self.days else 0.0

    @property
    def complete(self) -> bool:
        return self.valid_days >= self.required and self.valid_days > 0


def mean_of_valid(values: pd.Series, rule: PeriodRule) -> MeanResult:
    """HJ 663-2013: the period mean is the mean of its valid daily means (NaNs are not days)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    mean = float(np.mean(v.to_numpy())) if len(v) else None
    return MeanResult(mean=mean, valid_days=int(len(v)), days=rule.days, required=rule.required)
