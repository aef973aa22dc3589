"""The same year under two rule sets, side by side (issue 12 §1).

2026's district targets (good-day ratio 78 %, heavy-pollution days 3) were set while the
2012 rules stood; from 2026-03-01 the 2026 rules judge each day (HJ 633—2026 bands) and the
year (GB 3095—2026 limits). This report gives, for the district, the good-day ratio, the
heavy-pollution days and the PM2.5 annual mean against the annual limit, computed under the
rules in force and under the 2012 rules, each with its status by ``rules.verdict.so_far``.
The daily values are the same under both (validity is unchanged); only the AQI table, the
limit and the evaluation rules differ.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.aqi import _wide
from monitoring.reports.common import (
    Report,
    _district_daily_db,
    _limit,
    _nan,
    _Notes,
    _period_stat,
    _period_text,
    _r,
    _r1,
    resolve_period,
    standards_method,
)
from monitoring.reports.events import deduction
from monitoring.rules import aqi as aqi_rules
from monitoring.rules import verdict
from monitoring.targets import Targets

COMPARE_COLUMNS = [
    "indicator", "name", "name_en", "unit", "target_kind",
    "in_force_value", "in_force_target", "in_force_rule", "in_force_rule_en", "in_force_status",
    "rule2012_value", "rule2012_target", "rule2012_rule", "rule2012_rule_en", "rule2012_status",
    "difference", "provisional",
]

#: The rule set the in-force figures are compared with.
BASELINE = "2012"


def _aqi_rule(targets: Targets, first: dt.date, last: dt.date) -> tuple[str, str, bool]:
    used = [(e, f, la) for kind, e, f, la in targets.rule_sets_in(first, last) if kind == "aqi"]
    many = len(used) > 1
    zh = "；".join(f"{e.standard}{'（暂定）' if e.provisional else ''}" + (f" {f:%m-%d}–{la:%m-%d}" if many else "") for e, f, la in used)
    en = "; ".join(f"{e.standard}{' (provisional)' if e.provisional else ''}" + (f" {f:%m-%d}–{la:%m-%d}" if many else "") for e, f, la in used)
    return zh, en, any(e.provisional for e, _, _ in used)


def _indicator(targets: Targets, key: str) -> Any:
    try:
        return targets.indicator(key)
    except KeyError:
        return None


def standards_comparison(
    engine: Engine, targets: Targets, *, year: int, through: dt.date | None = None, exclude_events: bool = False
) -> Report:
    """District good-day ratio, heavy-pollution days and PM2.5 annual mean vs limit under the
    rules in force (``targets`` as given) and under the 2012 rules, side by side."""
    notes = _Notes()
    base = targets.under(BASELINE)
    period = resolve_period(engine, year, through, None, None, targets)
    first, last, has_data = period.first, period.last, period.has_data
    excluded, events_text = deduction(engine, targets, first, last, exclude_events)
    dd = _district_daily_db(engine, targets, first, last, aqi_rules.FULL_SET, exclude_events)
    wide = _wide(dd.drop(columns=["n_subdistricts", "demo"]), ["day"])
    pm = dd[dd["pollutant"] == "pm25"]["value"] if len(dd) else pd.Series(dtype="float64")

    def measure(t: Targets) -> dict[str, Any]:
        aqi = aqi_rules.aqi_frame(wide, t.aqi_standard)
        ratio, n_good, n_days = aqi_rules.good_day_ratio(aqi["good"]) if len(aqi) else (None, 0, 0)
        heavy = int(aqi["heavy"].dropna().astype(bool).sum()) if len(aqi) else 0
        evaluation = t.evaluation_for_year(year)
        limit, limit_std = _limit(t, "pm25", last)
        limit_entry = t.limits(dt.date(year, 12, 31))
        aqi_zh, aqi_en, aqi_prov = _aqi_rule(t, first, last)
        return {
            "ratio": _r1(ratio, t), "good": n_good, "aqi_days": n_days, "heavy": float(heavy) if n_days else None,
            "pm25": _r(_period_stat(pm, "pm25", evaluation), "pm25", t), "limit": limit,
            "aqi_rule": (aqi_zh, aqi_en, aqi_prov),
            "limit_rule": (f"{limit_std}{'（暂定）' if limit_entry.provisional else ''} 年均限值 {limit:g}" if limit is not None else "—",
                           f"{limit_std}{' (provisional)' if limit_entry.provisional else ''} annual limit {limit:g}" if limit is not None else "—",
                           limit_entry.provisional or evaluation.provisional),
        }

    now, old = measure(targets), measure(base)
    # the same completeness as every other verdict (a finished year whole, a year in progress pro rata)
    aqi_complete = period.complete(now["aqi_days"], targets, len(excluded))
    pm_complete = period.complete(int(pm.notna().sum()), targets, len(excluded))
    good_ind, heavy_ind = _indicator(targets, "good_day_ratio"), _indicator(targets, "heavy_pollution_days")
    good_target = None if good_ind is None or good_ind.target is None else float(good_ind.target)
    heavy_target = None if heavy_ind is None or heavy_ind.target is None else float(heavy_ind.target)

    def row(key: str, name: str, name_en: str, unit: str, kind: str, value_key: str, rule_key: str,
            t_now: float | None, t_old: float | None, complete: bool, direction: verdict.Direction) -> dict[str, Any]:
        v_now, v_old = now[value_key], old[value_key]
        return {
            "indicator": key, "name": name, "name_en": name_en, "unit": unit, "target_kind": kind,
            "in_force_value": _nan(v_now), "in_force_target": _nan(t_now),
            "in_force_rule": now[rule_key][0], "in_force_rule_en": now[rule_key][1],
            "in_force_status": verdict.so_far(v_now, t_now, complete=complete, direction=direction),
            "rule2012_value": _nan(v_old), "rule2012_target": _nan(t_old),
            "rule2012_rule": old[rule_key][0], "rule2012_rule_en": old[rule_key][1],
            "rule2012_status": verdict.so_far(v_old, t_old, complete=complete, direction=direction),
            "difference": _nan(None if v_now is None or v_old is None else _r1(v_now - v_old, targets)),
            "provisional": bool(now[rule_key][2]),
        }

    rows = [
        row("good_day_ratio", "优良天数比率", "Good-day ratio", "%", "plan_target", "ratio", "aqi_rule",
            good_target, good_target, aqi_complete, "at_least"),
        row("heavy_pollution_days", "重污染天数", "Heavy-pollution days", "天", "plan_target", "heavy", "aqi_rule",
            heavy_target, heavy_target, aqi_complete, "at_most"),
        row("pm25_annual_vs_limit", "PM2.5年均浓度（对照年均限值）", "Annual mean PM2.5 against the annual limit", "µg/m³",
            "limit", "pm25", "limit_rule", now["limit"], old["limit"], pm_complete, "at_most"),
    ]
    frame = pd.DataFrame(rows)[COMPARE_COLUMNS]
    if not has_data:
        notes.add(f"{year} 年没有监测数据", f"no readings for {year}")
    elif not aqi_complete:
        need = period.needed(targets, len(excluded))
        notes.add(f"有效天数 {now['aqi_days']}/{period.days(len(excluded))}，需 {need} 天：两种标准下均为数据不足",
                  f"{now['aqi_days']} valid days of {period.days(len(excluded))}, needs {need}: incomplete under both rule sets")
    if frame["provisional"].any():
        notes.add("现行标准一栏使用了暂定数值（来自二手报道，未见标准原文），确认后在 targets.yaml 中改为 provisional: false",
                  "the in-force column uses provisional values (secondary reporting, not the standard's text); "
                  "confirming them is `provisional: false` in targets.yaml")
    method = {
        "period": _period_text(first, last),
        "period_en": _period_text(first, last),
        "rule": "同一组全区日值（各街道有效日均值的平均），分别按现行标准与 2012 标准体系计算：优良天数、重污染天数按各自的日AQI分级，"
        "PM2.5 年均值对照各自的年均限值；计划目标（优良天数比率、重污染天数）不变",
        "rule_en": "the same district daily values (mean of the subdistricts' valid daily means) computed under the rules in force "
        "and under the 2012 rule set: good and heavy days by each set's daily AQI bands, the PM2.5 annual mean against each "
        "set's annual limit; the plan's targets (good-day ratio, heavy days) are the same under both",
        "status_rule": "累计达标/累计超标/数据不足（rules.verdict.so_far）：" + verdict.status_rule_text(targets.status_rules)[0],
        "status_rule_en": "meets / exceeds / incomplete so far (rules.verdict.so_far): " + verdict.status_rule_text(targets.status_rules)[1],
        "difference": "差值 = 现行标准值 − 2012 标准值",
        "difference_en": "difference = value under the rules in force − value under the 2012 rules",
        **events_text,
        **standards_method(targets, first, last),
    }
    base_method = standards_method(base, first, last)
    method["standards_2012"], method["standards_2012_en"] = base_method["standards"], base_method["standards_en"]
    return Report("standards_comparison", frame, method, notes.zh, notes.en, {"first": first, "last": last})
