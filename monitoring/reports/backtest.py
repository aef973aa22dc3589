"""The projection's backtest: for each month-end of a finished year, project the year-end
annual PM2.5 mean from the data up to then and compare it with what the year turned out to be.

It measures what a leader is told in the year: the mean absolute error of the projection
and how often the actual annual mean fell inside the stated interval (``coverage``). The
same cases calibrate the interval: ``fitted_spread`` is the ``projection_coverage`` quantile
of the rest-of-year mean's relative error scaled to one month left (see
``rules.budget.half_width``), the number ``status_rules.projection_spread`` holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.errors import InputError
from monitoring.reports.common import Report, _district_daily, _month_end, _Notes, _r, _subdistrict_table, _valid_daily
from monitoring.reports.projection import seasonal_profile
from monitoring.rules import budget as budget_rules
from monitoring.rules import periods as period_rules
from monitoring.targets import Targets

BACKTEST_COLUMNS = [
    "place", "code", "through", "valid_days", "ytd_mean", "projection", "projection_low", "projection_high",
    "actual", "error", "covered", "rest_projected", "rest_actual", "rest_error_scaled",
]


def _cases(series: pd.DataFrame, year: int, profile: budget_rules.Profile, spread: float | None,
           min_days: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    actual = float(series["value"].mean())
    for month in range(1, 12):
        through = _month_end(year, month)
        so_far = series[series["day"] <= through]
        rest = series[series["day"] > through]
        if not budget_rules.can_project(len(so_far), year_over=False, min_days=min_days) or rest.empty:
            continue
        proj, low, high = budget_rules.project(so_far, through, profile, spread)
        rest_pred = budget_rules.projected_rest_mean(so_far, through, profile)
        if proj is None or low is None or high is None or rest_pred is None or rest_pred <= 0:
            continue
        remaining = budget_rules.remaining_days(through)
        rest_actual = float(rest["value"].mean())
        rows.append({
            "through": through,
            "valid_days": len(so_far),
            "ytd_mean": float(so_far["value"].mean()),
            "projection": proj,
            "projection_low": low,
            "projection_high": high,
            "actual": actual,
            "error": proj - actual,
            "covered": bool(budget_rules.interval_covers(low, actual, high)),
            "rest_projected": rest_pred,
            "rest_actual": rest_actual,
            # the relative error of the rest-of-year mean, scaled to one month left (see rules.budget.half_width)
            "rest_error_scaled": abs(rest_actual / rest_pred - 1.0) * (remaining / 30.0) ** 0.25,
        })
    return rows


def backtest(engine: Engine, targets: Targets, *, year: int, spread: float | None = None,
             use_configured: bool = True) -> Report:
    """Every month-end of the finished ``year``, for the district and each subdistrict whose
    year is complete (≥ ``annual_min_days`` valid days): projection vs actual."""
    if dt.date(year, 12, 31) >= timeutil.today_beijing():
        raise InputError(
            f"{year} is not over yet: a backtest needs a finished year",
            message_zh=f"{year} 年尚未结束，回测需要已结束的年份",
            hint="give an earlier --year (the embedded history has 2014–2016)",
        )
    notes = _Notes()
    rules = targets.status_rules
    if spread is None and use_configured:
        spread = rules.projection_spread
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    need = targets.validity(first).annual_min_days
    valid = _valid_daily(engine, targets, first, last, ("pm25",), set())
    profile = seasonal_profile(engine, targets, year)
    if profile.empty:
        notes.add(f"{year} 年之前没有完整年份，无法形成季节曲线", f"no complete year before {year}: no seasonal profile")
    places: list[tuple[str, str, pd.DataFrame]] = []
    dd = _district_daily(valid)
    places.append((targets.district.name, targets.district.code,
                   dd[dd["pollutant"] == "pm25"][["day", "value"]] if len(dd) else pd.DataFrame(columns=["day", "value"])))
    for sd in _subdistrict_table(targets).itertuples(index=False):
        mine = valid[valid["subdistrict_id"] == sd.subdistrict_id][["day", "value"]] if len(valid) else valid
        places.append((str(sd.subdistrict), str(sd.code), mine))
    rows: list[dict[str, Any]] = []
    for name, code, series in places:
        if not period_rules.is_complete(len(series), need, over=True):
            if len(series):
                notes.add(f"{name}：{year} 年有效 {len(series)} 天，不足 {need} 天，不参与回测",
                          f"{name}: {len(series)} valid days in {year}, needs {need}: left out")
            continue
        if profile.empty:
            continue
        for case in _cases(series, year, profile, spread, rules.min_days_for_projection):
            rows.append({"place": name, "code": code, **case})
    frame = pd.DataFrame(rows, columns=BACKTEST_COLUMNS)
    for col in ("ytd_mean", "projection", "projection_low", "projection_high", "actual", "error", "rest_projected",
                "rest_actual"):
        frame[col] = pd.Series([_r(v, "pm25", targets) for v in frame[col].tolist()], index=frame.index, dtype="float64")
    # inside or not as a reader sees it: the rounded figures, as the outlook compares them
    frame["covered"] = budget_rules.interval_covers(frame["projection_low"], frame["actual"], frame["projection_high"])
    summary = summarise(frame, rules.projection_coverage or 0.8)
    method = {
        "rule": f"{year} 年每个月末（1—11月），用截至当时的有效日均值和 {year} 年之前的季节曲线（"
        + ("、".join(str(y) for y in profile.years) or "无") + "）预测全年均值，与实际全年均值比较",
        "rule_en": f"at each month-end of {year} (January–November), the year-end annual mean projected from the valid "
        f"days up to then and the seasonal profile of the years before ({', '.join(str(y) for y in profile.years) or 'none'}), "
        "against the actual annual mean",
        "interval": f"区间：余下天数均值相对误差 {spread:g}（剩一个月时），按月数的四次方根缩小" if spread is not None
        else "区间：往年各自季节曲线的最大与最小",
        "interval_en": f"interval: ± the rest-of-year mean's relative error {spread:g} (one month left), shrinking with the fourth root of the months left"
        if spread is not None else "interval: each past year's own profile (max and min)",
        "summary": "mae：预测与实际之差绝对值的平均（µg/m³）；coverage：实际值落在区间内的比例；fitted_spread：按覆盖目标拟合的相对误差",
        "summary_en": "mae: mean absolute projection error (µg/m³); coverage: share of cases whose actual lies inside the "
        "interval; fitted_spread: the relative error that gives the target coverage on these cases",
    }
    return Report("backtest", frame, method, notes.zh, notes.en, {"summary": summary, "profile_years": list(profile.years),
                                                                 "spread": spread})


def summarise(frame: pd.DataFrame, coverage_target: float) -> dict[str, Any]:
    """mae, coverage, bias, n and the spread that would give ``coverage_target``."""
    if frame.empty:
        return {"mae": None, "coverage": None, "bias": None, "n": 0, "fitted_spread": None,
                "coverage_target": coverage_target}
    err = frame["error"].to_numpy(dtype="float64")
    scaled = frame["rest_error_scaled"].to_numpy(dtype="float64")
    return {
        "mae": round(float(np.mean(np.abs(err))), 2),
        "coverage": round(float(frame["covered"].mean()), 3),
        "bias": round(float(np.mean(err)), 2),
        "n": int(len(frame)),
        "fitted_spread": round(float(np.quantile(scaled, coverage_target)), 3),
        "coverage_target": coverage_target,
    }
