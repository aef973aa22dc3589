"""The three-year moving average (HJ 663—2026) beside the annual value.

For year Y it is the mean of the annual values of Y−2, Y−1 and Y (the number of years is
``moving_average_years`` of the evaluation rules in force for Y), each by the annual
statistic of its own year (PM2.5: the mean of valid daily means; CO, O3: the HJ 663
percentile), unrounded, and the mean is rounded once, GB/T 8170. It is given only where all
three years are complete (over, with ``annual_min_days`` valid days); otherwise NaN with a
note saying which year falls short. Under rules without a moving average (HJ 663-2013) it is
NaN and the method says so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.common import (
    POLLUTANT_NAMES,
    _district_daily,
    _Notes,
    _period_stat,
    _r,
    _subdistrict_table,
    _valid_daily,
)
from monitoring.reports.events import deduction
from monitoring.rules import evaluation as evaluation_rules
from monitoring.rules import periods as period_rules
from monitoring.rules import validity as validity_rules
from monitoring.storage import queries
from monitoring.targets import Targets


@dataclass(frozen=True)
class MovingAverage:
    """The moving averages of one year: per subdistrict code and for the district (rounded)."""

    year: int
    years: tuple[int, ...]
    by_code: dict[str, float | None]
    district: float | None
    method: dict[str, str]
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    def column(self, codes: Iterable[str]) -> list[float]:
        """The values for a column of subdistrict codes (NaN where not available)."""
        return [_float(self.by_code.get(str(c))) for c in codes]

    def district_column(self, keys: Iterable[str], key: str = "pm25_annual") -> list[float]:
        """The district value on the row ``key`` of the district table, NaN elsewhere."""
        return [_float(self.district) if k == key else math.nan for k in keys]


def _float(value: float | None) -> float:
    return math.nan if value is None else float(value)


def three_year(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    pollutant: str = "pm25",
    exclude_events: bool = False,
    annual: bool = True,
) -> MovingAverage:
    """The moving average ending in ``year`` for every subdistrict and the district.
    ``annual=False`` (a month view): nothing is computed, the method says why."""
    rule = targets.evaluation_for_year(year)
    n = rule.moving_average_years
    name = POLLUTANT_NAMES.get(pollutant, pollutant)
    if not annual or n is None:
        why_zh = "仅年度视图给出" if not annual else f"{rule.standard} 没有多年滑动平均评价（可用 --standards 2026 查看）"
        why_en = "given in the year view only" if not annual else f"{rule.standard} has no moving-average evaluation (see --standards 2026)"
        method = {"moving_average": f"三年滑动平均：{why_zh}", "moving_average_en": f"three-year moving average: {why_en}"}
        return MovingAverage(year, (), {}, None, method)
    years = tuple(range(year - n + 1, year + 1))
    notes = _Notes()
    last_data = queries.last_day_with_data(engine, year, pollutant)
    if not period_rules.data_through(last_data, dt.date(year, 12, 31)):
        # the year in progress: nothing to average yet (and nothing to read)
        notes.add(f"{year} 年尚未结束，三年滑动平均（{years[0]}–{year}）待全年数据完整后给出",
                  f"{year} is not over: the three-year moving average ({years[0]}–{year}) is given once the year is complete")
        return MovingAverage(year, years, {}, None, _method(rule, years), notes.zh, notes.en)
    table = _subdistrict_table(targets)
    per_sd: dict[int, list[float | None]] = {int(s): [] for s in table["subdistrict_id"]}
    district: list[float | None] = []
    for y in years:
        first, last = dt.date(y, 1, 1), dt.date(y, 12, 31)
        excluded, _ = deduction(engine, targets, first, last, exclude_events)
        required = validity_rules.required_after(targets.validity(first).annual_min_days, len(excluded))
        last_data = queries.last_day_with_data(engine, y, pollutant)
        over = period_rules.data_through(last_data, last)
        valid = _valid_daily(engine, targets, first, last, (pollutant,), excluded)
        valid = valid[valid["pollutant"] == pollutant] if len(valid) else valid
        stat_rule = targets.evaluation_for_year(y)
        for sid in per_sd:
            mine = valid[valid["subdistrict_id"] == sid]["value"] if len(valid) else pd.Series(dtype="float64")
            ok = period_rules.is_complete(len(mine), required, over=over)
            per_sd[sid].append(_period_stat(mine, pollutant, stat_rule) if ok else None)
        dd = _district_daily(valid)
        dvals = dd["value"] if len(dd) else pd.Series(dtype="float64")
        ok = period_rules.is_complete(len(dvals), required, over=over)
        district.append(_period_stat(dvals, pollutant, stat_rule) if ok else None)
        if not ok:
            reason_zh = f"{y} 年未结束或无数据" if not over else f"{y} 年有效 {len(dvals)} 天，不足 {required} 天"
            reason_en = f"{y} is not over or has no data" if not over else f"{y} has {len(dvals)} valid days, needs {required}"
            notes.add(f"全区{name}三年滑动平均不可用：{reason_zh}", f"district {name} three-year average not available: {reason_en}")
    by_code: dict[str, float | None] = {}
    short_of: list[str] = []
    for sd in table.itertuples(index=False):
        values = per_sd[int(sd.subdistrict_id)]
        by_code[str(sd.code)] = _r(evaluation_rules.moving_average(values), pollutant, targets)
        if by_code[str(sd.code)] is None and any(v is not None for v in values):
            short_of.append(str(sd.subdistrict))
    if short_of:
        notes.add(
            f"{'、'.join(short_of)}：不足 {n} 个完整年度（{years[0]}–{years[-1]}），三年滑动平均为空",
            f"{', '.join(short_of)}: fewer than {n} complete years ({years[0]}–{years[-1]}), no three-year average",
        )
    return MovingAverage(year, years, by_code, _r(evaluation_rules.moving_average(district), pollutant, targets),
                         _method(rule, years), notes.zh, notes.en)


def _method(rule: Any, years: tuple[int, ...]) -> dict[str, str]:
    n = len(years)
    mark_zh = "，暂定（数值来自二手报道，来源见“目标设置”页）" if rule.provisional else ""
    mark_en = f"; provisional ({rule.source})" if rule.provisional else ""
    span = "、".join(str(y) for y in years)
    return {
        "moving_average": f"三年滑动平均（{rule.standard}{mark_zh}）：{span} 年 {n} 个完整年度值（各年按当年年评价统计量，未修约）的算术平均，"
        "最后修约一次（GB/T 8170）；任一年度不完整（未结束或有效天数不足）时为空",
        "moving_average_en": f"three-year moving average ({rule.standard}{mark_en}): the mean of the {n} complete annual values "
        f"of {', '.join(str(y) for y in years)} (each by its year's annual statistic, unrounded), rounded once (GB/T 8170); "
        "empty when any year is incomplete (not over, or too few valid days)",
    }

