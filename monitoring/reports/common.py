"""Shared by every report: the Report type, notes in two languages, periods and validity,
valid daily values, district daily values, rounding helpers, the seasonal profile and the
budget row."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring.rules import budget as budget_rules
from monitoring.rules.rounding import decimals_for, round_value
from monitoring.storage import queries
from monitoring.targets import POLLUTANTS, Targets, subdistrict_id

UNITS = {"co": "mg/m³"}
POLLUTANT_NAMES = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "o3": "O3", "co": "CO"}


@dataclass(frozen=True)
class Report:
    """A table with its method and warnings (see the module docstring)."""

    name: str
    frame: pd.DataFrame
    method: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


class _Notes:
    """Collects a warning in both languages."""

    def __init__(self) -> None:
        self.zh: list[str] = []
        self.en: list[str] = []

    def add(self, zh: str, en: str) -> None:
        if en not in self.en:
            self.zh.append(zh)
            self.en.append(en)


# -- helpers ------------------------------------------------------------------------


def _subdistrict_table(targets: Targets) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subdistrict_id": [subdistrict_id(sd.code) for sd in targets.subdistricts],
            "subdistrict": [sd.short_name for sd in targets.subdistricts],
            "code": [sd.code for sd in targets.subdistricts],
            "pinyin": [sd.pinyin for sd in targets.subdistricts],
            "pm25_target": [float(sd.pm25_target) for sd in targets.subdistricts],
        }
    )


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return dt.date(day.year - 1, 2, 28)


def _period_text(first: dt.date, last: dt.date) -> str:
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"


def _r(value: float | None, pollutant: str, targets: Targets) -> float | None:
    return round_value(value, decimals_for(pollutant, targets), targets.standards.rounding.rule)


def _r1(value: float | None, targets: Targets) -> float | None:
    return round_value(value, 1, targets.standards.rounding.rule)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _check_pollutant(pollutant: str) -> str:
    from monitoring.errors import InputError

    key = pollutant.lower().replace(".", "").replace("_", "")
    if key not in POLLUTANTS:
        raise InputError(
            f"unknown pollutant {pollutant!r}",
            message_zh=f"未知污染物 {pollutant!r}",
            hint=f"use one of {', '.join(POLLUTANTS)}",
        )
    return key


def _valid_daily(
    engine: Engine,
    targets: Targets,
    first: dt.date,
    last: dt.date,
    pollutants: tuple[str, ...],
    excluded: set[dt.date],
) -> pd.DataFrame:
    """Long frame of valid daily values: subdistrict_id, pollutant, day, value, demo.

    ``value`` is the daily mean, for O3 the daily maximum 8-hour mean; an ``o3_1h`` row
    carries O3's daily maximum 1-hour value (for the AQI)."""
    raw = queries.daily_frame(engine, first, last, pollutants)
    if raw.empty:
        return pd.DataFrame(columns=["subdistrict_id", "pollutant", "day", "value", "demo"])
    if excluded:
        raw = raw[~raw["day"].isin(excluded)]
    days = sorted(set(raw["day"].tolist()))
    min_hours = {d: targets.validity(d).daily_min_hours for d in days}
    min_windows = {d: targets.validity(d).o3_daily_min_windows for d in days}
    hours_needed = raw["day"].map(min_hours)
    n_hours = pd.to_numeric(raw["n_hours"], errors="coerce")
    day_ok = n_hours.isna() | (n_hours >= hours_needed)
    is_o3 = raw["pollutant"] == "o3"
    parts = [raw.loc[~is_o3 & day_ok, ["subdistrict_id", "pollutant", "day", "mean", "demo"]].rename(columns={"mean": "value"})]
    o3 = raw[is_o3]
    if len(o3):
        n_8h = pd.to_numeric(o3["n_8h"], errors="coerce")
        ok8 = (n_8h >= o3["day"].map(min_windows)) & o3["max8h"].notna()
        parts.append(o3.loc[ok8, ["subdistrict_id", "pollutant", "day", "max8h", "demo"]].rename(columns={"max8h": "value"}))
        ok1 = day_ok[is_o3] & o3["max1h"].notna()
        one = o3.loc[ok1, ["subdistrict_id", "day", "max1h", "demo"]].rename(columns={"max1h": "value"})
        one.insert(1, "pollutant", "o3_1h")
        parts.append(one)
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
    out["value"] = out["value"].astype("float64")
    return out


def _district_daily(valid: pd.DataFrame) -> pd.DataFrame:
    """District daily value per pollutant: mean of the subdistricts' valid daily values."""
    if valid.empty:
        return pd.DataFrame(columns=["pollutant", "day", "value", "n_subdistricts"])
    return (
        valid.groupby(["pollutant", "day"], sort=True)["value"]
        .agg(value="mean", n_subdistricts="size")
        .reset_index()
    )


def _district_daily_db(
    engine: Engine, targets: Targets, first: dt.date, last: dt.date, pollutants: tuple[str, ...], exclude_events: bool
) -> pd.DataFrame:
    """``_district_daily`` of the valid values first … last (days of exceptional events left out
    with ``exclude_events``), averaged in the database: pollutant, day, value, n_subdistricts, demo."""
    parts = []
    for f, la in _validity_segments(targets, first, last):
        rule = targets.validity(f)
        part = queries.district_daily(
            engine, f, la, pollutants, rule.daily_min_hours, rule.o3_daily_min_windows, exclude_events=exclude_events
        )
        if len(part):
            parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["pollutant", "day", "value", "n_subdistricts", "demo"])
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts).sort_values(["pollutant", "day"], kind="stable").reset_index(drop=True)


def _period_stat(values: pd.Series, pollutant: str) -> float | None:
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype="float64")
    if len(v) == 0:
        return None
    if pollutant == "o3":
        # HJ 663-2013 percentile: k = 1 + (n−1)·p, linear between order statistics (numpy's default).
        return float(np.percentile(v, 90))
    return float(v.mean())


def _stat_name(pollutant: str) -> tuple[str, str]:
    if pollutant == "o3":
        return ("日最大8小时滑动平均第90百分位数（HJ 663-2013）", "90th percentile of daily maximum 8-hour means (HJ 663-2013)")
    return ("有效日均值的算术平均（HJ 663-2013）", "mean of valid daily means (HJ 663-2013)")


def _limit(targets: Targets, pollutant: str, day: dt.date) -> tuple[float | None, str]:
    """The annual limit in force for a pollutant (O3: the 8-hour limit), with its standard."""
    try:
        limit = targets.limits(day)
    except KeyError:
        return None, ""
    key = "o3_8h" if pollutant == "o3" else f"{pollutant}_annual"
    value = limit.values.get(key)
    return (None if value is None else float(value)), limit.standard


# -- helpers the pages use ------------------------------------------------------------


def years_with_data(engine: Engine) -> list[int]:
    """Years holding at least one daily mean, oldest first."""
    return queries.years_with_data(engine)


def last_day_with_data(engine: Engine, year: int) -> dt.date | None:
    """The last day of ``year`` with a daily mean (possibly only a few hours of it)."""
    return queries.last_day_with_data(engine, year)


def default_through(engine: Engine, targets: Targets, year: int) -> dt.date | None:
    """The day a year-to-date report runs through when not told: the last day of ``year``
    with a valid daily mean, else the last day with any data; None without data."""
    last = queries.last_day_with_data(engine, year)
    if last is None:
        return None
    min_hours = targets.validity(dt.date(year, 1, 1)).daily_min_hours
    return queries.last_valid_day(engine, year, min_hours) or last


def event_days(engine: Engine, year: int) -> list[dt.date]:
    """The days of ``year`` inside an exceptional event in force (sand and dust included)."""
    return queries.event_days(engine, dt.date(year, 1, 1), dt.date(year, 12, 31))


def _resolve_period(
    engine: Engine,
    year: int,
    through: dt.date | None,
    month: int | None,
    pollutant: str | None,
    targets: Targets,
) -> tuple[dt.date, dt.date, bool]:
    """(first, last, has_data): the period a report covers. Without ``through`` it ends on
    the last day of ``year`` with a valid daily mean (else the last day with any data; the
    whole period when there is none)."""

    from monitoring.errors import InputError

    if month is not None and not 1 <= month <= 12:
        raise InputError(f"month {month} is not 1–12", message_zh=f"月份 {month} 无效", hint="give a month 1–12")
    if through is not None and through.year != year:
        raise InputError(
            f"--through {through} is not in {year}",
            message_zh=f"截止日期 {through} 不在 {year} 年内",
            hint=f"give a date in {year}",
        )
    last_data = queries.last_day_with_data(engine, year, pollutant)
    has_data = last_data is not None
    end = through
    if end is None and last_data is not None:
        # through the last complete day (today's few hours would only lower completeness)
        min_hours = targets.validity(dt.date(year, 1, 1)).daily_min_hours
        end = queries.last_valid_day(engine, year, min_hours, pollutant) or last_data
    if month is not None:
        first = dt.date(year, month, 1)
        last = _month_end(year, month)
        if end is not None and end < last and end >= first:
            last = end
        return first, last, has_data
    first = dt.date(year, 1, 1)
    return first, (end or dt.date(year, 12, 31)), has_data


# -- 4. budget ---------------------------------------------------------------------------------

BUDGET_COLUMNS = [
    "subdistrict", "code", "target", "ytd_mean", "valid_days", "remaining_days", "required_rest_mean",
    "projection", "projection_low", "projection_high", "non_good_days", "non_good_days_left",
    "heavy_days", "heavy_days_left", "status",
]


def _validity_segments(targets: Targets, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """first … last cut where another validity rule comes into force (each piece has one rule)."""
    cuts = sorted({v.effective_from for v in targets.standards.validity if first < v.effective_from <= last})
    starts = [first, *cuts]
    ends = [c - dt.timedelta(days=1) for c in cuts] + [last]
    return list(zip(starts, ends, strict=True))


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
    year_over: bool,
) -> dict[str, Any]:
    n = len(days_values)
    total = float(days_values["value"].sum()) if n else 0.0
    ytd = total / n if n else None
    remaining = budget_rules.remaining_days(through)
    required = budget_rules.required_rest_mean(total, n, remaining, target) if target is not None and n else None
    proj, low, high = budget_rules.project(days_values, through, profile) if n else (None, None, None)
    if n < targets.status_rules.min_days_for_projection:
        proj = low = high = None
    status = budget_rules.status(
        valid_days=n,
        projection=proj,
        required=required,
        target=target,
        ytd_mean=_r(ytd, "pm25", targets),
        rules=targets.status_rules,
        year_over=year_over,
    )
    return {
        "target": _nan(target),
        "ytd_mean": _nan(_r(ytd, "pm25", targets)),
        "valid_days": n,
        "remaining_days": remaining,
        "required_rest_mean": _nan(_r(required, "pm25", targets)),
        "projection": _nan(_r(proj, "pm25", targets)),
        "projection_low": _nan(_r(low, "pm25", targets)),
        "projection_high": _nan(_r(high, "pm25", targets)),
        "status": status,
    }


