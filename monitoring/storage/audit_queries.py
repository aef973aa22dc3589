"""Reads of the ingestion audit: runs, their rejected rows and revisions, stored keys.

``runs list`` / ``runs show`` and the data-quality page (and its scheduled-pulls panel)
go through these; all parameters are bound. (A dry run classifies rows with the writer's
own matching, storage/writes.py, not here.)
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from monitoring import timeutil
from monitoring.storage.schema import ingestion_runs, reading_revisions, readings, rejected_rows, subdistricts
from monitoring.targets import POLLUTANTS

RUN_COLUMNS = (
    "id", "kind", "data_kind", "source", "sha256", "user", "started_at", "finished_at", "status",
    "rows", "accepted", "rejected", "duplicates", "conflicts", "replaced", "missing", "first_ts", "last_ts", "message",
)


def list_runs(engine: Engine, limit: int = 50, kind: str | None = None) -> pd.DataFrame:
    """The newest runs first (``RUN_COLUMNS``)."""
    stmt = select(*[ingestion_runs.c[c] for c in RUN_COLUMNS]).order_by(ingestion_runs.c.id.desc()).limit(int(limit))
    if kind:
        stmt = stmt.where(ingestion_runs.c.kind == kind)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=list(RUN_COLUMNS))


#: What the scheduled-pulls panel needs of a pull run (``last_pull_runs``).
PULL_RUN_COLUMNS = (
    "id", "source", "started_at", "finished_at", "status", "accepted", "duplicates", "rejected", "first_ts", "last_ts",
    "message", "options",
)


def last_pull_runs(engine: Engine) -> dict[str, dict[str, Any]]:
    """Per HTTP source that has pull runs: its newest run, its newest successful run, and
    the newest label ``ts`` its successful runs received.

    ``{source: {"last": run, "last_success": run | None, "newest_ts": int | None}}``, each
    run a dict of ``PULL_RUN_COLUMNS``. Reads ``ingestion_runs`` only (one row per run,
    its ``last_ts`` kept by the writer), never ``readings``: two statements whatever the
    size of the store.
    """
    pulls = ingestion_runs.c.kind == "pull"
    succeeded = ingestion_runs.c.status == "succeeded"
    with engine.connect() as conn:
        heads = conn.execute(
            select(
                ingestion_runs.c.source,
                func.max(ingestion_runs.c.id).label("last_id"),
                func.max(ingestion_runs.c.id).filter(succeeded).label("ok_id"),
                func.max(ingestion_runs.c.last_ts).filter(succeeded).label("newest_ts"),
            )
            .where(pulls)
            .group_by(ingestion_runs.c.source)
        ).all()
        ids = {int(i) for h in heads for i in (h.last_id, h.ok_id) if i is not None}
        rows = (
            conn.execute(select(*[ingestion_runs.c[c] for c in PULL_RUN_COLUMNS]).where(ingestion_runs.c.id.in_(sorted(ids)))).all()
            if ids
            else []
        )
    runs = {int(r.id): dict(r._mapping) for r in rows}
    return {
        str(h.source): {
            "last": runs[int(h.last_id)],
            "last_success": runs.get(int(h.ok_id)) if h.ok_id is not None else None,
            "newest_ts": int(h.newest_ts) if h.newest_ts is not None else None,
        }
        for h in heads
    }


def get_run(engine: Engine, run_id: int) -> dict[str, Any] | None:
    """One run with its options, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(*[ingestion_runs.c[c] for c in RUN_COLUMNS], ingestion_runs.c.options).where(ingestion_runs.c.id == int(run_id))
        ).first()
    return dict(row._mapping) if row is not None else None


def run_rejected(engine: Engine, run_id: int, limit: int | None = None) -> pd.DataFrame:
    """A run's rejected rows in file order: line, raw, reason (zh), reason_en."""
    stmt = (
        select(rejected_rows.c.line, rejected_rows.c.raw, rejected_rows.c.reason, rejected_rows.c.reason_en)
        .where(rejected_rows.c.run_id == int(run_id))
        .order_by(rejected_rows.c.line, rejected_rows.c.id)
    )
    if limit is not None:
        stmt = stmt.limit(int(limit))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=["line", "raw", "reason", "reason_en"])


def run_rows_stored(engine: Engine, run_id: int) -> int:
    """Readings a run still holds in the store.

    readings has no index on run_id (see schema.py): the rows are looked up through the
    primary key over the run's [first_ts, last_ts], every subdistrict and pollutant.
    """
    with engine.connect() as conn:
        span = conn.execute(
            select(ingestion_runs.c.first_ts, ingestion_runs.c.last_ts).where(ingestion_runs.c.id == int(run_id))
        ).first()
        if span is None or span.first_ts is None or span.last_ts is None:
            return 0
        return int(
            conn.execute(
                select(func.count())
                .select_from(readings)
                .where(
                    readings.c.subdistrict_id.in_(select(subdistricts.c.id)),
                    readings.c.pollutant.in_(list(POLLUTANTS)),
                    readings.c.ts.between(int(span.first_ts), int(span.last_ts)),
                    readings.c.run_id == int(run_id),
                )
            ).scalar_one()
        )


def run_revisions(engine: Engine, run_id: int) -> pd.DataFrame:
    """Conflicts a run met: key, old value, new value, and whether it replaced the old one."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                reading_revisions.c.subdistrict_id,
                reading_revisions.c.pollutant,
                reading_revisions.c.ts,
                reading_revisions.c.resolution,
                reading_revisions.c.station,
                reading_revisions.c.old_value,
                reading_revisions.c.new_value,
                reading_revisions.c.old_run_id,
                reading_revisions.c.action,
            )
            .where(reading_revisions.c.run_id == int(run_id))
            .order_by(reading_revisions.c.id)
        ).all()
    frame = pd.DataFrame(
        rows,
        columns=["subdistrict_id", "pollutant", "ts", "resolution", "station", "old_value", "new_value", "old_run_id", "action"],
    )
    frame.insert(2, "time", timeutil.ts_to_labels(frame["ts"].to_numpy(dtype="int64")) if len(frame) else pd.Series(dtype="datetime64[s]"))
    return frame.drop(columns="ts")


#: Rows the plausibility list of a run shows at most.
PLAUSIBILITY_ROWS = 1000


def run_pm25_above_pm10(engine: Engine, run_id: int, limit: int = PLAUSIBILITY_ROWS) -> pd.DataFrame:
    """Stored hours (and days) where PM2.5 is above PM10 in the same place, one of the two
    from this run (issue 13): kept, shown as a plausibility warning.

    Found through the primary key over the run's [first_ts, last_ts], like run_rows_stored;
    columns subdistrict_id, station, time (Beijing label), resolution, pm25, pm10.
    """
    pm10 = readings.alias("pm10")
    with engine.connect() as conn:
        span = conn.execute(
            select(ingestion_runs.c.first_ts, ingestion_runs.c.last_ts).where(ingestion_runs.c.id == int(run_id))
        ).first()
        if span is None or span.first_ts is None or span.last_ts is None:
            return pd.DataFrame(columns=["subdistrict_id", "station", "time", "resolution", "pm25", "pm10"])
        rows = conn.execute(
            select(readings.c.subdistrict_id, readings.c.station, readings.c.ts, readings.c.resolution,
                   readings.c.value.label("pm25"), pm10.c.value.label("pm10"))
            .select_from(
                readings.join(
                    pm10,
                    and_(
                        pm10.c.subdistrict_id == readings.c.subdistrict_id,
                        pm10.c.pollutant == "pm10",
                        pm10.c.ts == readings.c.ts,
                        pm10.c.resolution == readings.c.resolution,
                        pm10.c.station == readings.c.station,
                    ),
                )
            )
            .where(
                readings.c.subdistrict_id.in_(select(subdistricts.c.id)),
                readings.c.pollutant == "pm25",
                readings.c.ts.between(int(span.first_ts), int(span.last_ts)),
                (readings.c.run_id == int(run_id)) | (pm10.c.run_id == int(run_id)),
                readings.c.value > pm10.c.value,
            )
            .order_by(readings.c.ts, readings.c.subdistrict_id, readings.c.station)
            .limit(int(limit))
        ).all()
    frame = pd.DataFrame(rows, columns=["subdistrict_id", "station", "ts", "resolution", "pm25", "pm10"])
    frame.insert(2, "time", timeutil.ts_to_labels(frame["ts"].to_numpy(dtype="int64")) if len(frame) else [])
    return frame.drop(columns="ts")
