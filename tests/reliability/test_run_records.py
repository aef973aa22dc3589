"""Issue 13, item 18: a run's record tells the truth about its data, whatever kills it.

The run record is closed in the transaction that commits the data, so a process that
dies at any instant leaves either a succeeded run whose rows are stored, or a run still
``running`` of which nothing was stored (which ``init`` then marks interrupted,
"nothing stored"). Before, the record was closed in a transaction of its own after the
data's commit: a kill in between left stored rows under a run later called "interrupted
… nothing was stored".

Real processes and a real SQLite file: an ingest killed (SIGKILL, from inside) at the
moment it closes its run record, and ingests killed at random instants.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from monitoring import config
from monitoring.storage.run_records import mark_interrupted_runs
from monitoring.storage.schema import ingestion_runs, readings
from monitoring.targets import Targets
from tests.cli import run_cli
from tests.conftest import POSTGRES_URL
from tests.factories import make_readings

ROOT = config.PROJECT_ROOT

#: ``python -m monitoring ingest FILE`` whose process kills itself (SIGKILL: no cleanup,
#: no rollback by Python) the moment it closes a run as succeeded: the worst instant
#: for the audit, the data's write being done.
KILLED_WHILE_CLOSING_THE_RUN = """
import os, signal, sys
from monitoring.storage import run_records
real = run_records.finish_run
def finish_run(target, run_id, status, *args, **kwargs):
    if status == "succeeded":
        os.kill(os.getpid(), signal.SIGKILL)
    return real(target, run_id, status, *args, **kwargs)
run_records.finish_run = finish_run
from monitoring.cli import main
sys.exit(main(["ingest", sys.argv[1]]))
"""


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=url, MONITOR_LOAD_DEMO="0", PYTHONPATH=str(ROOT))
    return env


def check_runs_tell_the_truth(engine: Engine) -> dict[str, int]:
    """Mark every unfinished run interrupted (as ``init`` does an hour later), then: a
    succeeded run holds exactly its accepted rows, any other run holds none. Returns the
    number of runs by status."""
    with engine.begin() as conn:
        mark_interrupted_runs(conn, older_than=dt.timedelta(0))
    with engine.connect() as conn:
        runs = conn.execute(select(ingestion_runs.c.id, ingestion_runs.c.status, ingestion_runs.c.accepted,
                                   ingestion_runs.c.message)).all()
        stored = dict(conn.execute(select(readings.c.run_id, func.count()).group_by(readings.c.run_id)).all())
    statuses: dict[str, int] = {}
    for run in runs:
        statuses[run.status] = statuses.get(run.status, 0) + 1
        held = int(stored.get(run.id, 0))
        if run.status == "succeeded":
            assert held == run.accepted, f"run {run.id} succeeded with {run.accepted} rows but holds {held}"
        else:
            assert held == 0, f"run {run.id} is {run.status} ({run.message!r}) but {held} of its rows are stored"
    return statuses


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SIGKILL of a SQLite writer (the PostgreSQL path is the same code)")
def test_a_kill_while_the_run_is_closed_leaves_data_and_record_together(
    make_db, targets: Targets, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    engine = make_db()
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "day.csv"
    frame = make_readings(targets, days=2, pollutants=("pm25", "pm10"))
    frame.to_csv(path, index=False)
    rows = len(frame)

    done = subprocess.run([sys.executable, "-c", KILLED_WHILE_CLOSING_THE_RUN, str(path)], cwd=ROOT, env=_env(url),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    statuses = check_runs_tell_the_truth(engine)
    assert statuses.get("succeeded", 0) == 0  # the kill came before the commit: nothing stored, and the record says so

    again = run_cli("ingest", str(path), env={"DATABASE_URL": url, "MONITOR_LOAD_DEMO": "0"})
    assert again.returncode == 0, again.stderr
    assert f"stored {rows:,} of {rows:,}" in again.stdout
    assert check_runs_tell_the_truth(engine) == {"failed": 1, "succeeded": 1}


@pytest.mark.slow
@pytest.mark.skipif(bool(POSTGRES_URL), reason="SIGKILL of a SQLite writer (the PostgreSQL path is the same code)")
def test_ingests_killed_at_random_instants_never_leave_a_run_that_misstates_its_data(
    make_db, targets: Targets, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    engine = make_db()
    url = engine.url.render_as_string(hide_password=False)
    rng = random.Random(13)
    files = []
    for i in range(3):  # three files of different days, ~20,000 rows each
        path = tmp_path / f"f{i}.csv"
        make_readings(targets, first_day=dt.date(2026, 4, 1 + 10 * i), days=9,
                      pollutants=("pm25", "pm10", "no2", "o3", "so2", "co"), rng=random.Random(i)).to_csv(path, index=False)
        files.append(path)
    # how long one whole ingest takes on this machine (into a scratch copy), so the kills
    # land inside a run whatever the machine's speed or load
    scratch = make_db()
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "monitoring", "ingest", str(files[0])], cwd=ROOT,
                   env=_env(scratch.url.render_as_string(hide_password=False)), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    whole = time.monotonic() - started
    kills = 0
    for round_ in range(8):
        path = files[round_ % len(files)]
        proc = subprocess.Popen([sys.executable, "-m", "monitoring", "ingest", str(path)], cwd=ROOT, env=_env(url),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 0.95) * whole)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=120)
        check_runs_tell_the_truth(engine)
    assert kills > 0
