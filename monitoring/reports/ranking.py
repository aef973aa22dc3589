"""Ranking: one row per subdistrict, ranked as Beijing publishes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from monitoring.reports import moving_average
from monitoring.reports.budget import pm25_verdicts
from monitoring.reports.common import (
    POLLUTANT_NAMES,
    Period,
    Report,
    _check_pollutant,
    _limit,
    _nan,
    _Notes,
    _period_stat,
    _period_text,
    _r,
    _r1,
    _same_day_last_year,
    _stat_name,
    _subdistrict_table,
    _valid_daily,
    period_for,
    resolve_period,
    standards_method,
)
from monitoring.reports.events import deduction
from monitoring.reports.projection import ProfileSource, _profile_source
from monitoring.rules import ranking as ranking_rules
from monitoring.rules import validity as validity_rules
from monitoring.rules import verdict
from monitoring.rules.rounding import decimals_for
from monitoring.rules.rounding import method_text as rounding_text
from monitoring.targets import Evaluation, Targets

# -- 1. ranking -------------------------------------------------------------------------

RANKING_COLUMNS = [
    "rank",
    "subdistrict",
    "mean",
    "target",
    "gap",
    "valid_days",
    "days",
    "status",
    "outlook",
    "code",
    "pinyin",
    "completeness",
    "complete",
    "required_days",
    "period_state",
    "last_year_mean",
    "change_pct",
    "change_rank",
    "demo",
]


def _subdistrict_period(
    valid: pd.DataFrame, pollutant: str, period: Period, n_excluded: int, evaluation: Evaluation
) -> dict[int, validity_rules.MeanResult]:
    out: dict[int, validity_rules.MeanResult] = {}
    sub = valid[valid["pollutant"] == pollutant]
    for sid, group in sub.groupby("subdistrict_id"):
        stat = _period_stat(group["value"], pollutant, evaluation)
        out[int(sid)] = validity_rules.MeanResult(stat, int(group["value"].notna().sum()), period.days(n_excluded),
                                                  period.required(n_excluded))
    return out


def ranking(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    through: dt.date | None = None,
    month: int | None = None,
    pollutant: str = "pm25",
    exclude_events: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """One row per subdistrict (all 15), ranked ascending by the rounded period value, with
    the status so far of the period and (PM2.5) the year-end outlook of the budget."""
    pollutant = _check_pollutant(pollutant)
    notes = _Notes()
    period = resolve_period(engine, year, through, month, pollutant, targets)
    first, last, has_data = period.first, period.last, period.has_data
    excluded, events_text = deduction(engine, targets, first, last, exclude_events)
    validity = targets.validity(first)
    n_excl = len(excluded)
    valid = _valid_daily(engine, targets, first, last, (pollutant,), excluded)
    current = _subdistrict_period(valid, pollutant, period, n_excl, targets.evaluation_for_year(year))
    outlooks: dict[int, str] = {}
    if pollutant == "pm25":
        # the year-end outlook is the budget's (the same function, the same year period)
        year_period = period if month is None else resolve_period(engine, year, through, None, "pm25", targets)
        year_excluded = excluded if month is None else deduction(engine, targets, year_period.first, year_period.last, exclude_events)[0]
        seasonal = _profile_source(engine, targets, year, exclude_events, profile)()
        verdicts = pm25_verdicts(engine, targets, year_period, year_excluded, seasonal,
                                 valid if month is None else None)
        outlooks = {int(k): str(v["outlook"]) for k, v in verdicts.items() if k != "district"}

    ly_first, ly_last = _same_day_last_year(first), _same_day_last_year(last)
    ly_excluded, _ = deduction(engine, targets, ly_first, ly_last, exclude_events)
    ly_period = period_for(ly_first, _same_day_last_year(period.end), ly_last, targets, through=ly_last)
    ly_valid = _valid_daily(engine, targets, ly_first, ly_last, (pollutant,), ly_excluded)
    previous = _subdistrict_period(ly_valid, pollutant, ly_period, len(ly_excluded), targets.evaluation_for_year(year - 1))
    demo_ids = set(valid.loc[valid["demo"].astype(bool), "subdistrict_id"].astype(int).tolist()) if len(valid) else set()

    limit, limit_standard = _limit(targets, pollutant, first)
    rows = []
    for sd in _subdistrict_table(targets).itertuples(index=False):
        sid = int(sd.subdistrict_id)
        res = current.get(sid)
        target = float(sd.pm25_target) if pollutant == "pm25" else limit
        mean = _r(res.mean, pollutant, targets) if res else None
        complete = period.complete(res.valid_days, targets, n_excl) if res else False
        prev = previous.get(sid)
        prev_mean = _r(prev.mean, pollutant, targets) if prev and prev.complete else None
        gap = None if mean is None or target is None else _r(mean - target, pollutant, targets)
        rows.append(
            {
                "subdistrict": sd.subdistrict,
                "code": sd.code,
                "pinyin": sd.pinyin,
                "mean": _nan(mean),
                "target": _nan(target),
                "gap": _nan(gap),
                "valid_days": res.valid_days if res else 0,
                "days": period.days(n_excl),
                "required_days": period.required(n_excl),
                "period_state": period.state,
                "completeness": _nan(_r1(100.0 * res.completeness, targets)) if res and res.days else float("nan"),
                "complete": complete,
                "status": verdict.so_far(mean, target, complete=complete),
                "outlook": outlooks.get(sid, "unknown"),
                "last_year_mean": _nan(prev_mean),
                # a change is computed between two complete periods only
                "change_pct": _nan(_r1(ranking_rules.change_pct(mean if complete else None, prev_mean), targets)),
                "demo": sid in demo_ids,
            }
        )
        if res is None and has_data:
            notes.add(
                f"{sd.subdistrict}：{_period_text(first, last)} 无有效数据",
                f"{sd.pinyin}: no valid data for {_period_text(first, last)}",
            )
        elif res is not None and not complete:
            need = period.needed(targets, n_excl)
            notes.add(
                f"{sd.subdistrict}：有效天数 {res.valid_days}/{res.days}，需 {need} 天，数据不足，不作判断，排名仅供参考",
                f"{sd.pinyin}: {res.valid_days} valid days of {res.days}, needs {need}: incomplete, no verdict, rank for reference only",
            )
        if prev is not None and not prev.complete and prev.mean is not None:
            notes.add(
                f"{sd.subdistrict}：去年同期数据不完整（{prev.valid_days}/{prev.days} 天），不计算同比",
                f"{sd.pinyin}: same period last year incomplete ({prev.valid_days}/{prev.days} days), no change computed",
            )
    if not has_data:
        notes.add(f"{year} 年没有 {POLLUTANT_NAMES[pollutant]} 数据", f"no {POLLUTANT_NAMES[pollutant]} data for {year}")
    elif not current:
        notes.add(
            f"{_period_text(first, last)} 没有 {POLLUTANT_NAMES[pollutant]} 有效数据",
            f"no valid {POLLUTANT_NAMES[pollutant]} data for {_period_text(first, last)}",
        )
    if pollutant != "pm25" and limit is None:
        notes.add(
            f"{POLLUTANT_NAMES[pollutant]} 没有年均浓度限值，不判断达标",
            f"{POLLUTANT_NAMES[pollutant]} has no annual limit in targets.yaml: no status against a target",
        )
    frame = pd.DataFrame(rows)
    frame.insert(0, "rank", ranking_rules.competition_rank(frame["mean"]))
    # improvement ranking (改善幅度): the largest fall on the same period of last year first
    frame["change_rank"] = ranking_rules.competition_rank(frame["change_pct"])
    frame = frame.sort_values(["rank", "code"], na_position="last", kind="stable").reset_index(drop=True)
    frame = frame[RANKING_COLUMNS]
    three = moving_average.three_year(engine, targets, year=year, pollutant=pollutant, exclude_events=exclude_events, annual=month is None)
    frame["mean_3y"] = three.column(frame["code"])  # HJ 663—2026 three-year moving average
    stat_zh, stat_en = _stat_name(pollutant, targets.evaluation_for_year(year))
    target_zh = "各街道2026年PM2.5年均浓度目标（附1）" if pollutant == "pm25" else f"{limit_standard} 年均限值"
    target_en = "each subdistrict's 2026 annual PM2.5 target (附1)" if pollutant == "pm25" else f"{limit_standard} annual limit"
    method = {
        "period": period.text()[0] + (f"，{month}月" if month else ("，全年" if period.over else "，年初至今累计")),
        "period_en": period.text()[1] + (f", month {month}" if month else (", whole year" if period.over else ", year to date")),
        "rule": stat_zh,
        "rule_en": stat_en,
        "validity": validity_rules.validity_text_zh(validity)
        + (f"；扣除例外事件 {n_excl} 天后需 {period.needed(targets, n_excl)} 个有效日" if n_excl
           else f"；本时段需 {period.needed(targets, n_excl)} 个有效日")
        + (f"（进行中的时段至少 {targets.status_rules.min_days_so_far} 天）" if not period.over else ""),
        "validity_en": validity_rules.validity_text(validity)
        + (f"; {period.needed(targets, n_excl)} valid days needed after deducting {n_excl} exceptional-event days" if n_excl
           else f"; this period needs {period.needed(targets, n_excl)} valid days")
        + (f", at least {targets.status_rules.min_days_so_far} while in progress" if not period.over else ""),
        "rounding": "GB/T 8170 四舍六入五成双，" + f"{decimals_for(pollutant, targets)} 位小数",
        "rounding_en": rounding_text(targets),
        "ranking": "按累计浓度（修约后）由低到高排名，浓度相同名次并列（1、2、2、4）；数据不足的街道照常排名但标注“数据不足”",
        "ranking_en": "ascending by the rounded value, equal values share a rank (1, 2, 2, 4); incomplete periods are ranked but flagged complete=false, status 'incomplete'",
        "target": target_zh,
        "target_en": target_en,
        "status_rule": verdict.status_rule_text(targets.status_rules)[0],
        "status_rule_en": verdict.status_rule_text(targets.status_rules)[1],
        "outlook_rule": (verdict.outlook_rule_text(targets.status_rules)[0] + "（与月度进展的全年预判同一计算）")
        if pollutant == "pm25" else "全年预判仅对 PM2.5 目标给出",
        "outlook_rule_en": (verdict.outlook_rule_text(targets.status_rules)[1] + " (the same computation as the budget)")
        if pollutant == "pm25" else "a year-end outlook is given for the PM2.5 targets only",
        "change": "同比：与去年同期（同样日期范围）相比的变化率，本期或去年同期数据不足时不计算；改善幅度排名按变化率由低到高（降幅最大者第1）",
        "change_en": "change_pct: change on the same dates of last year, in %; not computed when this period or last year's is incomplete; "
        "change_rank: ascending by change_pct (the largest fall first), ties share a rank",
        **events_text,
        **standards_method(targets, first, last),
        **three.method,
    }
    return Report("ranking", frame, method, notes.zh + three.notes, notes.en + three.notes_en,
                  {"first": first, "last": last, "pollutant": pollutant, "period_state": period.state})


