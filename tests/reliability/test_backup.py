"""Backup and restore: a consistent copy while writes go on, checked round trip, refusals."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from monitoring import backup
from monitoring.cli import main
from monitoring.errors import InputError
from monitoring.storage import snapshot
from monitoring.storage.daily_refresh import DailyRules
from monitoring.storage.engine import make_engine, sqlite_path
from monitoring.storage.run_records import RunInfo, start_run
from monitoring.storage.schema import metadata, readings
from monitoring.storage.writes import write_readings
from monitoring.targets import Targets
from tests.conftest import POSTGRES_URL
from tests.factories import canonical, make_readings

sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite file backup; PostgreSQL uses pg_dump")


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in metadata.sorted_tables}


def _live(engine: Engine) -> Path:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    assert path is not None
    return path


@sqlite_only
@pytest.mark.slow
def test_round_trip_keeps_every_row_and_checksum(seeded_db: Engine, tmp_path: Path) -> None:
    url = seeded_db.url.render_as_string(hide_password=False)
    before = _counts(seeded_db)
    assert before["readings"] > 100_000

    copy, manifest = backup.backup_sqlite(tmp_path / "backups", url=url)
    assert copy.parent == tmp_path / "backups" and copy.suffix == ".db"
    assert manifest.integrity == "ok"
    assert {k: v for k, v in manifest.rows().items() if k in before} == before
    assert backup.manifest_path(copy).exists()
    assert not list(copy.parent.glob(".*partial"))

    # restore into a fresh, empty location
    target_url = f"sqlite:///{tmp_path / 'restored' / 'new.db'}"
    restored, safety = backup.restore_sqlite(copy, url=target_url)
    assert safety is None
    target = make_engine(target_url)
    try:
        assert _counts(target) == before
    finally:
        target.dispose()
    # restore_sqlite has already compared every table's checksum with the manifest; the
    # copy on disk says the same, independently of the manifest file.
    restored_prints = snapshot.fingerprints(tmp_path / "restored" / "new.db")
    assert restored.tables == {name: {"rows": fp.rows, "sha256": fp.sha256} for name, fp in restored_prints.items()}


def _writer(engine: Engine, targets: Targets, stop: threading.Event, per_run: int, done: list[int]) -> None:
    rng = random.Random(7)
    rules = DailyRules.from_targets(targets)
    day = dt.date(2027, 1, 1)
    while not stop.is_set():
        frame = canonical(targets, make_readings(targets, first_day=day, days=1, subdistricts=["德胜"], rng=rng))
        assert len(frame) == per_run
        run_id = start_run(engine, RunInfo(kind="ingest", source="writer.csv", user="test"))
        with engine.begin() as conn:
            write_readings(conn, run_id, frame, source="writer", rules=rules)
        done.append(run_id)
        day += dt.timedelta(days=1)


@pytest.fixture
def small_db(make_db, targets: Targets) -> Engine:  # type: ignore[no-untyped-def]
    """A migrated database with two small runs (3 days × 15 subdistricts × 2 pollutants)."""
    engine = make_db()
    rules = DailyRules.from_targets(targets)
    for first in (dt.date(2026, 1, 1), dt.date(2026, 2, 1)):
        frame = canonical(targets, make_readings(targets, first_day=first, pollutants=("pm25", "o3")))
        run_id = start_run(engine, RunInfo(kind="ingest", source=f"{first}.csv", user="test"))
        with engine.begin() as conn:
            write_readings(conn, run_id, frame, source="cli", rules=rules)
    return engine


@sqlite_only
def test_backup_while_writing_holds_whole_transactions_only(small_db: Engine, targets: Targets, tmp_path: Path) -> None:
    url = small_db.url.render_as_string(hide_password=False)
    stop, done = threading.Event(), []
    thread = threading.Thread(target=_writer, args=(small_db, targets, stop, 24, done))
    thread.start()
    try:
        while len(done) < 2:
            stop.wait(0.05)
        copy, manifest = backup.backup_sqlite(tmp_path / "during.db", url=url)
        written_at_backup = len(done)
        while len(done) < written_at_backup + 2:  # the writer went on during and after the copy
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join()
    assert len(done) >= 2
    assert manifest.integrity == "ok"
    with sqlite3.connect(copy) as conn:
        per_run = dict(conn.execute("SELECT run_id, COUNT(*) FROM readings WHERE source = 'writer' GROUP BY run_id"))
    # every transaction the copy holds, it holds whole: 24 hours of one subdistrict each
    assert per_run and set(per_run.values()) == {24}
    assert set(per_run) <= set(done)
    backup.verify_copy(copy)


@sqlite_only
def test_restore_refuses_to_overwrite_data_without_force(small_db: Engine, make_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = small_db.url.render_as_string(hide_password=False)
    copy, manifest = backup.backup_sqlite(tmp_path / "b.db", url=url)

    empty = make_db()  # only the reference tables: restoring over it needs no --force
    backup.restore_sqlite(copy, url=empty.url.render_as_string(hide_password=False))
    assert snapshot.fingerprints(_live(empty)) == snapshot.fingerprints(copy)

    other = make_db()
    start_run(other, RunInfo(kind="ingest", source="other.csv", user="test"))  # now it holds data
    other_url = other.url.render_as_string(hide_password=False)
    other_before = snapshot.fingerprints(_live(other))
    with pytest.raises(InputError, match="--force"):
        backup.restore_sqlite(copy, url=other_url)
    assert snapshot.fingerprints(_live(other)) == other_before

    _, safety = backup.restore_sqlite(copy, url=other_url, force=True)
    assert safety is not None and safety.exists()
    assert snapshot.fingerprints(safety) == other_before  # the replaced database is kept
    assert _counts(other)["readings"] == manifest.rows()["readings"] > 0
    # the app's open engine sees the restored content (pages were written in place)
    with other.connect() as conn:
        sources = {r[0] for r in conn.exec_driver_sql("SELECT source FROM ingestion_runs")}
    assert sources == {"2026-01-01.csv", "2026-02-01.csv"}


@sqlite_only
def test_a_damaged_copy_is_refused_and_nothing_is_touched(small_db: Engine, tmp_path: Path) -> None:
    url = small_db.url.render_as_string(hide_password=False)
    copy, manifest = backup.backup_sqlite(tmp_path / "b.db", url=url)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    target = tmp_path / "target.db"
    with pytest.raises(InputError, match="checksum"):
        backup.restore_sqlite(copy, url=f"sqlite:///{target}")
    assert not target.exists()

    backup.manifest_path(copy).unlink()
    with pytest.raises(InputError, match="no manifest"):
        backup.verify_copy(copy)


@sqlite_only
def test_backup_refuses_to_overwrite_an_existing_file(small_db: Engine, tmp_path: Path) -> None:
    url = small_db.url.render_as_string(hide_password=False)
    dest = tmp_path / "b.db"
    dest.write_bytes(b"precious")
    with pytest.raises(InputError, match="already exists"):
        backup.backup_sqlite(dest, url=url)
    assert dest.read_bytes() == b"precious"


@sqlite_only
def test_backup_and_restore_commands(small_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", small_db.url.render_as_string(hide_password=False))
    dest = tmp_path / "cli.db"
    assert main(["backup", str(dest)]) == 0
    out = capsys.readouterr().out
    assert "integrity ok" in out and "manifest:" in out
    assert main(["backup", str(dest)]) == 1  # exists
    assert "already exists" in capsys.readouterr().err

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    assert main(["restore", str(dest)]) == 0
    assert "checksums match the manifest" in capsys.readouterr().out
    assert main(["restore", str(dest)]) == 1  # now it holds data
    assert main(["restore", str(dest), "--force"]) == 0
    assert "kept in" in capsys.readouterr().out


def test_postgres_backup_never_shows_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 (discard) on loopback: nothing listens, so pg_dump (if installed) fails fast.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://monitor:s3cret-pw@127.0.0.1:9/air")
    code = main(["backup", str(tmp_path / "pg.dump")])
    captured = capsys.readouterr()
    assert "s3cret-pw" not in captured.out + captured.err
    assert code in (0, 1)
    if code == 0:  # pg_dump absent: instructions printed
        assert "pg_dump --format=custom" in captured.out
    else:
        assert captured.err.startswith("error: pg_dump failed")


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL or shutil.which("pg_dump") is None, reason="needs TEST_DATABASE_URL and pg_dump")
def test_postgres_round_trip_with_pg_dump(make_db, targets: Targets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    rules = DailyRules.from_targets(targets)
    frame = canonical(targets, make_readings(targets, pollutants=("pm25", "o3")))
    run_id = start_run(engine, RunInfo(kind="ingest", source="pg.csv", user="test"))
    with engine.begin() as conn:
        write_readings(conn, run_id, frame, source="cli", rules=rules)
    before = _counts(engine)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    dump = tmp_path / "pg.dump"
    assert main(["backup", str(dump)]) == 0 and dump.stat().st_size > 0
    with engine.begin() as conn:
        conn.execute(readings.delete())
    assert _counts(engine)["readings"] == 0
    assert main(["restore", str(dump)]) == 1  # refuses without --force
    assert main(["restore", str(dump), "--force"]) == 0
    assert _counts(engine) == before
