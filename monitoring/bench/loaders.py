"""What the bench times: the ingest (a child process), the floor (a child process), the
reference loader and ``to_sql`` (in the bench's own process)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from monitoring import config
from monitoring.bench.data import file_mapping, fresh_sqlite

#: The floor's insert paths (monitoring/bench/floor.py); the faster in each run is the floor.
FLOOR_VARIANTS = {
    "multirow": "floor: pyarrow read + multi-row INSERT into readings",
    "executemany": "floor: pyarrow read + one-row executemany into readings",
}
FLOOR_SCRIPT = Path(__file__).with_name("floor.py")

REFERENCE_NAME = "reference loader: one-row executemany, bare table"
BARE_TABLE = (
    "CREATE TABLE bare (subdistrict_id SMALLINT, pollutant VARCHAR(8), ts BIGINT, resolution VARCHAR(1), "
    "station VARCHAR(16), value FLOAT, source VARCHAR(32), run_id INTEGER)"
)


@dataclass
class ChildRun:
    seconds: float
    cpu: float  # the child's user + system seconds (os.wait4), its own threads included
    peak_mb: float = 0.0
    output: dict[str, Any] = field(default_factory=dict)


def measure_reference(rows: list[tuple[Any, ...]], folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the reference loader: the rows, already parsed into tuples,
    by one-row ``executemany`` into a bare table with the same column types (WAL, one
    transaction; no key, no CHECKs, no foreign keys, no sort). It is what the issue first
    called the "bound"; the store's own multi-row insert beats it, so it bounds nothing."""
    path = folder / "reference.db"
    fresh_sqlite(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(BARE_TABLE)
        start, cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO bare VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        return time.perf_counter() - start, time.process_time() - cpu
    finally:
        conn.close()
        fresh_sqlite(path)


def measure_to_sql(csv: Path, folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for the usual way: read_csv, then DataFrame.to_sql through SQLAlchemy."""
    from sqlalchemy import create_engine

    path = folder / "to_sql.db"
    fresh_sqlite(path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        start, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_csv(csv)
        frame.to_sql("readings", engine, index=False, if_exists="append")
        return time.perf_counter() - start, time.process_time() - cpu
    finally:
        engine.dispose()
        fresh_sqlite(path)


def _child(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str, str]:
    """Run ``argv``; (wall, CPU of the child, exit code, stdout, stderr). CPU from os.wait4:
    the child's own rusage, not the bench's."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=config.PROJECT_ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return (seconds, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status),
                out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def run_floor(csv: Path, db: Path, variant: str) -> ChildRun:
    """The floor as a child interpreter (start-up counted, as the ingest's is) into ``db``,
    which holds the app's schema (``data.schema_only``)."""
    argv = [sys.executable, str(FLOOR_SCRIPT), str(db), str(csv), variant, json.dumps(file_mapping())]
    seconds, cpu, code, stdout, stderr = _child(argv, dict(os.environ))
    if code != 0:
        raise RuntimeError(f"floor ({variant}) failed ({code}): {stderr[-2000:]}")
    return ChildRun(seconds=seconds, cpu=cpu, output=json.loads(stdout.strip().splitlines()[-1]))


#: Runs ``python -m monitoring ARGS`` and, at exit, writes the process's own peak resident
#: memory (VmHWM) to the file named first. ``ru_maxrss`` of a child cannot be used: Linux
#: carries the parent's high-water mark across fork + exec into it, so a child of a large
#: bench process would report the bench's memory, not its own.
_PEAK_WRAPPER = (
    "import atexit, runpy, sys\n"
    "out = sys.argv.pop(1)\n"
    "def peak():\n"
    "    with open('/proc/self/status') as fh:\n"
    "        kb = next(int(line.split()[1]) for line in fh if line.startswith('VmHWM:'))\n"
    "    with open(out, 'w') as fh:\n"
    "        fh.write(str(kb))\n"
    "atexit.register(peak)\n"
    "sys.argv[0] = 'monitoring'\n"
    "runpy.run_module('monitoring', run_name='__main__', alter_sys=True)\n"
)


def run_ingest(csv: Path, url: str) -> ChildRun:
    """``python -m monitoring ingest`` as a child: its CPU time (os.wait4) and own peak memory (VmHWM)."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(config.PROJECT_ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak-kb"
        argv = [sys.executable, "-c", _PEAK_WRAPPER, str(peak_file), "ingest", str(csv), "--format", "json"]
        seconds, cpu, code, stdout, stderr = _child(argv, env)
        peak_kb = int(peak_file.read_text()) if peak_file.exists() else 0
    if code not in (0, 1):
        raise RuntimeError(f"ingest failed ({code}): {stderr[-2000:]}")
    try:
        parsed: Any = json.loads(stdout)
    except json.JSONDecodeError:
        parsed = {"stdout": stdout[-500:]}
    first = parsed[0] if isinstance(parsed, list) and parsed else parsed
    return ChildRun(seconds=seconds, cpu=cpu, peak_mb=peak_kb / 1024, output=first if isinstance(first, dict) else {})
