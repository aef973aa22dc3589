"""Faults the monitor survives: a killed ingest, concurrent writers and readers, a
read-only or full disk, and a database from an older version.

Real processes, real files, real filesystems: the kill is a SIGKILL to a running
``python -m monitoring ingest``; read-only and full disks are a small tmpfs (remounted
read-only, or filled), which needs root; without it those tests fall back to chmod
(read-only, when not root) or are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, Table, func, insert, select

from monitoring import config
from monitoring.actors import Actor
from monitoring.bootstrap import init_database
from monitoring.errors import MonitorError, StorageError
from monitoring.ingest.pipeline import ingest_file
from monitoring.storage import migrate, queries, snapshot
from monitoring.storage.engine import make_engine
from monitoring.storage.schema import daily_means, ingestion_runs, readings
from monitoring.targets import Targets, subdistrict_id
from tests.cli import run_cli
from tests.conftest import POSTGRES_URL
from tests.factories import make_readings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus"))
import make_corpus

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="file-level faults of the SQLite engine")

ANALYST = Actor("fault-test", "analyst")
ROOT = config.PROJECT_ROOT


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=url, MONITOR_LOAD_DEMO="0", PYTHONPATH=str(ROOT))
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "monitoring", *args]


def _in_process(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command through cli.main (tests/cli.py), where no process is killed."""
    return run_cli(*args, env={"DATABASE_URL": url, "MONITOR_LOAD_DEMO": "0"})


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _db_path(engine: Engine) -> Path:
    return Path(str(engine.url.database))


def _count(engine: Engine, table: Table = readings) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _integrity(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


# -- SIGKILL in the middle of a large file ---------------------------------------------------


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """About 750,000 valid rows (26 MB): long enough to kill the ingest while it runs."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    rows = make_corpus.big_readings(path, target_bytes=26 * 1024 * 1024)
    return path, rows


def _wait_for(condition, proc: subprocess.Popen[bytes], timeout: float = 180.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            pytest.fail(f"the ingest finished (exit {proc.returncode}) before the kill point was reached")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("the kill point was not reached in time")


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["reading", "writing"])
def test_sigkill_mid_file_stores_all_or_nothing_and_a_rerun_completes(
    phase: str, make_db, big_file: tuple[Path, int], tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    path, rows = big_file
    engine = make_db()
    url, db = _url(engine), _db_path(engine)
    wal = db.with_name(db.name + "-wal")
    log = open(tmp_path / "ingest.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(_cli("ingest", str(path)), cwd=ROOT, env=_env(url), stdout=log, stderr=log)
    started = time.monotonic()

    def running() -> bool:
        with engine.connect() as conn:
            return conn.execute(select(ingestion_runs.c.id).where(ingestion_runs.c.status == "running")).first() is not None

    try:
        if phase == "reading":
            # validation: the file is being read, nothing is written yet (no run row either:
            # the run is recorded once the file has been read); kill a second in.
            _wait_for(lambda: time.monotonic() - started > 1.5, proc)
        else:
            # the one write transaction is open and has spilled pages to the WAL.
            _wait_for(lambda: running() and wal.exists() and wal.stat().st_size > 4 * 1024 * 1024, proc)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        log.close()

    after_kill = _count(engine)
    assert after_kill in (0, rows), "all of the file or none of it"
    # all of it only if the kill came after the commit; the run record commits with the
    # data (issue 13, item 18), so its status says which
    with engine.connect() as conn:
        killed_status = conn.execute(select(ingestion_runs.c.status).order_by(ingestion_runs.c.id)).scalars().first()
    assert (killed_status == "succeeded") == (after_kill == rows), killed_status
    assert (_count(engine, daily_means) > 0) == (after_kill == rows), "daily means go with their readings"
    assert _integrity(db) == "ok"

    again = _in_process(url, "ingest", str(path))
    assert again.returncode == 0, again.stderr
    assert _count(engine) == rows
    assert _count(engine, daily_means) > 0
    # the killed run is left "running" until init (or an hour) marks it interrupted; the
    # rerun is its own, succeeded, run.
    with engine.connect() as conn:
        statuses = sorted(conn.execute(select(ingestion_runs.c.status)).scalars())
    assert statuses.count("succeeded") == 1 + (after_kill == rows)
    assert set(statuses) <= {"succeeded", "running"}


# -- concurrency: two writers and a reader ------------------------------------------------------


def _write_csv(path: Path, targets: Targets, names: list[str], seed: int, days: int = 45) -> int:
    frame = make_readings(targets, first_day=dt.date(2026, 3, 1), days=days, pollutants=("pm25", "pm10", "o3"),
                          subdistricts=names, rng=random.Random(seed))
    frame.to_csv(path, index=False)
    return len(frame)


@pytest.mark.slow
def test_two_uploads_at_once_while_pages_read_lose_nothing(make_db, targets: Targets, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    url = _url(engine)
    names = [sd.short_name for sd in targets.subdistricts]
    file_a, file_b = tmp_path / "a.csv", tmp_path / "b.csv"
    rows_a = _write_csv(file_a, targets, names[:8], seed=1)
    rows_b = _write_csv(file_b, targets, names[8:], seed=2)

    stop = threading.Event()
    reader_errors: list[BaseException] = []
    reads = [0]

    def read_pages() -> None:  # what a page does: daily means for a period, in a loop
        page_engine = make_engine(url)
        try:
            while not stop.is_set():
                queries.daily_frame(page_engine, dt.date(2026, 3, 1), dt.date(2026, 4, 30), ["pm25"])
                queries.available_years(page_engine)
                reads[0] += 1
        except BaseException as exc:
            reader_errors.append(exc)
        finally:
            page_engine.dispose()

    upload_result: list[object] = []

    def upload_in_app() -> None:  # the upload page: ingest_file in the app's process
        try:
            upload_result.append(ingest_file(engine, file_b, name="b.csv", targets=targets, actor=ANALYST,
                                             run_kind="upload"))
        except BaseException as exc:
            upload_result.append(exc)

    reader = threading.Thread(target=read_pages)
    reader.start()
    try:
        cli = subprocess.Popen(_cli("ingest", str(file_a)), cwd=ROOT, env=_env(url), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        uploader = threading.Thread(target=upload_in_app)
        uploader.start()
        out, err = cli.communicate(timeout=300)
        uploader.join(timeout=300)
    finally:
        stop.set()
        reader.join(timeout=60)

    assert cli.returncode == 0, err
    assert "locked" not in err
    assert len(upload_result) == 1 and not isinstance(upload_result[0], BaseException), upload_result
    assert not reader_errors, reader_errors
    assert reads[0] > 0
    assert _count(engine) == rows_a + rows_b
    with engine.connect() as conn:
        per_run = dict(conn.execute(select(readings.c.source, func.count()).group_by(readings.c.source)).all())
    assert per_run == {"cli": rows_a, "upload": rows_b}


# -- read-only data folder and full disk: a real small filesystem ------------------------------


@contextlib.contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def _seed(url: str, targets: Targets, tmp_path: Path) -> tuple[Engine, int]:
    engine = make_engine(url)
    init_database(engine, targets, load_data=False)
    good = tmp_path / "seed.csv"
    make_readings(targets, days=2).to_csv(good, index=False)
    result = ingest_file(engine, good, name="seed.csv", targets=targets, actor=ANALYST)
    assert result.status == "succeeded"
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return engine, result.counts.accepted


def test_read_only_data_folder_refuses_in_one_line_and_changes_nothing(targets: Targets, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        folder_cm: contextlib.AbstractContextManager[Path] = _tmpfs(tmp_path / "data", "16m")
    else:
        folder_cm = contextlib.nullcontext(tmp_path / "data")
    with folder_cm as folder:
        folder.mkdir(exist_ok=True)
        url = f"sqlite:///{folder / 'air.db'}"
        engine, seeded = _seed(url, targets, tmp_path)
        engine.dispose()
        before = {p.name: snapshot.file_sha256(p) for p in folder.iterdir() if p.is_file()}
        if os.geteuid() == 0:
            _remount_read_only(folder)  # EROFS: even root cannot write
        else:
            folder.chmod(0o555)
            (folder / "air.db").chmod(0o444)
        new = tmp_path / "new.csv"
        make_readings(targets, first_day=dt.date(2026, 2, 1), days=1).to_csv(new, index=False)

        done = _in_process(url, "ingest", str(new))
        assert done.returncode == 1
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
        assert "not writable" in done.stderr or "read-only" in done.stderr
        assert "Traceback" not in done.stderr

        after = {p.name: snapshot.file_sha256(p) for p in folder.iterdir() if p.is_file()}
        assert after == before, "nothing in the data folder changed"
        # the app's start-up says the same in one line instead of failing on a page
        with pytest.raises(StorageError, match="not writable"):
            make_engine(url)
        if os.geteuid() == 0:
            subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True, capture_output=True)
        else:
            folder.chmod(0o755)
            (folder / "air.db").chmod(0o644)
        reader = make_engine(url)
        try:
            assert _count(reader) == seeded, "every stored row is still there"
        finally:
            reader.dispose()
        assert _integrity(folder / "air.db") == "ok"


def test_disk_full_gives_a_clear_message_and_keeps_what_was_stored(targets: Targets, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a real full disk)")
    with _tmpfs(tmp_path / "data", "3m") as folder:
        url = f"sqlite:///{folder / 'air.db'}"
        engine, seeded = _seed(url, targets, tmp_path)
        with engine.connect() as conn:
            before = conn.execute(select(readings).order_by(*readings.primary_key.columns)).all()
        big = tmp_path / "too_big.csv"
        make_corpus.big_readings(big, target_bytes=6 * 1024 * 1024, first=dt.datetime(2025, 1, 1, 1))
        try:
            with pytest.raises(MonitorError) as full:
                ingest_file(engine, big, name="too_big.csv", targets=targets, actor=ANALYST)
            message = str(full.value)
            assert "full" in message.lower() and "\n" not in message
            with engine.connect() as conn:
                assert conn.execute(select(readings).order_by(*readings.primary_key.columns)).all() == before
        finally:
            engine.dispose()
        assert _integrity(folder / "air.db") == "ok"

        # and from the command line: one line, exit 1
        done = _in_process(url, "ingest", str(big))
        assert done.returncode == 1
        assert "Traceback" not in done.stderr and "full" in done.stderr.lower(), done.stderr
        assert _integrity(folder / "air.db") == "ok"


# -- a database from an older version -----------------------------------------------------------


def test_init_migrates_an_old_database_and_keeps_every_row(targets: Targets, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "0001")
    assert migrate.current_revision(engine) == "0001"

    # fill it with what a 0001 database held, through its own (reflected) tables
    old = MetaData()
    old.reflect(engine)
    t = {name: old.tables[name] for name in ("subdistricts", "ingestion_runs", "readings", "daily_means", "road_dust")}
    rows = make_readings(targets, days=2)
    ids = {sd.short_name: subdistrict_id(sd.code) for sd in targets.subdistricts}
    with engine.begin() as conn:
        conn.execute(insert(t["subdistricts"]), [
            {"id": subdistrict_id(sd.code), "code": sd.code, "name": sd.name, "short_name": sd.short_name,
             "pinyin": sd.pinyin} for sd in targets.subdistricts])
        conn.execute(insert(t["ingestion_runs"]).values(
            id=1, kind="ingest", data_kind="readings", source="old.csv", user="wang",
            started_at=dt.datetime(2026, 1, 3, tzinfo=dt.UTC), status="succeeded", rows=len(rows), accepted=len(rows)))
        conn.execute(insert(t["readings"]), [
            {"subdistrict_id": ids[r.subdistrict], "pollutant": r.pollutant,
             "ts": int(dt.datetime.fromisoformat(r.time).replace(tzinfo=dt.UTC).timestamp()) - 8 * 3600,
             "resolution": "h", "station": "", "value": float(r.value), "source": "cli", "run_id": 1}
            for r in rows.itertuples(index=False)])
        conn.execute(insert(t["daily_means"]).values(subdistrict_id=10, pollutant="pm25", day=dt.date(2026, 1, 1),
                                                     mean=31.5, n_hours=24, demo=False))
        conn.execute(insert(t["road_dust"]).values(subdistrict_id=10, road="德胜门外大街", day=dt.date(2026, 3, 1),
                                                   month_only=True, load=0.31, grade="良", source="cli", run_id=1))
    before = {}
    with engine.connect() as conn:
        for name, table in t.items():
            before[name] = sorted(conn.execute(select(table)).all(), key=repr)
    engine.dispose()

    done = _in_process(url, "init", "--no-demo")
    assert done.returncode == 0, done.stderr
    assert f"migrated 0001 -> {migrate.head_revision()}" in done.stdout or migrate.head_revision() == "0001"

    engine = make_engine(url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.connect() as conn:
            for name, table in t.items():
                # the old columns of every old row, exactly as they were
                now = sorted(conn.execute(select(*[engine_col for engine_col in _columns(conn, name, table)])).all(),
                             key=repr)
                assert now == before[name], name
        assert not (tmp_path / "old.db-journal").exists()
        assert _integrity(tmp_path / "old.db") == "ok"
    finally:
        engine.dispose()


def _columns(conn, name: str, old_table: Table) -> list:  # type: ignore[no-untyped-def]
    current = Table(name, MetaData(), autoload_with=conn)
    return [current.c[c.name] for c in old_table.columns]
