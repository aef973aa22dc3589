"""Run records: open and close an ingestion run, keep its rejected rows, remove what runs stored.

Every write is one run in ``ingestion_runs`` (who, what file, what became of each row).
It is opened ``running`` in its own short transaction and closed in the transaction that
commits its data, so a run still ``running`` stored nothing. Reading the records back is
storage/audit.py's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from monitoring.counts import Counts
from monitoring.storage import keys
from monitoring.storage.daily_refresh import DailyRules, refresh_daily_means
from monitoring.storage.engine import plain_rows
from monitoring.storage.schema import ingestion_runs, readings, rejected_rows, road_dust, subdistricts


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class RunInfo:
    """Who is writing what, for the audit record."""

    kind: str  # upload | ingest | pull | init | demo | manual
    source: str  # file name or HTTP source name
    user: str = "system"
    data_kind: str = "readings"
    sha256: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def start_run(engine: Engine, info: RunInfo) -> int:
    """Record a run as ``running`` in its own transaction; return its id."""
    with engine.begin() as conn:
        result = conn.execute(
            insert(ingestion_runs).values(
                kind=info.kind,
                data_kind=info.data_kind,
                source=info.source[:255],
                sha256=info.sha256,
                user=info.user,
                started_at=utcnow(),
                status="running",
                options=info.options,
            )
        )
        run_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    assert run_id is not None
    return int(run_id)


def finish_run(
    engine_or_conn: Engine | Connection,
    run_id: int,
    status: str,
    counts: Counts | None = None,
    message: str = "",
) -> None:
    """Close a run with its outcome and counts."""
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "message": message.replace("\x00", "\ufffd")}
    if counts is not None:
        values.update(counts.as_record())
    stmt = update(ingestion_runs).where(ingestion_runs.c.id == run_id).values(**values)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as conn:
            conn.execute(stmt)
    else:
        engine_or_conn.execute(stmt)


#: A run still ``running`` after this long was interrupted (a large file takes seconds).
STALE_RUN_AFTER = dt.timedelta(hours=1)


def mark_interrupted_runs(conn: Connection, older_than: dt.timedelta = STALE_RUN_AFTER) -> int:
    """Runs left ``running`` by a killed process: their data was rolled back (a run is
    closed in the transaction that commits its data), so say so. ``finished_at`` stays
    empty: when the process died is not known (a failed run without it is "interrupted")."""
    result = conn.execute(
        update(ingestion_runs)
        .where(ingestion_runs.c.status == "running", ingestion_runs.c.started_at < utcnow() - older_than)
        .values(
            status="failed",
            message="interrupted: the process stopped before the file was committed; nothing was stored, run it again",
        )
    )
    return int(result.rowcount or 0)


def write_rejected(conn: Connection, run_id: int, rows: Iterable[tuple[int, str, str, str]]) -> int:
    """Keep rejected rows: (line, raw text, reason in Chinese, reason in English)."""
    payload = [
        # NUL would make PostgreSQL refuse the text (and with it the whole file): show it as U+FFFD.
        {"run_id": run_id, "line": int(line), "raw": raw[:2000].replace("\x00", "\ufffd"),
         "reason": reason.replace("\x00", "\ufffd"), "reason_en": reason_en.replace("\x00", "\ufffd")}
        for line, raw, reason, reason_en in rows
    ]
    if payload:
        conn.execute(insert(rejected_rows), payload)
    return len(payload)


def delete_runs(conn: Connection, run_ids: Sequence[int], rules: DailyRules) -> Counts:
    """Remove every row a set of runs stored (used to remove the demo data) and refresh
    the daily means they fed. The runs stay in the audit trail, marked ``removed``.

    The runs' rows are found by primary-key ranges — each (subdistrict, pollutant) over
    the runs' [first_ts, last_ts] — rather than by an index on ``run_id``: such an index
    would cost every ingest about half as much again as the insert itself (see
    docs/PERFORMANCE.md), for an operation done once in a database's life.
    """
    if not run_ids:
        return Counts()
    ids = [int(i) for i in run_ids]
    first, last, unbounded = conn.execute(
        select(
            func.min(ingestion_runs.c.first_ts),
            func.max(ingestion_runs.c.last_ts),
            func.count().filter(ingestion_runs.c.first_ts.is_(None)),
        ).where(ingestion_runs.c.id.in_(ids))
    ).one()
    in_window: Any = readings.c.run_id.in_(ids)
    if not unbounded and first is not None:
        in_window = in_window & readings.c.ts.between(int(first), int(last))
    sd_ids = [int(r[0]) for r in conn.execute(select(subdistricts.c.id)).all()]
    found_keys: list[tuple[int, int, int]] = []
    for sd in sd_ids:
        for pol in keys.POLLUTANT_ORDER:
            where = (readings.c.subdistrict_id == sd) & (readings.c.pollutant == pol) & in_window
            # the driver's tuples: given SQLAlchemy Rows, pandas probed each one (8 of the 12 s removing a demo year took)
            found = plain_rows(conn, select(readings.c.subdistrict_id, readings.c.pollutant, readings.c.ts).where(where))
            if found:
                found_keys.extend(found)
                conn.execute(readings.delete().where(where))
    removed = pd.DataFrame(found_keys, columns=["subdistrict_id", "pollutant", "ts"])
    dust = conn.execute(road_dust.delete().where(road_dust.c.run_id.in_(ids)))
    if len(removed):
        refresh_daily_means(conn, removed, rules)
    conn.execute(
        update(ingestion_runs)
        .where(ingestion_runs.c.id.in_(ids))
        .values(status="removed", message="rows removed")
    )
    return Counts(rows=len(removed) + int(dust.rowcount or 0))
