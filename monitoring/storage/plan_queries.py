"""SQL of plan tracking: entered indicator values, task status changes, road-dust rows.

Both tables are histories: a change is a new row, never an update, so who changed what
and when stays visible. The value in force is the latest row (see monitoring.plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from monitoring.storage.schema import indicator_values, road_dust, subdistricts, task_status_changes

INDICATOR_VALUE_COLUMNS = ("id", "indicator", "day", "value", "note", "entered_by", "entered_at", "source")
TASK_STATUS_COLUMNS = ("id", "measure_id", "status", "note", "day", "set_by", "set_at")
ROAD_DUST_COLUMNS = ("subdistrict", "code", "road", "day", "load", "grade")


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _frame(rows: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(columns))
    if "day" in frame.columns:
        frame["day"] = [_as_date(v) for v in frame["day"].tolist()]
    return frame


def insert_indicator_values(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Append entered values (keys: indicator, day, value, note, entered_by, entered_at, source)."""
    if rows:
        conn.execute(insert(indicator_values), list(rows))
    return len(rows)


def insert_indicator_value(conn: Connection, row: dict[str, Any]) -> int:
    """Append one entered value; return its id."""
    result = conn.execute(insert(indicator_values).values(**row))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def indicator_value_history(
    engine: Engine, indicator: str | None = None, *, through: dt.date | None = None
) -> pd.DataFrame:
    """Every entered value, oldest first (optionally of one indicator, dated on or before ``through``)."""
    stmt = select(*(indicator_values.c[name] for name in INDICATOR_VALUE_COLUMNS)).order_by(
        indicator_values.c.id
    )
    if indicator is not None:
        stmt = stmt.where(indicator_values.c.indicator == indicator)
    if through is not None:
        stmt = stmt.where(indicator_values.c.day <= through)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return _frame(rows, INDICATOR_VALUE_COLUMNS)


def insert_task_status(conn: Connection, row: dict[str, Any]) -> None:
    """Append one status change (keys: measure_id, status, note, day, set_by, set_at)."""
    conn.execute(insert(task_status_changes).values(**row))


def task_status_history(engine: Engine, measure_id: str | None = None) -> pd.DataFrame:
    """Every status change, oldest first (optionally of one measure)."""
    stmt = select(*(task_status_changes.c[name] for name in TASK_STATUS_COLUMNS)).order_by(
        task_status_changes.c.id
    )
    if measure_id is not None:
        stmt = stmt.where(task_status_changes.c.measure_id == measure_id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return _frame(rows, TASK_STATUS_COLUMNS)


def road_dust_rows(engine: Engine, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """Road-dust measurements between two days (inclusive) with the subdistrict's short name."""
    stmt = (
        select(
            subdistricts.c.short_name,
            subdistricts.c.code,
            road_dust.c.road,
            road_dust.c.day,
            road_dust.c.load,
            road_dust.c.grade,
        )
        .join(subdistricts, subdistricts.c.id == road_dust.c.subdistrict_id)
        .where(road_dust.c.day >= first_day, road_dust.c.day <= last_day)
        .order_by(road_dust.c.day, subdistricts.c.id, road_dust.c.road)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return _frame(rows, ROAD_DUST_COLUMNS)
