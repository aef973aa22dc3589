"""What a page or ``python -m monitoring report`` asks for: storage query → rules → ``Report``.

Every function takes ``(engine, targets, *, …)`` and returns a ``Report``: the table
(``frame``), how it was made (``method``: each key in Chinese, the same key + ``_en`` in
English), plain-language warnings (``notes`` zh, ``notes_en``) and small structured
results (``extra``). Reports read only the maintained aggregates (daily_means, road_dust,
dust_days) through monitoring.storage.queries; the numbers come from monitoring.rules.

Conventions kept by every report:
- a subdistrict's daily value is its stored daily mean, valid by GB 3095-2012 (≥ 20 h);
  O3's daily value is the daily maximum 8-hour mean (valid with ≥ 14 valid windows);
- the district's daily value of a pollutant is the mean of the subdistricts' valid daily
  values that day (a day with no valid subdistrict is not a district day);
- a period's value is the mean of its valid daily values (HJ 663-2013), O3 the 90th
  percentile of the daily maximum 8-hour means; rounded once, at the end, GB/T 8170;
- a missing figure is ``NaN``/``None`` in the frame AND has a status or a note saying why,
  never a zero.
"""

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

from monitoring.rules import aqi as aqi_rules
from monitoring.rules import budget as budget_rules
from monitoring.rules import ranking as ranking_rules
from monitoring.rules import road_dust as road_dust_rules
from monitoring.rules import trends as trend_rules
from monitoring.rules import validity as validity_rules
from monitoring.rules.rounding import decimals_for, round_series, round_value
from monitoring.rules.rounding import method_text as rounding_text
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


def _dust_filter(engine: Engine, first: dt.date, last: dt.date, exclude_dust: bool) -> tuple[set[dt.date], dict[str, str]]:
    days = set(queries.dust_days(engine, first, last))
    if exclude_dust:
        text = {"dust": f"扣除沙尘天 {len(days)} 天", "dust_en": f"sand-and-dust days excluded: {len(days)}"}
    else:
        text = {
            "dust": f"含沙尘天（本时段标记沙尘天 {len(days)} 天）",
            "dust_en": f"sand-and-dust days included ({len(days)} flagged in the period)",
        }
    return (days if exclude_dust else set()), text


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
    engine: Engine, targets: Targets, first: dt.date, last: dt.date, pollutants: tuple[str, ...], exclude_dust: bool
) -> pd.DataFrame:
    """``_district_daily`` of the valid values first … last (flagged dust days left out with
    ``exclude_dust``), averaged in the database: pollutant, day, value, n_subdistricts, demo."""
    parts = []
    for f, la in _validity_segments(targets, first, last):
        rule = targets.validity(f)
        part = queries.district_daily(
            engine, f, la, pollutants, rule.daily_min_hours, rule.o3_daily_min_windows, exclude_dust=exclude_dust
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


def dust_days(engine: Engine, year: int) -> list[dt.date]:
    """The flagged sand-and-dust days of ``year``."""
    return queries.dust_days(engine, dt.date(year, 1, 1), dt.date(year, 12, 31))


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


# -- 1. ranking -------------------------------------------------------------------------

RANKING_COLUMNS = [
    "rank",
    "subdistrict",
    "mean",
    "target",
    "gap",
    "valid_days",
    "days",
    "status",
    "code",
    "pinyin",
    "completeness",
    "complete",
    "required_days",
    "last_year_mean",
    "change_pct",
    "change_rank",
    "demo",
]


def _subdistrict_period(
    valid: pd.DataFrame, pollutant: str, rule: validity_rules.PeriodRule, n_excluded: int
) -> dict[int, validity_rules.MeanResult]:
    out: dict[int, validity_rules.MeanResult] = {}
    sub = valid[valid["pollutant"] == pollutant]
    days = max(rule.days - n_excluded, 0)
    required = max(rule.required - n_excluded, 1)
    for sid, group in sub.groupby("subdistrict_id"):
        stat = _period_stat(group["value"], pollutant)
        out[int(sid)] = validity_rules.MeanResult(stat, int(group["value"].notna().sum()), days, required)
    return out


def ranking(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    through: dt.date | None = None,
    month: int | None = None,
    pollutant: str = "pm25",
    exclude_dust: bool = False,
) -> Report:
    """One row per subdistrict (all 15), ranked ascending by the rounded period value."""
    pollutant = _check_pollutant(pollutant)
    notes = _Notes()
    first, last, has_data = _resolve_period(engine, year, through, month, pollutant, targets)
    excluded, dust_text = _dust_filter(engine, first, last, exclude_dust)
    validity = targets.validity(first)
    rule = validity_rules.required_days(first, last, validity)
    n_excl = len(excluded)
    valid = _valid_daily(engine, targets, first, last, (pollutant,), excluded)
    current = _subdistrict_period(valid, pollutant, rule, n_excl)

    ly_first, ly_last = _same_day_last_year(first), _same_day_last_year(last)
    ly_excluded, _ = _dust_filter(engine, ly_first, ly_last, exclude_dust)
    ly_rule = validity_rules.required_days(ly_first, ly_last, targets.validity(ly_first))
    ly_valid = _valid_daily(engine, targets, ly_first, ly_last, (pollutant,), ly_excluded)
    previous = _subdistrict_period(ly_valid, pollutant, ly_rule, len(ly_excluded))
    demo_ids = set(valid.loc[valid["demo"].astype(bool), "subdistrict_id"].astype(int).tolist()) if len(valid) else set()

    limit, limit_standard = _limit(targets, pollutant, first)
    rows = []
    for sd in _subdistrict_table(targets).itertuples(index=False):
        sid = int(sd.subdistrict_id)
        res = current.get(sid)
        target = float(sd.pm25_target) if pollutant == "pm25" else limit
        mean = _r(res.mean, pollutant, targets) if res else None
        complete = bool(res.complete) if res else False
        prev = previous.get(sid)
        prev_mean = _r(prev.mean, pollutant, targets) if prev and prev.complete else None
        gap = None if mean is None or target is None else _r(mean - target, pollutant, targets)
        rows.append(
            {
                "subdistrict": sd.subdistrict,
                "code": sd.code,
                "pinyin": sd.pinyin,
                "mean": _nan(mean),
                "target": _nan(target),
                "gap": _nan(gap),
                "valid_days": res.valid_days if res else 0,
                "days": res.days if res else max(rule.days - n_excl, 0),
                "required_days": res.required if res else max(rule.required - n_excl, 1),
                "completeness": _nan(_r1(100.0 * res.completeness, targets)) if res and res.days else float("nan"),
                "complete": complete,
                "status": ranking_rules.status_for(mean, target, complete),
                "last_year_mean": _nan(prev_mean),
                "change_pct": _nan(_r1(ranking_rules.change_pct(mean, prev_mean), targets)),
                "demo": sid in demo_ids,
            }
        )
        if res is None and has_data:
            notes.add(
                f"{sd.subdistrict}：{_period_text(first, last)} 无有效数据",
                f"{sd.subdistrict} ({sd.pinyin}): no valid data for {_period_text(first, last)}",
            )
        elif res is not None and not complete:
            notes.add(
                f"{sd.subdistrict}：有效天数 {res.valid_days}/{res.days}，不足 {res.required} 天，数据不完整，排名仅供参考",
                f"{sd.subdistrict} ({sd.pinyin}): {res.valid_days} valid days of {res.days}, needs {res.required}: incomplete, rank for reference only",
            )
        if prev is not None and not prev.complete and prev.mean is not None:
            notes.add(
                f"{sd.subdistrict}：去年同期数据不完整（{prev.valid_days}/{prev.days} 天），不计算同比",
                f"{sd.subdistrict} ({sd.pinyin}): same period last year incomplete ({prev.valid_days}/{prev.days} days), no change computed",
            )
    if not has_data:
        notes.add(f"{year} 年没有 {POLLUTANT_NAMES[pollutant]} 数据", f"no {POLLUTANT_NAMES[pollutant]} data for {year}")
    elif not current:
        notes.add(
            f"{_period_text(first, last)} 没有 {POLLUTANT_NAMES[pollutant]} 有效数据",
            f"no valid {POLLUTANT_NAMES[pollutant]} data for {_period_text(first, last)}",
        )
    if pollutant != "pm25" and limit is None:
        notes.add(
            f"{POLLUTANT_NAMES[pollutant]} 没有年均浓度限值，不判断达标",
            f"{POLLUTANT_NAMES[pollutant]} has no annual limit in targets.yaml: no status against a target",
        )
    frame = pd.DataFrame(rows)
    frame.insert(0, "rank", ranking_rules.competition_rank(frame["mean"]))
    # improvement ranking (改善幅度): the largest fall on the same period of last year first
    frame["change_rank"] = ranking_rules.competition_rank(frame["change_pct"])
    frame = frame.sort_values(["rank", "code"], na_position="last", kind="stable").reset_index(drop=True)
    frame = frame[RANKING_COLUMNS]
    stat_zh, stat_en = _stat_name(pollutant)
    target_zh = "各街道2026年PM2.5年均浓度目标（附1）" if pollutant == "pm25" else f"{limit_standard} 年均限值"
    target_en = "each subdistrict's 2026 annual PM2.5 target (附1)" if pollutant == "pm25" else f"{limit_standard} annual limit"
    method = {
        "period": _period_text(first, last) + (f"（{month}月）" if month else "（年初至今累计）"),
        "period_en": _period_text(first, last) + (f" (month {month})" if month else " (year to date)"),
        "rule": stat_zh,
        "rule_en": stat_en,
        "validity": validity_rules.validity_text_zh(validity) + f"；本时段需 {rule.required} 个有效日",
        "validity_en": validity_rules.validity_text(validity) + f"; this period needs {rule.text}",
        "rounding": "GB/T 8170 四舍六入五成双，" + f"{decimals_for(pollutant, targets)} 位小数",
        "rounding_en": rounding_text(targets),
        "ranking": "按累计浓度（修约后）由低到高排名，浓度相同名次并列（1、2、2、4）；数据不完整的街道照常排名但标注“数据不完整”",
        "ranking_en": "ascending by the rounded value, equal values share a rank (1, 2, 2, 4); incomplete periods are ranked but flagged complete=false, status 'incomplete'",
        "target": target_zh,
        "target_en": target_en,
        "status_rule": "达标：完整时段且浓度≤目标；超标：浓度>目标；数据不完整：有效天数不足；无数据：没有有效日均值",
        "status_rule_en": "meets: complete period and value ≤ target; exceeds: value > target; incomplete: too few valid days; no_data: no valid daily mean",
        "change": "同比：与去年同期（同样日期范围）相比的变化率，去年同期数据不完整时不计算；改善幅度排名按变化率由低到高（降幅最大者第1）",
        "change_en": "change_pct: change on the same dates of last year, in %; not computed when last year's period is incomplete; "
        "change_rank: ascending by change_pct (the largest fall first), ties share a rank",
        **dust_text,
    }
    return Report("ranking", frame, method, notes.zh, notes.en, {"first": first, "last": last, "pollutant": pollutant})


# -- 6. daily AQI -------------------------------------------------------------------------

_AQI_COLUMNS = ["pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h"]


def _wide(valid: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    if valid.empty:
        return pd.DataFrame(columns=[*index, *_AQI_COLUMNS])
    v = valid.copy()
    v["pollutant"] = v["pollutant"].replace({"o3": "o3_8h"})
    wide = v.pivot_table(index=index, columns="pollutant", values="value", aggfunc="mean").reset_index()
    wide.columns.name = None
    for col in _AQI_COLUMNS:
        if col not in wide.columns:
            wide[col] = np.nan
    return wide


def _aqi_notes(frame: pd.DataFrame, notes: _Notes, who: str, who_en: str) -> None:
    if frame.empty:
        return
    missing = frame["missing"].replace("", np.nan).dropna()
    if len(missing):
        common = missing.value_counts().index[0]
        names = ", ".join(POLLUTANT_NAMES.get(p, p) for p in common.split(","))
        notes.add(
            f"{who}：{len(missing)} 天的AQI缺少部分污染物（{names} 等），AQI 仅基于现有污染物",
            f"{who_en}: on {len(missing)} day(s) the AQI rests on fewer pollutants ({names} missing or not valid)",
        )


def daily_aqi(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    subdistrict: str | None = None,
    district: bool = False,
    exclude_dust: bool = False,
) -> Report:
    """AQI per subdistrict-day (or per district day with ``district=True``)."""
    notes = _Notes()
    first = start or dt.date(year, 1, 1)
    last = end or dt.date(year, 12, 31)
    excluded, dust_text = _dust_filter(engine, first, last, exclude_dust)
    valid = _valid_daily(engine, targets, first, last, ("pm25", "pm10", "so2", "no2", "co", "o3"), excluded)
    table = _subdistrict_table(targets)
    if subdistrict is not None:
        sd = _resolve_subdistrict(targets, subdistrict)
        valid = valid[valid["subdistrict_id"] == subdistrict_id(sd.code)]
        table = table[table["code"] == sd.code]
    if district:
        wide = _wide(_district_daily(valid).drop(columns="n_subdistricts"), ["day"])
        wide.insert(1, "subdistrict", targets.district.name)
        wide.insert(2, "code", targets.district.code)
    else:
        wide = _wide(valid, ["subdistrict_id", "day"])
        wide = wide.merge(table[["subdistrict_id", "subdistrict", "code"]], on="subdistrict_id", how="left")
    frame = aqi_rules.aqi_frame(wide, targets.aqi_standard)
    cols = [
        "day", "subdistrict", "code", "aqi", "category", "category_en", "level", "color", "primary",
        "pollutants_used", "missing", "good", "heavy", "pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h",
    ]
    frame = frame.reindex(columns=cols).sort_values(["day", "code"]).reset_index(drop=True)
    rule = targets.standards.rounding.rule
    for col in ("pm25", "pm10", "so2", "no2", "o3_8h", "o3_1h", "co"):
        frame[col] = round_series(frame[col], decimals_for("co" if col == "co" else "pm25", targets), rule)
    if frame.empty:
        notes.add(f"{_period_text(first, last)} 没有数据", f"no data for {_period_text(first, last)}")
    _aqi_notes(frame, notes, targets.district.name if district else "部分街道", "the district" if district else "some subdistricts")
    standard = targets.aqi_standard(first)
    method = {
        "period": _period_text(first, last),
        "period_en": _period_text(first, last),
        "rule": f"{standard.standard}：分指数线性插值并进位取整；日AQI取各污染物分指数最大值（SO2、NO2、PM10、PM2.5、CO 24小时均值，O3 日最大1小时与日最大8小时滑动平均）",
        "rule_en": aqi_rules.method_text(standard),
        "district": "全区日值：各街道当日有效日均值的算术平均",
        "district_en": "district daily value: mean of the subdistricts' valid daily values of the day",
        **dust_text,
    }
    return Report("daily_aqi", frame, method, notes.zh, notes.en, {})


def _resolve_subdistrict(targets: Targets, name: str) -> Any:
    from monitoring.errors import InputError

    try:
        return targets.subdistrict(name)
    except KeyError:
        raise InputError(
            f"unknown subdistrict {name!r}",
            message_zh=f"未知街道 {name!r}",
            hint="use a short name (德胜), pinyin (Desheng) or the 12-digit area code",
        ) from None


# -- 2. district ---------------------------------------------------------------------------

DISTRICT_COLUMNS = [
    "key", "name", "name_en", "value", "unit", "target", "direction", "gap", "status",
    "valid_days", "days", "last_year_value", "trend", "note", "note_en",
]


def _trend_word(current: float | None, previous: float | None) -> str | None:
    if current is None or previous is None:
        return None
    if current < previous:
        return "down"
    if current > previous:
        return "up"
    return "flat"


def _district_aqi_counts(aqi: pd.DataFrame) -> dict[str, Any]:
    ratio, n_good, n_days = aqi_rules.good_day_ratio(aqi["good"]) if len(aqi) else (None, 0, 0)
    heavy = int(aqi["heavy"].dropna().astype(bool).sum()) if len(aqi) else 0
    return {"ratio": ratio, "good": n_good, "aqi_days": n_days, "heavy": heavy, "non_good": n_days - n_good}


def district(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    through: dt.date | None = None,
    exclude_dust: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """The measured 附4 indicators for the district."""
    notes = _Notes()
    get_profile = _profile_source(engine, targets, year, exclude_dust, profile)
    first, last, has_data = _resolve_period(engine, year, through, None, None, targets)
    excluded, dust_text = _dust_filter(engine, first, last, exclude_dust)
    validity = targets.validity(first)
    rule = validity_rules.required_days(first, last, validity)
    full_year = last == dt.date(year, 12, 31)
    days = max(rule.days - len(excluded), 0)
    required = max(rule.required - len(excluded), 1)

    def measure(f: dt.date, la: dt.date) -> dict[str, Any]:
        # only the district's daily values are needed: averaged in the database
        dd = _district_daily_db(engine, targets, f, la, ("pm25", "pm10", "so2", "no2", "co", "o3"), exclude_dust)
        pm = dd[dd["pollutant"] == "pm25"]["value"]
        wide = _wide(dd.drop(columns=["n_subdistricts", "demo"]), ["day"])
        aqi = aqi_rules.aqi_frame(wide, targets.aqi_standard)
        pm_days = dd[dd["pollutant"] == "pm25"][["day", "value"]]
        return {"pm25": _period_stat(pm, "pm25"), "pm25_days": int(pm.notna().sum()), "pm25_daily": pm_days, "aqi": aqi,
                **_district_aqi_counts(aqi)}

    now = measure(first, last)
    ly_first, ly_last = _same_day_last_year(first), _same_day_last_year(last)
    ly_excluded, _ = _dust_filter(engine, ly_first, ly_last, exclude_dust)
    ly = measure(ly_first, ly_last)
    ly_rule = validity_rules.required_days(ly_first, ly_last, targets.validity(ly_first))
    ly_complete = ly["pm25_days"] >= max(ly_rule.required - len(ly_excluded), 1)
    _aqi_notes(now["aqi"], notes, targets.district.name, "the district")

    budget = budget_rules.good_and_heavy_budget(
        year=year,
        non_good=now["non_good"],
        heavy=now["heavy"],
        good_target=_indicator_target(targets, "good_day_ratio"),
        heavy_target=_indicator_target(targets, "heavy_pollution_days"),
    )
    dust_report = road_dust(engine, targets, year=year)

    rows: list[dict[str, Any]] = []
    for key in ("pm25_annual", "good_day_ratio", "heavy_pollution_days", "poor_road_share"):
        try:
            ind = targets.indicator(key)
        except KeyError:
            ind = None
            notes.add(
                f"targets.yaml 中没有指标 {key}，无法判断是否达标",
                f"indicator {key} is missing from targets.yaml: no status can be given",
            )
        target = None if ind is None or ind.target is None else float(ind.target)
        if ind is not None and ind.target is None:
            notes.add(f"{ind.name}：目标不是数值（{ind.target_text}），不判断达标", f"{ind.name_en}: the target is not a number ({ind.target_text}); no status")
        row: dict[str, Any] = {
            "key": key,
            "name": ind.name if ind else key,
            "name_en": ind.name_en if ind else key,
            "unit": ind.unit if ind else "",
            "target": _nan(target),
            "direction": ind.direction if ind else "none",
            "note": "",
            "note_en": "",
        }
        value: float | None
        last_value: float | None
        if key == "pm25_annual":
            value = _r(now["pm25"], "pm25", targets)
            last_value = _r(ly["pm25"], "pm25", targets) if ly_complete else None
            row["valid_days"], row["days"] = now["pm25_days"], days
            complete = now["pm25_days"] >= required
            if value is None:
                status = "no_data"
            elif target is None:
                status = "unknown"
            elif not complete:
                status = "unknown"
                row["note"], row["note_en"] = (
                    f"有效天数 {now['pm25_days']}/{days}，不足 {required}",
                    f"{now['pm25_days']} valid days of {days}, needs {required}",
                )
            elif full_year:
                status = "meets" if value <= target else "fails"
            else:
                # the year-end budget decides (the same rule as the budget page)
                b = _budget_row(now["pm25_daily"], last, target, get_profile(), targets, False)
                status = {"on_track": "meets", "at_risk": "at_risk", "off_track": "fails"}.get(str(b["status"]), "unknown")
                row["note"] = f"年末预测 {b['projection']:g}，剩余天数所需均值 {b['required_rest_mean']:g}" if not math.isnan(b["projection"]) else ""
                row["note_en"] = f"year-end projection {b['projection']:g}, required rest-of-year mean {b['required_rest_mean']:g}" if not math.isnan(b["projection"]) else ""
        elif key == "good_day_ratio":
            value = _r1(now["ratio"], targets)
            last_value = _r1(ly["ratio"], targets)
            row["valid_days"], row["days"] = now["aqi_days"], days
            if value is None:
                status = "no_data"
            elif target is None:
                status = "unknown"
            elif full_year:
                status = "meets" if value >= target else "fails"
            elif budget["non_good_days_left"] is not None and budget["non_good_days_left"] < 0:
                status = "fails"
            else:
                status = "meets" if value >= target else "at_risk"
            row["note"] = f"优良天 {now['good']} 天 / 有AQI的 {now['aqi_days']} 天"
            row["note_en"] = f"{now['good']} good days of {now['aqi_days']} days with an AQI"
        elif key == "heavy_pollution_days":
            value = float(now["heavy"]) if now["aqi_days"] else None
            last_value = float(ly["heavy"]) if ly["aqi_days"] else None
            row["valid_days"], row["days"] = now["aqi_days"], days
            if value is None:
                status = "no_data"
            elif target is None:
                status = "unknown"
            elif value > target:
                status = "fails"
            elif full_year or value < target:
                status = "meets"
            else:
                status = "at_risk"  # no heavy day left for the rest of the year
        else:
            share = dust_report.extra.get("poor_share")
            value = _r1(share, targets) if share is not None else None
            last_value = None
            n_roads = int(dust_report.extra.get("graded_roads", 0))
            row["valid_days"], row["days"] = n_roads, int(dust_report.extra.get("roads", 0))
            if dust_report.frame.empty:
                status = "no_data"
            elif value is None or target is None:
                status = "unknown"
            else:
                status = "meets" if value <= target else "fails"
            row["note"], row["note_en"] = dust_report.extra.get("poor_share_note", ("", ""))
        gap = None if value is None or target is None else _r1(value - target, targets)
        row.update(
            value=_nan(value),
            gap=_nan(gap),
            status=status,
            last_year_value=_nan(last_value),
            trend=_trend_word(value, last_value),
        )
        rows.append(row)
    if not has_data:
        notes.add(f"{year} 年没有监测数据", f"no readings for {year}")
    frame = pd.DataFrame(rows)[DISTRICT_COLUMNS]
    method = {
        "period": _period_text(first, last),
        "period_en": _period_text(first, last),
        "rule": "全区日均值 = 各街道当日有效日均值的算术平均；PM2.5 为全区有效日均值的算术平均；优良天数、重污染天数按全区日AQI（HJ 633-2012）统计",
        "rule_en": "district daily value = mean of the subdistricts' valid daily means of the day; PM2.5 = mean of the district's valid days; good and heavy days from the district daily AQI (HJ 633-2012)",
        "validity": validity_rules.validity_text_zh(validity),
        "validity_en": validity_rules.validity_text(validity),
        "rounding": "GB/T 8170 四舍六入五成双",
        "rounding_en": rounding_text(targets),
        "status_rule": (
            "全年结束：按目标判断达标/未达标；年内：PM2.5 按年末预算规则（按计划=达标，有风险，偏离目标=未达标；"
            + budget_rules.status_rule_text(targets.status_rules)[0]
            + "）；优良天数比率低于目标为有风险，全年允许的非优良天数已用完为未达标；重污染天数等于目标为有风险，超过为未达标；"
            "差等级道路比例：无等级时为未知"
        ),
        "status_rule_en": (
            "year over: meets / fails against the target; year in progress: PM2.5 by the year-end budget rule (on track = meets, "
            "at risk, off track = fails; " + budget_rules.status_rule_text(targets.status_rules)[1]
            + "); good-day ratio below target at_risk, more non-good days than the year allows fails; heavy days equal to "
            "the target at_risk, above it fails; poor-road share unknown without grades"
        ),
        "trend": "与去年同期相比：down 下降、up 上升、flat 持平",
        "trend_en": "trend vs the same period of last year: down, up, flat",
        **dust_text,
    }
    extra = {"budget": budget, "first": first, "last": last}
    return Report("district", frame, method, notes.zh, notes.en, extra)


def _indicator_target(targets: Targets, key: str) -> float | None:
    try:
        ind = targets.indicator(key)
    except KeyError:
        return None
    return None if ind.target is None else float(ind.target)


# -- 7. road dust ----------------------------------------------------------------------------

ROAD_DUST_COLUMNS = ["subdistrict", "code", "road", "month", "load", "grade", "grade_source", "source"]


def road_dust(engine: Engine, targets: Targets, *, year: int, month: int | None = None) -> Report:
    """Road-dust load per road and month; by subdistrict and month; the worst roads; the
    share of poor-grade roads against the target."""
    notes = _Notes()
    first = dt.date(year, month or 1, 1)
    last = _month_end(year, month or 12)
    raw = queries.road_dust_frame(engine, first, last)
    table = _subdistrict_table(targets)
    thresholds: dict[str, float] = {str(k): float(v) for k, v in targets.road_dust.grades.items()}
    decimals = 2
    if raw.empty:
        frame = pd.DataFrame(columns=ROAD_DUST_COLUMNS)
        notes.add(
            f"{year} 年{f'{month} 月' if month else ''}没有道路尘负荷数据",
            f"no road-dust data for {year}{f'-{month:02d}' if month else ''}",
        )
    else:
        graded = road_dust_rules.grade_frame(raw, thresholds)
        graded = graded.merge(table[["subdistrict_id", "subdistrict", "code"]], on="subdistrict_id", how="left")
        graded["month"] = [f"{d:%Y-%m}" for d in graded["day"]]
        graded["load"] = [round_value(v, decimals, targets.standards.rounding.rule) for v in graded["load"].tolist()]
        frame = graded[ROAD_DUST_COLUMNS].sort_values(["month", "code", "road"]).reset_index(drop=True)
    share, n_graded, n_all = road_dust_rules.poor_share(frame) if len(frame) else (None, 0, 0)
    try:
        ind = targets.indicator("poor_road_share")
        target = None if ind.target is None else float(ind.target)
    except KeyError:
        target = None
        notes.add("targets.yaml 中没有指标 poor_road_share", "indicator poor_road_share is missing from targets.yaml")
    if len(frame) and share is None:
        share_status = "unknown"
        note = (
            "差等级道路比例未知：数据未给出等级，targets.yaml 也未设定分级阈值",
            "poor-grade share unknown: the data gives no grades and targets.yaml sets no thresholds",
        )
        notes.add(*note)
    elif share is None:
        share_status = "no_data"
        note = ("无道路尘负荷数据", "no road-dust data")
    else:
        share_status = "unknown" if target is None else ("meets" if share <= target else "fails")
        note = (
            f"差等级 {int(round(share * n_graded / 100))} 条次 / 已定级 {n_graded} 条次（共 {n_all} 条次）",
            f"{int(round(share * n_graded / 100))} poor of {n_graded} graded road-months ({n_all} measured)",
        )
        if n_graded < n_all:
            notes.add(
                f"{n_all - n_graded} 条次道路没有等级，未计入比例",
                f"{n_all - n_graded} road-month(s) without a grade are left out of the share",
            )
    if frame.empty:
        by_sd = pd.DataFrame(columns=["subdistrict", "code", "month", "mean_load", "roads"])
        worst = pd.DataFrame(columns=ROAD_DUST_COLUMNS)
    else:
        by_sd = (
            frame.groupby(["subdistrict", "code", "month"], sort=True)["load"]
            .agg(mean_load="mean", roads="size")
            .reset_index()
        )
        by_sd["mean_load"] = [round_value(v, decimals, targets.standards.rounding.rule) for v in by_sd["mean_load"].tolist()]
        worst = frame.sort_values(["load", "month"], ascending=[False, False]).head(10).reset_index(drop=True)
    if thresholds:
        rule_zh = f"等级：数据给出的等级优先；否则按 targets.yaml 阈值（{targets.road_dust.grades_source or '来源未注明'}）：" + "，".join(
            f"{g}≤{v:g}" for g, v in thresholds.items()
        ) + "，以上为差"
        rule_en = "grade: the file's grade wins; else the thresholds in targets.yaml: " + ", ".join(
            f"{g} ≤ {v:g}" for g, v in thresholds.items()
        ) + " g/m², above is 差"
    else:
        rule_zh = "等级：数据给出的等级；targets.yaml 未设定阈值，没有等级的道路为“未知”"
        rule_en = "grade: the file's grade; targets.yaml sets no thresholds, so a road without one is 'unknown'"
    method = {
        "period": _period_text(first, last),
        "period_en": _period_text(first, last),
        "rule": "道路尘负荷（g/m²，生态环境局），不是尘土残存量；差等级道路比例 = 差等级条次 / 已定级条次",
        "rule_en": "road-dust load (g/m², ecology bureau), not dust residue; poor share = 差 road-months / graded road-months",
        "grading": rule_zh,
        "grading_en": rule_en,
        "rounding": "GB/T 8170 四舍六入五成双，2 位小数",
        "rounding_en": "GB/T 8170 half to even, 2 decimals",
    }
    extra = {
        "by_subdistrict_month": by_sd,
        "worst": worst,
        "poor_share": share,
        "poor_share_status": share_status,
        "poor_share_note": note,
        "graded_roads": n_graded,
        "roads": n_all,
        "target": target,
        "grading_rule": rule_zh,
        "grading_rule_en": rule_en,
    }
    return Report("road_dust", frame, method, notes.zh, notes.en, extra)


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


def _monthly_sums(engine: Engine, targets: Targets, first: dt.date, last: dt.date, exclude_dust: bool) -> pd.DataFrame:
    parts = [
        queries.district_monthly_sums(
            engine, f, la, "pm25", targets.validity(f).daily_min_hours, exclude_dust=exclude_dust
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


def seasonal_profile(engine: Engine, targets: Targets, year: int, exclude_dust: bool = False) -> budget_rules.Profile:
    """The district PM2.5 seasonal profile of the years before ``year`` held in the database
    (the most recent ``status_rules.seasonal_profile_years`` with every month; demo data
    left out): monthly sums from the database, not every daily row."""
    n_years = targets.status_rules.seasonal_profile_years
    last = dt.date(year - 1, 12, 31)
    # the most recent years first (one spare for a gap); all years only when they fall short
    window_first = dt.date(max(year - n_years - 1, 1), 1, 1)
    profile = budget_rules.profile_from_monthly(
        _monthly_sums(engine, targets, window_first, last, exclude_dust), n_years, year, _PROFILE_MIN_DAYS
    )
    if len(profile.years) < n_years:
        held = queries.available_years(engine)
        if held and held[-1] < window_first.year:
            profile = budget_rules.profile_from_monthly(
                _monthly_sums(engine, targets, dt.date(held[-1], 1, 1), last, exclude_dust), n_years, year, _PROFILE_MIN_DAYS
            )
    return profile


#: Where a report gets the seasonal profile: called only when needed (the dashboard passes
#: its cached one, computed once per year and dust setting for all pages).
ProfileSource = Callable[[], budget_rules.Profile]


def _profile_source(
    engine: Engine, targets: Targets, year: int, exclude_dust: bool, given: ProfileSource | None
) -> ProfileSource:
    return given if given is not None else (lambda: seasonal_profile(engine, targets, year, exclude_dust))


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


def budget(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    through: dt.date | None = None,
    exclude_dust: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """Per subdistrict and for the district: what the rest of the year may still have."""
    notes = _Notes()
    first, last, has_data = _resolve_period(engine, year, through, None, None, targets)
    excluded, dust_text = _dust_filter(engine, first, last, exclude_dust)
    valid = _valid_daily(engine, targets, first, last, ("pm25", "pm10", "so2", "no2", "co", "o3"), excluded)
    seasonal = _profile_source(engine, targets, year, exclude_dust, profile)()
    if seasonal.empty:
        notes.add(
            "数据库中没有往年完整的全年数据，无法形成季节曲线，年末预测不可用",
            "no past year with every month in the database: no seasonal profile, no projection",
        )
    good_target = _indicator_target(targets, "good_day_ratio")
    heavy_target = _indicator_target(targets, "heavy_pollution_days")
    pm25_target = _indicator_target(targets, "pm25_annual")
    for key, value in (("good_day_ratio", good_target), ("heavy_pollution_days", heavy_target), ("pm25_annual", pm25_target)):
        if value is None:
            notes.add(f"targets.yaml 中没有指标 {key} 的数值目标", f"indicator {key} has no numeric target in targets.yaml")
    year_over = last >= dt.date(year, 12, 31)
    sub_aqi = aqi_rules.aqi_frame(_wide(valid, ["subdistrict_id", "day"]), targets.aqi_standard) if len(valid) else None
    rows = []
    pm = valid[valid["pollutant"] == "pm25"] if len(valid) else valid
    for sd in _subdistrict_table(targets).itertuples(index=False):
        sid = int(sd.subdistrict_id)
        mine = pm[pm["subdistrict_id"] == sid][["day", "value"]] if len(pm) else pd.DataFrame(columns=["day", "value"])
        row: dict[str, Any] = {"subdistrict": sd.subdistrict, "code": sd.code}
        row.update(_budget_row(mine, last, float(sd.pm25_target), seasonal, targets, year_over))
        aq = sub_aqi[sub_aqi["subdistrict_id"] == sid] if sub_aqi is not None else None
        counts = _district_aqi_counts(aq) if aq is not None and len(aq) else None
        row.update(_day_budget(year, counts, good_target, heavy_target))
        if not len(mine):
            row["status"] = "unknown"
            if has_data:
                notes.add(f"{sd.subdistrict}：{year} 年没有有效数据", f"{sd.subdistrict} ({sd.pinyin}): no valid data for {year}")
        rows.append(row)
    dd = _district_daily(valid)
    dpm = dd[dd["pollutant"] == "pm25"][["day", "value"]] if len(dd) else pd.DataFrame(columns=["day", "value"])
    drow: dict[str, Any] = {"subdistrict": targets.district.name, "code": targets.district.code}
    drow.update(_budget_row(dpm, last, pm25_target, seasonal, targets, year_over))
    daqi = aqi_rules.aqi_frame(_wide(dd.drop(columns="n_subdistricts"), ["day"]), targets.aqi_standard) if len(dd) else None
    drow.update(_day_budget(year, _district_aqi_counts(daqi) if daqi is not None and len(daqi) else None, good_target, heavy_target))
    if not has_data:
        notes.add(f"{year} 年没有监测数据", f"no readings for {year}")
        drow["status"] = "unknown"
    rows.append(drow)
    frame = pd.DataFrame(rows)[BUDGET_COLUMNS]
    rule_zh, rule_en = budget_rules.status_rule_text(targets.status_rules)
    method = {
        "period": _period_text(first, last) + f"；剩余 {budget_rules.remaining_days(last)} 天",
        "period_en": _period_text(first, last) + f"; {budget_rules.remaining_days(last)} days left",
        "rule": "剩余天数所需均值 = (目标×(已有有效天数+剩余天数) − 已有日均值之和) / 剩余天数；非优良天数余量 = 全年允许非优良天数 − 已发生；重污染天数余量 = 目标 − 已发生",
        "rule_en": "required rest-of-year mean = (target × (valid days + days left) − sum so far) / days left; non-good days left = allowed in the year − so far; heavy days left = target − so far",
        "projection": (
            f"年末预测：以往年份（{'、'.join(str(y) for y in seasonal.years) or '无'}）各月浓度与其年均值之比的季节曲线，乘以今年累计水平；高低值取各年曲线的最大和最小"
        ),
        "projection_en": (
            f"projection: the monthly profile of past years ({', '.join(str(y) for y in seasonal.years) or 'none'}) "
            "normalised to each year's mean, applied to this year's level; low/high from each year's own profile"
        ),
        "status_rule": rule_zh,
        "status_rule_en": rule_en,
        "rounding": "GB/T 8170 四舍六入五成双",
        "rounding_en": rounding_text(targets),
        **dust_text,
    }
    extra = {"status_rule_en": rule_en, "profile_years": list(seasonal.years), "profile": seasonal.mean.tolist(), "last": last}
    return Report("budget", frame, method, notes.zh, notes.en, extra)


def _day_budget(year: int, counts: dict[str, Any] | None, good_target: float | None, heavy_target: float | None) -> dict[str, Any]:
    if counts is None:
        return {"non_good_days": np.nan, "non_good_days_left": np.nan, "heavy_days": np.nan, "heavy_days_left": np.nan}
    b = budget_rules.good_and_heavy_budget(
        year=year, non_good=counts["non_good"], heavy=counts["heavy"], good_target=good_target, heavy_target=heavy_target
    )
    return {
        "non_good_days": b["non_good_days"],
        "non_good_days_left": _nan(b["non_good_days_left"]),
        "heavy_days": b["heavy_days"],
        "heavy_days_left": _nan(b["heavy_days_left"]),
    }


# -- 3. progress --------------------------------------------------------------------------------

PROGRESS_COLUMNS = [
    "month", "monthly_mean", "monthly_valid_days", "monthly_complete", "ytd_mean", "ytd_valid_days", "target",
    "remaining_days", "required_rest_mean", "projection", "status",
]


def progress(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    subdistrict: str | None = None,
    exclude_dust: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """Month by month: the monthly mean, the year-to-date mean and the budget at the month's end."""
    notes = _Notes()
    first, last, has_data = _resolve_period(engine, year, None, None, "pm25", targets)
    excluded, dust_text = _dust_filter(engine, first, dt.date(year, 12, 31), exclude_dust)
    valid = _valid_daily(engine, targets, first, last, ("pm25",), excluded)
    if subdistrict is not None:
        sd = _resolve_subdistrict(targets, subdistrict)
        series = valid[valid["subdistrict_id"] == subdistrict_id(sd.code)][["day", "value"]] if len(valid) else pd.DataFrame(columns=["day", "value"])
        target: float | None = float(sd.pm25_target)
        who, who_en = sd.short_name, f"{sd.short_name} ({sd.pinyin})"
    else:
        dd = _district_daily(valid)
        series = dd[dd["pollutant"] == "pm25"][["day", "value"]] if len(dd) else pd.DataFrame(columns=["day", "value"])
        target = _indicator_target(targets, "pm25_annual")
        who, who_en = targets.district.name, targets.district.name_en
        if target is None:
            notes.add("targets.yaml 中没有 pm25_annual 的数值目标", "indicator pm25_annual has no numeric target in targets.yaml")
    seasonal = _profile_source(engine, targets, year, exclude_dust, profile)()
    rows = []
    for month in range(1, 13):
        m_first, m_end = dt.date(year, month, 1), _month_end(year, month)
        if not has_data or m_first > last:
            rows.append({"month": month, "monthly_mean": np.nan, "monthly_valid_days": 0, "monthly_complete": False,
                         "ytd_mean": np.nan, "ytd_valid_days": 0, "target": _nan(target),
                         "remaining_days": budget_rules.remaining_days(m_end), "required_rest_mean": np.nan,
                         "projection": np.nan, "status": "future" if has_data else "no_data"})
            continue
        m_last = min(m_end, last)
        m_excl = len([d for d in excluded if m_first <= d <= m_last])
        rule = validity_rules.required_days(m_first, m_last, targets.validity(m_first))
        in_month = series[(series["day"] >= m_first) & (series["day"] <= m_last)] if len(series) else series
        mean = _period_stat(in_month["value"], "pm25") if len(in_month) else None
        upto = series[series["day"] <= m_last] if len(series) else series
        b = _budget_row(upto, m_last, target, seasonal, targets, m_last >= dt.date(year, 12, 31))
        rows.append(
            {
                "month": month,
                "monthly_mean": _nan(_r(mean, "pm25", targets)),
                "monthly_valid_days": len(in_month),
                "monthly_complete": len(in_month) >= max(rule.required - m_excl, 1),
                "ytd_mean": b["ytd_mean"],
                "ytd_valid_days": b["valid_days"],
                "target": b["target"],
                "remaining_days": b["remaining_days"],
                "required_rest_mean": b["required_rest_mean"],
                "projection": b["projection"],
                "status": b["status"] if len(upto) else "no_data",
            }
        )
    if not has_data:
        notes.add(f"{year} 年没有监测数据", f"no readings for {year}")
    elif series.empty:
        notes.add(f"{who}：{year} 年没有有效数据", f"{who_en}: no valid data for {year}")
    frame = pd.DataFrame(rows)[PROGRESS_COLUMNS]
    rule_zh, rule_en = budget_rules.status_rule_text(targets.status_rules)
    method = {
        "period": _period_text(first, last),
        "period_en": _period_text(first, last),
        "rule": "月均值、年初至今均值：有效日均值的算术平均（HJ 663-2013）；月数据完整性：每月至少 27 天（2月 25 天），当月按已过天数同比例",
        "rule_en": "monthly and year-to-date means: mean of valid daily means (HJ 663-2013); a month is complete with ≥ 27 valid days (February 25), the current month pro rata",
        "scope": f"{who}" + ("（全区日值 = 各街道有效日均值的平均）" if subdistrict is None else ""),
        "scope_en": f"{who_en}" + (" (district daily value = mean of the subdistricts' valid daily means)" if subdistrict is None else ""),
        "status_rule": rule_zh + "；future：尚未到来的月份",
        "status_rule_en": rule_en + "; future: a month not reached yet",
        "rounding": "GB/T 8170 四舍六入五成双",
        "rounding_en": rounding_text(targets),
        **dust_text,
    }
    return Report("progress", frame, method, notes.zh, notes.en, {"profile_years": list(seasonal.years)})


# -- 5. trend --------------------------------------------------------------------------------------

TREND_COLUMNS = ["year", "value", "source", "kind", "period", "complete", "in_series"]


def trend(engine: Engine, targets: Targets, *, pollutant: str = "pm25") -> Report:
    """The multi-year table (plan table, published figures, the data) with trend statistics
    over the Xicheng series (plan table years, plus complete measured years not in it)."""
    notes = _Notes()
    key = "good_days" if pollutant == "good_days" else _check_pollutant(pollutant)
    rows: list[dict[str, Any]] = []
    history = targets.history
    for tr in history.trend_table.rows:
        v = getattr(tr, key, None)
        if v is not None:
            rows.append({"year": tr.year, "value": float(v), "source": history.trend_table.source, "kind": "plan_table",
                         "period": str(tr.year), "complete": True})
    for pub in history.published:
        v = getattr(pub, key, None)
        if v is None:
            continue
        full = pub.period.isdigit()
        rows.append({"year": int(pub.period[:4]), "value": float(v), "source": pub.source,
                     "kind": f"published_{pub.scope}", "period": pub.period, "complete": full})
    # the data: district annual values of every year in the database
    for year in queries.years_with_data(engine):
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        pols: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3") if key == "good_days" else (key,)
        dd = _district_daily_db(engine, targets, first, last, pols, False)
        if dd.empty:
            continue
        demo = bool(dd["demo"].all())
        if key == "good_days":
            aq = aqi_rules.aqi_frame(_wide(dd.drop(columns=["n_subdistricts", "demo"]), ["day"]), targets.aqi_standard)
            counts = _district_aqi_counts(aq)
            value: float | None = float(counts["good"])
            n_days = counts["aqi_days"]
        else:
            s = dd[dd["pollutant"] == key]["value"]
            value = _r(_period_stat(s, key), key, targets)
            n_days = int(s.notna().sum())
        if value is None:
            continue
        last_data = queries.last_day_with_data(engine, year)
        complete = n_days >= targets.validity(first).annual_min_days
        period = f"{year}" if last_data == last else f"{year}-01-01..{last_data}"
        rows.append({"year": year, "value": value, "source": "demo (generated, not measurements)" if demo else "monitor database",
                     "kind": "data_demo" if demo else "data", "period": period, "complete": complete})
        if not complete:
            notes.add(
                f"{year} 年数据不完整（有效 {n_days} 天，需 {targets.validity(first).annual_min_days} 天），不计入趋势检验",
                f"{year}: {n_days} valid days, needs {targets.validity(first).annual_min_days}: not in the trend test",
            )
    frame = pd.DataFrame(rows, columns=[c for c in TREND_COLUMNS if c != "in_series"])
    plan_years = set(frame.loc[frame["kind"] == "plan_table", "year"].tolist()) if len(frame) else set()
    in_series = []
    for r in frame.itertuples(index=False):
        in_series.append(bool(r.kind == "plan_table" or (r.kind == "data" and r.complete and r.year not in plan_years)))
    frame["in_series"] = in_series
    frame = frame.sort_values(["year", "kind"]).reset_index(drop=True)
    series = frame[frame["in_series"]].sort_values("year")
    stats = trend_rules.trend_statistics(series["year"].astype(int).tolist(), series["value"].astype(float).tolist())
    if stats["refused"]:
        notes.add(str(stats["refused_zh"]), str(stats["refused"]))
    # the measured years alone (complete, not demo): usually too few, and then refused
    measured = frame[(frame["kind"] == "data") & frame["complete"]].sort_values("year")
    data_only = trend_rules.trend_statistics(measured["year"].astype(int).tolist(), measured["value"].astype(float).tolist())
    yoy = []
    prev = None
    for r in series.itertuples(index=False):
        yoy.append({"year": int(r.year), "value": float(r.value),
                    "change_pct": _r1(ranking_rules.change_pct(float(r.value), prev), targets) if prev is not None else None})
        prev = float(r.value)
    unit = "天" if key == "good_days" else UNITS.get(key, "µg/m³")
    method = {
        "rule": "西城区序列：规划表1的年份，加上数据库中完整、非演示、且表1未覆盖的年份；Theil–Sen 斜率及其 95% 置信区间，Mann–Kendall 检验（SciPy）；少于 6 个年度值不做检验",
        "rule_en": "Xicheng series: the plan's table 1 years plus complete, non-demo measured years it does not cover; Theil–Sen slope with its 95% interval and the Mann–Kendall test (SciPy); fewer than 6 yearly values are refused",
        "statistic": "O3：日最大8小时滑动平均第90百分位数" if key == "o3" else ("优良天数" if key == "good_days" else "年均浓度"),
        "statistic_en": "O3: 90th percentile of daily maximum 8-hour means" if key == "o3" else ("good days" if key == "good_days" else "annual mean"),
        "unit": unit,
        "unit_en": unit,
        "data": "数据库年值：全区日值（各街道有效日均值的平均）的有效日平均",
        "data_en": "database years: mean of the district's valid daily values (the subdistricts' valid daily means averaged per day)",
    }
    extra = {
        "theil_sen": stats["theil_sen"],
        "mann_kendall": stats["mann_kendall"],
        "n": stats["n"],
        "refused": stats["refused"],
        "refused_zh": stats["refused_zh"],
        "plan_targets": [pt.model_dump() for pt in history.plan_targets],
        "yoy": yoy,
        "data_only": data_only,
        "pollutant": key,
    }
    return Report("trend", frame, method, notes.zh, notes.en, extra)


# -- 8. overview ------------------------------------------------------------------------------------


def overview(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    through: dt.date | None = None,
    exclude_dust: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """district() and ranking() in one call (extra["district"], extra["ranking"])."""
    d = district(engine, targets, year=year, through=through, exclude_dust=exclude_dust, profile=profile)
    r = ranking(engine, targets, year=year, through=through, exclude_dust=exclude_dust)
    return Report(
        "overview",
        d.frame,
        d.method,
        d.notes + [n for n in r.notes if n not in d.notes],
        d.notes_en + [n for n in r.notes_en if n not in d.notes_en],
        {"district": d, "ranking": r},
    )
