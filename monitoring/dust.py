"""Sand-and-dust days (沙尘天): flag or unflag a day for the whole district.

Figures are given with and without flagged days (环办监测〔2016〕120号 deducts them from
assessment; Beijing publishes both). Only analysts and admins may flag; the flag records
who did it (``flagged_by``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from monitoring.actors import Actor, require_writer
from monitoring.errors import InputError
from monitoring.storage import dust_days as store


def _check_day(day: dt.date) -> None:
    if not isinstance(day, dt.date):
        raise InputError(
            f"dust day {day!r} is not a date",
            message_zh=f"沙尘日期 {day!r} 不是日期",
            hint="give the day as YYYY-MM-DD",
        )


def flag_dust_day(engine: Engine, day: dt.date, note: str, actor: Actor, run_id: int | None = None) -> bool:
    """Flag ``day`` as a sand-and-dust day; True when newly flagged."""
    require_writer(actor, "flag sand-and-dust days")
    _check_day(day)
    return store.upsert_dust_day(engine, day, note or "", actor.name, run_id)


def unflag_dust_day(engine: Engine, day: dt.date, actor: Actor) -> bool:
    """Remove the flag of ``day``; True when it was flagged."""
    require_writer(actor, "unflag sand-and-dust days")
    _check_day(day)
    return store.delete_dust_day(engine, day)
