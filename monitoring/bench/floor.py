"""The bench's floor: the fastest loader found of the bench file's rows into the store's schema.

Run as a script by path (``python …/floor.py``), never as ``monitoring.bench.floor``:
importing the package would load pandas and the rest, which this loader does not need
and which would then be counted against it. It imports pyarrow, numpy and sqlite3 only.

What it does, and nothing else: read the CSV with pyarrow (the three text columns
dictionary-encoded, so names and times are converted once per distinct value), map
names to the store's ids and labels to UTC seconds with numpy, sort by the table's key,
and insert into the app's own ``readings`` table (schema made by ``init``: same key,
CHECKs and foreign keys) on a connection with the app's PRAGMAs, in one transaction.
No validation, no run record beyond the one row the foreign key needs, no duplicate
matching, no daily means, no audit.

Two insert paths are kept because they were both measured and either may win on a
given machine (the bench runs both and takes the faster as the floor):

- ``multirow``: ``INSERT … VALUES (…), (…), …`` of 250 rows per statement with the
  constant columns as shared numbered parameters (what ``storage/bulk.py`` does);
- ``executemany``: one-row ``executemany`` over (ts, value) tuples.

Both insert one (subdistrict, pollutant) run at a time, so only ts and value vary per row.

argv: DB CSV VARIANT MAPPING_JSON (``{"subdistricts": {name: id}, "pollutants": {file: code}}``).
Prints one JSON line: rows inserted and the seconds of each step (wall clock).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

#: The app's connection PRAGMAs (monitoring/storage/engine.py), so the floor writes
#: under the same journal, durability and constraint settings as the ingest.
PRAGMAS = ("PRAGMA busy_timeout = 30000", "PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON",
           "PRAGMA synchronous = NORMAL")
ROWS_PER_STATEMENT = 250  # storage/bulk.py's measured best
BEIJING_OFFSET_S = 8 * 3600


def _numbers(array: pa.Array, dtype: type[np.generic]) -> np.ndarray:
    """A null-free numeric Arrow array as numpy, zero-copy. Not ``to_numpy()``: its first
    call imports pandas (0.25–0.35 s CPU measured), which this loader otherwise never needs."""
    width = np.dtype(dtype).itemsize
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * width)


def read(csv: str, mapping: dict[str, dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(subdistrict id, pollutant code, ts, value) columns, sorted by the table's key."""
    text = pa.dictionary(pa.int32(), pa.string())
    table = pv.read_csv(
        csv,
        # one thread, 1 MB blocks: the least CPU measured (threads cut the wall clock, add CPU)
        read_options=pv.ReadOptions(use_threads=False, block_size=1 << 20),
        convert_options=pv.ConvertOptions(
            column_types={"subdistrict": text, "time": text, "pollutant": text, "value": pa.float64()}
        ),
    )
    stored = sorted(mapping["pollutants"].values())  # the key's pollutant order is text order
    sd_parts, pol_parts, ts_parts, value_parts = [], [], [], []
    # block by block: each block has its own dictionaries, converted once per distinct value
    for sd_col, pol_col, t_col, v_col in zip(*(table.column(c).chunks for c in ("subdistrict", "pollutant", "time", "value")),
                                             strict=True):
        ids = np.array([mapping["subdistricts"][n] for n in sd_col.dictionary.to_pylist()], dtype=np.int64)
        sd_parts.append(ids[_numbers(sd_col.indices, np.int32)])
        ranks = np.array([stored.index(mapping["pollutants"][n]) for n in pol_col.dictionary.to_pylist()], dtype=np.int64)
        pol_parts.append(ranks[_numbers(pol_col.indices, np.int32)])
        labels = pc.strptime(t_col.dictionary, format="%Y-%m-%d %H:%M", unit="s").cast(pa.int64())
        ts_parts.append((_numbers(labels, np.int64) - BEIJING_OFFSET_S)[_numbers(t_col.indices, np.int32)])
        value_parts.append(_numbers(v_col, np.float64))
    sd, rank, ts, value = (np.concatenate(p) for p in (sd_parts, pol_parts, ts_parts, value_parts))
    # a time-ordered file needs only a stable sort by (subdistrict, pollutant): numpy's
    # radix sort on a 16-bit key (what the ingest does too); any other order, lexsort
    group = (sd * len(stored) + rank).astype(np.int16)
    order = np.argsort(group, kind="stable")
    same = group[order][1:] == group[order][:-1]
    if not (ts[order][1:][same] > ts[order][:-1][same]).all():
        order = np.lexsort((ts, rank, sd))
    return sd[order], np.array(stored, dtype=object)[rank[order]], ts[order], value[order]


def _runs(sd: np.ndarray, pol: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of one (subdistrict, pollutant) in the sorted rows."""
    change = np.flatnonzero((sd[1:] != sd[:-1]) | (pol[1:] != pol[:-1])) + 1
    edges = [0, *change.tolist(), len(sd)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _multirow_sql(rows: int) -> str:
    """``INSERT … VALUES (?1, ?2, 'h', '', ?k…), (?3, ?4, …)``: ts and value per row, the
    run's constants (subdistrict, pollutant, source, run) as shared numbered parameters."""
    shared = ", ".join(f"?{2 * rows + k + 1}" for k in range(4))
    values = ", ".join(f"(?{2 * i + 1}, ?{2 * i + 2}, 'h', '', {shared})" for i in range(rows))
    return (
        "INSERT INTO readings (ts, value, resolution, station, subdistrict_id, pollutant, source, run_id) "
        f"VALUES {values}"
    )


def insert(conn: sqlite3.Connection, variant: str, sd: np.ndarray, pol: np.ndarray, ts: np.ndarray,
           value: np.ndarray, run_id: int) -> None:
    """Per run of one (subdistrict, pollutant): only ts and value vary, the rest is bound
    once (a statement or an executemany) — measured the cheapest way to feed SQLite."""
    cur = conn.cursor()
    ts_list, value_list = ts.tolist(), value.tolist()
    statements: dict[int, str] = {}
    for start, end in _runs(sd, pol):
        constants = [int(sd[start]), str(pol[start]), "floor", run_id]
        if variant == "executemany":
            code = constants[1]
            assert isinstance(code, str) and code.isalnum()  # the bench's own table of codes, never input
            # the run's constants as literals: one-row executemany binds every parameter every row
            cur.executemany(
                "INSERT INTO readings (ts, value, resolution, station, subdistrict_id, pollutant, source, run_id) "
                f"VALUES (?, ?, 'h', '', {constants[0]}, '{code}', 'floor', {run_id})",
                zip(ts_list[start:end], value_list[start:end], strict=True),
            )
            continue
        pairs = np.empty((end - start, 2), dtype=object)
        pairs[:, 0], pairs[:, 1] = ts_list[start:end], value_list[start:end]
        full = (end - start) - (end - start) % ROWS_PER_STATEMENT
        if full:
            sql = statements.setdefault(ROWS_PER_STATEMENT, _multirow_sql(ROWS_PER_STATEMENT))
            batches = pairs[:full].reshape(-1, 2 * ROWS_PER_STATEMENT)
            cur.executemany(sql, (b.tolist() + constants for b in batches))
        if full < end - start:
            rest = end - start - full
            cur.execute(statements.setdefault(rest, _multirow_sql(rest)), pairs[full:].reshape(-1).tolist() + constants)


def main(argv: list[str]) -> None:
    db, csv, variant, mapping = argv[1], argv[2], argv[3], json.loads(argv[4])
    steps: dict[str, float] = {}
    t = time.process_time()
    sd, pol, ts, value = read(csv, mapping)
    steps["read and sort"] = time.process_time() - t
    t = time.process_time()
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute("BEGIN IMMEDIATE")
    # the one row the readings' foreign key needs (the ingest's run record does more)
    run_id = conn.execute(
        "INSERT INTO ingestion_runs (kind, data_kind, source, user, started_at, status) "
        "VALUES ('ingest', 'readings', 'floor', 'bench', '2026-01-01 00:00:00', 'succeeded')"
    ).lastrowid
    assert run_id is not None
    insert(conn, variant, sd, pol, ts, value, run_id)
    conn.execute("COMMIT")
    conn.close()
    steps["insert and commit"] = time.process_time() - t
    print(json.dumps({"rows": len(sd), "variant": variant, "steps": steps}))


if __name__ == "__main__":
    main(sys.argv)
