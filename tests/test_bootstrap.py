"""init: migrations from empty, idempotent, loads the embedded data once, clear errors."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select

from monitoring.bootstrap import init_database
from monitoring.config import PROJECT_ROOT
from monitoring.errors import StorageError
from monitoring.storage import migrate
from monitoring.storage.engine import make_engine
from monitoring.storage.schema import daily_means, ingestion_runs, readings, road_dust, stations, subdistricts
from monitoring.targets import Targets, subdistrict_id
from tests.cli import run_cli
from tests.conftest import DEMO_NOW


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (subdistricts, stations, readings, daily_means, road_dust, ingestion_runs)
        }


def test_migrations_build_every_table_from_empty(make_db) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    assert migrate.current_revision(engine) == migrate.head_revision()
    names = set(inspect(engine).get_table_names())
    assert {"subdistricts", "stations", "readings", "daily_means", "road_dust", "ingestion_runs",
            "rejected_rows", "reading_revisions", "exceptional_events", "alembic_version"} <= names


def test_schema_revision_is_alembics_head() -> None:
    # commands check a database against SCHEMA_REVISION without importing Alembic:
    # a new migration must move it too.
    assert migrate.head_revision() == migrate.SCHEMA_REVISION


def test_current_revision_of_an_empty_database_is_none(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from monitoring.storage.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert migrate.current_revision(engine) is None
    assert not migrate.is_current(engine)


def test_reference_tables_follow_targets(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    with engine.connect() as conn:
        rows = conn.execute(select(subdistricts.c.id, subdistricts.c.code, subdistricts.c.short_name)).all()
        st = {r.code: r.subdistrict_id for r in conn.execute(select(stations))}
    assert len(rows) == 15
    assert all(r.id == subdistrict_id(r.code) for r in rows)
    assert st["1001A"] == subdistrict_id(targets.subdistrict("白纸坊").code)


def test_init_loads_history_and_demo_once_and_twice_changes_nothing(seeded_db: Engine, targets: Targets) -> None:
    before = _counts(seeded_db)
    assert before["readings"] > 1_000_000  # 410k real hours + ~690k demo hours
    assert before["road_dust"] > 0
    report = init_database(seeded_db, targets, with_demo=True, now=DEMO_NOW)
    assert report.loaded == {}
    assert report.revision_before == report.revision_after
    assert _counts(seeded_db) == before


def test_embedded_history_daily_means_follow_the_hour_ending_rule(seeded_db: Engine, targets: Targets) -> None:
    # 官园 (1006A, 展览路) 2014-01-01: the day is the labels 01:00 … 2014-01-02 00:00.
    import pandas as pd

    raw = pd.read_csv(PROJECT_ROOT / "data" / "uci" / "PRSA_Data_Guanyuan_20130301-20170228.csv")
    label = pd.to_datetime(raw[["year", "month", "day", "hour"]])
    in_day = (label > "2014-01-01 00:00") & (label <= "2014-01-02 00:00")
    expected = raw.loc[in_day, "PM2.5"].dropna()
    sid = subdistrict_id(targets.subdistrict("展览路").code)
    with seeded_db.connect() as conn:
        row = conn.execute(
            select(daily_means.c.mean, daily_means.c.n_hours).where(
                daily_means.c.subdistrict_id == sid, daily_means.c.pollutant == "pm25", daily_means.c.day == dt.date(2014, 1, 1)
            )
        ).one()
    assert row.n_hours == len(expected)
    assert row.mean == pytest.approx(expected.mean())


def test_demo_rows_are_labelled(seeded_db: Engine) -> None:
    with seeded_db.connect() as conn:
        sources = dict(conn.execute(select(readings.c.source, func.count()).group_by(readings.c.source)).all())
        demo_days = conn.execute(select(func.count()).where(daily_means.c.demo.is_(True))).scalar_one()
    assert set(sources) == {"uci-prsa", "demo"}
    assert demo_days > 0


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=env)


def test_cli_init_twice(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "MONITOR_LOAD_DEMO": "0"}
    first = _cli("init", "--no-data", env=env)
    assert first.returncode == 0, first.stderr
    assert "migrated empty -> " in first.stdout
    second = _cli("init", "--no-data", env=env)
    assert second.returncode == 0
    assert "nothing to migrate" in second.stdout


def test_cli_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = _cli("init", env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot open the database" in result.stderr


def test_cli_bad_url_is_one_line() -> None:
    result = _cli("init", env={"DATABASE_URL": "not a url"})
    assert result.returncode == 1
    assert "is not a database URL" in result.stderr and "Traceback" not in result.stderr


def test_cli_broken_targets_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "targets.yaml"
    bad.write_text((PROJECT_ROOT / "targets.yaml").read_text(encoding="utf-8").replace("year: 2026", "yeer: 2026"), encoding="utf-8")
    result = _cli("init", env={"MONITOR_TARGETS": str(bad), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: targets.yaml: ")
    assert result.stderr.count("\n") == 1


def test_unwritable_location_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot be created"):
        make_engine(f"sqlite:///{blocker / 'sub' / 'db.sqlite'}")
