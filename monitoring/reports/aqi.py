"""Daily AQI per subdistrict-day or district day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.common import (
    POLLUTANT_NAMES,
    Report,
    _district_daily,
    _Notes,
    _period_text,
    _subdistrict_table,
    _valid_daily,
    standards_method,
)
from monitoring.reports.events import deduction
from monitoring.rules import aqi as aqi_rules
from monitoring.rules.rounding import decimals_for, round_series
from monitoring.targets import Targets, subdistrict_id

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
    exclude_events: bool = False,
) -> Report:
    """AQI per subdistrict-day (or per district day with ``district=True``)."""
    notes = _Notes()
    first = start or dt.date(year, 1, 1)
    last = end or dt.date(year, 12, 31)
    excluded, events_text = deduction(engine, targets, first, last, exclude_events)
    valid = _valid_daily(engine, targets, first, last, aqi_rules.FULL_SET, excluded)
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
        frame[col] = round_series(frame[col], decimals_for(col, targets), rule)
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
        **events_text,
        **standards_method(targets, first, last),
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


