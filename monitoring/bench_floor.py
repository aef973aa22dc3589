"""The ingest floor (``python -m monitoring bench``): the least a loader can do on our schema.

A deliberately minimal loader of the bench's clean long-form file, run as its own
process like the real ingest: pyarrow reads the CSV (dictionary-encoded, all cores),
numpy maps names to keys and sorts, multi-row INSERTs write the same keyed ``readings``
table (foreign keys on, as the app runs), and the daily means (mean and hour count
only) go into ``daily_means``, in one transaction. No validation, no audit record, no
O3 windows, no app imports: what the storage engine and Python's driver cost at best.

It exists to measure, in the same run, how close ``python -m monitoring ingest`` can
possibly get to the bound: if the floor itself is near 2× the bound, the goal cannot be
met by tuning the pipeline (docs/PERFORMANCE.md). Only numpy, pyarrow and sqlite3 are
imported here, so its start-up is the least a Python loader pays.
"""

from __future__ import annotations

import json
import sqlite3
import sys

#: Rows per INSERT statement, as storage/bulk.py.
ROWS_PER_STATEMENT = 250
_POLLUTANTS = ("co", "no2", "o3", "pm10", "pm25", "so2")  # the storage's key order
_FILE_NAMES = {"CO": 0, "NO2": 1, "O3": 2, "PM10": 3, "PM2.5": 4, "SO2": 5}
_BEIJING_OFFSET_S = 8 * 3600


def load(csv: str, database: str, subdistrict_ids: dict[str, int]) -> int:
    """Load the bench file into ``database`` (schema only, one run row made here); return rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pv

    names = ["subdistrict", "time", "pollutant", "value"]
    text = pa.dictionary(pa.int32(), pa.string())
    table = pv.read_csv(
        csv,
        read_options=pv.ReadOptions(skip_rows=1, column_names=names),
        convert_options=pv.ConvertOptions(
            column_types={"subdistrict": text, "time": text, "pollutant": text, "value": pa.float64()}
        ),
    )

    def keyed(column: str, lookup: dict[str, int]) -> np.ndarray:
        array = table.column(column).combine_chunks()
        table_of = np.array([lookup[v] for v in array.dictionary.to_pylist()], dtype="int64")
        return table_of[array.indices.to_numpy()]

    sd = keyed("subdistrict", subdistrict_ids)
    pcode = keyed("pollutant", _FILE_NAMES)
    times = table.column("time").combine_chunks()
    label = np.array(times.dictionary.to_pylist(), dtype="datetime64[s]").astype("int64")
    ts = (label - _BEIJING_OFFSET_S)[times.indices.to_numpy()]
    value = table.column("value").to_numpy()
    order = np.lexsort((ts, pcode, sd))
    sd, pcode, ts, value = sd[order], pcode[order], ts[order], value[order]

    conn = sqlite3.connect(database, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN")
        run_id = conn.execute(
            "INSERT INTO ingestion_runs (kind, data_kind, source, user, started_at, status) "
            "VALUES ('ingest', 'readings', 'floor', 'bench', '2026-01-01 00:00:00', 'running')"
        ).lastrowid
        n, k = len(ts), ROWS_PER_STATEMENT
        matrix = np.empty((n, 4), dtype=object)
        matrix[:, 0] = sd.astype(object)
        matrix[:, 1] = np.array(_POLLUTANTS, dtype=object)[pcode]
        matrix[:, 2] = ts.astype(object)
        matrix[:, 3] = value.astype(object)
        full = n - n % k

        def insert(rows: int) -> str:  # numbered parameters: 4 a row, then the run id shared
            shared = 4 * rows + 1
            return "INSERT INTO readings VALUES " + ", ".join(
                f"(?{4 * i + 1}, ?{4 * i + 2}, ?{4 * i + 3}, 'h', '', ?{4 * i + 4}, 'floor', ?{shared})" for i in range(rows)
            )

        if full:
            conn.executemany(insert(k), [[*batch, run_id] for batch in matrix[:full].reshape(-1, 4 * k).tolist()])
        if full < n:
            conn.execute(insert(n - full), [*matrix[full:].reshape(-1).tolist(), run_id])
        day = (ts + _BEIJING_OFFSET_S - 3600) // 86400
        group = sd * 8 + pcode
        keys, inverse = np.unique((group << 20) | (day - day.min()), return_inverse=True)
        hours = np.bincount(inverse)
        mean = np.bincount(inverse, weights=value) / hours
        days = np.datetime_as_string(((keys & ((1 << 20) - 1)) + day.min()).astype("datetime64[D]"))
        conn.executemany(
            "INSERT INTO daily_means (subdistrict_id, pollutant, day, mean, n_hours, demo) VALUES (?, ?, ?, ?, ?, 0)",
            zip(
                ((keys >> 20) // 8).tolist(),
                np.array(_POLLUTANTS, dtype=object)[(keys >> 20) % 8].tolist(),
                days.tolist(),
                mean.tolist(),
                hours.tolist(),
                strict=True,
            ),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return n


if __name__ == "__main__":
    print(load(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
