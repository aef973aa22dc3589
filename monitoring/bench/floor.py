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
- ``executemany``: one-row ``executemany`` over tuples of the varying columns.

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
        # one thread: the second core would cut the wall clock and add CPU (the goal is CPU)
        read_options=pv.ReadOptions(use_threads=False, block_size=4 << 20),
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
    order = np.lexsort((ts, rank, sd))
    return sd[order], np.array(stored, dtype=object)[rank[order]], ts[order], value[order]


def insert(conn: sqlite3.Connection, variant: str, sd: np.ndarray, pol: np.ndarray, ts: np.ndarray,
           value: np.ndarray, run_id: int) -> None:
    cur = conn.cursor()
    if variant == "executemany":
        cur.executemany(
            f"INSERT INTO readings (subdistrict_id, pollutant, ts, resolution, station, value, source, run_id) "
            f"VALUES (?, ?, ?, 'h', '', ?, 'floor', {run_id})",
            zip(sd.tolist(), pol.tolist(), ts.tolist(), value.tolist(), strict=True),
        )
        return
    n, width = len(sd), 4
    matrix = np.empty((n, width), dtype=object)
    matrix[:, 0], matrix[:, 1], matrix[:, 2], matrix[:, 3] = sd.tolist(), pol, ts.tolist(), value.tolist()

    def sql(rows: int) -> str:
        shared = ", ".join(f"?{rows * width + k + 1}" for k in range(2))
        values = ", ".join(
            "(" + ", ".join(f"?{i * width + j + 1}" for j in range(width)) + f", 'h', '', {shared})" for i in range(rows)
        )
        return f"INSERT INTO readings (subdistrict_id, pollutant, ts, value, resolution, station, source, run_id) VALUES {values}"

    full = n - n % ROWS_PER_STATEMENT
    shared = ["floor", run_id]
    if full:
        batches = matrix[:full].reshape(-1, ROWS_PER_STATEMENT * width)
        cur.executemany(sql(ROWS_PER_STATEMENT), (b.tolist() + shared for b in batches))
    if full < n:
        cur.execute(sql(n - full), matrix[full:].reshape(-1).tolist() + shared)


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
