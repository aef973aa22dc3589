"""Month by month: monthly mean, year-to-date mean and the budget at each month's end."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.reports.aqi import _resolve_subdistrict
from monitoring.reports.budget import pm25_verdicts
from monitoring.reports.common import (
    Report,
    _district_daily,
    _indicator_target,
    _month_end,
    _nan,
    _Notes,
    _period_stat,
    _r,
    _valid_daily,
    period_for,
    resolve_period,
    standards_method,
)
from monitoring.reports.events import deduction
from monitoring.reports.projection import ProfileSource, _profile_source, projection_method
from monitoring.rules import budget as budget_rules
from monitoring.rules import periods as period_rules
from monitoring.rules import validity as validity_rules
from monitoring.rules import verdict
from monitoring.rules.rounding import method_text as rounding_text
from monitoring.targets import Targets, subdistrict_id

# -- 3. progress --------------------------------------------------------------------------------

PROGRESS_COLUMNS = [
    "month", "month_state", "monthly_mean", "monthly_valid_days", "monthly_days", "monthly_complete", "ytd_mean",
    "ytd_valid_days", "target", "remaining_days", "required_rest_mean", "cannot_meet", "best_possible_mean",
    "projection", "projection_low", "projection_high", "status", "outlook",
]


def progress(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    subdistrict: str | None = None,
    exclude_events: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """Month by month: the monthly mean, the year-to-date mean and the budget at the month's end."""
    notes = _Notes()
    period = resolve_period(engine, year, None, None, "pm25", targets)
    first, last, has_data = period.first, period.last, period.has_data
    today = timeutil.today_beijing()
    excluded, events_text = deduction(engine, targets, first, dt.date(year, 12, 31), exclude_events)
    valid = _valid_daily(engine, targets, first, last, ("pm25",), excluded)
    if subdistrict is not None:
        sd = _resolve_subdistrict(targets, subdistrict)
        sid: int | str = subdistrict_id(sd.code)
        who, who_en = sd.short_name, sd.pinyin
    else:
        sid = "district"
        who, who_en = targets.district.name, targets.district.name_en
        if _indicator_target(targets, "pm25_annual") is None:
            notes.add("targets.yaml 中没有 pm25_annual 的数值目标", "indicator pm25_annual has no numeric target in targets.yaml")
    seasonal = _profile_source(engine, targets, year, exclude_events, profile)()
    rows = []
    for month in range(1, 13):
        m_first, m_end = dt.date(year, month, 1), _month_end(year, month)
        state = period_rules.month_state(m_first, m_end, today, period_over=period.over, period_last=last)
        if not has_data or m_first > last:
            rows.append({"month": month, "month_state": state, "monthly_mean": np.nan, "monthly_valid_days": 0,
                         "monthly_days": 0, "monthly_complete": False, "ytd_mean": np.nan, "ytd_valid_days": 0,
                         "target": np.nan, "remaining_days": budget_rules.remaining_days(m_end),
                         "required_rest_mean": np.nan, "cannot_meet": False, "best_possible_mean": np.nan,
                         "projection": np.nan, "projection_low": np.nan, "projection_high": np.nan,
                         "status": "incomplete" if state == "over" else "", "outlook": ""})
            continue
        m_last = min(m_end, last)
        m_excl = len([d for d in excluded if m_first <= d <= m_last])
        month_rule = validity_rules.required_days(m_first, m_end, targets.validity(m_first))
        # the year to date at this month's end, judged by the one verdict function (the last row is the budget's)
        ytd_period = period if m_last == last else period_for(first, dt.date(year, 12, 31), m_last, targets, through=m_last)
        ytd_excluded = {d for d in excluded if d <= m_last}
        upto = valid[valid["day"] <= m_last] if len(valid) else valid
        v = pm25_verdicts(engine, targets, ytd_period, ytd_excluded, seasonal, upto, only=sid)[sid]
        if subdistrict is not None:
            series = upto[(upto["subdistrict_id"] == sid) & (upto["pollutant"] == "pm25")] if len(upto) else upto
        else:
            series = _district_daily(upto)
        in_month = series[(series["day"] >= m_first) & (series["day"] <= m_last)] if len(series) else series
        mean = _period_stat(in_month["value"], "pm25", targets.evaluation_for_year(year)) if len(in_month) else None
        rows.append(
            {
                "month": month,
                "month_state": state,
                "monthly_mean": _nan(_r(mean, "pm25", targets)),
                "monthly_valid_days": len(in_month),
                "monthly_days": (m_last - m_first).days + 1,
                # a month in progress is never complete, whatever its first days hold
                "monthly_complete": period_rules.is_complete(
                    len(in_month), validity_rules.required_after(month_rule.required, m_excl), over=state == "over"),
                "ytd_mean": v["ytd_mean"],
                "ytd_valid_days": v["valid_days"],
                "target": v["target"],
                "remaining_days": v["remaining_days"],
                "required_rest_mean": v["required_rest_mean"],
                "cannot_meet": v["cannot_meet"],
                "best_possible_mean": v["best_possible_mean"],
                "projection": v["projection"],
                "projection_low": v["projection_low"],
                "projection_high": v["projection_high"],
                "status": v["status"],
                "outlook": v["outlook"],
            }
        )
    series_all = valid[valid["subdistrict_id"] == sid] if subdistrict is not None and len(valid) else valid
    if not has_data:
        notes.add(f"{year} 年没有监测数据", f"no readings for {year}")
    elif series_all.empty:
        notes.add(f"{who}：{year} 年没有有效数据", f"{who_en}: no valid data for {year}")
    frame = pd.DataFrame(rows)[PROGRESS_COLUMNS]
    status_zh, status_en = verdict.status_rule_text(targets.status_rules)
    outlook_zh, outlook_en = verdict.outlook_rule_text(targets.status_rules)
    proj_zh, proj_en = projection_method(targets, seasonal)
    period_zh, period_en = period.text()
    method = {
        "period": period_zh,
        "period_en": period_en,
        "rule": "月均值、年初至今均值：有效日均值的算术平均；已结束的月份至少 27 个有效日（2月 25 天）才算完整；进行中的月份标注“月内 N 天”，不算完整",
        "rule_en": "monthly and year-to-date means: mean of valid daily means; a finished month is complete with ≥ 27 valid days (February 25); the month in progress is labelled with its days so far and never complete",
        "scope": f"{who}" + ("（全区日值 = 各街道有效日均值的平均）" if subdistrict is None else ""),
        "scope_en": f"{who_en}" + (" (district daily value = mean of the subdistricts' valid daily means)" if subdistrict is None else ""),
        "status_rule": status_zh + "；每行为截至该月末的年初至今累计",
        "status_rule_en": status_en + "; each row is the year to date at the month's end",
        "outlook_rule": outlook_zh,
        "outlook_rule_en": outlook_en,
        "projection": proj_zh,
        "projection_en": proj_en,
        "rounding": "GB/T 8170 四舍六入五成双",
        "rounding_en": rounding_text(targets),
        **events_text,
        **standards_method(targets, first, last),
    }
    return Report("progress", frame, method, notes.zh, notes.en,
                  {"profile_years": list(seasonal.years), "period_state": period.state, "last": last})


