"""Tracking the 2026 action plan: the 附4 indicators and the key tasks of 附1–附3.

* Indicators: the ones the readings measure come from ``monitoring.reports.district``;
  the others are entered by analysts as dated values with a note (one at a time, or a CSV
  ``indicator, date, value, note``). Every entry is kept; the value in force on a day is
  the one with the latest date on or before it (the latest entry wins a tie).
* Key tasks: read from data/plan_2026_tasks.csv (transcribed from the plan by
  scripts/extract_plan_tasks.py). Analysts set a status per measure with a dated note;
  every change is kept; the status in force is the latest change dated on or before the day.
* Overdue: a measure not done after its deadline — 年底前 after 31 December of the plan
  year, "6-9月" after the last day of September (the month read from the deadline fields);
  长期实施 and 持续推进 have no deadline.

No streamlit here; SQL lives in monitoring/storage/plan_queries.py.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring import config, i18n, timeutil
from monitoring.actors import Actor, require_writer
from monitoring.errors import InputError, MonitorError
from monitoring.i18n import Lang
from monitoring.rules import coverage as coverage_rules
from monitoring.rules import verdict
from monitoring.storage import plan_queries
from monitoring.targets import Indicator, Targets, load_targets

TASKS_CSV = config.DATA_DIR / "plan_2026_tasks.csv"

#: The statuses an analyst sets on a measure.
STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done", "late")
#: A measure nobody has reported on yet is "unreported" (未填报), not "not started": on
#: 1 December 179 measures "未开始" read as a failure when nothing had been entered.
UNREPORTED = "unreported"
#: Every status a measure can show (the set ones and "unreported"), in display order.
SHOWN_STATUSES: tuple[str, ...] = (UNREPORTED, *STATUSES)
STATUS_ZH: dict[str, str] = {"unreported": "未填报", "not_started": "未开始", "in_progress": "进行中", "done": "已完成",
                             "late": "滞后"}
DEFAULT_STATUS = UNREPORTED

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

#: Units of entered values that count things: a value must be a whole number.
COUNT_UNITS = ("家", "项", "个", "块", "天")

#: Indicator statuses: the verdict's "so far" words (monitoring/rules/verdict.py). An
#: indicator without a value, or with a target in words, is ``incomplete`` — shown as
#: 尚未录入 / 定性目标 (``indicator_state``), never in a failure colour.
INDICATOR_STATUSES = verdict.STATUSES


# -- key tasks ----------------------------------------------------------------------


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
    allowed = SHOWN_STATUSES if allow_unreported else STATUSES
    if lowered in allowed:
        return lowered
    for code, zh in STATUS_ZH.items():
        if value == zh and code in allowed:
            return code
    choices = ", ".join(f"{c} ({STATUS_ZH[c]})" for c in allowed)
    raise InputError(
        f"unknown status {text!r}",
        message_zh=f"状态“{text}”无效，可选：未开始、进行中、已完成、滞后",
        hint=f"use one of {choices}",
    )


def due_date(kind: str, end_month: int | None, year: int) -> dt.date | None:
    """The last day a measure may be done: from the deadline fields; None when open-ended."""
    if kind == "year_end":
        return dt.date(year, 12, 31)
    if kind == "months" and end_month:
        return dt.date(year, end_month, calendar.monthrange(year, end_month)[1])
    return None


def is_overdue(status: str, due: dt.date | None, as_of: dt.date) -> bool:
    """Not done and past its deadline."""
    return status != "done" and due is not None and as_of > due


def beijing_today() -> dt.date:
    """The as-of day (``timeutil.today_beijing``: MONITOR_TODAY or today in Beijing)."""
    return timeutil.today_beijing()


def _latest(history: pd.DataFrame, key: str, as_of: dt.date | None) -> pd.DataFrame:
    """The row in force per ``key``: latest day on or before ``as_of``, latest entry on a tie."""
    if history.empty:
        return history
    rows = history if as_of is None else history[[d <= as_of for d in history["day"]]]
    if rows.empty:
        return rows
    return rows.sort_values(["day", "id"]).groupby(key, sort=False).tail(1)


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
    latest = _latest(plan_queries.task_status_history(engine), "measure_id", as_of)
    by_id = {r.measure_id: r for r in latest.itertuples(index=False)}
    rows = []
    for r in tasks.itertuples(index=False):
        change = by_id.get(r.measure_id)
        code = change.status if change is not None else DEFAULT_STATUS
        end_month = r.deadline_end_month
        due = due_date(r.deadline_kind, None if pd.isna(end_month) else int(end_month), targets.year)
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
                "overdue": is_overdue(code, due, as_of),
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
    return table[table["overdue"] | (table["status"] == "late")].reset_index(drop=True)


def lead_unit_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per lead unit: measures by status, and how many are overdue (a measure counts for each lead)."""
    columns = ["lead_unit", "total", *SHOWN_STATUSES, "overdue"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    exploded = table.explode("lead_units").dropna(subset=["lead_units"])
    rows = []
    for unit_name, grp in exploded.groupby("lead_units", sort=False):
        counts = grp["status"].value_counts()
        rows.append(
            [unit_name, len(grp), *(int(counts.get(s, 0)) for s in SHOWN_STATUSES), int(grp["overdue"].sum())]
        )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["total", "lead_unit"], ascending=[False, True]).reset_index(drop=True)


def _parse_day(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise InputError(
            f"{what}: {text!r} is not a date",
            message_zh=f"{what}：“{text}”不是日期",
            hint="write it as YYYY-MM-DD, for example 2026-06-30",
        ) from None


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
    when = _parse_day(day, "date")
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


# -- indicators ---------------------------------------------------------------------


def find_indicator(targets: Targets, key_or_name: str) -> Indicator:
    """An indicator by its key or its Chinese name; ``InputError`` when there is none."""
    text = unicodedata.normalize("NFKC", str(key_or_name)).strip()
    for ind in targets.indicators:
        if text in (ind.key, unicodedata.normalize("NFKC", ind.name)):
            return ind
    entered = ", ".join(i.key for i in targets.indicators if not i.measured)
    raise InputError(
        f"unknown indicator {key_or_name!r}",
        message_zh=f"没有指标“{key_or_name}”",
        hint=f"use one of: {entered}",
    )


_NUMBER = re.compile(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*(.*)$")


def parse_indicator_value(raw: object, indicator: Indicator) -> float:
    """A value as typed (``35``, ``35%``, ``3家``) → a number in the indicator's unit.

    Refused: not a number, a unit other than the indicator's, a share outside 0–100 %,
    a negative value, a fraction of a count.
    """
    unit = unicodedata.normalize("NFKC", indicator.unit).strip()
    if isinstance(raw, bool):
        raise _value_error(indicator, str(raw), "is not a number")
    if isinstance(raw, int | float):
        number, given_unit = float(raw), ""
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "")
        match = _NUMBER.match(text)
        if match is None:
            raise _value_error(indicator, text, "is not a number")
        number, given_unit = float(match.group(1)), match.group(2).strip()
    if not math.isfinite(number):
        raise _value_error(indicator, str(raw), "is not a finite number")
    if given_unit and given_unit != unit:
        raise InputError(
            f"{indicator.key}: value {raw!r} is in {given_unit!r}, but {indicator.key} is measured in {unit!r}",
            message_zh=f"{indicator.name}：数值“{raw}”的单位是“{given_unit}”，该指标的单位是“{unit}”",
            hint=f"give the number in {unit} (or without a unit)",
        )
    if number < 0:
        raise _value_error(indicator, str(raw), "is negative")
    if unit == "%" and number > 100:
        raise InputError(
            f"{indicator.key}: {raw!r} is more than 100 %",
            message_zh=f"{indicator.name}：比例“{raw}”超过 100%",
            hint="give the share in per cent, from 0 to 100 (35 for 35 %)",
        )
    if unit in COUNT_UNITS and number != int(number):
        raise _value_error(indicator, str(raw), f"is not a whole number of {unit}")
    return number


def _value_error(indicator: Indicator, raw: str, what: str) -> InputError:
    return InputError(
        f"{indicator.key}: value {raw!r} {what}",
        message_zh=f"{indicator.name}：数值“{raw}”无效",
        hint=f"give a number in {indicator.unit}",
    )


def _check_entry(
    targets: Targets, key: str, day: object, value: object, where: str = ""
) -> tuple[Indicator, dt.date, float]:
    prefix = f"{where}: " if where else ""
    try:
        ind = find_indicator(targets, key)
        if ind.measured:
            raise InputError(
                f"{ind.key} is computed from the readings and cannot be entered",
                message_zh=f"{ind.name} 由监测数据计算得出，不能手工录入",
                hint="enter one of the indicators the readings do not measure",
            )
        when = _parse_day(day, "date")
        if when.year != targets.year:
            raise InputError(
                f"date {when} is outside {targets.year}, the year of the targets",
                message_zh=f"日期 {when} 不在目标年份 {targets.year} 年内",
                hint=f"give a date in {targets.year}",
            )
        number = parse_indicator_value(value, ind)
    except InputError as exc:
        if not prefix:
            raise
        raise InputError(prefix + exc.message, message_zh=prefix + exc.message_zh, hint=exc.hint) from None
    return ind, when, number


def enter_indicator_value(
    engine: Engine,
    targets: Targets,
    key: str,
    day: dt.date | str,
    value: float | str,
    note: str,
    actor: Actor | None,
    *,
    source: str = "page",
) -> int:
    """Store one dated value of an entered indicator; return its row id. Analysts only.

    Refused with ``InputError`` and nothing written: an unknown or measured indicator, a
    value in another unit (or a share above 100 %), a date outside the targets' year.
    """
    require_writer(actor, "enter an indicator value")
    assert actor is not None
    ind, when, number = _check_entry(targets, key, day, value)
    with engine.begin() as conn:
        return plan_queries.insert_indicator_value(conn, _value_row(ind.key, when, number, note, actor, source))


def _value_row(key: str, day: dt.date, value: float, note: str, actor: Actor, source: str) -> dict[str, Any]:
    return {
        "indicator": key,
        "day": day,
        "value": value,
        "note": str(note or "").strip(),
        "entered_by": actor.name,
        "entered_at": dt.datetime.now(dt.UTC),
        "source": source,
    }


_CSV_HEADERS = {
    "indicator": ("indicator", "key", "指标", "指标名称"),
    "date": ("date", "day", "日期"),
    "value": ("value", "数值", "值"),
    "note": ("note", "备注", "说明"),
}


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{name}: not UTF-8 or GBK text",
        message_zh=f"{name}：无法识别文件编码",
        hint="save the file as CSV UTF-8",
    )


def import_indicator_csv(
    engine: Engine,
    targets: Targets,
    data: bytes | str | Path,
    actor: Actor | None,
    *,
    name: str | None = None,
    source: str = "csv",
) -> int:
    """Store every row of a CSV ``indicator, date, value, note`` — all rows or none.

    Returns the number of values stored. The first bad row refuses the whole file with its
    line number and column.
    """
    require_writer(actor, "import indicator values")
    assert actor is not None
    if isinstance(data, Path):
        path = data
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror}", message_zh=f"无法读取 {path}", hint="check the path") from None
    name = name or "file"
    text = _decode(data, name) if isinstance(data, bytes) else data
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise InputError(f"{name}: the file is empty", message_zh=f"{name}：文件为空", hint="add a header row: indicator,date,value,note")
    normalised = [unicodedata.normalize("NFKC", h).strip().lower().replace(" ", "") for h in header]
    positions: dict[str, int] = {}
    for field_name, spellings in _CSV_HEADERS.items():
        for i, h in enumerate(normalised):
            if h in spellings:
                positions[field_name] = i
                break
    missing = [f for f in ("indicator", "date", "value") if f not in positions]
    if missing:
        raise InputError(
            f"{name}: line 1: missing column(s) {', '.join(missing)}",
            message_zh=f"{name}：第 1 行缺少列 {'、'.join(missing)}",
            hint="the header must be indicator,date,value,note (or 指标,日期,数值,备注)",
        )
    rows: list[dict[str, Any]] = []
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(field_name: str, cells: list[str] = cells) -> str:
            i = positions.get(field_name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        ind, when, number = _check_entry(targets, cell("indicator"), cell("date"), cell("value"), f"{name}: line {line_no}")
        rows.append(_value_row(ind.key, when, number, cell("note"), actor, source))
    if not rows:
        raise InputError(f"{name}: no values below the header", message_zh=f"{name}：没有数据行", hint="add one row per value")
    with engine.begin() as conn:
        plan_queries.insert_indicator_values(conn, rows)
    return len(rows)


def indicator_history(engine: Engine, targets: Targets, key: str | None = None) -> pd.DataFrame:
    """Every entered value (who entered it, when), newest first."""
    if key is not None:
        key = find_indicator(targets, key).key
    history = plan_queries.indicator_value_history(engine, key)
    if history.empty:
        return history
    names = {i.key: i.name for i in targets.indicators}
    history.insert(2, "name", history["indicator"].map(names))
    return history.sort_values("id", ascending=False).reset_index(drop=True)


INDICATOR_COLUMNS = [
    "key", "name", "name_en", "unit", "direction", "target", "target_text", "value", "day", "gap", "status",
    "outlook", "source", "note", "entered_by", "entered_at", "plan_source",
]


def _entered_status(ind: Indicator, value: float | None) -> str:
    """The verdict "so far" of an entered value: meets / exceeds (on the wrong side of the
    target, whichever the direction) / incomplete (no value, or a target in words)."""
    if ind.direction not in ("at_most", "at_least") or ind.target is None:
        return "incomplete"
    return verdict.so_far(value, float(ind.target), complete=value is not None,
                          direction="at_least" if ind.direction == "at_least" else "at_most")


def indicator_state(row: dict[str, Any] | pd.Series) -> str:
    """What the indicator table says about a row: its status, or why it has none.

    ``not_entered`` (尚未录入: an entered indicator without a value), ``unavailable`` (a
    measured one that could not be computed), ``no_target`` (a value against a target in
    words), otherwise the status (meets / exceeds / incomplete)."""
    if row["source"] == "entered" and as_number(row["value"]) is None:
        return "not_entered"
    if row["source"] == "measured" and row.get("note") and as_number(row["value"]) is None:
        return "unavailable"
    if as_number(row["target"]) is None and as_number(row["value"]) is not None:
        return "no_target"
    return str(row["status"])


def indicator_state_text(state: str, lang: Lang = "zh") -> str:
    """The words for ``indicator_state``: 尚未录入 …, or the verdict's 累计达标 / 累计超标 / 数据不足."""
    key = f"plan.state.{state}"
    text = i18n.t(key, lang)
    return i18n.t(f"status.{state}", lang) if text == key else text


def entered_count(table: pd.DataFrame) -> tuple[int, int]:
    """(indicators with a value, all indicators) of an ``indicators_table``."""
    with_value = sum(as_number(v) is not None for v in table["value"])
    return int(with_value), len(table)


def _measured_frame(engine: Engine, targets: Targets, year: int, through: dt.date | None) -> tuple[pd.DataFrame | None, str]:
    """reports.district's frame, or None and the reason it is not available."""
    try:
        from monitoring import reports
    except ImportError:
        return None, "the analytics module (monitoring.reports) is not installed"
    try:
        # A period never claims to run past the last day with data (or the year's end); up to
        # that day it is the same "to date" period the other pages judge (so the same verdict).
        last = reports.last_day_with_data(engine, year)
        if through is not None and last is not None and through >= last:
            through = None
        report = reports.district(engine, targets, year=year, through=through)
    except MonitorError as exc:
        return None, exc.message
    return report.frame, ""


def _last_day_with_data(engine: Engine, year: int) -> dt.date | None:
    """The last day of ``year`` with data (what a measured indicator runs through at most)."""
    from monitoring.storage import queries

    return queries.last_day_with_data(engine, year)


def as_number(value: object) -> float | None:
    """A cell as a float, or None when it is empty, NaN or not a number."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def indicators_table(
    engine: Engine, targets: Targets, *, as_of: dt.date | None = None, year: int | None = None,
    include_measured: bool = True,
) -> pd.DataFrame:
    """Every 附4 indicator: value in force on ``as_of``, target, direction, gap, status, source.

    ``gap`` is value − target (direction says which sign is good). ``status`` is the
    verdict's "so far" (meets / exceeds / incomplete; measured ones as reports.district
    gives it); ``outlook`` the district report's year-end outlook for measured ones
    (entered ones have none). ``indicator_state`` tells "not entered" from a real verdict.
    """
    year = year or targets.year
    year_end = dt.date(year, 12, 31)
    as_of = as_of or min(beijing_today(), year_end)
    through = min(as_of, year_end)
    # without the measured values (the brief shows them from reports.district itself) skip computing them
    measured, why = _measured_frame(engine, targets, year, through) if include_measured else (None, "")
    measured_by_key: dict[str, dict[str, Any]] = {}
    measured_through: dt.date | None = None
    if measured is not None:
        last = _last_day_with_data(engine, year)
        measured_through = min(through, last) if last is not None else through
        measured_by_key = {str(r["key"]): r for r in measured.to_dict("records")}
    entered = _latest(plan_queries.indicator_value_history(engine, through=through), "indicator", through)
    entered_by_key = {r.indicator: r for r in entered.itertuples(index=False)}
    rows = []
    for ind in targets.indicators:
        row: dict[str, Any] = {
            "key": ind.key, "name": ind.name, "name_en": ind.name_en, "unit": ind.unit,
            "direction": ind.direction, "target": ind.target, "target_text": ind.target_text,
            "value": None, "day": None, "gap": None, "status": "incomplete", "outlook": None,
            "source": "measured" if ind.measured else "entered",
            "note": "", "entered_by": None, "entered_at": None, "plan_source": ind.source,
        }
        if ind.measured:
            m = measured_by_key.get(ind.key)
            if m is None:
                row["note"] = why or "not computed by reports.district"
            else:
                row["value"] = as_number(m.get("value"))
                row["gap"] = as_number(m.get("gap"))
                row["status"] = str(m.get("status") or "incomplete")
                row["outlook"] = m.get("outlook") or None
                row["day"] = measured_through or through
                row["entered_by"] = "monitor"
        else:
            e = entered_by_key.get(ind.key)
            if e is not None:
                row.update(value=float(e.value), day=e.day, note=e.note, entered_by=e.entered_by, entered_at=e.entered_at)
            row["status"] = _entered_status(ind, row["value"])
            if row["value"] is not None and ind.target is not None:
                row["gap"] = round(float(row["value"]) - float(ind.target), 6)
        rows.append(row)
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


# -- road-dust coverage ---------------------------------------------------------------


def road_dust_coverage(
    engine: Engine, targets: Targets, *, year: int, month: int | None = None
) -> coverage_rules.Coverage | None:
    """The plan's coverage checks for ``year`` ending at ``month`` (default: the last month
    with measurements); None when the year has no road-dust measurement."""
    last_day = dt.date(year, month, calendar.monthrange(year, month)[1]) if month else dt.date(year, 12, 31)
    # December of the year before: January's re-check looks at it.
    rows = plan_queries.road_dust_rows(engine, dt.date(year - 1, 12, 1), last_day)
    in_year = rows[[d.year == year for d in rows["day"]]] if len(rows) else rows
    if in_year.empty:
        return None
    end_month = month or max(d.month for d in in_year["day"])
    frame = rows[["subdistrict", "road", "day", "load", "grade"]]
    return coverage_rules.coverage(
        frame,
        month=pd.Period(year=year, month=end_month, freq="M"),
        thresholds={str(k): float(v) for k, v in targets.road_dust.grades.items()},
        year=year,
        subdistricts=[sd.short_name for sd in targets.subdistricts],
    )


# -- the leaders' monthly brief -------------------------------------------------------


def _label(key: str, lang: Lang) -> str:
    return i18n.t(key, lang)


def _value_text(row: dict[str, Any]) -> str:
    value = row["value"]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:g}"


def _target_text(row: dict[str, Any]) -> str:
    target = row["target"]
    if target is None or (isinstance(target, float) and math.isnan(target)):
        return str(row["target_text"] or "—")
    sign = {"at_most": "≤", "at_least": "≥"}.get(str(row["direction"]), "")
    return f"{sign}{target:g}"


def brief_sections(
    engine: Engine, targets: Targets, as_of: dt.date, lang: Lang = "zh", *, include_measured: bool = True
) -> list[tuple[str, pd.DataFrame]]:
    """The plan's part of the leaders' monthly brief: (title, table) pairs, ready to print.

    1. the 附4 indicators (``include_measured=False`` leaves out the four the brief already
    shows from reports.district); 2. key tasks per lead unit; 3. overdue or late measures;
    4. road-dust monitoring coverage.
    """
    sections: list[tuple[str, pd.DataFrame]] = []
    ind = indicators_table(engine, targets, as_of=as_of, include_measured=include_measured)
    if not include_measured:
        ind = ind[ind["source"] != "measured"].reset_index(drop=True)
    sections.append(
        (
            _label("plan.brief.indicators", lang),
            pd.DataFrame(
                {
                    _label("plan.col.indicator", lang): ind["name"] if lang == "zh" else ind["name_en"],
                    _label("plan.col.value", lang): [_value_text(r) for r in ind.to_dict("records")],
                    _label("plan.col.unit", lang): ind["unit"],
                    _label("plan.col.target", lang): [_target_text(r) for r in ind.to_dict("records")],
                    _label("plan.col.status", lang): [indicator_state_text(indicator_state(r), lang)
                                                      for r in ind.to_dict("records")],
                    _label("plan.col.source", lang): [_label(f"plan.source.{s}", lang) for s in ind["source"]],
                }
            ),
        )
    )
    tasks = tasks_table(engine, targets, as_of=as_of)
    summary = lead_unit_summary(tasks)
    sections.append(
        (
            _label("plan.brief.tasks", lang),
            summary.rename(columns=_summary_labels(lang)),
        )
    )
    late = overdue_tasks(tasks)
    sections.append(
        (
            _label("plan.brief.overdue", lang),
            pd.DataFrame(
                {
                    _label("plan.col.measure_id", lang): late["measure_id"] if len(late) else [],
                    _label("plan.col.task", lang): late["task"] if len(late) else [],
                    _label("plan.col.deadline", lang): late["deadline"] if len(late) else [],
                    _label("plan.col.lead_units", lang): ["、".join(u) for u in late["lead_units"]] if len(late) else [],
                    _label("plan.col.status", lang): [_label(f"plan.task_status.{s}", lang) for s in late["status"]]
                    if len(late)
                    else [],
                }
            ),
        )
    )
    cov = road_dust_coverage(engine, targets, year=as_of.year, month=as_of.month)
    sections.append((_label("plan.brief.coverage", lang), coverage_summary(cov, lang)))
    return sections


def _summary_labels(lang: Lang) -> dict[str, str]:
    labels = {"lead_unit": _label("plan.col.lead_unit", lang), "total": _label("plan.col.total", lang),
              "overdue": _label("plan.col.overdue", lang)}
    labels.update({s: _label(f"plan.task_status.{s}", lang) for s in SHOWN_STATUSES})
    return labels


def coverage_summary(cov: coverage_rules.Coverage | None, lang: Lang = "zh") -> pd.DataFrame:
    """The three coverage checks as a small (item, result) table."""
    item, result = _label("plan.col.item", lang), _label("plan.col.result", lang)
    if cov is None:
        return pd.DataFrame({item: [_label("coverage.none", lang)], result: ["—"]})
    quarter = cov.quarters[cov.quarters["quarter"] == cov.quarters["quarter"].iloc[-1]] if len(cov.quarters) else cov.quarters
    complete = int(quarter["complete"].sum()) if len(quarter) else 0
    streak = cov.district_streak
    lines: list[tuple[str, str]] = [
        (
            _label("coverage.recheck", lang),
            i18n.t("coverage.recheck.result", lang, missing=len(cov.recheck_missing), required=cov.recheck_required)
            + ("；" + i18n.t("coverage.recheck.undecided", lang, n=cov.recheck_undecided) if cov.recheck_undecided else ""),
        ),
        (
            _label("coverage.quarter", lang),
            i18n.t("coverage.quarter.result", lang, quarter=quarter["quarter"].iloc[0] if len(quarter) else "—",
                   complete=complete, total=len(quarter)),
        ),
        (
            _label("coverage.streak", lang),
            i18n.t("coverage.streak.result", lang, months=streak.months,
                   verdict=_label("coverage.cleared" if streak.cleared_two_months else "coverage.not_cleared", lang)),
        ),
    ]
    if not cov.grades_known:
        lines.append((_label("coverage.grades", lang), cov.notes[0] if lang == "zh" else cov.notes_en[0]))
    return pd.DataFrame(lines, columns=[item, result])


def indicator_keys(targets: Targets, *, entered_only: bool = False) -> list[str]:
    return [i.key for i in targets.indicators if not (entered_only and i.measured)]
