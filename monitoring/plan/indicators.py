"""The plan's 附4 indicators: entry (one value, or a CSV), history, and the table in force.

The indicators the readings measure come from ``monitoring.reports.district``; the others
are entered by analysts as dated values with a note. Every entry is kept; the value in force
on a day is the one with the latest date on or before it, the latest entry winning a tie
(``rules.plan_status.in_force``). An entered value is judged with the verdict's words
(``rules.plan_status.entered_status``). A CSV is decoded as the readings' reader does it
(``ingest.readers``: BOM, UTF-16/32, UTF-8, GB18030; anything else refused with one line).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring import i18n
from monitoring.actors import Actor, require_writer
from monitoring.errors import InputError, MonitorError
from monitoring.i18n import Lang
from monitoring.ingest import readers
from monitoring.ingest.layout import DELIMITERS
from monitoring.plan.common import beijing_today, parse_day
from monitoring.rules import plan_status, verdict
from monitoring.rules.plan_status import as_number
from monitoring.storage import plan_queries
from monitoring.targets import Indicator, Targets

#: Units of entered values that count things: a value must be a whole number.
COUNT_UNITS = ("家", "项", "个", "块", "天")

#: Indicator statuses: the verdict's "so far" words (monitoring/rules/verdict.py). An
#: indicator without a value, or with a target in words, is ``incomplete`` — shown as
#: 尚未录入 / 定性目标 (``rules.plan_status.indicator_state``), never in a failure colour.
INDICATOR_STATUSES = verdict.STATUSES


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
        when = parse_day(day, "date")
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


def _decoded(data: bytes | Path, name: str) -> str:
    """The file's text, decoded as the readings' reader decodes a CSV (``ingest.readers``):
    BOM, UTF-16/32, UTF-8, else GB18030; empty, binary and workbook files refused."""
    blob = readers.load_blob(data, name)
    if readers.sniff_container(blob) != "csv":
        raise readers.refuse(
            name, "a workbook is not read here: the indicator values are a CSV file",
            "指标数值须为 CSV 文件，不能直接导入工作簿",
            "save the sheet as CSV UTF-8 (indicator,date,value,note) and import that",
        )
    encoding = readers.detect_encoding(blob)
    with blob.open() as fh:
        raw = fh.read()
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:  # the sniffed head was fine, a later part is not
        raise readers.refuse(
            name,
            f"bytes at offset {exc.start:,} are not valid {encoding} text (the file mixes encodings)",
            f"文件第 {exc.start:,} 字节处编码不一致（不是有效的 {encoding} 文本）",
            "save the whole file once as CSV UTF-8 and try again",
        ) from None


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
    name = name or (data.name if isinstance(data, Path) else "file")
    text = data if isinstance(data, str) else _decoded(data, name)
    first_line = text.split("\n", 1)[0]
    # the delimiter as the readings' reader picks it: Excel writes ; or tab in some locales
    delimiter = max(DELIMITERS, key=first_line.count) if any(d in first_line for d in DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
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
    entered = plan_status.in_force(plan_queries.indicator_value_history(engine, through=through), "indicator", through)
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
            row["status"] = plan_status.entered_status(ind.direction, ind.target, row["value"])
            if row["value"] is not None and ind.target is not None:
                row["gap"] = round(float(row["value"]) - float(ind.target), 6)
        rows.append(row)
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def indicator_keys(targets: Targets, *, entered_only: bool = False) -> list[str]:
    return [i.key for i in targets.indicators if not (entered_only and i.measured)]
