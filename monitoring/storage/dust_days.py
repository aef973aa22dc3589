"""Writes of the sand-and-dust day flags (table dust_days); callers go through monitoring.dust."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, delete, insert, select, update

from monitoring.storage.schema import dust_days


def flag_days(conn: Connection, days: Iterable[dt.date], note: str, flagged_by: str, run_id: int | None = None) -> int:
    """Flag ``days`` inside the caller's transaction (an ingest flags them with its rows:
    all or nothing); returns how many were new."""
    now = dt.datetime.now(dt.UTC)
    new = 0
    for day in sorted(set(days)):
        exists = conn.execute(select(dust_days.c.day).where(dust_days.c.day == day)).first() is not None
        if exists:
            conn.execute(
                update(dust_days)
                .where(dust_days.c.day == day)
                .values(note=note, flagged_by=flagged_by, flagged_at=now, run_id=run_id)
            )
        else:
            conn.execute(
                insert(dust_days).values(day=day, note=note, flagged_by=flagged_by, flagged_at=now, run_id=run_id)
            )
            new += 1
    return new


def upsert_dust_day(engine: Engine, day: dt.date, note: str, flagged_by: str, run_id: int | None = None) -> bool:
    """Flag ``day``; True when it was new, False when an existing flag was updated."""
    from monitoring.storage.engine import write_transaction

    with write_transaction(engine) as conn:  # "is it flagged?" then insert: no writer in between
        return flag_days(conn, [day], note, flagged_by, run_id) == 1


def delete_dust_day(engine: Engine, day: dt.date) -> bool:
    """Remove the flag of ``day``; True when there was one."""
    with engine.begin() as conn:
        result = conn.execute(delete(dust_days).where(dust_days.c.day == day))
    return bool(result.rowcount)
