"""Road-dust load per road and month, and the share of poor-grade roads."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from monitoring.reports.common import Report, _month_end, _Notes, _period_text, _r1, _subdistrict_table
from monitoring.rules import road_dust as road_dust_rules
from monitoring.rules import verdict
from monitoring.rules.rounding import round_value
from monitoring.storage import queries
from monitoring.targets import Targets

# -- 7. road dust ----------------------------------------------------------------------------

ROAD_DUST_COLUMNS = ["subdistrict", "code", "road", "month", "load", "grade", "grade_source", "source"]


def road_dust(engine: Engine, targets: Targets, *, year: int, month: int | None = None) -> Report:
    """Road-dust load per road and month; by subdistrict and month; the worst roads; the
    share of poor-grade roads against the target."""
    notes = _Notes()
    first = dt.date(year, month or 1, 1)
    last = _month_end(year, month or 12)
    raw = queries.road_dust_frame(engine, first, last)
    table = _subdistrict_table(targets)
    thresholds: dict[str, float] = {str(k): float(v) for k, v in targets.road_dust.grades.items()}
    decimals = 2
    if raw.empty:
        frame = pd.DataFrame(columns=ROAD_DUST_COLUMNS)
        notes.add(
            f"{year} 年{f'{month} 月' if month else ''}没有道路尘负荷数据",
            f"no road-dust data for {year}{f'-{month:02d}' if month else ''}",
        )
    else:
        graded = road_dust_rules.grade_frame(raw, thresholds)
        graded = graded.merge(table[["subdistrict_id", "subdistrict", "code"]], on="subdistrict_id", how="left")
        graded["month"] = [f"{d:%Y-%m}" for d in graded["day"]]
        graded["load"] = [round_value(v, decimals, targets.standards.rounding.rule) for v in graded["load"].tolist()]
        frame = graded[ROAD_DUST_COLUMNS].sort_values(["month", "code", "road"]).reset_index(drop=True)
    share, n_graded, n_all = road_dust_rules.poor_share(frame) if len(frame) else (None, 0, 0)
    try:
        ind = targets.indicator("poor_road_share")
        target = None if ind.target is None else float(ind.target)
    except KeyError:
        target = None
        notes.add("targets.yaml 中没有指标 poor_road_share", "indicator poor_road_share is missing from targets.yaml")
    # judged once, on the share rounded by GB/T 8170 (the figure every screen shows)
    rounded = _r1(share, targets) if share is not None else None
    share_status = verdict.share_status(rounded, target)
    if len(frame) and share is None:
        note = (
            "差等级道路比例未知：数据未给出等级，也未设定分级阈值",
            "poor-grade share unknown: the data gives no grades and no thresholds are set",
        )
        notes.add(*note)
    elif share is None:
        note = ("无道路尘负荷数据", "no road-dust data")
    else:
        n_poor = int(round(share * n_graded / 100))
        note = (
            f"差等级 {n_poor} 条次 / 已定级 {n_graded} 条次（共 {n_all} 条次）",
            f"{n_poor} poor of {n_graded} graded road-months ({n_all} measured)",
        )
        if n_graded < n_all:
            notes.add(
                f"{n_all - n_graded} 条次道路没有等级，未计入比例",
                f"{n_all - n_graded} road-month(s) without a grade are left out of the share",
            )
    if frame.empty:
        by_sd = pd.DataFrame(columns=["subdistrict", "code", "month", "mean_load", "roads"])
        worst = pd.DataFrame(columns=ROAD_DUST_COLUMNS)
    else:
        by_sd = (
            frame.groupby(["subdistrict", "code", "month"], sort=True)["load"]
            .agg(mean_load="mean", roads="size")
            .reset_index()
        )
        by_sd["mean_load"] = [round_value(v, decimals, targets.standards.rounding.rule) for v in by_sd["mean_load"].tolist()]
        worst = frame.sort_values(["load", "month"], ascending=[False, False]).head(10).reset_index(drop=True)
    if thresholds:
        rule_zh = f"等级：数据给出的等级优先；否则按 targets.yaml 阈值（{targets.road_dust.grades_source or '来源未注明'}）：" + "，".join(
            f"{g}≤{v:g}" for g, v in thresholds.items()
        ) + "，以上为差"
        rule_en = "grade: the file's grade wins; else the thresholds in targets.yaml: " + ", ".join(
            f"{g} ≤ {v:g}" for g, v in thresholds.items()
        ) + " g/m², above is poor (差)"
    else:
        rule_zh = "等级：数据给出的等级；targets.yaml 未设定阈值，没有等级的道路为“未知”"
        rule_en = "grade: the file's grade; targets.yaml sets no thresholds, so a road without one is 'unknown'"
    # the period named ends on the last day measured, never on a day still to come
    if len(raw):
        last = min(last, max(pd.Timestamp(d).date() for d in raw["day"]))
    method = {
        "period": _period_text(first, last),
        "period_en": _period_text(first, last),
        "rule": "道路尘负荷（g/m²，生态环境局），不是尘土残存量；差等级道路比例 = 差等级条次 / 已定级条次",
        "rule_en": "road-dust load (g/m², ecology bureau), not dust residue; poor share = poor-grade road-months / graded road-months",
        "grading": rule_zh,
        "grading_en": rule_en,
        "rounding": "GB/T 8170 四舍六入五成双，尘负荷 2 位小数；差等级道路比例修约到 1 位小数后与目标比较（道路尘负荷页、指标与简报同一判断）",
        "rounding_en": "GB/T 8170 half to even, loads 2 decimals; the poor-road share is rounded to 1 decimal, then compared with the target (the same verdict on the road-dust page, the indicators and the brief)",
    }
    extra = {
        "by_subdistrict_month": by_sd,
        "worst": worst,
        "poor_share": share,
        "poor_share_rounded": rounded,
        "poor_share_status": share_status,
        "poor_share_note": note,
        "graded_roads": n_graded,
        "roads": n_all,
        "target": target,
        "grading_rule": rule_zh,
        "grading_rule_en": rule_en,
    }
    return Report("road_dust", frame, method, notes.zh, notes.en, extra)


