"""The year-end budget and projection per subdistrict and for the district."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.aqi import _wide
from monitoring.reports.common import (
    Period,
    Report,
    _district_aqi_counts,
    _district_daily,
    _indicator_target,
    _nan,
    _Notes,
    _subdistrict_table,
    _valid_daily,
    resolve_period,
    standards_method,
)
from monitoring.reports.events import deduction
from monitoring.reports.projection import (
    BUDGET_COLUMNS,
    ProfileSource,
    _budget_row,
    _profile_source,
    projection_method,
    required_text,
)
from monitoring.rules import aqi as aqi_rules
from monitoring.rules import budget as budget_rules
from monitoring.rules import verdict
from monitoring.rules.rounding import method_text as rounding_text
from monitoring.targets import Targets


def pm25_verdicts(
    engine: Engine,
    targets: Targets,
    period: Period,
    excluded: set[dt.date],
    profile: budget_rules.Profile,
    valid: pd.DataFrame | None = None,
    only: int | str | None = None,
) -> dict[int | str, dict[str, Any]]:
    """The annual-PM2.5 budget row (``_budget_row``: status so far and outlook) of every
    subdistrict (by id) and of the district (key ``"district"``) for the year ``period``;
    with ``only``, of that one place alone (a page that shows one place computes one).

    The one place the PM2.5 verdicts are made: budget, ranking, progress, district and the
    brief all read them from here, so they cannot disagree."""
    if valid is None:
        valid = _valid_daily(engine, targets, period.first, period.last, ("pm25",), excluded)
    pm = valid[valid["pollutant"] == "pm25"] if len(valid) else valid
    n_excl = len(excluded)
    out: dict[int | str, dict[str, Any]] = {}
    empty = pd.DataFrame(columns=["day", "value"])
    for sd in _subdistrict_table(targets).itertuples(index=False):
        sid = int(sd.subdistrict_id)
        if only is not None and only != sid:
            continue
        mine = pm[pm["subdistrict_id"] == sid][["day", "value"]] if len(pm) else empty
        out[sid] = _budget_row(mine, period.last, float(sd.pm25_target), profile, targets, year_over=period.over,
                               complete=period.complete(len(mine), targets, n_excl))
        out[sid]["required_days"] = period.required(n_excl)
    if only is not None and only != "district":
        return out
    dd = _district_daily(pm)
    dpm = dd[dd["pollutant"] == "pm25"][["day", "value"]] if len(dd) else empty
    out["district"] = _budget_row(dpm, period.last, _indicator_target(targets, "pm25_annual"), profile, targets,
                                  year_over=period.over, complete=period.complete(len(dpm), targets, n_excl))
    out["district"]["required_days"] = period.required(n_excl)
    return out


def budget(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    through: dt.date | None = None,
    exclude_events: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """Per subdistrict and for the district: what the rest of the year may still have, the
    status so far and the year-end outlook."""
    notes = _Notes()
    period = resolve_period(engine, year, through, None, None, targets)
    first, last, has_data = period.first, period.last, period.has_data
    excluded, events_text = deduction(engine, targets, first, last, exclude_events)
    valid = _valid_daily(engine, targets, first, last, aqi_rules.FULL_SET, excluded)
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
    verdicts = pm25_verdicts(engine, targets, period, excluded, seasonal, valid)
    sub_aqi = aqi_rules.aqi_frame(_wide(valid, ["subdistrict_id", "day"]), targets.aqi_standard) if len(valid) else None
    rows = []
    for sd in _subdistrict_table(targets).itertuples(index=False):
        sid = int(sd.subdistrict_id)
        row: dict[str, Any] = {"subdistrict": sd.subdistrict, "code": sd.code, **verdicts[sid]}
        aq = sub_aqi[sub_aqi["subdistrict_id"] == sid] if sub_aqi is not None else None
        counts = _district_aqi_counts(aq) if aq is not None and len(aq) else None
        row.update(_day_budget(year, counts, good_target, heavy_target))
        if not row["valid_days"] and has_data:
            notes.add(f"{sd.subdistrict}：{year} 年没有有效数据", f"{sd.pinyin}: no valid data for {year}")
        if row["cannot_meet"]:
            zh, en = required_text(row)
            notes.add(f"{sd.subdistrict}：{zh}", f"{sd.pinyin}: {en}")
        rows.append(row)
    dd = _district_daily(valid)
    drow: dict[str, Any] = {"subdistrict": targets.district.name, "code": targets.district.code, **verdicts["district"]}
    daqi = aqi_rules.aqi_frame(_wide(dd.drop(columns="n_subdistricts"), ["day"]), targets.aqi_standard) if len(dd) else None
    drow.update(_day_budget(year, _district_aqi_counts(daqi) if daqi is not None and len(daqi) else None, good_target, heavy_target))
    if not has_data:
        notes.add(f"{year} 年没有监测数据", f"no readings for {year}")
    rows.append(drow)
    frame = pd.DataFrame(rows)[BUDGET_COLUMNS]
    status_zh, status_en = verdict.status_rule_text(targets.status_rules)
    outlook_zh, outlook_en = verdict.outlook_rule_text(targets.status_rules)
    proj_zh, proj_en = projection_method(targets, seasonal)
    period_zh, period_en = period.text()
    left = 0 if period.over else budget_rules.remaining_days(last)
    method = {
        "period": period_zh + f"；剩余 {left} 天",
        "period_en": period_en + f"; {left} days left",
        "validity": f"年度需 {period.required(len(excluded))} 个有效日" + ("（按已过天数同比例）" if not period.over else ""),
        "validity_en": f"the year needs {period.rule.text}",
        "rule": "剩余天数所需均值 = (目标×(已有有效天数+剩余天数) − 已有日均值之和) / 剩余天数，为负时显示“今年已无法实现”及全年最好结果；"
        "非优良天数余量 = 全年允许非优良天数 − 已发生；重污染天数余量 = 目标 − 已发生",
        "rule_en": "required rest-of-year mean = (target × (valid days + days left) − sum so far) / days left; when negative "
        "it reads 'can no longer be met' with the best the year can reach; non-good days left = allowed in the year − so far; "
        "heavy days left = target − so far",
        "projection": proj_zh,
        "projection_en": proj_en,
        "status_rule": status_zh,
        "status_rule_en": status_en,
        "outlook_rule": outlook_zh,
        "outlook_rule_en": outlook_en,
        "rounding": "GB/T 8170 四舍六入五成双",
        "rounding_en": rounding_text(targets),
        **events_text,
        **standards_method(targets, first, last),
    }
    extra = {"profile_years": list(seasonal.years), "profile": seasonal.mean.tolist(), "last": last,
             "period_state": period.state}
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


