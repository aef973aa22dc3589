"""The performance benchmark (``python -m monitoring bench``): figures against references measured in the same run.

Absolute times depend on the machine (and on what else it runs), so every figure is set
against references measured in the same run, interleaved with it, and each measurement
is repeated (the table shows the median; the JSON keeps every run). Each row gives the
wall-clock ratio and the CPU ratio (user + system seconds; a child's own, from
``os.wait4``, where the work runs in a child) and says which one its goal judges.

- **floor**: the fastest loader found of the same rows into the same schema: a child
  interpreter reads the CSV with pyarrow, maps names and times to the store's keys with
  numpy (no validation), sorts by the key and inserts into the app's ``readings`` table
  (made by ``init``: same key, CHECKs, foreign keys; the app's PRAGMAs) in one
  transaction; no run audit, no duplicate matching, no daily means
  (``bench/floor.py``). Two insert paths are run; the faster (CPU) is the floor.
- **reference loader**: the file's rows, already parsed into tuples in the bench's own
  process, by one-row ``executemany`` into a bare table (no key, no constraints). What
  was once called the "bound"; the store's multi-row insert beats it, so it is shown
  for comparison with earlier runs, not as a limit.
- **ingest**: ``python -m monitoring ingest FILE`` as a child on a fresh database
  (schema only): start-up, parsing, validation, write, daily means, run audit. Goal
  (``bench/goals.yaml``): CPU ≤ 1.3 × the floor's; its own peak memory < 300 MB.
- **re-ingest**: the same file again into the same database: ≤ the first ingest, and it
  must add nothing.
- **to_sql** (informational): ``pandas.read_csv`` + ``DataFrame.to_sql`` through
  SQLAlchemy into a bare table, the usual way this is done.
- **pages**: every ``pages/*.py`` through Streamlit's AppTest (``app.py`` then
  ``switch_page``) on a database with ten years of hourly data for the 15 subdistricts
  (~7.9 M readings): cold (caches cleared) ≤ 1 s, warm ≤ 0.2 s. AppTest runs in a child
  interpreter (monitoring/ never imports streamlit).

The data sets are generated deterministically (``bench/data.py``, numpy seed 2026) and
cached under ``bench-data/`` keyed by the generator's version. ``--quick`` runs a small
version of everything (the test suite runs it to check that it works, not to time it).
"""

from __future__ import annotations

import compileall
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitoring import config
from monitoring.bench.data import (
    BENCH_DIR,
    FULL,
    GENERATOR_VERSION,
    QUICK,
    file_tuples,
    fresh_sqlite,
    pages_database,
    readings_file,
    schema_only,
    stored_readings,
)
from monitoring.bench.loaders import (
    FLOOR_VARIANTS,
    REFERENCE_NAME,
    ChildRun,
    measure_reference,
    measure_to_sql,
    run_floor,
    run_ingest,
)
from monitoring.bench.report import Report, Row, load_goals, machine

__all__ = ["BENCH_DIR", "Report", "machine", "pages_database", "run"]


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


def _median(values: list[float]) -> float:
    return statistics.median(values)


def run(
    *, quick: bool = False, folder: Path = BENCH_DIR, progress: Callable[[str], None] | None = None, pages: bool = True
) -> Report:
    say = progress or (lambda _m: None)
    goals = load_goals()  # first: a wrong goals file stops the bench before it measures anything
    sizes = QUICK if quick else FULL
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    info = machine()
    # An installed app runs from compiled bytecode; a shell with PYTHONDONTWRITEBYTECODE=1
    # would make every ingest child recompile ~60 modules the floor (one script) does not
    # have: compile them once, so both sides start as a user's install does.
    compileall.compile_dir(str(config.PROJECT_ROOT / "monitoring"), quiet=1)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=folder))
    rows: list[Row] = []
    try:
        csv = readings_file(folder / f"readings-v{GENERATOR_VERSION}-{sizes.rows}.csv", sizes.rows)
        tuples = file_tuples(csv)
        references: list[tuple[float, float]] = []
        floors: dict[str, list[ChildRun]] = {v: [] for v in FLOOR_VARIANTS}
        floor_stored: dict[str, int] = {}
        ingests: list[ChildRun] = []
        reingests: list[ChildRun] = []
        added_on_reingest: list[int] = []
        for i in range(sizes.repeat):
            step = f"round {i + 1}/{sizes.repeat}"
            say(f"{step}: {REFERENCE_NAME}")
            references.append(measure_reference(tuples, work))
            for variant, name in FLOOR_VARIANTS.items():
                say(f"{step}: {name}")
                db = work / f"floor-{variant}.db"
                fresh_sqlite(db)
                schema_only(f"sqlite:///{db}")
                floors[variant].append(run_floor(csv, db, variant))
                floor_stored[variant] = stored_readings(f"sqlite:///{db}")
                fresh_sqlite(db)
            db = work / f"ingest-{i}.db"
            fresh_sqlite(db)
            url = f"sqlite:///{db}"
            schema_only(url)
            say(f"{step}: python -m monitoring ingest ({sizes.rows:,} rows)")
            ingests.append(run_ingest(csv, url))
            before = stored_readings(url)
            say(f"{step}: re-ingest of the same file")
            reingests.append(run_ingest(csv, url))
            added_on_reingest.append(stored_readings(url) - before)
            fresh_sqlite(db)
        del tuples
        say("to_sql baseline")
        to_sql, to_sql_cpu = measure_to_sql(csv, work)

        ref = _median([r[0] for r in references])
        ref_cpu = _median([r[1] for r in references])
        rows.append(Row(REFERENCE_NAME, ref, "s", "itself", ref, None, f"{sizes.rows:,} rows, already parsed",
                        [r[0] for r in references], cpu=ref_cpu, ref_cpu=ref_cpu))
        floor_cpu = {v: _median([r.cpu for r in runs]) for v, runs in floors.items()}
        fastest = min(floor_cpu, key=floor_cpu.__getitem__)
        for variant, runs in floors.items():
            wall = _median([r.seconds for r in runs])
            note = f"stored {floor_stored[variant]}" + ("; the floor (less CPU)" if variant == fastest else "")
            rows.append(Row(FLOOR_VARIANTS[variant], wall, "s", "itself", wall, None, note, [r.seconds for r in runs],
                            cpu=floor_cpu[variant], ref_cpu=floor_cpu[variant]))
        floor = _median([r.seconds for r in floors[fastest]])
        floor_name = FLOOR_VARIANTS[fastest].split(":")[0]  # "floor"

        ingest = _median([r.seconds for r in ingests])
        ingest_cpu = _median([r.cpu for r in ingests])
        stored = ingests[0].output.get("accepted", "?")
        figure = f"ingest {sizes.rows:,} rows (child process)"
        rows.append(Row(f"{figure} ÷ floor", ingest, "s", floor_name, floor, goals.ingest.cpu_ratio_to_floor,
                        f"stored {stored}", [r.seconds for r in ingests], cpu=ingest_cpu,
                        ref_cpu=floor_cpu[fastest], judge="cpu"))
        rows.append(Row(f"{figure} ÷ reference loader", ingest, "s", "reference loader", ref, None, "",
                        [r.seconds for r in ingests], cpu=ingest_cpu, ref_cpu=ref_cpu))
        peak = max(r.peak_mb for r in ingests)
        rows.append(Row("ingest peak memory (RSS)", peak, "MB", "goal", goals.ingest.peak_memory_mb, 1.0, "",
                        [r.peak_mb for r in ingests]))
        added = max(added_on_reingest)
        rows.append(
            Row(
                "re-ingest of the same file",
                _median([r.seconds for r in reingests]),
                "s",
                "first ingest",
                ingest,
                goals.ingest.reingest_ratio,
                f"added {added} rows, duplicates {reingests[0].output.get('duplicates', '?')}",
                [r.seconds for r in reingests],
                failed_check=added != 0,
                cpu=_median([r.cpu for r in reingests]),
                ref_cpu=ingest_cpu,
            )
        )
        rows.append(Row("to_sql via SQLAlchemy (usual way)", to_sql, "s", "reference loader", ref, None,
                        "informational", [to_sql], cpu=to_sql_cpu, ref_cpu=ref_cpu))

        if pages:
            say(f"pages database: {sizes.page_years} year(s) of hourly data (cached in {folder})")
            db = pages_database(sizes.page_years, folder, say)
            names = list(sizes.pages) if sizes.pages else sorted(p.name for p in (config.PROJECT_ROOT / "pages").glob("*.py"))
            say(f"timing {len(names)} page(s) with AppTest")
            timings = time_pages(db, names, sizes.repeat)
            for name in names:
                t = timings[name]
                note = ("errors: " + "; ".join(t["errors"])) if t["errors"] else ""
                for kind, goal in (("cold", goals.pages.cold_s), ("warm", goals.pages.warm_s)):
                    rows.append(
                        Row(
                            f"page {name} {kind}", _median(t[kind]), "s", "goal", goal, 1.0,
                            note if kind == "cold" else "", t[kind],
                            cpu=_median(t[f"{kind}_cpu"]), ref_cpu=goal,
                        )
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    command = "python -m monitoring bench" + (" --quick" if quick else "")
    return Report(machine=info, command=command, rows=rows, started=f"{started:%Y-%m-%d %H:%M} UTC", seconds=time.perf_counter() - t0)
