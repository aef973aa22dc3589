"""Readings as numpy columns (``ReadingRows``) and the key-range reads and matching the writers share.

The store's key is (subdistrict, pollutant, ts, resolution, station), encoded as integers by
storage/keys.py. The writers (storage/writes.py, storage/daily_refresh.py) work on whole
columns: the stored rows of a span of days are read once per (subdistrict, pollutant)
and matched in memory, never row by row.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from monitoring import timeutil
from monitoring.storage import keys


@dataclass
class ReadingRows:
    """Readings as numpy columns (strings as object arrays sharing a few str objects).

    What ``write_rows`` stores; ``write_readings`` builds it from a frame, the ingest
    pipeline from its compact columns (``keys.pollutant_keys`` maps its pollutant codes).
    """

    sd: np.ndarray  # int64
    pcode: np.ndarray  # int64, index into keys.POLLUTANT_ORDER
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
        return keys.POLLUTANT_OBJECTS[self.pcode]

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


def rows_from_frame(frame: pd.DataFrame, *, demo: bool = False) -> ReadingRows:
    n = len(frame)
    return ReadingRows(
        sd=frame["subdistrict_id"].to_numpy(dtype="int64"),
        pcode=keys.pollutant_codes(frame["pollutant"]),
        ts=frame["ts"].to_numpy(dtype="int64"),
        res=_objects(frame["resolution"]) if "resolution" in frame else np.full(n, "h", dtype=object),
        station=_objects(frame["station"]) if "station" in frame else np.full(n, "", dtype=object),
        value=frame["value"].to_numpy(dtype="float64") if "value" in frame else np.zeros(n),
        demo=np.full(n, demo),
        run_id=np.zeros(n, dtype="int64"),
    )


def day_spans(rows: ReadingRows) -> pd.DataFrame:
    """(subdistrict, pollutant) → first/last Beijing day touched and the ts bounds of those days."""
    group, day = rows.group, rows.dayn
    if not bool((group[1:] >= group[:-1]).all()):  # rows in key order (a file's slices) need no sort
        order = np.argsort(group, kind="stable")
        group, day = group[order], day[order]
    starts = np.array([start for start, _ in key_runs(group)], dtype="int64")
    spans = pd.DataFrame(
        {
            "g": group[starts],
            "min": np.minimum.reduceat(day, starts) if len(day) else day,
            "max": np.maximum.reduceat(day, starts) if len(day) else day,
        }
    )
    spans["subdistrict_id"] = spans["g"] // keys.GROUP_WIDTH
    spans["pollutant"] = pd.Series(keys.POLLUTANT_OBJECTS[(spans["g"] % keys.GROUP_WIDTH).to_numpy()], dtype=object)
    # every ts whose day_number falls in [min, max]: from the first day's 01:00 label up to,
    # not including, the 01:00 label after the last day (so its 00:00 label is in).
    spans["lo"] = spans["min"] * timeutil.DAY_S - timeutil.BEIJING_OFFSET_S + timeutil.HOUR_S
    spans["hi"] = (spans["max"] + 1) * timeutil.DAY_S - timeutil.BEIJING_OFFSET_S + timeutil.HOUR_S - 1
    return spans


def key_runs(values: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of equal values (sorted, or grouped)."""
    cuts = (np.flatnonzero(values[1:] != values[:-1]) + 1).tolist()
    return list(itertools.pairwise([0, *cuts, len(values)])) if len(values) else []


def param_mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def raw_cursor(conn: Connection) -> Any:
    """The DBAPI cursor of the caller's connection (same transaction), for bulk work."""
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def read_stored(conn: Connection, spans: pd.DataFrame) -> ReadingRows:
    """Every stored reading inside the spans: one primary-key range read per span."""
    m = param_mark(conn)
    sql = (
        "SELECT ts, resolution, station, value, run_id, source FROM readings "
        f"WHERE subdistrict_id = {m} AND pollutant = {m} AND ts BETWEEN {m} AND {m}"
    )
    cur = raw_cursor(conn)
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


def match_keys(rows: ReadingRows, stored: ReadingRows) -> np.ndarray:
    """For each row, the position of the stored row with the same key, or -1."""
    ts0 = int(min(rows.ts.min(), stored.ts.min()))
    k_rows = (rows.group << keys.TS_BITS) | (rows.ts - ts0)
    k_stored = (stored.group << keys.TS_BITS) | (stored.ts - ts0)
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


def key_order(rows: ReadingRows) -> np.ndarray | None:
    """The order of the rows by the table's key (subdistrict, pollutant, ts, resolution,
    station); None when they are in it already (the ingest pipeline sorts whole files)."""
    if len(rows) and (rows.res[0] == rows.res).all() and (rows.station[0] == rows.station).all():
        key = (rows.group << keys.TS_BITS) | (rows.ts - int(rows.ts.min()))
        if (key[1:] > key[:-1]).all():
            return None
    sort_keys: list[np.ndarray] = []
    for column in (rows.station, rows.res):  # lexsort: the last key is the primary one
        codes, uniques = pd.factorize(column, sort=True)
        if len(uniques) > 1:
            sort_keys.append(codes)
    return np.lexsort((*sort_keys, rows.ts, rows.pcode, rows.sd))
