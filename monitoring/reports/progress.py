"""Month by month: monthly mean, year-to-date mean and the budget at each month's end."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.aqi import _resolve_subdistrict
from monitoring.reports.common import (
    ProfileSource,
    Report,
    _budget_row,
    _district_daily,
    _month_end,
    _nan,
    _Notes,
    _period_stat,
    _period_text,
    _profile_source,
    _r,
    _resolve_period,
    _valid_daily,
)
from monitoring.reports.district import _indicator_target
from monitoring.reports.events import deduction
from monitoring.rules import budget as budget_rules
from monitoring.rules import validity as validity_rules
from monitoring.rules.rounding import method_text as rounding_text
from monitoring.targets import Targets, subdistrict_id

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
    exclude_events: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """Month by month: the monthly mean, the year-to-date mean and the budget at the month's end."""
    notes = _Notes()
    first, last, has_data = _resolve_period(engine, year, None, None, "pm25", targets)
    excluded, events_text = deduction(engine, targets, first, dt.date(year, 12, 31), exclude_events)
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
    seasonal = _profile_source(engine, targets, year, exclude_events, profile)()
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
        **events_text,
    }
    return Report("progress", frame, method, notes.zh, notes.en, {"profile_years": list(seasonal.years)})


