"""The read side of storage: the few queries every page and report goes through.

Pages and reports read the maintained daily means (never a whole year of raw hours);
all parameters are bound, no SQL is built from strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, func, or_, select

from monitoring.storage.schema import daily_means, ingestion_runs, road_dust
from monitoring.storage.schema import dust_days as dust_days_table


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


# -- reads for the reports (monitoring.reports) ---------------------------------------


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def daily_frame(
    engine: Engine, first: dt.date, last: dt.date, pollutants: Sequence[str] | None = None
) -> pd.DataFrame:
    """Daily means first … last: subdistrict_id, pollutant, day, mean, n_hours, max8h, n_8h, max1h, demo."""
    cols = [
        daily_means.c.subdistrict_id,
        daily_means.c.pollutant,
        daily_means.c.day,
        daily_means.c.mean,
        daily_means.c.n_hours,
        daily_means.c.max8h,
        daily_means.c.n_8h,
        daily_means.c.max1h,
        daily_means.c.demo,
    ]
    stmt = select(*cols).where(daily_means.c.day.between(first, last))
    if pollutants is not None:
        stmt = stmt.where(daily_means.c.pollutant.in_(list(pollutants)))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    # plain tuples: building a frame from Row objects is several times slower
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in cols])
    if len(frame):
        if not isinstance(frame["day"].iloc[0], dt.date):
            frame["day"] = [_as_date(d) for d in frame["day"].tolist()]
        for name in ("mean", "max8h", "max1h"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        for name in ("n_hours", "n_8h"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("Float64")
        frame["demo"] = frame["demo"].astype(bool)
    return frame


def last_day_with_data(engine: Engine, year: int, pollutant: str | None = None) -> dt.date | None:
    """The last day of ``year`` with a daily mean (of ``pollutant`` if given)."""
    stmt = select(func.max(daily_means.c.day)).where(
        daily_means.c.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
    )
    if pollutant is not None:
        stmt = stmt.where(daily_means.c.pollutant == pollutant)
    with engine.connect() as conn:
        last = conn.execute(stmt).scalar_one_or_none()
    return None if last is None else _as_date(last)


def last_valid_day(engine: Engine, year: int, min_hours: int, pollutant: str | None = None) -> dt.date | None:
    """The last day of ``year`` with a valid daily mean (≥ ``min_hours`` hours, or given as
    a daily value): the day a year-to-date figure runs through by default."""
    stmt = select(func.max(daily_means.c.day)).where(
        daily_means.c.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        or_(daily_means.c.n_hours.is_(None), daily_means.c.n_hours >= min_hours),
    )
    if pollutant is not None:
        stmt = stmt.where(daily_means.c.pollutant == pollutant)
    with engine.connect() as conn:
        last = conn.execute(stmt).scalar_one_or_none()
    return None if last is None else _as_date(last)


def years_with_data(engine: Engine) -> list[int]:
    """Every year holding at least one daily mean, oldest first (gaps left out)."""
    with engine.connect() as conn:
        days = conn.execute(select(daily_means.c.day).distinct()).scalars().all()
    return sorted({_as_date(d).year for d in days})


def dust_days(engine: Engine, first: dt.date, last: dt.date) -> list[dt.date]:
    """Flagged sand-and-dust days first … last."""
    with engine.connect() as conn:
        days = conn.execute(
            select(dust_days_table.c.day).where(dust_days_table.c.day.between(first, last)).order_by(dust_days_table.c.day)
        ).scalars().all()
    return [_as_date(d) for d in days]


def road_dust_frame(engine: Engine, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Road-dust rows first … last: subdistrict_id, road, day, month_only, load, grade, source."""
    cols = [
        road_dust.c.subdistrict_id,
        road_dust.c.road,
        road_dust.c.day,
        road_dust.c.month_only,
        road_dust.c.load,
        road_dust.c.grade,
        road_dust.c.source,
    ]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).where(road_dust.c.day.between(first, last))).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in cols])
    if len(frame):
        frame["day"] = [_as_date(d) for d in frame["day"].tolist()]
        frame["load"] = frame["load"].astype("float64")
    return frame


def road_dust_years(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        days = conn.execute(select(road_dust.c.day).distinct()).scalars().all()
    return sorted({_as_date(d).year for d in days})


def pull_resume_point(engine: Engine, source: str) -> tuple[int | None, str | None]:
    """Where an incremental pull of an HTTP source resumes: ``(newest_ts, first_from)``.

    ``newest_ts``: the ``ts`` of the newest hourly reading the source stored (read through
    the run index: the source's pull runs, then their rows by ``ix_readings_run_id``, which
    holds ``ts``). When it stored nothing yet, ``first_from`` is the earliest window start
    (``options["from"]``, a Beijing label) its earlier, failed, pulls asked for, so the
    next pull catches up from there; None when there was no pull at all.
    """
    from monitoring.storage.schema import readings

    pulls = (ingestion_runs.c.kind == "pull", ingestion_runs.c.source == source)
    with engine.connect() as conn:
        newest = conn.execute(
            select(func.max(readings.c.ts)).where(
                readings.c.run_id.in_(select(ingestion_runs.c.id).where(*pulls)),
                readings.c.source == source,
                readings.c.resolution == "h",
            )
        ).scalar()
        if newest is not None:
            return int(newest), None
        asked = conn.execute(select(ingestion_runs.c.options).where(*pulls)).scalars().all()
    starts = [str(o["from"]) for o in asked if isinstance(o, dict) and o.get("from")]
    return None, (min(starts) if starts else None)

def hours_with_data(engine: Engine, year: int, pollutant: str = "pm25") -> pd.DataFrame:
    """Per subdistrict: hours of ``year`` with a value (from the daily means' n_hours).

    Columns subdistrict_id, hours, first_day, last_day. The data-quality page divides by
    the hours elapsed to show each subdistrict's share of hours with data.
    """
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                daily_means.c.subdistrict_id,
                func.coalesce(func.sum(daily_means.c.n_hours), 0).label("hours"),
                func.min(daily_means.c.day).label("first_day"),
                func.max(daily_means.c.day).label("last_day"),
            )
            .where(daily_means.c.pollutant == pollutant, daily_means.c.day.between(first, last))
            .group_by(daily_means.c.subdistrict_id)
        ).all()
    return pd.DataFrame(rows, columns=["subdistrict_id", "hours", "first_day", "last_day"])
