"""Shared by every report: the Report type, notes in two languages, periods and validity,
valid daily values, district daily values and rounding helpers (the seasonal profile and
the budget row are in ``reports.projection``)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.rules import aqi as aqi_rules
from monitoring.rules import evaluation as evaluation_rules
from monitoring.rules import periods as period_rules
from monitoring.rules import validity as validity_rules
from monitoring.rules.rounding import decimals_for, round_value
from monitoring.storage import queries
from monitoring.targets import POLLUTANT_NAMES as POLLUTANT_NAMES  # re-exported: reports import them from here
from monitoring.targets import POLLUTANTS, Evaluation, Targets, subdistrict_id
from monitoring.targets import UNITS as UNITS


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
    day_ok = validity_rules.valid_mask(raw["n_hours"], raw["day"].map(min_hours))
    is_o3 = raw["pollutant"] == "o3"
    parts = [raw.loc[~is_o3 & day_ok, ["subdistrict_id", "pollutant", "day", "mean", "demo"]].rename(columns={"mean": "value"})]
    o3 = raw[is_o3]
    if len(o3):
        ok8 = validity_rules.o3_valid_mask(o3["n_8h"], o3["day"].map(min_windows)) & o3["max8h"].notna()
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


def _validity_segments(targets: Targets, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """first … last cut where another validity rule comes into force (each piece has one rule)."""
    cuts = sorted({v.effective_from for v in targets.standards.validity if first < v.effective_from <= last})
    starts = [first, *cuts]
    ends = [c - dt.timedelta(days=1) for c in cuts] + [last]
    return list(zip(starts, ends, strict=True))


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


def _period_stat(values: pd.Series, pollutant: str, rule: Evaluation) -> float | None:
    """A period's figure by the evaluation rule (``Targets.evaluation_for_year``): CO and O3 the
    HJ 663 percentile targets.yaml names, the others the mean of valid daily values."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype="float64")
    return evaluation_rules.annual_statistic(v, pollutant, rule)


def _stat_name(pollutant: str, rule: Evaluation) -> tuple[str, str]:
    return evaluation_rules.statistic_name(pollutant, rule)


def _limit(targets: Targets, pollutant: str, day: dt.date) -> tuple[float | None, str]:
    """The annual limit for a pollutant (O3: the 8-hour limit, CO the 24-hour one), with its standard: the limit in
    force at the end of ``day``'s year, as an annual figure is judged (2026: GB 3095—2026)."""
    try:
        limit = targets.limits(dt.date(day.year, 12, 31))
    except KeyError:
        return None, ""
    # HJ 663: the O3 and CO annual percentiles are judged against the 8-h and 24-h limits
    key = {"o3": "o3_8h", "co": "co_24h"}.get(pollutant, f"{pollutant}_annual")
    value = limit.values.get(key)
    return (None if value is None else float(value)), limit.standard


def _district_aqi_counts(aqi: pd.DataFrame) -> dict[str, Any]:
    ratio, n_good, n_days = aqi_rules.good_day_ratio(aqi["good"]) if len(aqi) else (None, 0, 0)
    heavy = int(aqi["heavy"].dropna().astype(bool).sum()) if len(aqi) else 0
    return {"ratio": ratio, "good": n_good, "aqi_days": n_days, "heavy": heavy, "non_good": n_days - n_good}


def _indicator_target(targets: Targets, key: str) -> float | None:
    try:
        ind = targets.indicator(key)
    except KeyError:
        return None
    return None if ind.target is None else float(ind.target)
# -- the rule set a figure is computed under (issue 12 §1) ------------------------------------

_KIND_ZH = {"aqi": "AQI", "limits": "限值", "validity": "有效性", "evaluation": "年评价"}
_KIND_EN = {"aqi": "AQI", "limits": "limits", "validity": "validity", "evaluation": "annual evaluation"}


def standards_method(targets: Targets, first: dt.date, last: dt.date) -> dict[str, str]:
    """The method lines ``standards`` / ``standards_en``: the rule set (in force, or the one
    ``Targets.under`` kept) and each standard applied in first … last with its days, marked
    暂定 / provisional with its source where a provisional entry is used."""
    chosen = targets.rule_set
    head_zh = "按各日现行标准" if chosen == "in-force" else f"全部按 {chosen} 标准体系"
    head_en = "the standards in force on each day" if chosen == "in-force" else f"the {chosen} rule set throughout"
    zh: list[str] = []
    en: list[str] = []
    for kind, entry, f, la in targets.rule_sets_in(first, last):
        days = "" if (f, la) == (first, last) else f" {f:%Y-%m-%d}–{la:%Y-%m-%d}"
        mark_zh = "（暂定：数值来自二手报道，来源见“目标设置”页）" if entry.provisional else ""
        mark_en = f" (provisional; source: {entry.source})" if entry.provisional else ""
        if kind == "evaluation":
            days = f"（{last.year} 年年度值按该年年末适用的评价规则）"
            days_en = f" (the {last.year} annual figure by the rules in force on {last.year}-12-31)"
        else:
            days_en = days
        zh.append(f"{_KIND_ZH[kind]} {entry.standard}〔{entry.family}〕{days}{mark_zh}")
        en.append(f"{_KIND_EN[kind]} {entry.standard} [{entry.family}]{days_en}{mark_en}")
    return {"standards": head_zh + "：" + "；".join(zh), "standards_en": head_en + ": " + "; ".join(en)}


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


@dataclass(frozen=True)
class Period:
    """The days a report judges, and whether the period is over or judged "to date".

    A period is judged only when it is over (its natural end — the month's or the year's last
    day — is before the as-of day, ``timeutil.today_beijing``) or explicitly to date (the
    period in progress, or ``--through``). A finished period needs its whole validity
    threshold (a year 324 valid days); one in progress its pro-rata share (``rule``)."""

    first: dt.date
    last: dt.date
    end: dt.date
    state: str  # over | to_date
    has_data: bool
    rule: validity_rules.PeriodRule

    @property
    def over(self) -> bool:
        return self.state == "over"

    def days(self, n_excluded: int = 0) -> int:
        return max(self.rule.days - n_excluded, 0)

    def required(self, n_excluded: int = 0) -> int:
        return validity_rules.required_after(self.rule.required, n_excluded)

    def needed(self, targets: Targets, n_excluded: int = 0) -> int:
        """Valid days a verdict needs: the validity threshold, and for a period in progress
        at least ``status_rules.min_days_so_far``."""
        return validity_rules.days_needed(self.required(n_excluded), over=self.over,
                                          min_days_so_far=int(targets.status_rules.min_days_so_far))

    def complete(self, valid_days: int, targets: Targets, n_excluded: int = 0) -> bool:
        """Enough valid days for a verdict (see ``needed``)."""
        return validity_rules.enough_days(valid_days, self.needed(targets, n_excluded))

    def text(self) -> tuple[str, str]:
        """The period in words, saying whether it is over or to date."""
        span = _period_text(self.first, self.last)
        if self.over:
            return span + "（已结束）", span + " (over)"
        return span + "（截至目前）", span + " (to date)"


def period_for(first: dt.date, end: dt.date, last_data: dt.date | None, targets: Targets,
               *, through: dt.date | None = None, has_data: bool = True) -> Period:
    """The Period first … end as of today (see ``Period``)."""
    today = timeutil.today_beijing()
    validity = targets.validity(first)
    last, state = period_rules.period_span(first, end, last_data, today, through=through)
    rule = validity_rules.required_days(first, end if state == "over" else last, validity)
    return Period(first, last, end, state, has_data, rule)


def _check_period_args(year: int, through: dt.date | None, month: int | None) -> None:
    from monitoring.errors import InputError

    if month is not None and not 1 <= month <= 12:
        raise InputError(f"month {month} is not 1–12", message_zh=f"月份 {month} 无效", hint="give a month 1–12")
    if through is not None and through.year != year:
        raise InputError(
            f"--through {through} is not in {year}",
            message_zh=f"截止日期 {through} 不在 {year} 年内",
            hint=f"give a date in {year}",
        )


def resolve_period(
    engine: Engine,
    year: int,
    through: dt.date | None,
    month: int | None,
    pollutant: str | None,
    targets: Targets,
) -> Period:
    """The period a report covers: the year (or ``month``) of ``year``, over or to date (see
    ``Period``); to date it ends on the last day with a valid daily mean (else the last day
    with any data), or on ``through`` when given."""
    _check_period_args(year, through, month)
    last_data = queries.last_day_with_data(engine, year, pollutant)
    has_data = last_data is not None
    if last_data is not None:
        # through the last complete day (today's few hours would only lower completeness)
        min_hours = targets.validity(dt.date(year, 1, 1)).daily_min_hours
        last_data = queries.last_valid_day(engine, year, min_hours, pollutant) or last_data
    if month is not None:
        first, end = dt.date(year, month, 1), _month_end(year, month)
    else:
        first, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if through is not None and through < first:
        through = None  # a month after ``through``: judged as it stands
    return period_for(first, end, last_data, targets, through=through, has_data=has_data)
