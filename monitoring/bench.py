"""The performance benchmark (``python -m monitoring bench``): figures against bounds measured in the same run.

Absolute times depend on the machine (and on what else it runs), so every figure is set
against a bound measured in the same run, interleaved with it, and each measurement is
repeated (the table shows the median; the JSON keeps every run):

- **bound**: plain ``sqlite3`` ``executemany`` of the benchmark's readings, as tuples,
  into a bare table with the same column types (WAL, one transaction).
- **ingest**: ``python -m monitoring ingest FILE`` as a subprocess on a fresh database
  (schema only): start-up, parsing, validation, write, daily means. Goal ≤ 2× bound;
  its peak resident memory (the child's own VmHWM) < 300 MB.
- **re-ingest**: the same file again into the same database: ≤ the first ingest, and it
  must add nothing.
- **to_sql** (informational): ``pandas.read_csv`` + ``DataFrame.to_sql`` through
  SQLAlchemy into a bare table, the usual way this is done.
- **pages**: every ``pages/*.py`` through Streamlit's AppTest (``app.py`` then
  ``switch_page``) on a database with ten years of hourly data for the 15 subdistricts
  (~7.9 M readings): cold (caches cleared) ≤ 1 s, warm ≤ 0.2 s. AppTest runs in a child
  interpreter (monitoring/ never imports streamlit).

The data sets are generated deterministically (numpy seed 2026); the ten-year database is
written directly (executemany in key order, daily means from the same vectorised code
the write path uses) and cached under ``bench-data/`` keyed by the generator's version.
``--quick`` runs a small version of everything (the test suite runs it to check that it
works, not to time it).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring import config, timeutil

#: Bump when the generated data change: the cached databases are keyed by it.
GENERATOR_VERSION = 1
SEED = 2026
BENCH_DIR = config.PROJECT_ROOT / "bench-data"

#: The goals of the performance issue.
INGEST_RATIO_GOAL = 2.0
INGEST_MEMORY_GOAL_MB = 300.0
PAGE_COLD_GOAL_S = 1.0
PAGE_WARM_GOAL_S = 0.2

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "o3", "co")
#: Column names and pollutant spellings as an analyst's file has them.
FILE_POLLUTANT = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "o3": "O3", "co": "CO"}
#: Typical level (µg/m³, CO mg/m³) and winter/summer swing of each pollutant.
LEVEL = {"pm25": 32.0, "pm10": 55.0, "so2": 4.0, "no2": 30.0, "o3": 60.0, "co": 0.7}
SEASON = {"pm25": 0.35, "pm10": 0.3, "so2": 0.5, "no2": 0.25, "o3": -0.6, "co": 0.35}

BARE_TABLE = (
    "CREATE TABLE bare (subdistrict_id SMALLINT, pollutant VARCHAR(8), ts BIGINT, resolution VARCHAR(1), "
    "station VARCHAR(16), value FLOAT, source VARCHAR(32), run_id INTEGER)"
)


@dataclass
class Sizes:
    rows: int  # readings in the ingest file
    page_years: int  # years of hourly data in the pages database
    repeat: int  # repetitions of each timed measurement
    pages: tuple[str, ...] | None = None  # None: every page


FULL = Sizes(rows=1_000_000, page_years=10, repeat=3)
QUICK = Sizes(rows=20_000, page_years=1, repeat=1, pages=("overview.py", "rankings.py"))


@dataclass
class Row:
    """One line of the table: a figure, the bound it is held to, and the verdict."""

    figure: str
    value: float
    unit: str
    bound_name: str
    bound: float
    goal: float | None  # the largest ratio value/bound that passes; None: informational
    note: str = ""
    runs: list[float] = field(default_factory=list)
    failed_check: bool = False  # a condition beside the ratio failed (e.g. re-ingest added rows)
    cpu: float | None = None  # CPU seconds (user + system) of the same measurement
    bound_cpu: float | None = None

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu is None or not self.bound_cpu:
            return None
        return self.cpu / self.bound_cpu

    @property
    def ratio(self) -> float:
        return self.value / self.bound if self.bound else float("nan")

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return "info"
        return "pass" if self.ratio <= self.goal and not self.failed_check else "FAIL"

    @property
    def cpu_verdict(self) -> str:
        if self.goal is None or self.cpu_ratio is None:
            return ""
        return "pass" if self.cpu_ratio <= self.goal and not self.failed_check else "FAIL"


@dataclass
class Report:
    machine: dict[str, str]
    command: str
    rows: list[Row]
    started: str
    seconds: float

    def table(self) -> str:
        head = ("figure", "value", "bound", "ratio", "CPU ratio", "goal", "result")
        lines = [
            "| " + " | ".join(head) + " |",
            "|" + "|".join(["---"] * len(head)) + "|",
        ]
        for r in self.rows:
            goal = "—" if r.goal is None else f"≤ {r.goal:g}"
            value = f"{r.value:.3f} {r.unit}" if r.unit == "s" else f"{r.value:.0f} {r.unit}"
            bound = f"{r.bound:.3f} s ({r.bound_name})" if r.unit == "s" else f"{r.bound:.0f} {r.unit} ({r.bound_name})"
            result = r.verdict + (f" (CPU: {r.cpu_verdict})" if r.cpu_verdict else "") + (f" — {r.note}" if r.note else "")
            cpu = "" if r.cpu_ratio is None else f"{r.cpu_ratio:.2f} ({r.cpu:.2f}/{r.bound_cpu:.2f} s)"
            lines.append(f"| {r.figure} | {value} | {bound} | {r.ratio:.2f} | {cpu} | {goal} | {result} |")
        return "\n".join(lines)

    def text(self) -> str:
        machine = ", ".join(f"{k}: {v}" for k, v in self.machine.items())
        return (
            f"`{self.command}` — {self.started}, {self.seconds:.0f} s\n\nMachine: {machine}\n\n"
            f"{self.table()}\n\nValues are medians of the repeated runs; ratios are value / bound "
            "measured in the same run (wall clock). The CPU ratio sets CPU seconds (user + system) "
            "against the bound's: it holds when other work competes for the cores, the wall clock does not."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "command": self.command,
            "started": self.started,
            "seconds": self.seconds,
            "rows": [{**asdict(r), "ratio": r.ratio, "result": r.verdict} for r in self.rows],
        }

    @property
    def passed(self) -> bool:
        return all(r.verdict != "FAIL" for r in self.rows)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "pandas": pd.__version__,
        "load average at start": load,
    }


# -- data sets ------------------------------------------------------------------------


def _subdistricts() -> list[tuple[int, str]]:
    """(id, short name) of the 15 subdistricts, from targets.yaml."""
    from monitoring.targets import load_targets, subdistrict_id

    return [(subdistrict_id(sd.code), sd.short_name) for sd in load_targets().subdistricts]


def _series(rng: np.random.Generator, pollutant: str, ts: np.ndarray) -> np.ndarray:
    """Plausible hourly values: a seasonal cycle, a daily cycle, multi-day episodes, noise."""
    day_of_year = ((ts + timeutil.BEIJING_OFFSET_S) // timeutil.DAY_S) % 365.25
    hour = ((ts + timeutil.BEIJING_OFFSET_S) // timeutil.HOUR_S) % 24
    season = 1 + SEASON[pollutant] * np.cos(2 * np.pi * day_of_year / 365.25)
    if pollutant == "o3":
        daily = 1 + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24)
    else:
        daily = 1 + 0.15 * np.cos(2 * np.pi * (hour - 21) / 24)
    episode = np.repeat(rng.lognormal(0.0, 0.45, len(ts) // 72 + 1), 72)[: len(ts)]
    noise = rng.lognormal(0.0, 0.25, len(ts))
    values = LEVEL[pollutant] * season * daily * episode * noise
    return np.round(np.clip(values, 0.0, 50.0 if pollutant == "co" else 900.0), 2 if pollutant == "co" else 1)


def readings_file(path: Path, rows: int) -> Path:
    """A long-form readings CSV of ``rows`` rows: every hour, 15 subdistricts × 6 pollutants."""
    if path.exists():
        return path
    rng = np.random.default_rng(SEED)
    sds = _subdistricts()
    per_hour = len(sds) * len(POLLUTANTS)
    hours = -(-rows // per_hour)
    start = timeutil.label_to_ts(dt.datetime(2019, 1, 1, 1, 0))
    ts = start + np.arange(hours, dtype="int64") * timeutil.HOUR_S
    values = np.empty((hours, len(sds), len(POLLUTANTS)))
    for j in range(len(sds)):
        for k, pol in enumerate(POLLUTANTS):
            values[:, j, k] = _series(rng, pol, ts)
    labels = timeutil.ts_to_labels(ts).strftime("%Y-%m-%d %H:%M").to_numpy(dtype=object)
    frame = pd.DataFrame(
        {
            "subdistrict": np.tile(np.repeat(np.array([n for _, n in sds], dtype=object), len(POLLUTANTS)), hours),
            "time": np.repeat(labels, per_hour),
            "pollutant": np.tile(np.array([FILE_POLLUTANT[p] for p in POLLUTANTS], dtype=object), hours * len(sds)),
            "value": values.reshape(-1),
        }
    ).iloc[:rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)
    return path


def _file_tuples(path: Path) -> list[tuple[Any, ...]]:
    """The file's rows as the tuples the bound inserts (ids and codes, as the write path stores them)."""
    ids = {name: sid for sid, name in _subdistricts()}
    codes = {v: k for k, v in FILE_POLLUTANT.items()}
    frame = pd.read_csv(path, dtype={"subdistrict": object, "time": object, "pollutant": object})
    ts = timeutil.labels_to_ts(pd.to_datetime(frame["time"], format="%Y-%m-%d %H:%M")).tolist()
    return list(
        zip(
            frame["subdistrict"].map(ids).astype("int64").tolist(),
            frame["pollutant"].map(codes).astype(object).tolist(),
            ts,
            itertools.repeat("h", len(frame)),
            itertools.repeat("", len(frame)),
            frame["value"].astype("float64").tolist(),
            itertools.repeat("cli", len(frame)),
            itertools.repeat(1, len(frame)),
            strict=True,
        )
    )


def _fresh_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def measure_bound(rows: list[tuple[Any, ...]], folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for executemany of ``rows`` into a bare table: WAL, one transaction."""
    path = folder / "bound.db"
    _fresh_sqlite(path)
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
        _fresh_sqlite(path)


def measure_to_sql(csv: Path, folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for the usual way: read_csv, then DataFrame.to_sql through SQLAlchemy."""
    from sqlalchemy import create_engine

    path = folder / "to_sql.db"
    _fresh_sqlite(path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        start, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_csv(csv)
        frame.to_sql("readings", engine, index=False, if_exists="append")
        return time.perf_counter() - start, time.process_time() - cpu
    finally:
        engine.dispose()
        _fresh_sqlite(path)


def _schema_only(url: str) -> None:
    from monitoring.bootstrap import init_database
    from monitoring.storage.engine import make_engine

    engine = make_engine(url)
    try:
        init_database(engine, load_data=False)
    finally:
        engine.dispose()


def _stored_readings(url: str) -> int:
    from sqlalchemy import func, select

    from monitoring.storage.engine import make_engine
    from monitoring.storage.schema import readings

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(readings)).scalar_one())
    finally:
        engine.dispose()


@dataclass
class ChildRun:
    seconds: float
    cpu: float
    peak_mb: float
    output: dict[str, Any]


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


def run_ingest_measured(csv: Path, url: str) -> ChildRun:
    """``python -m monitoring ingest`` as a child: its CPU time (os.wait4) and own peak memory (VmHWM)."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(config.PROJECT_ROOT)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak-kb"
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", _PEAK_WRAPPER, str(peak_file), "ingest", str(csv), "--format", "json"],
            cwd=config.PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        peak_kb = int(peak_file.read_text()) if peak_file.exists() else 0
    if child.returncode not in (0, 1):
        raise RuntimeError(f"ingest failed ({child.returncode}): {stderr[-2000:]}")
    try:
        parsed: Any = json.loads(stdout)
    except json.JSONDecodeError:
        parsed = {"stdout": stdout[-500:]}
    first = parsed[0] if isinstance(parsed, list) and parsed else parsed
    return ChildRun(
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=peak_kb / 1024,
        output=first if isinstance(first, dict) else {},
    )


# -- the ten-year database for the pages ----------------------------------------------------


def pages_database(years: int, folder: Path = BENCH_DIR, progress: Callable[[str], None] | None = None) -> Path:
    """A SQLite database with ``years`` of hourly readings for the 15 subdistricts (cached)."""
    say = progress or (lambda _m: None)
    path = folder / f"pages-v{GENERATOR_VERSION}-{years}y.db"
    if path.exists():
        return path
    from monitoring.storage.columnar import ReadingRows
    from monitoring.storage.daily_refresh import DailyRules, daily_from_rows, insert_daily
    from monitoring.targets import load_targets

    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    _fresh_sqlite(tmp)
    url = f"sqlite:///{tmp}"
    _schema_only(url)
    rules = DailyRules.from_targets(load_targets())
    last = timeutil.label_to_ts(dt.datetime(2026, 11, 21, 23, 0))
    hours = years * 8766
    ts = last - np.arange(hours, dtype="int64")[::-1] * timeutil.HOUR_S
    rng = np.random.default_rng(SEED + years)
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        run_id = conn.exec_driver_sql(
            "INSERT INTO ingestion_runs (kind, data_kind, source, user, started_at, finished_at, status, rows, accepted, "
            "first_ts, last_ts) VALUES ('ingest', 'readings', 'bench generator', 'bench', ?, ?, 'succeeded', ?, ?, ?, ?)",
            (dt.datetime.now(dt.UTC), dt.datetime.now(dt.UTC), hours * 90, hours * 90, int(ts[0]), int(ts[-1])),
        ).lastrowid
        raw = conn.connection.driver_connection
        assert raw is not None
        cur = raw.cursor()
        for n, (sid, name) in enumerate(_subdistricts()):
            say(f"generating {years} years for {name} ({n + 1}/15)")
            for pol in sorted(POLLUTANTS):  # key order: appends to the primary key
                values = _series(rng, pol, ts)
                cur.executemany(
                    "INSERT INTO readings (subdistrict_id, pollutant, ts, resolution, station, value, source, run_id) "
                    "VALUES (?, ?, ?, 'h', '', ?, 'bench', ?)",
                    zip(itertools.repeat(sid), itertools.repeat(pol), ts.tolist(), values.tolist(), itertools.repeat(run_id), strict=False),
                )
                rows = ReadingRows(
                    sd=np.full(hours, sid, dtype="int64"),
                    pcode=np.full(hours, sorted(POLLUTANTS).index(pol), dtype="int64"),
                    ts=ts,
                    res=np.full(hours, "h", dtype=object),
                    station=np.full(hours, "", dtype=object),
                    value=values,
                    demo=np.zeros(hours, dtype=bool),
                    run_id=np.full(hours, run_id, dtype="int64"),
                )
                insert_daily(conn, daily_from_rows(rows, rules))
        cur.close()
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.replace(path)
    return path


def time_pages(db: Path, pages: list[str], repeat: int, year: int = 2026) -> dict[str, dict[str, Any]]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "MONITOR_LOAD_DEMO": "0",
        "PYTHONPATH": str(config.PROJECT_ROOT),
    }
    users = config.PROJECT_ROOT / "tests" / "pages" / "no-users.yaml"
    if users.exists():
        env["MONITOR_USERS"] = str(users)
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.bench_pages", str(config.PROJECT_ROOT / "app.py"), str(year), json.dumps(pages), str(repeat)],
        cwd=config.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"page timing failed: {done.stderr[-2000:]}")
    result: dict[str, dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the whole benchmark ----------------------------------------------------------------


def run(
    *, quick: bool = False, folder: Path = BENCH_DIR, progress: Callable[[str], None] | None = None, pages: bool = True
) -> Report:
    say = progress or (lambda _m: None)
    sizes = QUICK if quick else FULL
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    info = machine()
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=folder))
    rows: list[Row] = []
    try:
        csv = readings_file(folder / f"readings-v{GENERATOR_VERSION}-{sizes.rows}.csv", sizes.rows)
        tuples = _file_tuples(csv)
        bounds: list[tuple[float, float]] = []
        ingests: list[ChildRun] = []
        reingests: list[ChildRun] = []
        added_on_reingest: list[int] = []
        for i in range(sizes.repeat):
            say(f"round {i + 1}/{sizes.repeat}: bound (executemany into a bare table)")
            bounds.append(measure_bound(tuples, work))
            db = work / f"ingest-{i}.db"
            _fresh_sqlite(db)
            url = f"sqlite:///{db}"
            _schema_only(url)
            say(f"round {i + 1}/{sizes.repeat}: python -m monitoring ingest ({sizes.rows:,} rows)")
            ingests.append(run_ingest_measured(csv, url))
            before = _stored_readings(url)
            say(f"round {i + 1}/{sizes.repeat}: re-ingest of the same file")
            reingests.append(run_ingest_measured(csv, url))
            added_on_reingest.append(_stored_readings(url) - before)
            _fresh_sqlite(db)
        del tuples
        say("to_sql baseline")
        to_sql, to_sql_cpu = measure_to_sql(csv, work)

        bound = statistics.median(b[0] for b in bounds)
        bound_cpu = statistics.median(b[1] for b in bounds)
        ingest = statistics.median(r.seconds for r in ingests)
        ingest_cpu = statistics.median(r.cpu for r in ingests)
        stored = ingests[0].output.get("accepted", "?")
        rows.append(
            Row(
                "bound: executemany, bare table", bound, "s", "itself", bound, None, f"{sizes.rows:,} rows",
                [b[0] for b in bounds], cpu=bound_cpu, bound_cpu=bound_cpu,
            )
        )
        rows.append(
            Row(
                f"ingest {sizes.rows:,} rows (subprocess)", ingest, "s", "bound", bound, INGEST_RATIO_GOAL,
                f"stored {stored}", [r.seconds for r in ingests], cpu=ingest_cpu, bound_cpu=bound_cpu,
            )
        )
        peak = max(r.peak_mb for r in ingests)
        rows.append(Row("ingest peak memory (RSS)", peak, "MB", "goal", INGEST_MEMORY_GOAL_MB, 1.0, "", [r.peak_mb for r in ingests]))
        added = max(added_on_reingest)
        rows.append(
            Row(
                "re-ingest of the same file",
                statistics.median(r.seconds for r in reingests),
                "s",
                "first ingest",
                ingest,
                1.0,
                f"added {added} rows, duplicates {reingests[0].output.get('duplicates', '?')}",
                [r.seconds for r in reingests],
                failed_check=added != 0,
                cpu=statistics.median(r.cpu for r in reingests),
                bound_cpu=ingest_cpu,
            )
        )
        rows.append(
            Row(
                "to_sql via SQLAlchemy (usual way)", to_sql, "s", "bound", bound, None, "informational", [to_sql],
                cpu=to_sql_cpu, bound_cpu=bound_cpu,
            )
        )

        if pages:
            say(f"pages database: {sizes.page_years} year(s) of hourly data (cached in {folder})")
            db = pages_database(sizes.page_years, folder, say)
            names = list(sizes.pages) if sizes.pages else sorted(p.name for p in (config.PROJECT_ROOT / "pages").glob("*.py"))
            say(f"timing {len(names)} page(s) with AppTest")
            timings = time_pages(db, names, sizes.repeat)
            for name in names:
                t = timings[name]
                note = ("errors: " + "; ".join(t["errors"])) if t["errors"] else ""
                for kind, goal in (("cold", PAGE_COLD_GOAL_S), ("warm", PAGE_WARM_GOAL_S)):
                    rows.append(
                        Row(
                            f"page {name} {kind}", statistics.median(t[kind]), "s", "goal", goal, 1.0,
                            note if kind == "cold" else "", t[kind],
                            cpu=statistics.median(t[f"{kind}_cpu"]), bound_cpu=goal,
                        )
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    command = "python -m monitoring bench" + (" --quick" if quick else "")
    return Report(machine=info, command=command, rows=rows, started=f"{started:%Y-%m-%d %H:%M} UTC", seconds=time.perf_counter() - t0)
