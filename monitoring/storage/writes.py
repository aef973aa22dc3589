"""Readings into the store: classify each row (new, duplicate, conflict), insert, keep conflicts' audit.

Every source (upload, ``ingest``, ``pull``, ``init``) ends here. A file is written in one
transaction that the caller opens with ``engine.write_transaction`` (the write lock is
held before the first read, so concurrent writers each see the store as it is when they
write). The run is recorded as ``running`` in its own short transaction first, and
closed (``run_records.finish_run(conn, …)``) inside the file's transaction: the data and
the closed record commit together, so a run still ``running`` stored nothing.

Rows are classified against what is stored before anything is written: new rows are
inserted, identical rows are duplicates, a different value under an existing key is a
conflict (kept, or replaced with ``replace=True``, the old value going to
``reading_revisions`` either way). A dry run (``dry_run=True``) is the same
classification with every write left out, so a preview says what the write will do.
The daily means of the days a write changes are refreshed in the same call
(storage/daily_refresh.py).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert

from monitoring.counts import Counts
from monitoring.storage import bulk, keys
from monitoring.storage.columnar import (
    ReadingRows,
    day_spans,
    key_order,
    key_runs,
    match_keys,
    param_mark,
    raw_cursor,
    read_stored,
    rows_from_frame,
)
from monitoring.storage.daily_refresh import (
    DailyRules,
    daily_from_rows,
    delete_daily_spans,
    insert_daily,
    refresh_changed,
)
from monitoring.storage.run_records import utcnow
from monitoring.storage.schema import reading_revisions

#: Columns of a canonical readings frame, as the validator hands it to ``write_readings``.
READING_COLUMNS = ("subdistrict_id", "pollutant", "ts", "resolution", "station", "value")

# The write path is measured (``python -m monitoring bench``, docs/PERFORMANCE.md). Rows
# are handled as numpy columns, never as pandas string columns (pandas' Arrow-backed
# strings cost more to convert than the insert itself), and reach the database in key
# order through storage/bulk.py (SQLite: multi-row INSERTs; PostgreSQL: COPY). A slice
# whose days hold nothing yet (a first load) is inserted without any matching;
# otherwise the stored rows of its days are read once (one key range per subdistrict
# and pollutant) and matched in memory, so only new rows are written and a re-ingest
# writes nothing. The daily means of the changed days are computed from those same
# rows in memory: the stored rows of the days and the new rows.


def _insert_readings(conn: Connection, rows: ReadingRows, *, source: str, run_id: int, in_key_order: bool = False) -> None:
    """Bulk insert of rows known to be new, in key order (see storage/bulk.py for why)."""
    order = None if in_key_order else key_order(rows)
    if order is not None:
        rows = rows.take(order)
    # one bulk insert per (subdistrict, pollutant) run: both are then constants bound once
    # a statement, leaving two or three values a row (measured: −0.05 to −0.1 s a million)
    for start, end in key_runs(rows.group):
        part = slice(start, end)
        bulk.insert_columns(
            conn,
            "readings",
            {"ts": rows.ts[part], "resolution": rows.res[part], "station": rows.station[part], "value": rows.value[part]},
            {"subdistrict_id": int(rows.sd[start]), "pollutant": keys.POLLUTANT_ORDER[rows.pcode[start]], "source": source,
             "run_id": run_id},
        )


def _occupied(conn: Connection, spans: pd.DataFrame) -> np.ndarray:
    """Per span: does the store hold any reading in it? (one index seek each)"""
    m = param_mark(conn)
    sql = f"SELECT 1 FROM readings WHERE subdistrict_id = {m} AND pollutant = {m} AND ts BETWEEN {m} AND {m} LIMIT 1"
    cur = raw_cursor(conn)
    try:
        found = []
        for span in spans.itertuples(index=False):
            cur.execute(sql, (int(span.subdistrict_id), str(span.pollutant), int(span.lo), int(span.hi)))
            found.append(cur.fetchone() is not None)
    finally:
        cur.close()
    return np.asarray(found, dtype=bool)


def write_readings(
    conn: Connection,
    run_id: int,
    frame: pd.DataFrame,
    *,
    source: str,
    rules: DailyRules,
    replace: bool = False,
) -> Counts:
    """Store a canonical readings frame (``READING_COLUMNS``) and refresh its daily means.

    The frame must already be validated and free of in-file duplicates. It may be one
    slice of a file: call it once per slice inside the file's transaction. Returns the
    counts; ``accepted`` counts rows inserted or replaced.

    When nothing is stored in the days the rows touch (a first load), the rows are
    inserted and their days computed from memory without any matching. Otherwise the
    stored rows of those days are read (one key range per subdistrict and pollutant) and
    matched in memory: only new rows are written, so a re-ingest writes nothing.
    """
    if frame.empty:
        return Counts()
    return write_rows(conn, run_id, rows_from_frame(frame, demo=source == "demo"), source=source, rules=rules, replace=replace)


def write_rows(
    conn: Connection,
    run_id: int,
    rows: ReadingRows,
    *,
    source: str,
    rules: DailyRules,
    replace: bool = False,
    in_key_order: bool = False,
    dry_run: bool = False,
    conflicts: list[pd.DataFrame] | None = None,
    duplicates: list[np.ndarray] | None = None,
) -> Counts:
    """``write_readings`` of rows already in columns (see there). ``in_key_order``: the
    caller sorted them by the table's whole key (the writer then does not check).

    ``dry_run``: classify exactly as the write would and return the same counts, writing
    nothing. ``conflicts``: a list that receives, per call with conflicts, a frame of
    them (subdistrict_id, pollutant, ts, resolution, station, old_value, new_value).
    ``duplicates``: a list that receives the positions (in ``rows``) of the duplicates.
    """
    if not len(rows):
        return Counts()
    first_ts, last_ts = int(rows.ts.min()), int(rows.ts.max())
    spans = day_spans(rows)
    occupied = _occupied(conn, spans)

    if not occupied.any():
        counts = Counts(rows=len(rows), accepted=len(rows), first_ts=first_ts, last_ts=last_ts)
        if dry_run:
            return counts
        _insert_readings(conn, rows, source=source, run_id=run_id, in_key_order=in_key_order)
        delete_daily_spans(conn, spans)
        insert_daily(conn, daily_from_rows(rows, rules))
        return counts

    found, stored_value, stored_run = _stored_values(conn, rows, spans.loc[occupied])
    differ = found & (np.abs(stored_value - rows.value) > 1e-9)
    new = rows.take(np.flatnonzero(~found))
    clash = rows.take(np.flatnonzero(differ))
    replaced = len(clash) if replace else 0
    counts = Counts(rows=len(rows), accepted=len(new) + replaced, duplicates=int(found.sum()) - len(clash),
                    conflicts=len(clash), replaced=replaced, first_ts=first_ts, last_ts=last_ts)
    if duplicates is not None and counts.duplicates:
        duplicates.append(np.flatnonzero(found & ~differ))
    if conflicts is not None and len(clash):
        conflicts.append(
            pd.DataFrame(
                {
                    "subdistrict_id": clash.sd,
                    "pollutant": clash.pollutant,
                    "ts": clash.ts,
                    "resolution": clash.res,
                    "station": clash.station,
                    "old_value": stored_value[differ],
                    "new_value": clash.value,
                }
            )
        )
    if dry_run:
        return counts
    touched = ReadingRows.concat([new, clash]) if replace else new
    # what the touched days hold now, read before anything is written
    stored = read_stored(conn, day_spans(touched)) if len(touched) else ReadingRows.empty()
    if len(new):  # a subset of the rows, in their order
        _insert_readings(conn, new, source=source, run_id=run_id, in_key_order=in_key_order)
    if len(clash):
        clash_old = clash.take(np.arange(len(clash)))
        clash_old.value = stored_value[differ]
        clash_old.run_id = stored_run[differ]
        _record_conflicts(conn, run_id, clash, clash_old, source=source, replace=replace)
        if replace:
            at = match_keys(clash, stored)
            stored.value[at] = clash.value  # the stored rows now hold the new values
            stored.demo[at] = source == "demo"
    if len(touched):
        refresh_changed(conn, stored, new, clash if replace else ReadingRows.empty(), rules)
    return counts


def _stored_values(conn: Connection, rows: ReadingRows, spans: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row: is a reading stored under its key, its value, and its run (0 if none).

    One key-range read of (ts, value) per subdistrict, pollutant, resolution and station
    the rows hold in the given spans; a run id is read only where a value differs.
    Two columns a row, not the whole reading: a re-ingest of a million rows reads
    every one of them back, and building Python objects is what it costs.
    """
    n = len(rows)
    found = np.zeros(n, dtype=bool)
    value = np.full(n, np.nan)
    run = np.zeros(n, dtype="int64")
    res_codes, res_kinds = pd.factorize(rows.res)
    station_codes, stations = pd.factorize(rows.station)
    series = (rows.group * len(res_kinds) + res_codes) * len(stations) + station_codes
    order = np.argsort(series, kind="stable")
    wanted = {int(g): (int(lo), int(hi)) for g, lo, hi in zip(spans["g"], spans["lo"], spans["hi"], strict=True)}
    m = param_mark(conn)
    key = f"subdistrict_id = {m} AND pollutant = {m} AND resolution = {m} AND station = {m} AND ts BETWEEN {m} AND {m}"
    cur = raw_cursor(conn)
    try:
        for start, end in key_runs(series[order]):
            at = order[start:end]
            first = int(at[0])
            g = int(rows.group[first])
            if g not in wanted:
                continue
            params = (g // keys.GROUP_WIDTH, keys.POLLUTANT_ORDER[g % keys.GROUP_WIDTH], rows.res[first], rows.station[first], *wanted[g])
            cur.execute(f"SELECT ts, value FROM readings WHERE {key} ORDER BY ts", params)
            got = np.array(cur.fetchall(), dtype="float64").reshape(-1, 2)
            if not len(got):
                continue
            stored_ts = got[:, 0].astype("int64")  # exact: seconds are far below 2**53
            where = np.searchsorted(stored_ts, rows.ts[at])  # the key order: ts ascending
            where = np.minimum(where, len(stored_ts) - 1)
            hit = stored_ts[where] == rows.ts[at]
            found[at[hit]] = True
            value[at[hit]] = got[where[hit], 1]
            clash = at[hit][np.abs(got[where[hit], 1] - rows.value[at[hit]]) > 1e-9]
            if len(clash):
                cur.execute(f"SELECT ts, run_id FROM readings WHERE {key}", params)
                runs = dict(cur.fetchall())
                run[clash] = [runs[t] for t in rows.ts[clash].tolist()]
    finally:
        cur.close()
    return found, value, run


def _record_conflicts(
    conn: Connection, run_id: int, clash: ReadingRows, old: ReadingRows, *, source: str, replace: bool
) -> None:
    """Keep each conflict in ``reading_revisions``; with ``replace``, store the new value."""
    now = utcnow()
    action = "replaced" if replace else "kept"
    conn.execute(
        insert(reading_revisions),
        [
            {
                "run_id": run_id,
                "subdistrict_id": sd,
                "pollutant": pol,
                "ts": ts,
                "resolution": res,
                "station": station,
                "old_value": old_value,
                "new_value": new_value,
                "old_run_id": old_run or None,
                "action": action,
                "at": now,
            }
            for sd, pol, ts, res, station, new_value, old_value, old_run in zip(
                clash.sd.tolist(),
                clash.pollutant.tolist(),
                clash.ts.tolist(),
                clash.res.tolist(),
                clash.station.tolist(),
                clash.value.tolist(),
                old.value.tolist(),
                old.run_id.tolist(),
                strict=True,
            )
        ],
    )
    if replace:
        m = param_mark(conn)
        conn.exec_driver_sql(
            f"UPDATE readings SET value = {m}, run_id = {m}, source = {m} WHERE subdistrict_id = {m} "
            f"AND pollutant = {m} AND ts = {m} AND resolution = {m} AND station = {m}",
            list(
                zip(
                    clash.value.tolist(),
                    itertools.repeat(run_id),
                    itertools.repeat(source),
                    clash.sd.tolist(),
                    clash.pollutant.tolist(),
                    clash.ts.tolist(),
                    clash.res.tolist(),
                    clash.station.tolist(),
                    strict=False,
                )
            ),
        )
