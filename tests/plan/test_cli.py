"""The command line of INTERFACES.md: `indicators` and `tasks`, JSON shape, exit codes, audit."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from monitoring import plan
from monitoring.storage import migrate
from monitoring.targets import Targets
from tests.cli import run_cli


def cli(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env={"DATABASE_URL": engine.url.render_as_string(hide_password=False), "MONITOR_LOAD_DEMO": "0"})


@pytest.fixture
def db(make_db: Callable[..., Engine]) -> Engine:
    return make_db()


def test_tasks_json_one_object_per_measure(db: Engine) -> None:
    out = cli(db, "tasks", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 179
    for field in ("annex", "task_no", "task", "measure", "deadline", "lead_units", "support_units", "status"):
        assert field in rows[0]
    assert isinstance(rows[0]["lead_units"], list) and rows[0]["status"] == "unreported"
    annex2 = json.loads(cli(db, "tasks", "--annex", "2", "--format", "json").stdout)
    assert len(annex2) == 58 and {r["annex"] for r in annex2} == {2}
    unit = json.loads(cli(db, "tasks", "--unit", "区经促局", "--format", "json").stdout)
    assert unit and all("区经济促进局" in r["lead_units"] + r["support_units"] for r in unit)


def test_tasks_set_is_audited_and_filters_by_status(db: Engine) -> None:
    out = cli(db, "tasks", "set", "2-05-1", "进行中", "--note", "已启动", "--date", "2026-03-02")
    assert out.returncode == 0, out.stderr
    rows = json.loads(cli(db, "tasks", "--status", "in_progress", "--format", "json").stdout)
    assert [(r["measure_id"], r["note"], r["status_day"]) for r in rows] == [("2-05-1", "已启动", "2026-03-02")]
    assert rows[0]["set_by"].startswith("cli:")
    bad = cli(db, "tasks", "set", "2-05-1", "finished")
    assert bad.returncode == 1 and "unknown status" in bad.stderr and "Traceback" not in bad.stderr
    assert len(plan.task_history(db)) == 1
    assert cli(db, "tasks", "--status", "whatever").returncode == 1


def test_indicators_json_and_entering(db: Engine, targets: Targets, tmp_path: Path) -> None:
    out = cli(db, "indicators", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == len(targets.indicators)
    for field in ("key", "value", "target", "direction", "gap", "status", "source"):
        assert field in rows[0]
    assert cli(db, "indicators", "set", "truck_nev_share", "2026-06-30", "28%", "--note", "交通委").returncode == 0
    for args, words in (
        (("indicators", "set", "no_such", "2026-06-30", "1"), "unknown indicator"),
        (("indicators", "set", "truck_nev_share", "2026-06-30", "28家"), "measured in '%'"),
        (("indicators", "set", "truck_nev_share", "2025-06-30", "28"), "outside 2026"),
    ):
        bad = cli(db, *args)
        assert bad.returncode == 1 and words in bad.stderr and bad.stderr.count("\n") == 1, bad.stderr
    csv_file = tmp_path / "values.csv"
    csv_file.write_text("indicator,date,value,note\nrestaurant_upgrades,2026-09-30,12,商务局\n", encoding="utf-8")
    assert cli(db, "indicators", "import", str(csv_file)).returncode == 0
    rows = {r["key"]: r for r in json.loads(cli(db, "indicators", "--format", "json", "--as-of", "2026-10-01").stdout)}
    assert rows["truck_nev_share"]["value"] == 28 and rows["truck_nev_share"]["gap"] == -7
    assert rows["restaurant_upgrades"]["value"] == 12 and rows["restaurant_upgrades"]["status"] == "exceeds"
    assert len(plan.indicator_history(db, targets)) == 2


def test_migration_0002_upgrades_and_downgrades(db: Engine) -> None:
    assert migrate.current_revision(db) == migrate.head_revision()
    from alembic import command

    cfg = migrate.alembic_config()
    with db.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert migrate.current_revision(db) == "0001"
    migrate.upgrade(db)
    assert plan.task_history(db).empty
