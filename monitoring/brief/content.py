"""What the monthly brief says: chosen, ordered and worded once, for the PDF and the workbook.

Nothing here computes a figure the reports do not already give (the budget, the monthly
progress); this module picks the period, words the headline, puts the subdistricts most at
risk first, and states each rule once. Both renderers (``pdf.py``, ``xlsx.py``) lay out the
same ``Brief``, so the two files never disagree.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring import reports, timeutil
from monitoring.errors import InputError
from monitoring.i18n import t
from monitoring.rules import verdict
from monitoring.rules.rounding import round_value
from monitoring.storage import queries
from monitoring.targets import Targets

UNIT = "µg/m³"

SUBDISTRICT_COLUMNS = [
    "subdistrict", "code", "ytd_mean", "target", "gap", "valid_days", "status", "projection", "projection_low",
    "projection_high", "outlook", "required_rest_mean", "cannot_meet", "best_possible_mean", "best_gap", "note",
]
MONTH_COLUMNS = [
    "month", "monthly_mean", "monthly_valid_days", "monthly_days", "month_state", "ytd_mean", "target",
]


@dataclass(frozen=True)
class Appendix:
    """The action plan's sections that hold something entered, and one line for the rest."""

    sections: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    not_entered: str = ""


@dataclass(frozen=True)
class Brief:
    """Everything one brief shows (see the module docstring)."""

    year: int
    month: int
    through: dt.date
    period: str
    title: str
    headline: str
    district: dict[str, Any]
    months: pd.DataFrame
    subdistricts: pd.DataFrame
    method: list[str]
    notes: list[str]
    demo: bool
    generated: dt.datetime
    appendix: Appendix
    exclude_events: bool = False

    @property
    def generated_text(self) -> str:
        return t("brief.generated", "zh", stamp=f"{self.generated:%Y-%m-%d %H:%M}")


# -- the period ------------------------------------------------------------------------------


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_name(through: dt.date) -> str:
    """The period named by its last day: "1—11月" for whole months, "1月1日—12月1日" otherwise
    (never "1—12月" when the data end on 1 December)."""
    if through == month_end(through.year, through.month):
        return "1月" if through.month == 1 else f"1—{through.month}月"
    return f"1月1日—{through.month}月{through.day}日"


def rest_name(through: dt.date) -> str:
    """The rest of the year after ``through``: "12月", "11—12月" or "12月2日—31日"."""
    nxt = through + dt.timedelta(days=1)
    if nxt.year != through.year:
        return ""
    if nxt.day == 1:
        return "12月" if nxt.month == 12 else f"{nxt.month}—12月"
    return f"{nxt.month}月{nxt.day}日—12月31日"


def resolve_through(engine: Engine, targets: Targets, year: int, month: int) -> dt.date:
    """The brief of ``month`` runs through the month's end, or the last day with data in it,
    never past the as-of day (``timeutil.today_beijing``)."""
    if not 1 <= month <= 12:
        raise InputError(f"month {month} is not 1–12", message_zh=f"月份 {month} 无效", hint="give --month 1–12")
    last = reports.default_through(engine, targets, year)
    if last is None:
        raise InputError(
            f"no readings for {year}: there is nothing to brief",
            message_zh=f"{year} 年没有监测数据，无法生成简报",
            hint="load data first (python -m monitoring ingest FILE) or choose another --year",
        )
    if last < dt.date(year, month, 1):
        raise InputError(
            f"no readings for {year}-{month:02d}: the last day with data is {last}",
            message_zh=f"{year} 年 {month} 月还没有监测数据（最后有数据的一天是 {last}）",
            hint=f"choose --month {last.month} or earlier",
        )
    # the as-of day (MONITOR_TODAY or today in Beijing): a brief reproduced for a past day
    # uses no later data
    today = timeutil.today_beijing()
    if today < dt.date(year, month, 1):
        raise InputError(
            f"{year}-{month:02d} has not begun on the as-of day {today}",
            message_zh=f"截至 {today}，{year} 年 {month} 月尚未开始",
            hint="choose an earlier --month (or set MONITOR_TODAY to a later day)",
        )
    return min(last, month_end(year, month), today)


# -- the reports, in the words of the verdict contract ------------------------------------------


def _is_nan(value: Any) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(float(value)))


def _r1(value: Any, targets: Targets) -> float:
    if _is_nan(value):
        return float("nan")
    out = round_value(float(value), 1, targets.standards.rounding.rule)
    return float("nan") if out is None else float(out)


def _opt(value: Any) -> float | None:
    return None if _is_nan(value) else float(value)


def months_frame(frame: pd.DataFrame, through: dt.date) -> pd.DataFrame:
    """Month by month, cut at the brief's last day: later months are ``future`` and empty.

    ``month_state`` and ``monthly_days`` are counted here from the brief's last day, not
    taken from the report: the report's are relative to today, the brief's to the month
    it was asked for."""
    rows = []
    for rec in frame.to_dict("records"):
        month = int(rec["month"])
        first, end = dt.date(through.year, month, 1), month_end(through.year, month)
        if first > through:
            state, days = "future", 0
        elif end <= through:
            state, days = "over", (end - first).days + 1
        else:
            state, days = "in_progress", (through - first).days + 1
        future = state == "future"
        rows.append({
            "month": month,
            "monthly_mean": float("nan") if future else float(rec["monthly_mean"]),
            "monthly_valid_days": 0 if future else int(rec["monthly_valid_days"]),
            "monthly_days": days,
            "month_state": state,
            "ytd_mean": float("nan") if future else float(rec["ytd_mean"]),
            "target": float(rec["target"]),
        })
    return pd.DataFrame(rows, columns=MONTH_COLUMNS)


# -- wording --------------------------------------------------------------------------------


def num(value: Any, decimals: int = 1) -> str:
    if _is_nan(value):
        return "—"
    return f"{float(value):.{decimals}f}"


def status_word(status: Any) -> str:
    return t(f"status.{status}", "zh") if str(status) in verdict.STATUSES else t("status.incomplete", "zh")


def outlook_word(outlook: Any) -> str:
    return t(f"outlook.{outlook}", "zh") if str(outlook) in verdict.OUTLOOKS else t("outlook.unknown", "zh")


def gap_words(gap: Any) -> str:
    if _is_nan(gap):
        return ""
    if float(gap) > 0:
        return f"高于目标 {num(gap)}"
    if float(gap) < 0:
        return f"低于目标 {num(-float(gap))}"
    return "与目标持平"


def note_for(row: dict[str, Any], *, short: bool = False) -> str:
    """The words a number cell cannot hold (the target can no longer be met)."""
    if row.get("cannot_meet"):
        if short:
            return t("brief.cannot_meet_short", "zh", best=num(row.get("best_possible_mean")))
        return t("brief.cannot_meet", "zh", best=num(row.get("best_possible_mean")), gap=num(row.get("best_gap")))
    return ""


def headline(d: dict[str, Any], through: dt.date) -> str:
    """One sentence that answers "are we on track, and what must the rest of the year average"."""
    period = period_name(through)
    year_over = through == dt.date(through.year, 12, 31)
    if _is_nan(d.get("ytd_mean")):
        return f"{period}全区暂无有效 PM2.5 数据，无法判断"
    so_far = f"{'全年' if year_over else period + '累计'} {num(d['ytd_mean'])} {UNIT}"
    if d.get("status") == "incomplete":
        parts = [f"{so_far}（{status_word('incomplete')}，有效 {int(d.get('valid_days') or 0)} 天，暂不判断）"]
    else:
        parts = [f"{so_far}，{gap_words(d.get('gap'))}（{status_word(d.get('status'))}）"]
    if year_over:
        return "；".join(parts)
    if not _is_nan(d.get("projection")):
        span = "" if _is_nan(d.get("projection_low")) else f"（{num(d['projection_low'])}–{num(d['projection_high'])}）"
        parts.append(f"按近年季节规律预计全年 {num(d['projection'])}{span}，{t('verdict.outlook', 'zh')}：{outlook_word(d.get('outlook'))}")
    else:
        parts.append(f"{t('verdict.outlook', 'zh')}：{outlook_word(d.get('outlook'))}")
    rest = rest_name(through)
    if d.get("cannot_meet"):
        parts.append(f"即使{rest}日均为 0，全年也至少 {num(d.get('best_possible_mean'))}，目标已无法实现")
    elif not _is_nan(d.get("required_rest_mean")):
        parts.append(f"{rest}需日均 ≤ {num(d['required_rest_mean'])}")
    return "；".join(parts)


def subdistrict_frame(budget: pd.DataFrame) -> pd.DataFrame:
    """The subdistricts, most at risk first (outlook, then how far the projection is above
    target), the district last."""
    frame = budget.copy()
    frame["gap"] = frame["ytd_mean"] - frame["target"]
    frame["gap"] = frame["gap"].round(1)
    is_district = frame["code"].astype(str).str.endswith("000000")
    level = frame["projection"].where(frame["projection"].notna(), frame["ytd_mean"]) - frame["target"]
    frame = frame.assign(_district=is_district, _order=frame["outlook"].map(lambda o: verdict.OUTLOOK_ORDER.get(str(o), 2)),
                         _level=level.fillna(-np.inf))
    frame = frame.sort_values(["_district", "_order", "_level"], ascending=[True, True, False], kind="stable")
    frame["note"] = [note_for(r) for r in frame.to_dict("records")]
    return frame[SUBDISTRICT_COLUMNS].reset_index(drop=True)


def method_lines(budget: reports.Report, targets: Targets) -> list[str]:
    """Each rule once: data and rounding, the so-far rule, the outlook rule, the projection,
    the required rest-of-year mean."""
    status_zh, _ = verdict.status_rule_text(targets.status_rules)
    outlook_zh, _ = verdict.outlook_rule_text(targets.status_rules)
    events_note = budget.method.get("events", "")
    return [
        "数据：全区日值 = 各街道有效日均值的平均；均值为有效日均值的算术平均（HJ 663-2013），修约按 GB/T 8170"
        + (f"；{events_note}" if events_note else ""),
        status_zh,
        outlook_zh,
        budget.method.get("projection", ""),
        "余下需日均 = (目标 ×（已有有效天数 + 剩余天数）− 已有日均值之和) ÷ 剩余天数；为负即已无法实现，"
        "此时给出余下天数按 0 计、全年最低可达的均值",
    ]


def appendix(engine: Engine, targets: Targets, year: int, through: dt.date) -> Appendix:
    """The action plan's sections that hold something entered; one line names the rest."""
    from monitoring import plan

    if year != targets.year:
        return Appendix()  # the action plan (its indicators, tasks, coverage checks) is for targets.year only
    as_of = through
    indicators = plan.indicators_table(engine, targets, as_of=as_of, year=year, include_measured=False)
    entered_ind = indicators[(indicators["source"] == "entered") & indicators["value"].notna()]
    tasks = plan.tasks_table(engine, targets, as_of=as_of)
    entered_tasks = int(tasks["set_by"].notna().sum()) if len(tasks) else 0
    coverage = plan.road_dust_coverage(engine, targets, year=year, month=through.month)
    missing: list[str] = []
    if not len(entered_ind):
        missing.append(t("brief.not_entered.indicators", "zh", n=0,
                         total=int((indicators["source"] == "entered").sum())))
    if not entered_tasks:
        missing.append(t("brief.not_entered.tasks", "zh", n=0, total=len(tasks)))
    if coverage is None:
        missing.append(t("brief.not_entered.coverage", "zh"))
    sections: list[tuple[str, pd.DataFrame]] = []
    if len(missing) < 3:
        # something is entered: the plan's own tables, only those with entries
        keep = [bool(len(entered_ind)), bool(entered_tasks), bool(entered_tasks), coverage is not None]
        every = plan.brief_sections(engine, targets, as_of, "zh", include_measured=False)
        sections = [s for s, k in zip(every, keep, strict=True) if k]
    line = t("brief.not_entered", "zh", items="、".join(missing)) if missing else ""
    return Appendix(sections, line)


# -- the brief ---------------------------------------------------------------------------------


def build(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    month: int,
    exclude_events: bool = False,
    generated: dt.datetime | None = None,
) -> Brief:
    """The brief of ``month`` of ``year``: the year to the month's end (or its last day with data)."""
    through = resolve_through(engine, targets, year, month)
    profile = reports.seasonal_profile(engine, targets, year, exclude_events)
    budget = reports.budget(engine, targets, year=year, through=through, exclude_events=exclude_events,
                            profile=lambda: profile)
    progress = reports.progress(engine, targets, year=year, exclude_events=exclude_events, profile=lambda: profile)
    table = subdistrict_frame(budget.frame)
    district = table.iloc[-1].to_dict()
    period = period_name(through)
    notes: list[str] = []
    for note in [*budget.notes, *progress.notes]:
        if note not in notes:
            notes.append(note)
    return Brief(
        year=year,
        month=month,
        through=through,
        period=period,
        title=f"{t('brief.title', 'zh')}（{t('brief.period', 'zh', year=year, period=period)}）",
        headline=headline(district, through),
        district=district,
        months=months_frame(progress.frame, through),
        subdistricts=table,
        method=[line for line in method_lines(budget, targets) if line],
        notes=notes,
        demo=year in queries.demo_years(engine),
        generated=generated or timeutil.now_beijing(),
        appendix=appendix(engine, targets, year, through),
        exclude_events=exclude_events,
    )
