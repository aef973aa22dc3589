"""Writes of the sand-and-dust day flags (table dust_days); callers go through monitoring.dust."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, insert, select, update

from monitoring.storage.schema import dust_days


def upsert_dust_day(engine: Engine, day: dt.date, note: str, flagged_by: str, run_id: int | None = None) -> bool:
    """Flag ``day``; True when it was new, False when an existing flag was updated."""
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
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
    return not exists


def delete_dust_day(engine: Engine, day: dt.date) -> bool:
    """Remove the flag of ``day``; True when there was one."""
    with engine.begin() as conn:
        result = conn.execute(delete(dust_days).where(dust_days.c.day == day))
    return bool(result.rowcount)
