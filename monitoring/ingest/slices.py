"""The good rows to the storage writers: key-ordered slices that end where a day ends.

One file is written in one transaction, in slices of about ``WRITE_SLICE`` rows (bounded
memory); a slice never splits a (subdistrict, pollutant, day), so each day's mean is
computed once. A dry run goes through the same classification with ``dry_run=True``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from monitoring import timeutil
from monitoring.counts import Counts
from monitoring.ingest.collect import Progress
from monitoring.targets import POLLUTANTS, Targets

#: Rows per write inside the one transaction, about (slices end where a day ends).
#: Measured on a million rows: 50,000 → 2.6 s and 259 MB peak; 100,000 → 2.45 s, 257 MB;
#: 200,000 → 2.3 s but 290 MB (each slice's Python objects are held while it is written).
WRITE_SLICE = 100_000


def write_good_rows(
    conn: Any,
    run_id: int,
    frame: pd.DataFrame,
    kind: str,
    source: str,
    replace: bool,
    targets: Targets,
    say: Progress,
    *,
    dry_run: bool = False,
    conflicts: list[pd.DataFrame] | None = None,
    duplicates: list[pd.DataFrame] | None = None,
) -> Counts:
    """Store the good rows (or, ``dry_run``, classify them exactly as storing would)."""
    if kind == "road_dust":
        return _write_road_dust(conn, run_id, frame, source, replace, dry_run=dry_run, duplicates=duplicates)
    return _write_readings(conn, run_id, frame, source, replace, targets, say, dry_run=dry_run, conflicts=conflicts,
                           duplicates=duplicates)


def _write_readings(
    conn: Any,
    run_id: int,
    frame: pd.DataFrame,
    source: str,
    replace: bool,
    targets: Targets,
    say: Progress,
    *,
    dry_run: bool = False,
    conflicts: list[pd.DataFrame] | None = None,
    duplicates: list[pd.DataFrame] | None = None,
) -> Counts:
    from monitoring.storage import keys
    from monitoring.storage.columnar import ReadingRows
    from monitoring.storage.daily_refresh import DailyRules
    from monitoring.storage.writes import write_rows

    rules = DailyRules.from_targets(targets)
    # key order: each slice is a run of the table's key, inserted in order; and slices
    # end where a (subdistrict, pollutant, day) ends, so no day is split between two
    # slices (each slice's days are new to the store, and their means computed once).
    # An order array, not a sorted copy: only one slice at a time is materialised.
    pkey = keys.pollutant_keys(POLLUTANTS)[frame["pollutant"].cat.codes.to_numpy()]  # the store's pollutant order
    subdistrict = frame["subdistrict_id"].to_numpy().astype("int64")
    ts = frame["ts"].to_numpy()
    group = keys.group_key(subdistrict, pkey).astype("int16")
    # files come in time order: a stable sort by (subdistrict, pollutant) alone, a radix
    # sort for 16-bit keys (~10 ms a million rows), is then the key order; else lexsort
    order = np.argsort(group, kind="stable")
    if not _ascending_within(group[order], ts[order]):
        order = np.lexsort((ts, pkey, subdistrict))
    day = np.asarray(timeutil.day_number(ts[order]), dtype="int64")
    group_day = keys.group_day_key(group[order].astype("int64"), day - day.min())
    bounds = _slice_bounds(group_day, WRITE_SLICE)
    del day, group_day
    # the text of the small codes; with one resolution and one station, the order above
    # is the table's whole key order and the writer need not check it
    res_codes = frame["resolution"].cat.codes.to_numpy()
    resolution = np.asarray(frame["resolution"].cat.categories, dtype=object)[res_codes]
    station_names = np.asarray(frame["station"].cat.categories, dtype=object)
    station = frame["station"].cat.codes.to_numpy()
    in_key_order = bool((res_codes == res_codes[0]).all() and (station == station[0]).all())
    value = frame["value"].to_numpy(dtype="float64")
    total = Counts()
    for start, end in itertools.pairwise(bounds):
        at = order[start:end]
        rows = ReadingRows(
            sd=subdistrict[at],
            pcode=pkey[at],
            ts=ts[at].astype("int64"),
            res=resolution[at],
            station=station_names[station[at]],
            value=value[at],
            demo=np.full(len(at), source == "demo"),
            run_id=np.zeros(len(at), dtype="int64"),
        )
        found: list[np.ndarray] | None = [] if duplicates is not None else None
        total += write_rows(conn, run_id, rows, source=source[:32], rules=rules, replace=replace, in_key_order=in_key_order,
                            dry_run=dry_run, conflicts=conflicts, duplicates=found)
        if duplicates is not None and found:  # the writer's positions → the file's rows
            duplicates.append(frame.iloc[at[np.concatenate(found)]])
        if not dry_run:
            say(0.7 + 0.3 * end / len(frame), f"wrote {end:,} of {len(frame):,} rows")
    return total


def _ascending_within(groups: np.ndarray, values: np.ndarray) -> bool:
    """Do ``values`` strictly increase inside each run of equal ``groups``?"""
    same = groups[1:] == groups[:-1]
    return bool((values[1:][same] > values[:-1][same]).all())


def _slice_bounds(sorted_keys: np.ndarray, size: int) -> list[int]:
    """Cut points of about ``size`` rows each, only where ``sorted_keys`` changes."""
    starts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    at = np.searchsorted(starts, np.arange(size, len(sorted_keys), size))
    cuts = np.unique(starts[at[at < len(starts)]])
    return [0, *cuts.tolist(), len(sorted_keys)]


def _write_road_dust(conn: Any, run_id: int, frame: pd.DataFrame, source: str, replace: bool, *, dry_run: bool = False,
                     duplicates: list[pd.DataFrame] | None = None) -> Counts:
    from monitoring.storage.road_dust_writes import write_road_dust

    found: list[int] | None = [] if duplicates is not None else None
    counts = write_road_dust(conn, run_id, frame.drop(columns="line"), source=source[:32], replace=replace,
                             dry_run=dry_run, duplicates=found)
    if duplicates is not None and found:  # the writer's positions → the file's rows (with their lines)
        duplicates.append(frame.iloc[found])
    return counts
