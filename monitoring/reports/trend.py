"""The multi-year table with trend statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.reports.aqi import _wide
from monitoring.reports.common import (
    UNITS,
    Report,
    _check_pollutant,
    _district_daily_db,
    _Notes,
    _period_stat,
    _r,
    _r1,
    _stat_name,
)
from monitoring.reports.district import _district_aqi_counts
from monitoring.rules import aqi as aqi_rules
from monitoring.rules import periods as period_rules
from monitoring.rules import ranking as ranking_rules
from monitoring.rules import trends as trend_rules
from monitoring.storage import queries
from monitoring.targets import Targets
from monitoring.timeutil import today_beijing

# -- 5. trend --------------------------------------------------------------------------------------

#: ``source``: the publisher's own page when known (else where the figure was found, then
#: ``reprint`` is empty and ``primary_known`` False); ``reprint``: the reprint it was also found in.
TREND_COLUMNS = ["year", "value", "source", "kind", "period", "complete", "in_series", "reprint", "primary_known"]


def trend(engine: Engine, targets: Targets, *, pollutant: str = "pm25") -> Report:
    """The multi-year table (plan table, published figures, the data) with trend statistics
    over the Xicheng series (plan table years, plus complete measured years not in it)."""
    notes = _Notes()
    key = "good_days" if pollutant == "good_days" else _check_pollutant(pollutant)
    rows: list[dict[str, Any]] = []
    history = targets.history
    for tr in history.trend_table.rows:
        v = getattr(tr, key, None)
        if v is not None:
            rows.append({"year": tr.year, "value": float(v), "source": history.trend_table.source, "kind": "plan_table",
                         "period": str(tr.year), "complete": True})
    for pub in history.published:
        v = getattr(pub, key, None)
        if v is None:
            continue
        full = pub.period.isdigit()
        primary, reprint = cite(pub)
        rows.append({"year": int(pub.period[:4]), "value": float(v), "source": primary, "reprint": reprint, "primary_known": bool(pub.primary_source),
                     "kind": f"published_{pub.scope}", "period": pub.period, "complete": full})
    # the data: district annual values of every year in the database
    for year in queries.years_with_data(engine):
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        pols: tuple[str, ...] = aqi_rules.FULL_SET if key == "good_days" else (key,)
        dd = _district_daily_db(engine, targets, first, last, pols, False)
        if dd.empty:
            continue
        demo = bool(dd["demo"].all())
        if key == "good_days":
            aq = aqi_rules.aqi_frame(_wide(dd.drop(columns=["n_subdistricts", "demo"]), ["day"]), targets.aqi_standard)
            counts = _district_aqi_counts(aq)
            value: float | None = float(counts["good"])
            n_days = counts["aqi_days"]
        else:
            s = dd[dd["pollutant"] == key]["value"]
            value = _r(_period_stat(s, key, targets.evaluation_for_year(year)), key, targets)
            n_days = int(s.notna().sum())
        if value is None:
            continue
        last_data = queries.last_day_with_data(engine, year)
        # A year is drawn whole and enters the trend test only when it is over (data through
        # 31 December, or the as-of day past it) and has its valid days: the year in progress
        # is partial, however many days it holds, and never enters the Theil–Sen series.
        over = period_rules.year_over(last, last_data, timeutil.today_beijing())
        complete = period_rules.is_complete(n_days, targets.validity(first).annual_min_days, over=over)
        period = f"{year}" if last_data == last else f"{year}-01-01..{last_data}"
        rows.append({"year": year, "value": value, "source": "demo (generated, not measurements)" if demo else "monitor database",
                     "kind": "data_demo" if demo else "data", "period": period, "complete": complete})
        if not over:
            notes.add(
                f"{year} 年尚未结束（截至 {last_data}），不计入趋势检验",
                f"{year} is not over yet (data through {last_data}): not in the trend test",
            )
        elif not complete:
            notes.add(
                f"{year} 年数据不完整（有效 {n_days} 天，需 {targets.validity(first).annual_min_days} 天），不计入趋势检验",
                f"{year}: {n_days} valid days, needs {targets.validity(first).annual_min_days}: not in the trend test",
            )
    frame = pd.DataFrame(rows, columns=[c for c in TREND_COLUMNS if c != "in_series"])
    frame["reprint"] = frame["reprint"].astype(object).where(frame["reprint"].notna(), "")
    # the plan's table and the database are their own sources
    frame["primary_known"] = frame["primary_known"].astype(object).where(frame["primary_known"].notna(), True).astype(bool)
    plan_years = set(frame.loc[frame["kind"] == "plan_table", "year"].tolist()) if len(frame) else set()
    frame["in_series"] = [trend_rules.in_series(str(r.kind), bool(r.complete), int(r.year), plan_years)
                          for r in frame.itertuples(index=False)]
    frame = frame.sort_values(["year", "kind"]).reset_index(drop=True)
    series = frame[frame["in_series"]].sort_values("year")
    stats = trend_rules.trend_statistics(series["year"].astype(int).tolist(), series["value"].astype(float).tolist())
    if stats["refused"]:
        notes.add(str(stats["refused_zh"]), str(stats["refused"]))
    # the measured years alone (complete, not demo): usually too few, and then refused
    measured = frame[(frame["kind"] == "data") & frame["complete"]].sort_values("year")
    data_only = trend_rules.trend_statistics(measured["year"].astype(int).tolist(), measured["value"].astype(float).tolist())
    yoy = []
    prev = None
    for r in series.itertuples(index=False):
        yoy.append({"year": int(r.year), "value": float(r.value),
                    "change_pct": _r1(ranking_rules.change_pct(float(r.value), prev), targets) if prev is not None else None})
        prev = float(r.value)
    unit = "天" if key == "good_days" else UNITS.get(key, "µg/m³")
    method = {
        "rule": "西城区序列：规划表1的年份，加上数据库中完整、非演示、且表1未覆盖的年份；Theil–Sen 斜率及其 95% 置信区间，Mann–Kendall 检验（SciPy）；少于 6 个年度值不做检验",
        "rule_en": "Xicheng series: the plan's table 1 years plus complete, non-demo measured years it does not cover; Theil–Sen slope with its 95% interval and the Mann–Kendall test (SciPy); fewer than 6 yearly values are refused",
        "statistic": "优良天数" if key == "good_days" else "数据库年值：" + _stat_name(key, targets.evaluation_for_year(today_beijing().year))[0],
        "statistic_en": "good days" if key == "good_days" else "database years: " + _stat_name(key, targets.evaluation_for_year(today_beijing().year))[1],
        "unit": unit,
        "unit_en": unit,
        "data": "数据库年值：全区日值（各街道有效日均值的平均）的有效日平均",
        "data_en": "database years: mean of the district's valid daily values (the subdistricts' valid daily means averaged per day)",
    }
    extra = {
        "series_years": [int(series["year"].min()), int(series["year"].max())] if len(series) else [],
        "recent": _recent(frame, series),
        "theil_sen": stats["theil_sen"],
        "mann_kendall": stats["mann_kendall"],
        "n": stats["n"],
        "refused": stats["refused"],
        "refused_zh": stats["refused_zh"],
        "plan_targets": [pt.model_dump() for pt in history.plan_targets],
        "yoy": yoy,
        "data_only": data_only,
        "pollutant": key,
    }
    return Report("trend", frame, method, notes.zh, notes.en, extra)




def cite(pub: Any) -> tuple[str, str]:
    """(source, reprint) of a published figure: the publisher's own page first and the reprint
    it was found in; without a known publisher's page, (where it was found, "")."""
    primary = str(getattr(pub, "primary_source", "") or "")
    if not primary:
        return str(pub.source), ""
    return primary, "" if primary == pub.source else str(pub.source)


def _recent(frame: pd.DataFrame, series: pd.DataFrame) -> dict[str, Any] | None:
    """The recent complete years after the tested series: one whole-year value per year, the
    district's own (measured, not demo) where there is one, else the city's published figure.

    Returns years, values, the scopes used, the first and last value and a Theil–Sen slope
    (no significance test: a handful of years); None with fewer than 3 years."""
    after = int(series["year"].max()) if len(series) else 0
    whole = frame[frame["complete"].fillna(False).astype(bool) & (frame["year"] >= after)]
    preference = {"plan_table": 0, "data": 0, "published_xicheng": 1, "published_beijing": 2}
    whole = whole[whole["kind"].isin(list(preference))]
    if whole.empty:
        return None
    best = (whole.assign(_rank=whole["kind"].map(preference)).sort_values(["year", "_rank"])
            .groupby("year", sort=True).head(1))
    # the last run of one scope (Xicheng or Beijing): values of two areas are not one series
    scope = best["kind"].map(lambda k: "beijing" if k == "published_beijing" else "xicheng")
    last_scope = scope.iloc[-1]
    run = best[scope == last_scope]
    years = [int(y) for y in run["year"]]
    values = [float(v) for v in run["value"]]
    if len(years) < 3:
        return None
    fit = trend_rules.theil_sen_slope(years, values)
    return {"years": years, "values": values, "scope": last_scope, "first": values[0], "last": values[-1],
            "theil_sen": fit}
