"""Issue 13, item 1: four ingests of overlapping files at once, into one real database.

Four real ``python -m monitoring ingest`` processes start together on files that share
keys (some with a different value). Each writer must decide "new, duplicate or conflict"
on the store as it is when it writes (it holds the write lock first), so: every process
exits 0 without a traceback, each run's rows are accounted for, the store holds exactly
the union of the four files' keys, every stored value is one a file gave for its key,
the runs' ``accepted`` add up to the stored rows, and the daily means equal a
recomputation from the stored readings. Runs on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from monitoring import config
from monitoring.actors import Actor
from monitoring.ingest.pipeline import IngestResult, ingest_file
from monitoring.storage import writes
from monitoring.storage.daily_refresh import DailyRules, refresh_daily_means
from monitoring.storage.engine import make_engine
from monitoring.storage.schema import daily_means, ingestion_runs, readings
from monitoring.targets import Targets
from tests.factories import canonical, make_readings

ROOT = config.PROJECT_ROOT
WRITERS = 4
KEY = ["subdistrict_id", "pollutant", "ts"]


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=url, MONITOR_LOAD_DEMO="0", PYTHONPATH=str(ROOT))
    return env


def overlapping_files(targets: Targets, folder: Path, seed: int) -> list[pd.DataFrame]:
    """Four long-form files over the same 20 days: each holds a random 70 % of a common
    set of rows; files 2 and 3 give a different value for 5 % of theirs."""
    rng = random.Random(seed)
    names = [sd.short_name for sd in targets.subdistricts][:6]
    base = make_readings(targets, first_day=dt.date(2026, 3, 1), days=20, pollutants=("pm25", "pm10", "o3"),
                         subdistricts=names, rng=rng)
    files = []
    for i in range(WRITERS):
        keep = [rng.random() < 0.7 for _ in range(len(base))]
        part = base.loc[keep].copy()
        if i >= 2:
            changed = [rng.random() < 0.05 for _ in range(len(part))]
            part.loc[changed, "value"] = part.loc[changed, "value"] + 1.0 + i
        part.to_csv(folder / f"writer{i}.csv", index=False)
        files.append(part)
    return files


def _stored(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(readings.c.subdistrict_id, readings.c.pollutant, readings.c.ts, readings.c.value,
                                   readings.c.run_id)).all()
    return pd.DataFrame(rows, columns=[*KEY, "value", "run_id"])


def _daily(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(daily_means.c.subdistrict_id, daily_means.c.pollutant, daily_means.c.day,
                                   daily_means.c.mean, daily_means.c.n_hours, daily_means.c.max8h)).all()
    frame = pd.DataFrame(rows, columns=["subdistrict_id", "pollutant", "day", "mean", "n_hours", "max8h"])
    frame["day"] = frame["day"].astype(str)
    return frame.sort_values(["subdistrict_id", "pollutant", "day"], ignore_index=True)


def check_union(engine: Engine, targets: Targets, files: list[pd.DataFrame], run_ids: list[int]) -> None:
    """The store equals the union of the files, and the runs account for every row."""
    candidates = pd.concat([canonical(targets, f) for f in files], ignore_index=True)
    stored = _stored(engine)
    union = candidates.drop_duplicates(KEY)
    assert len(stored) == len(union), "every key of every file is stored once"
    merged = stored.merge(candidates[[*KEY, "value"]], on=KEY, suffixes=("", "_file"))
    merged["given"] = (merged["value"] - merged["value_file"]).abs() < 1e-9
    assert merged.groupby(KEY)["given"].any().all(), "each stored value is one a file gave for its key"

    with engine.connect() as conn:
        runs = conn.execute(select(ingestion_runs).where(ingestion_runs.c.id.in_(run_ids))).all()
    assert len(runs) == len(files)
    assert all(r.status == "succeeded" for r in runs), [(r.id, r.status, r.message) for r in runs]
    assert sum(r.accepted for r in runs) == len(stored), "accepted rows add up to the stored rows"
    for r in runs:
        assert r.accepted + r.duplicates + r.conflicts == r.rows, r.message
    per_run = stored.groupby("run_id").size().to_dict()
    assert {int(r.id): r.accepted for r in runs if r.accepted} == {int(k): int(v) for k, v in per_run.items()}
    assert sum(r.rows for r in runs) == sum(len(f) for f in files)

    # the daily means the writers kept equal a recomputation from what is stored
    kept = _daily(engine)
    with engine.begin() as conn:
        refresh_daily_means(conn, stored[KEY], DailyRules.from_targets(targets))
    again = _daily(engine)
    pd.testing.assert_frame_equal(kept, again, check_exact=False, rtol=0, atol=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_four_concurrent_ingests_of_overlapping_files_store_the_union(
    seed: int, make_db, targets: Targets, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    engine = make_db()
    url = engine.url.render_as_string(hide_password=False)
    files = overlapping_files(targets, tmp_path, seed)
    procs = [
        subprocess.Popen([sys.executable, "-m", "monitoring", "ingest", str(tmp_path / f"writer{i}.csv")], cwd=ROOT,
                         env=_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(WRITERS)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert "Traceback" not in err, err
        assert p.returncode == 0, err
        assert "stored" in out
    with engine.connect() as conn:
        run_ids = [int(i) for i in conn.execute(select(ingestion_runs.c.id).where(ingestion_runs.c.kind == "ingest")).scalars()]
    check_union(engine, targets, files, run_ids)


def test_a_writer_committing_between_another_writers_reads_and_its_insert_is_seen(
    make_db, targets: Targets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    """The race made certain: writer A has read "what is stored in these days?"; writer B
    then runs whole (or tries to: with A holding the write lock it must wait). A must not
    insert keys B committed meanwhile (the UNIQUE failure of the attack)."""
    engine = make_db()
    url = engine.url.render_as_string(hide_password=False)
    files = overlapping_files(targets, tmp_path, seed=3)[:2]
    analyst = Actor("race-test", "analyst")
    read_first = writes._occupied
    b_done = threading.Event()
    outcome: dict[str, IngestResult | BaseException] = {}

    def writer_b() -> None:
        other = make_engine(url)
        try:
            outcome["b"] = ingest_file(other, tmp_path / "writer1.csv", name="writer1.csv", targets=targets, actor=analyst)
        except BaseException as exc:
            outcome["b"] = exc
        finally:
            other.dispose()
            b_done.set()

    def a_reads_then_waits(conn, spans):  # type: ignore[no-untyped-def]
        found = read_first(conn, spans)
        if threading.current_thread() is threading.main_thread() and "b" not in outcome and not b_done.is_set():
            threading.Thread(target=writer_b).start()
            # B runs to its end, unless A's write lock makes it wait: then A goes on after 3 s
            b_done.wait(timeout=3)
        return found

    monkeypatch.setattr(writes, "_occupied", a_reads_then_waits)
    a = ingest_file(engine, tmp_path / "writer0.csv", name="writer0.csv", targets=targets, actor=analyst)
    assert b_done.wait(timeout=120)
    b = outcome["b"]
    assert isinstance(b, IngestResult), b
    assert a.status == b.status == "succeeded"
    assert a.counts.accepted + b.counts.accepted == len(_stored(engine))
    assert min(a.counts.accepted, b.counts.accepted) < max(len(f) for f in files), "the second writer found the first one's rows"
    check_union(engine, targets, files, [a.run_id or 0, b.run_id or 0])


#: ``python -m monitoring ingest FILE`` with a short busy timeout (the real one is 30 s).
SHORT_TIMEOUT_INGEST = """
import sys
from monitoring.storage import engine
engine.SQLITE_BUSY_TIMEOUT_MS = 300
from monitoring.cli import main
sys.exit(main(["ingest", sys.argv[1]]))
"""


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="holds SQLite's write lock from a raw connection")
def test_a_writer_holding_the_lock_too_long_is_one_line_on_the_cli_and_one_chinese_message(
    make_db, targets: Targets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    import sqlite3

    from monitoring.errors import StorageError

    engine = make_db()
    url = engine.url.render_as_string(hide_password=False)
    overlapping_files(targets, tmp_path, seed=4)
    path = tmp_path / "writer0.csv"
    holder = sqlite3.connect(str(engine.url.database), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, busy for longer than the timeout
        done = subprocess.run([sys.executable, "-c", SHORT_TIMEOUT_INGEST, str(path)], cwd=ROOT, env=_env(url),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith("error: ") and "busy" in done.stderr

        # the page: a MonitorError with a Chinese message (ctx.show_error draws it), the
        # preview still works (it only reads)
        monkeypatch.setattr("monitoring.storage.engine.SQLITE_BUSY_TIMEOUT_MS", 300)
        page_engine = make_engine(url)
        analyst = Actor("page", "analyst")
        preview = ingest_file(page_engine, path, name=path.name, targets=targets, actor=analyst, dry_run=True)
        assert preview.status == "dry_run" and preview.counts.accepted > 0
        with pytest.raises(StorageError) as busy:
            ingest_file(page_engine, path, name=path.name, targets=targets, actor=analyst, run_kind="upload")
        assert "\n" not in str(busy.value) and "数据库被其他写入长时间占用" in busy.value.message_zh
        page_engine.dispose()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _stored(engine).empty, "nothing was stored"
