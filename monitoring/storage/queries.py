"""The read side of storage: the few queries every page and report goes through.

Pages and reports read the maintained daily means (never a whole year of raw hours);
all parameters are bound, no SQL is built from strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, case, extract, func, or_, select

from monitoring.storage.engine import plain_rows
from monitoring.storage.events import day_is_deducted, list_events
from monitoring.storage.schema import daily_means, ingestion_runs, road_dust
from monitoring.targets import POLLUTANTS


def available_years(engine: Engine) -> list[int]:
    """Years with at least one daily mean, newest first."""
    # two subqueries: SQLite answers a lone min() or max() from the index end, both in one
    # select scan the whole index (20 ms on ten years)
    first_q = select(func.min(daily_means.c.day)).scalar_subquery()
    last_q = select(func.max(daily_means.c.day)).scalar_subquery()
    with engine.connect() as conn:
        first, last = conn.execute(select(first_q, last_q)).one()
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
        rows = plain_rows(conn, stmt)
    frame = pd.DataFrame(rows, columns=[c.name for c in cols])
    if len(frame):
        if not isinstance(frame["day"].iloc[0], dt.date):
            # SQLite hands ISO strings back: parse each distinct day once
            parsed = {d: _as_date(d) for d in set(frame["day"].tolist())}
            frame["day"] = frame["day"].map(parsed).astype(object)
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


def event_days(engine: Engine, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days first … last inside an exceptional event in force (sand and dust included)."""
    return sorted({d for e in list_events(engine, first, last) for d in e.days(first, last)})


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
        rows = plain_rows(conn, select(*cols).where(road_dust.c.day.between(first, last)))
    frame = pd.DataFrame(rows, columns=[c.name for c in cols])
    if len(frame):
        frame["day"] = [_as_date(d) for d in frame["day"].tolist()]
        frame["month_only"] = frame["month_only"].astype(bool)  # SQLite's driver gives 0/1
        frame["load"] = frame["load"].astype("float64")
    return frame


def road_dust_years(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        days = conn.execute(select(road_dust.c.day).distinct()).scalars().all()
    return sorted({_as_date(d).year for d in days})


@dataclass(frozen=True)
class ResumePoint:
    """Where an incremental pull of an HTTP source starts (see :func:`pull_resume_point`)."""

    #: the ts (hour-ending label, UTC seconds) of the first hour to ask for; None when the
    #: source has no successful pull yet
    next_ts: int | None
    #: with no successful pull: the earliest window start (a Beijing label) its failed
    #: pulls asked for, so the next one catches up from there; None when it never pulled
    first_asked: str | None = None


_PULL_POLLUTANTS = POLLUTANTS
_HOUR = 3600


def _label_ts(text: object) -> int | None:
    from monitoring.timeutil import label_to_ts

    try:
        return label_to_ts(dt.datetime.strptime(str(text), "%Y-%m-%d %H:%M"))
    except ValueError:
        return None


def pull_resume_point(engine: Engine, source: str, *, end_ts: int, lookback_hours: int) -> ResumePoint:
    """The oldest hour an incremental pull of ``source`` must ask for again.

    The windows come from the source's successful pull runs (``options["from"/"to"]``; an
    older run without them counts as its stored span), never from the newest reading, so
    a row an answer carried from outside its window cannot move the point past hours
    nobody asked for. Within the look-back (``lookback_hours`` back from ``end_ts``, the
    newest hour of the pull about to run) every subdistrict the source stored there is
    checked hour by hour: the oldest hour one of them lacks (an hour published late, a
    subdistrict's hours missing from an answer) is where the pull resumes; with none, the
    hour after the newest window asked. Read per subdistrict and pollutant through the
    readings key (one index range each), not by scanning ``readings``.
    """
    from monitoring.storage.schema import readings, subdistricts

    pulls = (ingestion_runs.c.kind == "pull", ingestion_runs.c.source == source)
    with engine.connect() as conn:
        runs = conn.execute(
            select(ingestion_runs.c.status, ingestion_runs.c.options, ingestion_runs.c.first_ts, ingestion_runs.c.last_ts)
            .where(*pulls)
        ).all()
        asked: list[tuple[int, int]] = []
        for run in runs:
            if run.status != "succeeded":
                continue
            options = run.options if isinstance(run.options, dict) else {}
            first, last = _label_ts(options.get("from")), _label_ts(options.get("to"))
            if first is None or last is None:  # a run recorded before the window was kept
                first, last = run.first_ts, run.last_ts
            if first is not None and last is not None:
                asked.append((int(first), int(last)))
        if not asked:
            starts = [str(r.options["from"]) for r in runs if isinstance(r.options, dict) and r.options.get("from")]
            return ResumePoint(None, min(starts) if starts else None)
        newest = max(last for _, last in asked)
        oldest = min((first for first, last in asked if first <= last), default=newest + _HOUR)
        low = max(end_ts - (lookback_hours - 1) * _HOUR, oldest)
        if lookback_hours <= 0 or low > newest:
            return ResumePoint(newest + _HOUR)
        ids = conn.execute(select(subdistricts.c.id)).scalars().all()
        found = conn.execute(
            select(readings.c.subdistrict_id, readings.c.ts)
            .where(
                readings.c.subdistrict_id.in_(list(ids)),
                readings.c.pollutant.in_(_PULL_POLLUTANTS),
                readings.c.ts.between(low, newest),
                readings.c.resolution == "h",
                readings.c.source == source,
            )
            .distinct()
        ).all()
    hours_of: dict[int, set[int]] = {}
    for subdistrict_id, ts in found:
        hours_of.setdefault(int(subdistrict_id), set()).add(int(ts))
    if not hours_of:  # nothing stored in the look-back: every hour of it is asked again
        return ResumePoint(low)
    for ts in range(low, newest + 1, _HOUR):
        if any(ts not in hours for hours in hours_of.values()):
            return ResumePoint(ts)
    return ResumePoint(newest + _HOUR)


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


def district_monthly_sums(
    engine: Engine,
    first: dt.date,
    last: dt.date,
    pollutant: str,
    min_hours: int,
    *,
    exclude_events: bool = False,
) -> pd.DataFrame:
    """Per year and month first … last: the sum (``total``) and number (``n``) of the
    district's daily values of ``pollutant``, demo rows left out.

    A district daily value is the mean of the subdistricts' valid daily means that day
    (≥ ``min_hours`` hours, or given as a daily value); with ``exclude_events`` the days of
    exceptional events in force are left out. Two GROUP BYs in the database instead of every daily
    row in Python: the seasonal profile reads ten years as ~120 rows.
    """
    day = daily_means.c.day
    conditions = [
        daily_means.c.pollutant == pollutant,
        day.between(first, last),
        daily_means.c.demo.is_(False),
        or_(daily_means.c.n_hours.is_(None), daily_means.c.n_hours >= min_hours),
    ]
    if exclude_events:
        conditions.append(~day_is_deducted(day))
    per_day = select(day.label("day"), func.avg(daily_means.c.mean).label("value")).where(*conditions).group_by(day).subquery()
    year, month = extract("year", per_day.c.day), extract("month", per_day.c.day)
    stmt = (
        select(year.label("year"), month.label("month"), func.sum(per_day.c.value).label("total"), func.count().label("n"))
        .group_by(year, month)
        .order_by(year, month)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["year", "month", "total", "n"])
    return frame.astype({"year": "int64", "month": "int64", "total": "float64", "n": "int64"})


def district_daily(
    engine: Engine,
    first: dt.date,
    last: dt.date,
    pollutants: Sequence[str],
    min_hours: int,
    o3_min_windows: int,
    *,
    exclude_events: bool = False,
) -> pd.DataFrame:
    """The district's daily values first … last, averaged in the database (one row per
    pollutant and day instead of one per subdistrict): pollutant, day, value,
    n_subdistricts, demo (every averaged row demo).

    Valid subdistrict values only: the daily mean with ≥ ``min_hours`` hours (or given as a
    daily value); O3 the daily maximum 8-hour mean with ≥ ``o3_min_windows`` windows, and
    ``o3_1h`` O3's daily maximum 1-hour value on a valid day. With ``exclude_events`` the
    days of exceptional events in force are left out. Ordered by pollutant, day.
    """
    dm = daily_means.c
    hours_ok = or_(dm.n_hours.is_(None), dm.n_hours >= min_hours)
    in_period: list[ColumnElement[bool]] = [dm.day.between(first, last)]
    if exclude_events:
        in_period.append(~day_is_deducted(dm.day))
    all_demo = func.min(case((dm.demo.is_(True), 1), else_=0))
    parts: list[tuple[str | None, Any, list[Any]]] = []
    plain = [p for p in pollutants if p != "o3"]
    if plain:
        parts.append((None, dm.mean, [dm.pollutant.in_(plain), hours_ok]))
    if "o3" in pollutants:
        parts.append(("o3", dm.max8h, [dm.pollutant == "o3", dm.n_8h >= o3_min_windows, dm.max8h.is_not(None)]))
        parts.append(("o3_1h", dm.max1h, [dm.pollutant == "o3", hours_ok, dm.max1h.is_not(None)]))
    rows: list[tuple[Any, ...]] = []
    with engine.connect() as conn:
        for name, column, conditions in parts:
            stmt = (
                select(dm.pollutant, dm.day, func.avg(column), func.count(), all_demo)
                .where(*in_period, *conditions)
                .group_by(dm.pollutant, dm.day)
            )
            found = conn.execute(stmt).all()
            rows.extend((name or r[0], _as_date(r[1]), float(r[2]), int(r[3]), bool(r[4])) for r in found)
    frame = pd.DataFrame(rows, columns=["pollutant", "day", "value", "n_subdistricts", "demo"])
    if len(frame):
        frame = frame.sort_values(["pollutant", "day"], kind="stable").reset_index(drop=True)
    return frame
