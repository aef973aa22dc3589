"""The district's measured 附4 indicators against their targets."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring.reports import moving_average
from monitoring.reports.aqi import _aqi_notes, _wide
from monitoring.reports.budget import pm25_verdicts
from monitoring.reports.common import (
    Report,
    _district_aqi_counts,
    _district_daily_db,
    _indicator_target,
    _nan,
    _Notes,
    _period_stat,
    _r,
    _r1,
    _same_day_last_year,
    resolve_period,
    standards_method,
)
from monitoring.reports.events import deduction
from monitoring.reports.projection import ProfileSource, _profile_source, required_text
from monitoring.reports.road_dust import road_dust
from monitoring.rules import aqi as aqi_rules
from monitoring.rules import budget as budget_rules
from monitoring.rules import trends as trend_rules
from monitoring.rules import validity as validity_rules
from monitoring.rules import verdict
from monitoring.rules.rounding import method_text as rounding_text
from monitoring.targets import Targets

# -- 2. district ---------------------------------------------------------------------------

DISTRICT_COLUMNS = [
    "key", "name", "name_en", "value", "unit", "target", "direction", "gap", "status", "outlook",
    "valid_days", "days", "last_year_value", "trend", "note", "note_en",
]


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
    period = resolve_period(engine, year, through, None, None, targets)
    first, last, has_data = period.first, period.last, period.has_data
    excluded, events_text = deduction(engine, targets, first, last, exclude_events)
    validity = targets.validity(first)
    n_excl = len(excluded)
    days, required = period.days(n_excl), period.required(n_excl)
    year_over = period.over

    def measure(f: dt.date, la: dt.date) -> dict[str, Any]:
        # only the district's daily values are needed: averaged in the database
        dd = _district_daily_db(engine, targets, f, la, aqi_rules.FULL_SET, exclude_events)
        pm = dd[dd["pollutant"] == "pm25"]["value"]
        wide = _wide(dd.drop(columns=["n_subdistricts", "demo"]), ["day"])
        aqi = aqi_rules.aqi_frame(wide, targets.aqi_standard)
        return {"pm25": _period_stat(pm, "pm25", targets.evaluation_for_year(la.year)), "pm25_days": int(pm.notna().sum()),
                "aqi": aqi,
                **_district_aqi_counts(aqi)}

    now = measure(first, last)
    ly_first, ly_last = _same_day_last_year(first), _same_day_last_year(last)
    ly_excluded, _ = deduction(engine, targets, ly_first, ly_last, exclude_events)
    ly = measure(ly_first, ly_last)
    ly_rule = validity_rules.required_days(ly_first, ly_last, targets.validity(ly_first))
    ly_complete = validity_rules.enough_days(ly["pm25_days"], validity_rules.required_after(ly_rule.required, len(ly_excluded)))
    _aqi_notes(now["aqi"], notes, targets.district.name, "the district")
    # the PM2.5 verdict of the district: made once, in the budget (rankings, progress and the brief read the same)
    pm25_verdict = pm25_verdicts(engine, targets, period, excluded, get_profile(), only="district")["district"]

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
        status: str
        outlook: str
        if key == "pm25_annual":
            value = _r(now["pm25"], "pm25", targets)
            last_value = _r(ly["pm25"], "pm25", targets) if ly_complete else None
            row["valid_days"], row["days"] = now["pm25_days"], days
            status, outlook = str(pm25_verdict["status"]), str(pm25_verdict["outlook"])
            if status == "incomplete" and value is not None:
                need = period.needed(targets, n_excl)
                row["note"], row["note_en"] = (
                    f"有效天数 {now['pm25_days']}/{days}，需 {need}",
                    f"{now['pm25_days']} valid days of {days}, needs {need}",
                )
            elif not year_over and not math.isnan(pm25_verdict["projection"]):
                req_zh, req_en = required_text(pm25_verdict)
                row["note"] = (f"年末预测 {pm25_verdict['projection']:g}（{pm25_verdict['projection_low']:g}–"
                               f"{pm25_verdict['projection_high']:g}）；{req_zh}")
                row["note_en"] = (f"year-end projection {pm25_verdict['projection']:g} ({pm25_verdict['projection_low']:g}–"
                                  f"{pm25_verdict['projection_high']:g}); {req_en}")
        elif key == "good_day_ratio":
            value = _r1(now["ratio"], targets)
            last_value = _r1(ly["ratio"], targets)
            row["valid_days"], row["days"] = now["aqi_days"], days
            status, outlook = verdict.good_days(value, target, complete=period.complete(now["aqi_days"], targets, n_excl),
                                                year_over=year_over, non_good_left=budget["non_good_days_left"])
            row["note"] = f"优良天 {now['good']} 天 / 有AQI的 {now['aqi_days']} 天"
            row["note_en"] = f"{now['good']} good days of {now['aqi_days']} days with an AQI"
        elif key == "heavy_pollution_days":
            value = float(now["heavy"]) if now["aqi_days"] else None
            last_value = float(ly["heavy"]) if ly["aqi_days"] else None
            row["valid_days"], row["days"] = now["aqi_days"], days
            status, outlook = verdict.heavy_days(value, target, complete=period.complete(now["aqi_days"], targets, n_excl),
                                                 year_over=year_over)
        else:
            value = dust_report.extra.get("poor_share_rounded")
            last_value = None
            n_roads = int(dust_report.extra.get("graded_roads", 0))
            row["valid_days"], row["days"] = n_roads, int(dust_report.extra.get("roads", 0))
            status = str(dust_report.extra.get("poor_share_status", "incomplete"))
            outlook = verdict.share_outlook(status, year_over=year_over)
            row["note"], row["note_en"] = dust_report.extra.get("poor_share_note", ("", ""))
        gap = None if value is None or target is None else _r1(value - target, targets)
        row.update(
            value=_nan(value),
            gap=_nan(gap),
            status=status,
            outlook=outlook,
            last_year_value=_nan(last_value),
            trend=trend_rules.direction_of_change(value, last_value),
        )
        rows.append(row)
    if not has_data:
        notes.add(f"{year} 年没有监测数据", f"no readings for {year}")
    frame = pd.DataFrame(rows)[DISTRICT_COLUMNS]
    three = moving_average.three_year(engine, targets, year=year, exclude_events=exclude_events)
    frame["value_3y"] = three.district_column(frame["key"])  # HJ 663—2026 three-year moving average (PM2.5 row)
    status_zh, status_en = verdict.status_rule_text(targets.status_rules)
    outlook_zh, outlook_en = verdict.outlook_rule_text(targets.status_rules)
    period_zh, period_en = period.text()
    method = {
        "period": period_zh,
        "period_en": period_en,
        "rule": "全区日均值 = 各街道当日有效日均值的算术平均；PM2.5 为全区有效日均值的算术平均；优良天数、重污染天数按全区日AQI（各日现行的 HJ 633，见“适用标准”）统计",
        "rule_en": "district daily value = mean of the subdistricts' valid daily means of the day; PM2.5 = mean of the district's valid days; good and heavy days from the district daily AQI (HJ 633 in force each day, see Standards)",
        "validity": validity_rules.validity_text_zh(validity)
        + (f"；扣除例外事件 {len(excluded)} 天后本时段需 {required} 个有效日" if excluded else f"；本时段需 {required} 个有效日"),
        "validity_en": validity_rules.validity_text(validity)
        + (f"; {required} valid days needed after deducting {len(excluded)} exceptional-event days" if excluded
           else f"; this period needs {period.rule.text}"),
        "rounding": "GB/T 8170 四舍六入五成双",
        "rounding_en": rounding_text(targets),
        "status_rule": status_zh + "；重污染天数超过目标即为累计超标；差等级道路比例按修约后的比例判断",
        "status_rule_en": status_en + "; heavy days above the target exceed it at once; the poor-road share is judged on its rounded value",
        "outlook_rule": outlook_zh + "；优良天数：全年允许的非优良天数已用完为难以达标，比率低于目标为有风险；重污染天数：超过目标为难以达标，等于目标为有风险",
        "outlook_rule_en": outlook_en + "; good days: more non-good days than the year allows off track, ratio below target at risk; "
        "heavy days: above the target off track, at it at risk",
        "trend": "与去年同期相比：down 下降、up 上升、flat 持平",
        "trend_en": "trend vs the same period of last year: down, up, flat",
        **events_text,
        **standards_method(targets, first, last),
        **three.method,
    }
    extra = {"budget": budget, "first": first, "last": last, "period_state": period.state, "pm25": pm25_verdict}
    return Report("district", frame, method, notes.zh + three.notes, notes.en + three.notes_en, extra)
