"""The plan's key tasks (附1–附3): the measures, their units, the status in force, changes.

The measures are read from data/plan_2026_tasks.csv (transcribed from the plan by
scripts/extract_plan_tasks.py). Analysts set a status per measure with a dated note; every
change is kept; the status in force is the latest change dated on or before the day
(``rules.plan_status.in_force``). Overdue: a measure not done after its deadline
(``rules.plan_status.due_date`` / ``is_overdue``). SQL lives in storage/plan_queries.py.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from monitoring import config, i18n
from monitoring.actors import Actor, require_writer
from monitoring.errors import InputError
from monitoring.plan.common import beijing_today, parse_day
from monitoring.rules import plan_status
from monitoring.rules.plan_status import SHOWN_TASK_STATUSES, TASK_STATUSES, UNREPORTED
from monitoring.storage import plan_queries
from monitoring.targets import Targets, load_targets

TASKS_CSV = config.DATA_DIR / "plan_2026_tasks.csv"

#: The Chinese word of each status (the labels' plan.task_status.*): shown in tables, accepted as input.
STATUS_ZH: dict[str, str] = {code: i18n.t(f"plan.task_status.{code}", "zh") for code in SHOWN_TASK_STATUSES}

#: Spellings of one unit in the plan → the unit(s) meant (see data/plan_2026_tasks.md, item 10).
#: 区城管委（区水务局） names both bodies, so it counts for each.
UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "区城管委": ("区城市管理委",),
    "区经促局": ("区经济促进局",),
    "区机关服务中心": ("区机关事务服务中心",),
    "区城管委（区水务局）": ("区城市管理委", "区水务局"),
}


#: A measure led by "every subdistrict office" concerns each office by name too.
ALL_SUBDISTRICT_OFFICES = ("各街道办事处", "相关街道办事处")


def canonical_units(text: str) -> list[str]:
    """The units of a ``；``-joined cell, spelling variants mapped, order kept, no repeats."""
    out: list[str] = []
    for raw in str(text or "").split("；"):
        name = raw.strip()
        if not name:
            continue
        for unit in UNIT_ALIASES.get(name, (name,)):
            if unit not in out:
                out.append(unit)
    return out


@lru_cache(maxsize=2)
def _read_tasks(path_text: str) -> pd.DataFrame:
    frame = pd.read_csv(path_text, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for column in ("annex", "task_no", "measure_no"):
        frame[column] = frame[column].astype(int)
    frame["deadline_end_month"] = [int(v) if v.strip() else None for v in frame["deadline_end_month"]]
    frame["lead_list"] = [canonical_units(v) for v in frame["lead_units"]]
    frame["support_list"] = [canonical_units(v) for v in frame["support_units"]]
    return frame


def load_tasks(path: Path = TASKS_CSV) -> pd.DataFrame:
    """One row per work measure of the plan (a copy: callers may change it)."""
    if not path.exists():
        raise InputError(
            f"{path}: the plan's task list is missing",
            message_zh=f"找不到重点任务清单 {path}",
            hint="restore it from the repository or run python scripts/extract_plan_tasks.py",
        )
    return _read_tasks(str(path)).copy()


def all_units(tasks: pd.DataFrame | None = None) -> list[str]:
    """Every unit named as lead or supporting unit, spelling variants merged, sorted."""
    tasks = load_tasks() if tasks is None else tasks
    units: set[str] = set()
    for items in (*tasks["lead_list"], *tasks["support_list"]):
        units.update(items)
    return sorted(units)


def resolve_unit(name: str, tasks: pd.DataFrame | None = None) -> str:
    """A unit as typed → the unit's canonical name (an alias, or a unique part of a name)."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    units = all_units(tasks)
    mapped = UNIT_ALIASES.get(text)
    if mapped:
        return mapped[0]
    if text in units:
        return text
    partial = sorted({u for u in units if text and text in u} | {
        mapped_unit for alias, targets in UNIT_ALIASES.items() if text and text in alias for mapped_unit in targets[:1]
    })
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise InputError(
            f"unit {name!r} matches several units: {', '.join(partial)}",
            message_zh=f"单位“{name}”对应多个单位：{'、'.join(partial)}",
            hint="give the full name of one of them",
        )
    raise InputError(
        f"unit {name!r} is not a lead or supporting unit of the plan",
        message_zh=f"计划中没有单位“{name}”",
        hint="see the unit list on the 重点任务 page, or give part of a name such as 生态环境局",
    )


def parse_status(text: str, *, allow_unreported: bool = False) -> str:
    """A status code (not_started …) or its Chinese word (未开始 …) → the code.

    ``unreported`` (未填报) is a status to filter by, never one to set."""
    value = unicodedata.normalize("NFKC", str(text)).strip()
    lowered = value.lower().replace("-", "_").replace(" ", "_")
    allowed = SHOWN_TASK_STATUSES if allow_unreported else TASK_STATUSES
    if lowered in allowed:
        return lowered
    for code, zh in STATUS_ZH.items():
        if value == zh and code in allowed:
            return code
    choices = ", ".join(f"{c} ({STATUS_ZH[c]})" for c in allowed)
    raise InputError(
        f"unknown status {text!r}",
        message_zh=f"状态“{text}”无效，可选：{'、'.join(STATUS_ZH[c] for c in allowed)}",
        hint=f"use one of {choices}",
    )


def _unit_matches(unit: str, leads: list[str], supports: list[str]) -> bool:
    names = (*leads, *supports)
    if unit in names:
        return True
    specific_office = unit.endswith("街道办事处") and unit not in ALL_SUBDISTRICT_OFFICES
    return specific_office and any(u in names for u in ALL_SUBDISTRICT_OFFICES)


def tasks_table(
    engine: Engine,
    targets: Targets,
    *,
    as_of: dt.date | None = None,
    annex: int | None = None,
    unit: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """Every measure with its status in force on ``as_of`` (default today), filtered.

    ``unit`` matches lead or supporting units (aliases merged; a named subdistrict office
    also gets the measures of 各街道办事处). ``status`` is a code or its Chinese word.
    """
    as_of = as_of or beijing_today()
    tasks = load_tasks()
    if annex is not None:
        if annex not in (1, 2, 3):
            raise InputError(
                f"annex {annex} does not exist: the key tasks are in annexes 1, 2 and 3",
                message_zh=f"附件 {annex} 不存在：重点任务在附1、附2、附3",
                hint="use --annex 1, 2 or 3",
            )
        tasks = tasks[tasks["annex"] == annex]
    if unit:
        wanted = resolve_unit(unit)
        keep = [_unit_matches(wanted, lead, sup) for lead, sup in zip(tasks["lead_list"], tasks["support_list"], strict=True)]
        tasks = tasks[keep]
    latest = plan_status.in_force(plan_queries.task_status_history(engine), "measure_id", as_of)
    by_id = {r.measure_id: r for r in latest.itertuples(index=False)}
    rows = []
    for r in tasks.itertuples(index=False):
        change = by_id.get(r.measure_id)
        code = change.status if change is not None else UNREPORTED
        end_month = r.deadline_end_month
        due = plan_status.due_date(r.deadline_kind, None if pd.isna(end_month) else int(end_month), targets.year)
        rows.append(
            {
                "measure_id": r.measure_id,
                "annex": int(r.annex),
                "task_no": int(r.task_no),
                "task": r.task,
                "measure_no": int(r.measure_no),
                "measure": r.measure,
                "deadline": r.deadline,
                "deadline_kind": r.deadline_kind,
                "due": due,
                "lead_units": list(r.lead_list),
                "support_units": list(r.support_list),
                "status": code,
                "status_zh": STATUS_ZH[code],
                "status_day": change.day if change is not None else None,
                "note": change.note if change is not None else "",
                "set_by": change.set_by if change is not None else None,
                "set_at": change.set_at if change is not None else None,
                "overdue": plan_status.is_overdue(code, due, as_of),
            }
        )
    frame = pd.DataFrame(rows, columns=TASK_COLUMNS)
    if status:
        frame = frame[frame["status"] == parse_status(status, allow_unreported=True)]
    return frame.reset_index(drop=True)


TASK_COLUMNS = [
    "measure_id", "annex", "task_no", "task", "measure_no", "measure", "deadline", "deadline_kind", "due",
    "lead_units", "support_units", "status", "status_zh", "status_day", "note", "set_by", "set_at", "overdue",
]


def overdue_tasks(table: pd.DataFrame) -> pd.DataFrame:
    """Measures past their deadline and not done, or marked 滞后 by an analyst."""
    if table.empty:
        return table
    keep = [plan_status.needs_attention(s, o) for s, o in zip(table["status"], table["overdue"], strict=True)]
    return table[keep].reset_index(drop=True)


def lead_unit_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per lead unit: measures by status, and how many are overdue (a measure counts for each lead)."""
    columns = ["lead_unit", "total", *SHOWN_TASK_STATUSES, "overdue"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    # Counted in one pass over the rows (≈ 180 measures), not by a pandas group per unit: 1 ms
    # against 13 ms, on every run of the tasks page, in the server process its visitors wait on.
    counts: dict[str, Counter[str]] = {}
    for units, status, overdue in zip(table["lead_units"], table["status"], table["overdue"], strict=True):
        for unit in units if isinstance(units, (list, tuple)) else [units]:
            if unit is None or (isinstance(unit, float) and unit != unit):  # no lead unit named
                continue
            tally = counts.setdefault(str(unit), Counter())
            tally["total"] += 1
            tally[str(status)] += 1
            tally["overdue"] += bool(overdue)
    rows = [[unit, tally["total"], *(tally[s] for s in SHOWN_TASK_STATUSES), tally["overdue"]]
            for unit, tally in counts.items()]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["total", "lead_unit"], ascending=[False, True]).reset_index(drop=True)


def set_task_status(
    engine: Engine,
    measure_id: str,
    status: str,
    note: str,
    day: dt.date | str,
    actor: Actor | None,
    *,
    targets: Targets | None = None,
    today: dt.date | None = None,
) -> str:
    """Record a measure's status from ``day`` on; returns the status code. Analysts only.

    Refused with ``InputError`` (nothing written): an unknown measure, an unknown status, a
    date before the plan year or in the future.
    """
    require_writer(actor, "set a task status")
    assert actor is not None
    tasks = load_tasks()
    measure_id = str(measure_id).strip()
    if measure_id not in set(tasks["measure_id"]):
        raise InputError(
            f"measure {measure_id!r} is not in the plan",
            message_zh=f"计划中没有措施 {measure_id}",
            hint="use a measure id such as 1-03-2 (annex-task-measure), as listed by `tasks`",
        )
    code = parse_status(status)
    when = parse_day(day, "date")
    today = today or beijing_today()
    year = (targets or load_targets()).year
    if when < dt.date(year, 1, 1) or when > today:
        raise InputError(
            f"date {when}: a status must be dated between {year}-01-01 and today ({today})",
            message_zh=f"日期 {when} 无效：状态日期须在 {year}-01-01 至今天（{today}）之间",
            hint="give the day the status was reached",
        )
    with engine.begin() as conn:
        plan_queries.insert_task_status(
            conn,
            {
                "measure_id": measure_id,
                "status": code,
                "note": str(note or "").strip(),
                "day": when,
                "set_by": actor.name,
                "set_at": dt.datetime.now(dt.UTC),
            },
        )
    return code


def task_history(engine: Engine, measure_id: str | None = None) -> pd.DataFrame:
    """Every status change (who, when, what), newest first."""
    history = plan_queries.task_status_history(engine, measure_id)
    if history.empty:
        return history
    history["status_zh"] = history["status"].map(STATUS_ZH)
    return history.sort_values("id", ascending=False).reset_index(drop=True)
