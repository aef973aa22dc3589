"""The read side of storage: the few queries every page and report goes through.

Pages and reports read the maintained daily means (never a whole year of raw hours);
all parameters are bound, no SQL is built from strings.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from monitoring.storage.schema import daily_means, ingestion_runs


def available_years(engine: Engine) -> list[int]:
    """Years with at least one daily mean, newest first."""
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(daily_means.c.day), func.max(daily_means.c.day))).one()
    if first is None:
        return []
    first = first if isinstance(first, dt.date) else dt.date.fromisoformat(str(first))
    last = last if isinstance(last, dt.date) else dt.date.fromisoformat(str(last))
    return list(range(last.year, first.year - 1, -1))


def demo_runs(engine: Engine) -> list[int]:
    """Ids of demo runs whose rows are still stored."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(ingestion_runs.c.id).where(ingestion_runs.c.kind == "demo", ingestion_runs.c.status == "succeeded")
        ).all()
    return [int(r.id) for r in rows]


def demo_years(engine: Engine) -> list[int]:
    """Years that hold demo daily means (for the banner)."""
    with engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(daily_means.c.day), func.max(daily_means.c.day)).where(daily_means.c.demo.is_(True))
        ).one()
    if first is None:
        return []
    first = first if isinstance(first, dt.date) else dt.date.fromisoformat(str(first))
    last = last if isinstance(last, dt.date) else dt.date.fromisoformat(str(last))
    return list(range(first.year, last.year + 1))
