"""The district's measured 附4 indicators against their targets."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.aqi import _aqi_notes, _wide
from monitoring.reports.common import (
    ProfileSource,
    Report,
    _budget_row,
    _district_daily_db,
    _nan,
    _Notes,
    _period_stat,
    _period_text,
    _profile_source,
    _r,
    _r1,
    _resolve_period,
    _same_day_last_year,
)
from monitoring.reports.events import deduction
from monitoring.reports.road_dust import road_dust
from monitoring.rules import aqi as aqi_rules
from monitoring.rules import budget as budget_rules
from monitoring.rules import validity as validity_rules
from monitoring.rules.rounding import method_text as rounding_text
from monitoring.targets import Targets

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
    exclude_events: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """The measured 附4 indicators for the district."""
    notes = _Notes()
    get_profile = _profile_source(engine, targets, year, exclude_events, profile)
    first, last, has_data = _resolve_period(engine, year, through, None, None, targets)
    excluded, events_text = deduction(engine, targets, first, last, exclude_events)
    validity = targets.validity(first)
    rule = validity_rules.required_days(first, last, validity)
    full_year = last == dt.date(year, 12, 31)
    days = max(rule.days - len(excluded), 0)
    required = max(rule.required - len(excluded), 1)

    def measure(f: dt.date, la: dt.date) -> dict[str, Any]:
        # only the district's daily values are needed: averaged in the database
        dd = _district_daily_db(engine, targets, f, la, ("pm25", "pm10", "so2", "no2", "co", "o3"), exclude_events)
        pm = dd[dd["pollutant"] == "pm25"]["value"]
        wide = _wide(dd.drop(columns=["n_subdistricts", "demo"]), ["day"])
        aqi = aqi_rules.aqi_frame(wide, targets.aqi_standard)
        pm_days = dd[dd["pollutant"] == "pm25"][["day", "value"]]
        return {"pm25": _period_stat(pm, "pm25"), "pm25_days": int(pm.notna().sum()), "pm25_daily": pm_days, "aqi": aqi,
                **_district_aqi_counts(aqi)}

    now = measure(first, last)
    ly_first, ly_last = _same_day_last_year(first), _same_day_last_year(last)
    ly_excluded, _ = deduction(engine, targets, ly_first, ly_last, exclude_events)
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
        "validity": validity_rules.validity_text_zh(validity)
        + (f"；扣除例外事件 {len(excluded)} 天后本时段需 {required} 个有效日" if excluded else ""),
        "validity_en": validity_rules.validity_text(validity)
        + (f"; {required} valid days needed after deducting {len(excluded)} exceptional-event days" if excluded else ""),
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
        **events_text,
    }
    extra = {"budget": budget, "first": first, "last": last}
    return Report("district", frame, method, notes.zh, notes.en, extra)


def _indicator_target(targets: Targets, key: str) -> float | None:
    try:
        ind = targets.indicator(key)
    except KeyError:
        return None
    return None if ind.target is None else float(ind.target)


