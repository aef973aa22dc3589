"""The write side of storage: ingestion runs, readings, daily means, road dust, audit.

Every source (upload, ``ingest``, ``pull``, ``init``) ends here. A file is written in one
transaction that the caller opens with ``engine.write_transaction`` (the write lock is
held before the first read, so concurrent writers each see the store as it is when they
write). The run is recorded as ``running`` in its own short transaction first, and
closed (``finish_run(conn, …)``) inside the file's transaction: the data and the closed
record commit together, so a run still ``running`` stored nothing.

Rows are classified against what is stored before anything is written: new rows are
inserted, identical rows are duplicates, a different value under an existing key is a
conflict (kept, or replaced with ``replace=True``, the old value going to
``reading_revisions`` either way). A dry run (``dry_run=True``) is the same
classification with every write left out, so a preview says what the write will do.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from monitoring import timeutil
from monitoring.rules import daily as daily_rule
from monitoring.storage import bulk, keys
from monitoring.storage.schema import (
    ingestion_runs,
    reading_revisions,
    readings,
    rejected_rows,
    road_dust,
    road_dust_revisions,
    subdistricts,
)

#: Columns of a canonical readings frame, as the validator hands it to ``write_readings``.
READING_COLUMNS = ("subdistrict_id", "pollutant", "ts", "resolution", "station", "value")
KEY_COLUMNS = ("subdistrict_id", "pollutant", "ts", "resolution", "station")
ROAD_DUST_COLUMNS = ("subdistrict_id", "road", "day", "month_only", "load", "grade")


@dataclass(frozen=True)
class DailyRules:
    """The validity thresholds daily-mean maintenance needs (from targets.yaml)."""

    daily_min_hours: int
    o3_8h_min_hours: int

    @classmethod
    def from_targets(cls, targets: Any, day: dt.date | None = None) -> DailyRules:
        validity = targets.validity(day or dt.date.today())
        return cls(daily_min_hours=validity.daily_min_hours, o3_8h_min_hours=validity.o3_8h_min_hours)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- runs -------------------------------------------------------------------------


@dataclass
class RunCounts:
    """What happened to a file's rows."""

    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    conflicts: int = 0
    replaced: int = 0
    missing: int = 0
    first_ts: int | None = None
    last_ts: int | None = None

    def add(self, other: RunCounts) -> None:
        for name in ("rows", "accepted", "rejected", "duplicates", "conflicts", "replaced", "missing"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name, pick in (("first_ts", min), ("last_ts", max)):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, theirs if mine is None else mine if theirs is None else pick(mine, theirs))


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
    counts: RunCounts | None = None,
    message: str = "",
) -> None:
    """Close a run with its outcome and counts."""
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "message": message.replace("\x00", "\ufffd")}
    if counts is not None:
        values.update(asdict(counts))
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


# -- readings ---------------------------------------------------------------------
#
# The write path is measured (``python -m monitoring bench``, docs/PERFORMANCE.md). Rows
# are handled as numpy columns, never as pandas string columns (pandas' Arrow-backed
# strings cost more to convert than the insert itself), and reach the database in key
# order through storage/bulk.py (SQLite: multi-row INSERTs; PostgreSQL: COPY). A slice
# whose days hold nothing yet (a first load) is inserted without any matching;
# otherwise the stored rows of its days are read once (one key range per subdistrict
# and pollutant) and matched in memory, so only new rows are written and a re-ingest
# writes nothing. The daily means of the changed days are computed from those same
# rows in memory: the stored rows of the days and the new rows.

# the key encoding is storage.keys' (short private names: this module uses them a lot)
_POLLUTANT_ORDER = keys.POLLUTANT_ORDER
_POLLUTANT_OBJECTS = keys.POLLUTANT_OBJECTS
_O3 = keys.O3_KEY
_TS_BITS = keys.TS_BITS
_DAY_BITS = keys.DAY_BITS
_TS_MASK = keys.TS_MASK
_DAY_MASK = keys.DAY_MASK


@dataclass
class ReadingRows:
    """Readings as numpy columns (strings as object arrays sharing a few str objects).

    What ``write_rows`` stores; ``write_readings`` builds it from a frame, the ingest
    pipeline from its compact columns (``pollutant_keys`` maps its pollutant codes).
    """

    sd: np.ndarray  # int64
    pcode: np.ndarray  # int64, index into _POLLUTANT_ORDER
    ts: np.ndarray  # int64
    res: np.ndarray  # object: 'h' | 'd'
    station: np.ndarray  # object
    value: np.ndarray  # float64
    demo: np.ndarray  # bool: the row came from the demo generator
    run_id: np.ndarray  # int64 (stored rows; 0 for new ones)

    def __len__(self) -> int:
        return len(self.ts)

    @property
    def group(self) -> np.ndarray:
        return keys.group_key(self.sd, self.pcode)

    @property
    def pollutant(self) -> np.ndarray:
        return _POLLUTANT_OBJECTS[self.pcode]

    @property
    def dayn(self) -> np.ndarray:
        return np.asarray(timeutil.day_number(self.ts), dtype="int64")

    def take(self, index: np.ndarray) -> ReadingRows:
        return ReadingRows(*(getattr(self, f)[index] for f in _ROW_FIELDS))

    @staticmethod
    def concat(parts: Sequence[ReadingRows]) -> ReadingRows:
        return ReadingRows(*(np.concatenate([getattr(p, f) for p in parts]) for f in _ROW_FIELDS))

    @staticmethod
    def empty() -> ReadingRows:
        i, o = np.empty(0, "int64"), np.empty(0, object)
        return ReadingRows(i, i, i, o, o, np.empty(0), np.empty(0, bool), i)


_ROW_FIELDS = ("sd", "pcode", "ts", "res", "station", "value", "demo", "run_id")


def _objects(column: pd.Series, missing: str = "") -> np.ndarray:
    """A text column as an object array whose equal cells share one str (fast tolist)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    table = np.array([*(str(u) for u in list(uniques)), missing], dtype=object)
    return table[codes]  # code -1 (missing) picks the last entry


pollutant_keys = keys.pollutant_keys  # kept here: callers import it from writes
_pollutant_codes = keys.pollutant_codes


def _from_frame(frame: pd.DataFrame, *, demo: bool = False) -> ReadingRows:
    n = len(frame)
    return ReadingRows(
        sd=frame["subdistrict_id"].to_numpy(dtype="int64"),
        pcode=_pollutant_codes(frame["pollutant"]),
        ts=frame["ts"].to_numpy(dtype="int64"),
        res=_objects(frame["resolution"]) if "resolution" in frame else np.full(n, "h", dtype=object),
        station=_objects(frame["station"]) if "station" in frame else np.full(n, "", dtype=object),
        value=frame["value"].to_numpy(dtype="float64") if "value" in frame else np.zeros(n),
        demo=np.full(n, demo),
        run_id=np.zeros(n, dtype="int64"),
    )


def _spans(rows: ReadingRows) -> pd.DataFrame:
    """(subdistrict, pollutant) → first/last Beijing day touched and the ts bounds of those days."""
    group, day = rows.group, rows.dayn
    order = np.argsort(group, kind="stable")
    group, day = group[order], day[order]
    starts = np.array([start for start, _ in _runs(group)], dtype="int64")
    spans = pd.DataFrame(
        {
            "g": group[starts],
            "min": np.minimum.reduceat(day, starts) if len(day) else day,
            "max": np.maximum.reduceat(day, starts) if len(day) else day,
        }
    )
    spans["subdistrict_id"] = spans["g"] // keys.GROUP_WIDTH
    spans["pollutant"] = pd.Series(_POLLUTANT_OBJECTS[(spans["g"] % keys.GROUP_WIDTH).to_numpy()], dtype=object)
    # every ts whose day_number falls in [min, max]: from the first day's 01:00 label up to,
    # not including, the 01:00 label after the last day (so its 00:00 label is in).
    spans["lo"] = spans["min"] * timeutil.DAY_S - timeutil.BEIJING_OFFSET_S + timeutil.HOUR_S
    spans["hi"] = (spans["max"] + 1) * timeutil.DAY_S - timeutil.BEIJING_OFFSET_S + timeutil.HOUR_S - 1
    return spans


def _runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of equal values in ``keys`` (sorted, or grouped)."""
    cuts = (np.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist()
    return list(itertools.pairwise([0, *cuts, len(keys)])) if len(keys) else []


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _cursor(conn: Connection) -> Any:
    """The DBAPI cursor of the caller's connection (same transaction), for bulk work."""
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _read_stored(conn: Connection, spans: pd.DataFrame) -> ReadingRows:
    """Every stored reading inside the spans: one primary-key range read per span."""
    m = _mark(conn)
    sql = (
        "SELECT ts, resolution, station, value, run_id, source FROM readings "
        f"WHERE subdistrict_id = {m} AND pollutant = {m} AND ts BETWEEN {m} AND {m}"
    )
    cur = _cursor(conn)
    parts: list[ReadingRows] = []
    try:
        for span in spans.itertuples(index=False):
            cur.execute(sql, (int(span.subdistrict_id), str(span.pollutant), int(span.lo), int(span.hi)))
            found = cur.fetchall()
            if not found:
                continue
            ts, res, station, value, run_id, source = zip(*found, strict=True)
            n = len(found)
            parts.append(
                ReadingRows(
                    sd=np.full(n, int(span.subdistrict_id), dtype="int64"),
                    pcode=np.full(n, int(span.g) % keys.GROUP_WIDTH, dtype="int64"),
                    ts=np.array(ts, dtype="int64"),
                    res=np.array(res, dtype=object),
                    station=np.array(station, dtype=object),
                    value=np.array(value, dtype="float64"),
                    demo=np.array([s == "demo" for s in source], dtype=bool),
                    run_id=np.array(run_id, dtype="int64"),
                )
            )
    finally:
        cur.close()
    return ReadingRows.concat(parts) if parts else ReadingRows.empty()


def _match(rows: ReadingRows, stored: ReadingRows) -> np.ndarray:
    """For each row, the position of the stored row with the same key, or -1."""
    ts0 = int(min(rows.ts.min(), stored.ts.min()))
    k_rows = (rows.group << _TS_BITS) | (rows.ts - ts0)
    k_stored = (stored.group << _TS_BITS) | (stored.ts - ts0)
    res_codes, res_kinds = pd.factorize(np.concatenate([rows.res, stored.res]))
    station_codes, stations = pd.factorize(np.concatenate([rows.station, stored.station]))
    codes = res_codes.astype("int64") * len(stations) + station_codes
    n_rest = len(res_kinds) * len(stations)
    if n_rest > 1:
        if n_rest >= 1 << 15:  # keys would not fit in 63 bits: match with pandas instead
            left = pd.DataFrame({"k": k_rows, "r": codes[: len(rows)]})
            right = pd.DataFrame({"k": k_stored, "r": codes[len(rows) :], "pos": np.arange(len(stored))})
            return left.merge(right, on=["k", "r"], how="left")["pos"].fillna(-1).to_numpy(dtype="int64")
        k_rows = k_rows * n_rest + codes[: len(rows)]
        k_stored = k_stored * n_rest + codes[len(rows) :]
    order = np.argsort(k_stored, kind="stable")
    sorted_keys = k_stored[order]
    at = np.minimum(np.searchsorted(sorted_keys, k_rows), len(sorted_keys) - 1)
    found = sorted_keys[at] == k_rows
    return np.where(found, order[at], -1)


def _key_order(rows: ReadingRows) -> np.ndarray | None:
    """The order of the rows by the table's key (subdistrict, pollutant, ts, resolution,
    station); None when they are in it already (the ingest pipeline sorts whole files)."""
    if len(rows) and (rows.res[0] == rows.res).all() and (rows.station[0] == rows.station).all():
        key = (rows.group << _TS_BITS) | (rows.ts - int(rows.ts.min()))
        if (key[1:] > key[:-1]).all():
            return None
    keys: list[np.ndarray] = []
    for column in (rows.station, rows.res):  # lexsort: the last key is the primary one
        codes, uniques = pd.factorize(column, sort=True)
        if len(uniques) > 1:
            keys.append(codes)
    return np.lexsort((*keys, rows.ts, rows.pcode, rows.sd))


def _insert_readings(conn: Connection, rows: ReadingRows, *, source: str, run_id: int, in_key_order: bool = False) -> None:
    """Bulk insert of rows known to be new, in key order (see storage/bulk.py for why)."""
    order = None if in_key_order else _key_order(rows)
    if order is not None:
        rows = rows.take(order)
    # one bulk insert per (subdistrict, pollutant) run: both are then constants bound once
    # a statement, leaving two or three values a row (measured: −0.05 to −0.1 s a million)
    for start, end in _runs(rows.group):
        part = slice(start, end)
        bulk.insert_columns(
            conn,
            "readings",
            {"ts": rows.ts[part], "resolution": rows.res[part], "station": rows.station[part], "value": rows.value[part]},
            {"subdistrict_id": int(rows.sd[start]), "pollutant": _POLLUTANT_ORDER[rows.pcode[start]], "source": source,
             "run_id": run_id},
        )


def _occupied(conn: Connection, spans: pd.DataFrame) -> np.ndarray:
    """Per span: does the store hold any reading in it? (one index seek each)"""
    m = _mark(conn)
    sql = f"SELECT 1 FROM readings WHERE subdistrict_id = {m} AND pollutant = {m} AND ts BETWEEN {m} AND {m} LIMIT 1"
    cur = _cursor(conn)
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
) -> RunCounts:
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
        return RunCounts()
    return write_rows(conn, run_id, _from_frame(frame, demo=source == "demo"), source=source, rules=rules, replace=replace)


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
) -> RunCounts:
    """``write_readings`` of rows already in columns (see there). ``in_key_order``: the
    caller sorted them by the table's whole key (the writer then does not check).

    ``dry_run``: classify exactly as the write would and return the same counts, writing
    nothing. ``conflicts``: a list that receives, per call with conflicts, a frame of
    them (subdistrict_id, pollutant, ts, resolution, station, old_value, new_value).
    ``duplicates``: a list that receives the positions (in ``rows``) of the duplicates.
    """
    counts = RunCounts(rows=len(rows))
    if not len(rows):
        return counts
    counts.first_ts, counts.last_ts = int(rows.ts.min()), int(rows.ts.max())
    spans = _spans(rows)
    occupied = _occupied(conn, spans)

    if not occupied.any():
        counts.accepted = len(rows)
        if dry_run:
            return counts
        _insert_readings(conn, rows, source=source, run_id=run_id, in_key_order=in_key_order)
        _delete_daily_spans(conn, spans)
        _insert_daily(conn, _daily_from_rows(rows, rules))
        return counts

    found, stored_value, stored_run = _stored_values(conn, rows, spans.loc[occupied])
    differ = found & (np.abs(stored_value - rows.value) > 1e-9)
    new = rows.take(np.flatnonzero(~found))
    clash = rows.take(np.flatnonzero(differ))
    counts.duplicates = int(found.sum()) - len(clash)
    counts.conflicts = len(clash)
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
        counts.replaced = len(clash) if replace else 0
        counts.accepted = len(new) + counts.replaced
        return counts
    touched = ReadingRows.concat([new, clash]) if replace else new
    # what the touched days hold now, read before anything is written
    stored = _read_stored(conn, _spans(touched)) if len(touched) else ReadingRows.empty()
    if len(new):  # a subset of the rows, in their order
        _insert_readings(conn, new, source=source, run_id=run_id, in_key_order=in_key_order)
    counts.accepted = len(new)
    if len(clash):
        clash_old = clash.take(np.arange(len(clash)))
        clash_old.value = stored_value[differ]
        clash_old.run_id = stored_run[differ]
        _record_conflicts(conn, run_id, clash, clash_old, source=source, replace=replace)
        if replace:
            counts.replaced = len(clash)
            counts.accepted += len(clash)
            at = _match(clash, stored)
            stored.value[at] = clash.value  # the stored rows now hold the new values
            stored.demo[at] = source == "demo"
    if len(touched):
        _refresh_changed(conn, stored, new, clash if replace else ReadingRows.empty(), rules)
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
    m = _mark(conn)
    key = f"subdistrict_id = {m} AND pollutant = {m} AND resolution = {m} AND station = {m} AND ts BETWEEN {m} AND {m}"
    cur = _cursor(conn)
    try:
        for start, end in _runs(series[order]):
            at = order[start:end]
            first = int(at[0])
            g = int(rows.group[first])
            if g not in wanted:
                continue
            params = (g // keys.GROUP_WIDTH, _POLLUTANT_ORDER[g % keys.GROUP_WIDTH], rows.res[first], rows.station[first], *wanted[g])
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
        m = _mark(conn)
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


# -- daily means ------------------------------------------------------------------


def _epoch_day(n: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(n))


def _empty_daily() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "g": np.empty(0, "int64"),
            "dayn": np.empty(0, "int64"),
            "mean": np.empty(0),
            "n_hours": np.empty(0),
            "max8h": np.empty(0),
            "n_8h": np.empty(0),
            "max1h": np.empty(0),
            "demo": np.empty(0, bool),
        }
    )


_mean_per_key = daily_rule.mean_per_key


def _daily_core(
    group: np.ndarray, ts: np.ndarray, value: np.ndarray, demo: np.ndarray, o3_min_hours: int
) -> pd.DataFrame:
    """Daily statistics of hourly values (one per group and hour): rules.daily on storage's keys.

    Columns: g, dayn, mean, n_hours, max8h, n_8h, max1h (NaN where not O3), demo.
    """
    if len(ts) == 0:
        return _empty_daily()
    dayn = np.asarray(timeutil.day_number(ts), dtype="int64")
    day0 = int(dayn.min())
    days = daily_rule.day_means(keys.group_day_key(group, dayn - day0), value, demo)
    out = pd.DataFrame(
        {
            "g": days.keys >> _DAY_BITS,
            "dayn": (days.keys & _DAY_MASK) + day0,
            "mean": days.mean,
            "n_hours": days.n_hours.astype("float64"),
            "max8h": np.nan,
            "n_8h": np.nan,
            "max1h": np.nan,
            "demo": days.demo,
        }
    )
    is_o3 = (group % keys.GROUP_WIDTH) == _O3
    if is_o3.any():
        o3_days, row = np.unique(days.inverse[is_o3], return_inverse=True)
        grid = daily_rule.hour_grid(row, daily_rule.hour_slot(ts[is_o3]), value[is_o3], len(o3_days))
        windows = daily_rule.o3_windows(grid, o3_min_hours)
        out.loc[o3_days, "max8h"] = windows.max8h
        out.loc[o3_days, "n_8h"] = windows.n_8h.astype("float64")
        out.loc[o3_days, "max1h"] = windows.max1h
    return out


def _daily_from_rows(rows: ReadingRows, rules: DailyRules) -> pd.DataFrame:
    """Daily means of every (group, day) the rows cover; the rows must be all the day holds.

    Each hour is first the mean of its stations; a day given as a daily value uses it
    when its hours are too few (the publisher had the full hours), and hourly data wins
    when it is complete enough (``rules.daily``).
    """
    if not len(rows):
        return _empty_daily()
    group, ts = rows.group, rows.ts
    hourly = rows.res == "h"
    ts0 = int(ts.min())
    daily = _empty_daily()
    if hourly.any():
        ukey, hmean, hdemo = _mean_per_key(keys.group_ts_key(group[hourly], ts[hourly] - ts0), rows.value[hourly], rows.demo[hourly])
        daily = _daily_core(ukey >> _TS_BITS, (ukey & _TS_MASK) + ts0, hmean, hdemo, rules.o3_8h_min_hours)
    given = ~hourly
    if given.any():
        ukey, gmean, gdemo = _mean_per_key(keys.group_ts_key(group[given], ts[given] - ts0), rows.value[given], rows.demo[given])
        gday = np.asarray(timeutil.day_number((ukey & _TS_MASK) + ts0), dtype="int64")
        gkey = keys.group_day_key(ukey >> _TS_BITS, gday - int(gday.min()))
        pick = daily_rule.last_per_key(gkey)
        given_daily = pd.DataFrame(
            {
                "g": (ukey >> _TS_BITS)[pick],
                "dayn": gday[pick],
                "mean": gmean[pick],
                "n_hours": np.nan,
                "max8h": np.nan,
                "n_8h": np.nan,
                "max1h": np.nan,
                "demo": gdemo[pick],
            }
        )
        base = int(min(daily["dayn"].min(), given_daily["dayn"].min())) if len(daily) else int(given_daily["dayn"].min())
        daily_key = keys.group_day_key(daily["g"].to_numpy(dtype="int64"), daily["dayn"].to_numpy(dtype="int64") - base)
        given_key = keys.group_day_key(given_daily["g"].to_numpy(dtype="int64"), given_daily["dayn"].to_numpy(dtype="int64") - base)
        keep, use = daily_rule.given_day_wins(daily_key, daily["n_hours"].to_numpy(), given_key, rules.daily_min_hours)
        daily = pd.concat([daily.loc[keep], given_daily.loc[use]], ignore_index=True)
    return daily


def compute_daily(hourly: pd.DataFrame, o3_min_hours: int) -> pd.DataFrame:
    """Daily statistics from hourly subdistrict values.

    ``hourly``: columns subdistrict_id, pollutant, ts, value (one value per hour: stations
    already averaged), demo (bool). Returns one row per (subdistrict_id, pollutant, day)
    with mean, n_hours, and for O3 max8h / n_8h (HJ 663-2013: 8-hour means ending
    08:00–24:00 of the day, each needing ``o3_min_hours`` values) and max1h.
    """
    columns = ["subdistrict_id", "pollutant", "day", "mean", "n_hours", "max8h", "n_8h", "max1h", "demo"]
    if hourly.empty:
        return pd.DataFrame(columns=columns)
    group = keys.group_key(hourly["subdistrict_id"].to_numpy(dtype="int64"), _pollutant_codes(hourly["pollutant"]))
    core = _daily_core(
        group,
        hourly["ts"].to_numpy(dtype="int64"),
        hourly["value"].to_numpy(dtype="float64"),
        hourly["demo"].to_numpy(dtype=bool),
        o3_min_hours,
    )
    return pd.DataFrame(
        {
            "subdistrict_id": core["g"] // keys.GROUP_WIDTH,
            "pollutant": list(_POLLUTANT_OBJECTS[(core["g"] % keys.GROUP_WIDTH).to_numpy()]),
            "day": [_epoch_day(n) for n in core["dayn"].tolist()],
            "mean": core["mean"],
            "n_hours": core["n_hours"].astype("int64"),
            "max8h": core["max8h"],
            "n_8h": pd.array([None if v != v else int(v) for v in core["n_8h"].tolist()], dtype="Int64"),
            "max1h": core["max1h"],
            "demo": core["demo"],
        }
    )


def _day_params(conn: Connection, dayn: np.ndarray) -> list[Any]:
    """Days as the driver wants them: ISO text on SQLite (SQLAlchemy's Date storage), dates on PostgreSQL."""
    text = np.asarray(dayn, dtype="int64").astype("datetime64[D]").astype(str).tolist()
    if _is_postgres(conn):
        return [dt.date.fromisoformat(d) for d in text]
    return text


def _none_for_nan(values: pd.Series, *, as_int: bool = False) -> list[Any]:
    out = values.to_numpy(dtype="float64").tolist()
    if as_int:
        return [None if v != v else int(v) for v in out]
    return [None if v != v else v for v in out]


def _insert_daily(conn: Connection, daily: pd.DataFrame) -> None:
    if daily.empty:
        return
    daily = daily.sort_values(["g", "dayn"], kind="stable")
    groups = daily["g"].to_numpy(dtype="int64")
    columns: dict[str, Any] = {
        "subdistrict_id": groups // keys.GROUP_WIDTH,
        "pollutant": _POLLUTANT_OBJECTS[groups % keys.GROUP_WIDTH],
        "day": np.asarray(_day_params(conn, daily["dayn"].to_numpy()), dtype=object),
        "mean": daily["mean"].to_numpy(dtype="float64"),
        "n_hours": np.asarray(_none_for_nan(daily["n_hours"], as_int=True), dtype=object),
        "max8h": np.asarray(_none_for_nan(daily["max8h"]), dtype=object),
        "n_8h": np.asarray(_none_for_nan(daily["n_8h"], as_int=True), dtype=object),
        "max1h": np.asarray(_none_for_nan(daily["max1h"]), dtype=object),
        "demo": daily["demo"].to_numpy(dtype=bool),
    }
    # one insert per (subdistrict, pollutant), as for readings: the key's first two parts,
    # and a non-O3 pollutant's empty O3 columns, are then bound once a statement
    for start, end in _runs(groups):
        bulk.insert_columns(conn, "daily_means", {name: values[start:end] for name, values in columns.items()})


def _delete_daily_spans(conn: Connection, spans: pd.DataFrame) -> None:
    m = _mark(conn)
    conn.exec_driver_sql(
        f"DELETE FROM daily_means WHERE subdistrict_id = {m} AND pollutant = {m} AND day BETWEEN {m} AND {m}",
        list(
            zip(
                spans["subdistrict_id"].astype("int64").tolist(),
                [str(p) for p in spans["pollutant"].tolist()],
                _day_params(conn, spans["min"].to_numpy()),
                _day_params(conn, spans["max"].to_numpy()),
                strict=True,
            )
        ),
    )


def _delete_daily_days(conn: Connection, daily: pd.DataFrame) -> None:
    if daily.empty:
        return
    m = _mark(conn)
    groups = daily["g"].to_numpy(dtype="int64")
    conn.exec_driver_sql(
        f"DELETE FROM daily_means WHERE subdistrict_id = {m} AND pollutant = {m} AND day = {m}",
        list(
            zip(
                (groups // keys.GROUP_WIDTH).tolist(),
                _POLLUTANT_OBJECTS[groups % keys.GROUP_WIDTH].tolist(),
                _day_params(conn, daily["dayn"].to_numpy()),
                strict=True,
            )
        ),
    )


def _refresh_changed(conn: Connection, stored: ReadingRows, new: ReadingRows, replaced: ReadingRows, rules: DailyRules) -> None:
    """Recompute the daily means of the days that gained or changed a value.

    Everything those days hold is in memory already: the stored rows of their spans
    (read before the write, replaced values applied) and the new rows.
    """
    touched = ReadingRows.concat([new, replaced])
    base = int(min(touched.dayn.min(), stored.dayn.min())) if len(stored) else int(touched.dayn.min())
    touched_days = np.unique((touched.group << _DAY_BITS) | (touched.dayn - base))
    in_touched = np.isin((stored.group << _DAY_BITS) | (stored.dayn - base), touched_days)
    daily = _daily_from_rows(ReadingRows.concat([stored.take(in_touched), new]), rules)
    _delete_daily_days(conn, daily)
    _insert_daily(conn, daily)


def refresh_daily_means(conn: Connection, keys: pd.DataFrame, rules: DailyRules) -> int:
    """Recompute the daily means of every (subdistrict, pollutant, day) that ``keys`` touch.

    ``keys`` has columns subdistrict_id, pollutant, ts. Hourly values are averaged over
    stations first; a day given as a daily value uses it when its hours are too few.
    Every day of each (subdistrict, pollutant) span is recomputed from what is stored.
    Returns the number of daily rows written.
    """
    if keys.empty:
        return 0
    spans = _spans(_from_frame(keys))
    stored = _read_stored(conn, spans)
    _delete_daily_spans(conn, spans)
    daily = _daily_from_rows(stored, rules)
    _insert_daily(conn, daily)
    return len(daily)


def _nullable(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


# -- road dust ----------------------------------------------------------------------


def write_road_dust(
    conn: Connection, run_id: int, frame: pd.DataFrame, *, source: str, replace: bool = False, dry_run: bool = False
) -> RunCounts:
    """Store road-dust rows (``ROAD_DUST_COLUMNS``); same duplicate/conflict rules as readings.
    ``dry_run``: the same classification and counts, nothing written."""
    counts = RunCounts(rows=len(frame))
    if frame.empty:
        return counts
    stored = conn.execute(
        select(
            road_dust.c.id,
            road_dust.c.subdistrict_id,
            road_dust.c.road,
            road_dust.c.day,
            road_dust.c.load,
            road_dust.c.grade,
            road_dust.c.run_id,
        ).where(road_dust.c.day.between(min(frame["day"]), max(frame["day"])))
    ).all()
    old = {(int(r.subdistrict_id), r.road, r.day): r for r in stored}
    new_rows: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    now = utcnow()
    for r in frame.itertuples(index=False):
        key = (int(r.subdistrict_id), str(r.road), r.day)
        grade = _nullable(r.grade)
        if key not in old:
            new_rows.append(
                {
                    "subdistrict_id": key[0],
                    "road": key[1],
                    "day": key[2],
                    "month_only": bool(r.month_only),
                    "load": float(r.load),
                    "grade": grade,
                    "source": source,
                    "run_id": run_id,
                }
            )
            continue
        prev = old[key]
        if abs(float(prev.load) - float(r.load)) < 1e-9 and (prev.grade or None) == grade:
            counts.duplicates += 1
            continue
        counts.conflicts += 1
        revisions.append(
            {
                "run_id": run_id,
                "subdistrict_id": key[0],
                "road": key[1],
                "day": key[2],
                "old_load": float(prev.load),
                "new_load": float(r.load),
                "old_grade": prev.grade,
                "new_grade": grade,
                "old_run_id": prev.run_id,
                "action": "replaced" if replace else "kept",
                "at": now,
            }
        )
        if replace and not dry_run:
            conn.execute(
                update(road_dust)
                .where(road_dust.c.id == prev.id)
                .values(load=float(r.load), grade=grade, run_id=run_id, source=source)
            )
        if replace:
            counts.replaced += 1
    counts.accepted = len(new_rows) + counts.replaced
    if dry_run:
        return counts
    if new_rows:
        conn.execute(insert(road_dust), new_rows)
    # The old value stays in the audit trail, whether it was replaced or kept.
    if revisions:
        conn.execute(insert(road_dust_revisions), revisions)
    return counts


def delete_runs(conn: Connection, run_ids: Sequence[int], rules: DailyRules) -> RunCounts:
    """Remove every row a set of runs stored (used to remove the demo data) and refresh
    the daily means they fed. The runs stay in the audit trail, marked ``removed``.

    The runs' rows are found by primary-key ranges — each (subdistrict, pollutant) over
    the runs' [first_ts, last_ts] — rather than by an index on ``run_id``: such an index
    would cost every ingest about half as much again as the insert itself (see
    docs/PERFORMANCE.md), for an operation done once in a database's life.
    """
    counts = RunCounts()
    if not run_ids:
        return counts
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
    parts: list[pd.DataFrame] = []
    for sd in sd_ids:
        for pol in _POLLUTANT_ORDER:
            where = (readings.c.subdistrict_id == sd) & (readings.c.pollutant == pol) & in_window
            found = conn.execute(select(readings.c.subdistrict_id, readings.c.pollutant, readings.c.ts).where(where)).all()
            if found:
                parts.append(pd.DataFrame(found, columns=["subdistrict_id", "pollutant", "ts"]))
                conn.execute(readings.delete().where(where))
    keys = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["subdistrict_id", "pollutant", "ts"])
    counts.rows = len(keys)
    dust = conn.execute(road_dust.delete().where(road_dust.c.run_id.in_(ids)))
    counts.rows += int(dust.rowcount or 0)
    if len(keys):
        refresh_daily_means(conn, keys, rules)
    conn.execute(
        update(ingestion_runs)
        .where(ingestion_runs.c.id.in_(ids))
        .values(status="removed", message="rows removed")
    )
    return counts
