"""The year-end budget and projection per subdistrict and for the district."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.aqi import _wide
from monitoring.reports.common import (
    BUDGET_COLUMNS,
    ProfileSource,
    Report,
    _budget_row,
    _district_daily,
    _nan,
    _Notes,
    _period_text,
    _profile_source,
    _resolve_period,
    _subdistrict_table,
    _valid_daily,
)
from monitoring.reports.district import _district_aqi_counts, _indicator_target
from monitoring.reports.events import deduction
from monitoring.rules import aqi as aqi_rules
from monitoring.rules import budget as budget_rules
from monitoring.rules.rounding import method_text as rounding_text
from monitoring.targets import Targets


def budget(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    through: dt.date | None = None,
    exclude_events: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """Per subdistrict and for the district: what the rest of the year may still have."""
    notes = _Notes()
    first, last, has_data = _resolve_period(engine, year, through, None, None, targets)
    excluded, events_text = deduction(engine, targets, first, last, exclude_events)
    valid = _valid_daily(engine, targets, first, last, ("pm25", "pm10", "so2", "no2", "co", "o3"), excluded)
    seasonal = _profile_source(engine, targets, year, exclude_events, profile)()
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
        **events_text,
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


