"""Reads and writes of exceptional events (table exceptional_events); callers go through
monitoring.events (checks and permissions) and monitoring.reports (deductions).

A removed event keeps its row (``removed_by``/``removed_at``): only rows with ``removed_at``
NULL are deducted. All parameters are bound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, exists, insert, select, update

from monitoring.storage.schema import exceptional_events as ev


@dataclass(frozen=True)
class Event:
    id: int
    first_day: dt.date
    last_day: dt.date
    kind: str
    reason: str
    flagged_by: str
    flagged_at: dt.datetime
    run_id: int | None
    removed_by: str | None
    removed_at: dt.datetime | None
    removed_reason: str | None

    @property
    def active(self) -> bool:
        return self.removed_at is None

    def days(self, first: dt.date | None = None, last: dt.date | None = None) -> list[dt.date]:
        """The event's days, clipped to first … last when given."""
        lo = max(self.first_day, first) if first else self.first_day
        hi = min(self.last_day, last) if last else self.last_day
        return [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)]


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _instant(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    out = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return out if out.tzinfo else out.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC back


def _event(row: Any) -> Event:
    return Event(
        id=int(row.id), first_day=_date(row.first_day), last_day=_date(row.last_day), kind=str(row.kind),
        reason=str(row.reason or ""), flagged_by=str(row.flagged_by), flagged_at=_instant(row.flagged_at) or dt.datetime.now(dt.UTC),
        run_id=None if row.run_id is None else int(row.run_id), removed_by=row.removed_by, removed_at=_instant(row.removed_at),
        removed_reason=row.removed_reason,
    )


def _overlaps(first: dt.date, last: dt.date) -> ColumnElement[bool]:
    return and_(ev.c.removed_at.is_(None), ev.c.first_day <= last, ev.c.last_day >= first)


def day_is_deducted(day: Any) -> ColumnElement[bool]:
    """SQL: ``day`` (a date column) falls inside an event in force; for ``NOT`` in a query."""
    return exists().where(ev.c.removed_at.is_(None), ev.c.first_day <= day, ev.c.last_day >= day)


def list_events(engine: Engine, first: dt.date | None = None, last: dt.date | None = None, *, removed: bool = False) -> list[Event]:
    """Events in force (with ``removed`` also the removed ones) that touch first … last, by first day."""
    stmt = select(ev).order_by(ev.c.first_day, ev.c.id)
    if not removed:
        stmt = stmt.where(ev.c.removed_at.is_(None))
    if first is not None:
        stmt = stmt.where(ev.c.last_day >= first)
    if last is not None:
        stmt = stmt.where(ev.c.first_day <= last)
    with engine.connect() as conn:
        return [_event(r) for r in conn.execute(stmt).all()]


def get_event(engine: Engine, event_id: int) -> Event | None:
    with engine.connect() as conn:
        row = conn.execute(select(ev).where(ev.c.id == int(event_id))).first()
    return None if row is None else _event(row)


def overlapping(conn: Connection, first: dt.date, last: dt.date) -> list[Event]:
    """Events in force that share a day with first … last."""
    return [_event(r) for r in conn.execute(select(ev).where(_overlaps(first, last)).order_by(ev.c.first_day)).all()]


def insert_event(
    conn: Connection, first: dt.date, last: dt.date, kind: str, reason: str, flagged_by: str, run_id: int | None = None
) -> int:
    """Insert one event inside the caller's transaction (checks are the caller's); its id."""
    result = conn.execute(
        insert(ev).values(
            first_day=first, last_day=last, kind=kind, reason=reason, flagged_by=flagged_by,
            flagged_at=dt.datetime.now(dt.UTC), run_id=run_id,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def mark_removed(conn: Connection, event_id: int, removed_by: str, reason: str) -> bool:
    """Mark an event in force as removed (the row stays); True when it was in force."""
    result = conn.execute(
        update(ev)
        .where(ev.c.id == int(event_id), ev.c.removed_at.is_(None))
        .values(removed_by=removed_by, removed_at=dt.datetime.now(dt.UTC), removed_reason=reason)
    )
    return bool(result.rowcount)


def flag_days(conn: Connection, days: Iterable[dt.date], note: str, flagged_by: str, run_id: int | None = None) -> int:
    """Sand-and-dust days of an ingest (its dust-flag column), inside the caller's transaction
    so the flags stand or fall with the rows: each run of consecutive days not yet inside an
    event becomes one ``sand_dust`` event. Returns how many days were newly deducted.
    The caller holds the write lock (``engine.write_transaction``) before this overlap check."""
    new: list[dt.date] = [d for d in sorted(set(days)) if not overlapping(conn, d, d)]
    runs: list[list[dt.date]] = []
    for day in new:
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        insert_event(conn, run[0], run[-1], "sand_dust", note, flagged_by, run_id)
    return len(new)
