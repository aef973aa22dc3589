"""``python -m monitoring ingest``, ``runs`` and ``remove-demo`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select

from monitoring.storage.schema import readings
from monitoring.targets import Targets
from tests.cli import run_cli
from tests.factories import make_readings

ROOT = Path(__file__).resolve().parents[2]


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env={"DATABASE_URL": url})


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(readings)).scalar_one())


def test_ingest_text_json_strict_and_runs(make_db, targets: Targets, tmp_path: Path) -> None:
    engine = make_db()
    url = engine.url.render_as_string(hide_password=False)
    good = tmp_path / "good.csv"
    make_readings(targets, days=1, subdistricts=["德胜"]).to_csv(good, index=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("subdistrict,time,pollutant,value\n德胜门外,2026-01-05 13:00,pm25,1\n德胜,2026-01-05 13:00,pm25,2\n", encoding="utf-8")

    done = _cli(url, "ingest", str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("good.csv: stored 24 of 24 readings rows") and "(run " in done.stdout
    assert _count(engine) == 24

    again = _cli(url, "ingest", str(good), "--format", "json")
    assert again.returncode == 0
    obj = json.loads(again.stdout)
    assert {k: obj[k] for k in ("file", "kind", "rows", "accepted", "rejected", "duplicates", "conflicts")} == {
        "file": "good.csv", "kind": "readings", "rows": 24, "accepted": 0, "rejected": 0, "duplicates": 24, "conflicts": 0
    }
    assert isinstance(obj["run_id"], int)

    strict = _cli(url, "ingest", str(bad), "--strict")
    assert strict.returncode == 1
    assert "refused (--strict)" in strict.stderr and "Traceback" not in strict.stderr
    assert _count(engine) == 24

    dry = _cli(url, "ingest", str(bad), "--dry-run", "--format", "json")
    assert dry.returncode == 0 and json.loads(dry.stdout)["run_id"] is None and _count(engine) == 24

    loose = _cli(url, "ingest", str(bad))
    assert loose.returncode == 0 and _count(engine) == 25

    missing = _cli(url, "ingest", str(tmp_path / "nope.csv"), str(good))
    assert missing.returncode == 1 and "no such file" in missing.stderr and "good.csv" in missing.stdout

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    refused = _cli(url, "ingest", str(empty))
    assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0 and "empty" in refused.stderr

    listing = _cli(url, "runs", "list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert "sha256" in lines[0] and any("bad.csv" in line and "refused" in line for line in lines)
    runs = json.loads(_cli(url, "runs", "--format", "json").stdout)
    loose_id = next(r["id"] for r in runs if r["source"] == "bad.csv" and r["status"] == "succeeded")
    shown = _cli(url, "runs", "show", str(loose_id))
    assert shown.returncode == 0
    assert 'line 2: unknown subdistrict "德胜门外"' in shown.stdout and "sha256:" in shown.stdout
    assert _cli(url, "runs", "show", "99999").returncode == 1
    assert _cli(url, "runs", "show").returncode == 2


def test_remove_demo(seeded_db: Engine) -> None:
    engine = seeded_db
    url = engine.url.render_as_string(hide_password=False)
    before = _count(engine)
    done = _cli(url, "remove-demo")
    assert done.returncode == 0 and "removed the demo data" in done.stdout
    after = _count(engine)
    assert 0 < after < before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(readings).where(readings.c.source == "demo")).scalar_one() == 0
    assert "no demo data" in _cli(url, "remove-demo").stdout


def test_the_command_line_starts_without_its_heavy_dependencies() -> None:
    # every command module is imported to build the parser: each imports pandas,
    # sqlalchemy, pydantic … inside run(), or every start-up pays ~0.35 s for all of them.
    code = (
        "import sys; from monitoring.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('pandas', 'numpy', 'sqlalchemy', 'pydantic', 'yaml', 'plotly', 'requests', "
        "'monitoring.ingest', 'monitoring.targets', 'monitoring.reports') if m in sys.modules))"
    )
    assert _fresh_python(code).strip() == "[]"


def test_a_command_imports_only_its_own_module() -> None:
    # issue 15: start-up is part of every ingest's measured CPU; the other commands'
    # modules are imported only for --help or a command that is not known
    code = (
        "import sys; from monitoring.cli import build_parser; "
        "build_parser(['ingest', 'x.csv']).parse_args(['ingest', 'x.csv']); "
        "print(sorted(m for m in sys.modules if m.startswith('monitoring.commands.'))); "
        "build_parser(['remove_demo']); print(len([m for m in sys.modules if m.startswith('monitoring.commands.')]) > 10)"
    )
    assert _fresh_python(code).split("\n")[:2] == ["['monitoring.commands.ingest']", "True"]


def _fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter: what it imports is not hidden by this process's imports."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    return out.stdout


# -- issue 13, item 2: runs not finished ---------------------------------------------------------


def unfinished_runs(engine: Engine) -> dict[str, int]:
    """A run running now, one killed two hours ago (still ``running``), and one that init
    marked interrupted; beside a finished one. Their ids by name."""
    import datetime as dt

    from sqlalchemy import update

    from monitoring.storage.run_records import RunInfo, mark_interrupted_runs, start_run
    from monitoring.storage.schema import ingestion_runs
    from tests.factories import make_run

    done = make_run(engine, "done.csv", "succeeded", kind="ingest", accepted=3)
    killed = start_run(engine, RunInfo(kind="ingest", source="killed.csv", user="tester"))
    marked = start_run(engine, RunInfo(kind="upload", source="marked.csv", user="tester"))
    two_hours_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    with engine.begin() as conn:
        conn.execute(update(ingestion_runs).where(ingestion_runs.c.id.in_([killed, marked])).values(started_at=two_hours_ago))
        conn.execute(update(ingestion_runs).where(ingestion_runs.c.id == killed).values(status="running"))
    with engine.begin() as conn:
        mark_interrupted_runs(conn)  # marks both; put the killed one back, as if init had not run yet
        conn.execute(update(ingestion_runs).where(ingestion_runs.c.id == killed).values(status="running", finished_at=None,
                                                                                        message=""))
    running = start_run(engine, RunInfo(kind="pull", source="running-now", user="tester"))
    return {"done": done, "killed": killed, "marked": marked, "running": running}


def test_runs_list_and_show_with_a_running_and_a_killed_run(make_db) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    url = engine.url.render_as_string(hide_password=False)
    ids = unfinished_runs(engine)

    listing = _cli(url, "runs", "list")
    assert listing.returncode == 0 and "Traceback" not in listing.stderr, listing.stderr
    lines = {int(line.split()[0]): line for line in listing.stdout.splitlines()[1:]}
    assert " running " in lines[ids["running"]] and " interrupted " in lines[ids["killed"]]
    assert " interrupted " in lines[ids["marked"]] and " succeeded " in lines[ids["done"]]

    records = {r["id"]: r for r in json.loads(_cli(url, "runs", "list", "--format", "json").stdout)}
    assert records[ids["running"]]["finished_at"] == "" and records[ids["running"]]["status"] == "running"
    assert records[ids["killed"]]["finished_at"] == "" and records[ids["killed"]]["status"] == "interrupted"
    assert records[ids["marked"]]["finished_at"] == "" and records[ids["marked"]]["status"] == "interrupted"
    assert records[ids["marked"]]["message"].startswith("interrupted") and records[ids["done"]]["finished_at"] != ""

    for name in ("running", "killed", "marked"):
        shown = _cli(url, "runs", "show", str(ids[name]))
        assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
        assert "finished: \n" in shown.stdout or shown.stdout.rstrip().endswith("finished:")
        shown_json = json.loads(_cli(url, "runs", "show", str(ids[name]), "--format", "json").stdout)
        assert shown_json["finished_at"] == ""
