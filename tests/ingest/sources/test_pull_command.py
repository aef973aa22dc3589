"""``python -m monitoring pull`` and ``schedule`` as an operator runs them (in-process
``main``, real database file, real local server, sources.yaml from MONITOR_SOURCES)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from monitoring.cli import main
from monitoring.commands.pull import parse_when
from monitoring.commands.schedule import next_start, parse_duration, run_schedule
from tests.ingest.sources.conftest import cnemc_hour, runs, stored
from tests.ingest.sources.server import Reply, ScriptedServer

HOURS = [dt.datetime(2026, 1, 5, 10) + dt.timedelta(hours=i) for i in range(3)]
FAST = """
defaults:
  timeout: {connect: 2, read: 2}
  retries: {total: 1, backoff_factor: 0.01, backoff_max: 0.05, retry_after_max: 1}
"""


@pytest.fixture
def setup(
    server: ScriptedServer, make_db: Callable[..., Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    engine = make_db()
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "version: 1\n" + FAST + "sources:\n"
        f"  - {{name: cnemc-test, kind: cnemc-hourly, url: '{server.url}/c/{{timepoint:%Y%m%d%H}}.csv'}}\n"
        f"  - {{name: broken, kind: cnemc-hourly, url: '{server.url}/broken/{{timepoint:%Y%m%d%H}}.csv'}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MONITOR_SOURCES", str(sources))
    for label in HOURS:
        server.route(f"/c/{label:%Y%m%d%H}.csv", Reply(body=cnemc_hour(label)))
        server.route(f"/broken/{label:%Y%m%d%H}.csv", Reply(status=502, body="bad gateway", content_type="text/plain"))
    return engine


def test_pull_prints_one_line_and_stores(setup: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["pull", "cnemc-test", "--from", "2026-01-05 10:00", "--to", "2026-01-05 12:00"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.count("\n") == 1
    assert out.startswith("cnemc-test: succeeded; 2026-01-05 10:00 … 2026-01-05 12:00; 3 request(s); rows 36: accepted 36")
    assert "100.0%" in err  # progress on stderr
    assert len(stored(setup, "cnemc-test")) == 36


def test_pull_json_and_then_up_to_date(setup: Engine, server: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pull", "cnemc-test", "--from", "2026-01-05", "--to", "2026-01-05 11:00", "--format", "json", "--quiet"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    # --from a day means its 01:00; 01:00–09:00 are not published (404) on this server
    assert (doc["from"], doc["to"], doc["status"], doc["accepted"]) == ("2026-01-05 01:00", "2026-01-05 11:00", "succeeded", 24)
    assert len(doc["not_published"]) == 9 and err == ""
    # the hours not published are asked for again (within lookback_hours) and stored once published
    for hour in range(1, 10):
        label = dt.datetime(2026, 1, 5, hour)
        server.route(f"/c/{label:%Y%m%d%H}.csv", Reply(body=cnemc_hour(label)))
    assert main(["pull", "cnemc-test", "--to", "2026-01-05 11:00", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith(
        "cnemc-test: succeeded; 2026-01-05 01:00 … 2026-01-05 11:00; 11 request(s); rows 132: accepted 108, duplicates 24")
    assert main(["pull", "cnemc-test", "--to", "2026-01-05 11:00", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("cnemc-test: up to date")


def test_a_failed_pull_exits_1_with_one_line(setup: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["pull", "broken", "--from", "2026-01-05 10:00", "--to", "2026-01-05 12:00", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: source broken: GET http://127.0.0.1:")
    assert "HTTP 502 Bad Gateway after 2 attempts (run 1 recorded as failed; nothing was stored)" in err
    assert [r["status"] for r in runs(setup, "broken")] == ["failed"]
    assert stored(setup) == []


def test_an_unknown_source_exits_1(setup: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pull", "nope"]) == 1
    assert "unknown source 'nope' (sources.yaml lists: cnemc-test, broken)" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--from", "yesterday"], ["--from", "2026-01-05 13:30"], ["--from", "2026-01-06", "--to", "2026-01-05"]])
def test_wrong_dates_are_usage_errors(setup: Engine, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        code = main(["pull", "cnemc-test", *argv])
        raise SystemExit(code)
    assert caught.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_dates_mean_hour_ending_labels() -> None:
    assert parse_when("2026-01-05", end=False) == dt.datetime(2026, 1, 5, 1)
    assert parse_when("2026-01-05", end=True) == dt.datetime(2026, 1, 6, 0)
    assert parse_when("2026/1/5 13:00", end=False) == dt.datetime(2026, 1, 5, 13)
    assert parse_when("2026-01-05T24:00", end=True) == dt.datetime(2026, 1, 6, 0)


def test_schedule_one_round_for_cron(setup: Engine, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    # the pull's default window ends at the last hour that has ended; pin it to the served hours
    from monitoring.ingest.sources import run as run_module

    caplog.set_level(logging.INFO, logger="monitoring.schedule")
    monkeypatch.setattr(run_module.timeutil, "now_beijing", lambda: dt.datetime(2026, 1, 5, 12, 25))
    monkeypatch.setattr(run_module, "FIRST_PULL", dt.timedelta(hours=3))
    assert main(["schedule", "cnemc-test", "--rounds", "1"]) == 0
    assert len(stored(setup, "cnemc-test")) == 36
    assert main(["schedule", "--rounds", "1"]) == 1  # every source: `broken` fails, the round goes on
    err = caplog.text
    assert "cnemc-test: up to date" in err and "HTTP 502" in err and "1 succeeded, 1 failed" in err


def test_the_schedule_loop_keeps_time_and_stops() -> None:
    stop = threading.Event()
    calls: list[float] = []

    def fake_round(names: list[str]) -> tuple[int, int]:
        calls.append(time.monotonic())
        if len(calls) == 3:
            stop.set()  # as SIGTERM would, between pulls
        return 1, 0

    failed = run_schedule(["x"], every=dt.timedelta(seconds=1), delay=dt.timedelta(0), rounds=0, stop=stop, do_round=fake_round)
    assert failed == 0 and len(calls) == 3
    assert 0.2 < calls[2] - calls[1] <= 1.2  # rounds on the wall-clock second


def test_next_start_is_on_the_timetable() -> None:
    hour, twenty = dt.timedelta(hours=1), dt.timedelta(minutes=20)
    assert next_start(dt.datetime(2026, 1, 5, 13, 5), hour, twenty) == dt.datetime(2026, 1, 5, 13, 20)
    assert next_start(dt.datetime(2026, 1, 5, 13, 20), hour, twenty) == dt.datetime(2026, 1, 5, 14, 20)
    assert next_start(dt.datetime(2026, 1, 5, 23, 50), hour, twenty) == dt.datetime(2026, 1, 6, 0, 20)
    assert next_start(dt.datetime(2026, 1, 5, 13, 5), dt.timedelta(minutes=15), dt.timedelta(0)) == dt.datetime(2026, 1, 5, 13, 15)
    assert parse_duration("2h30m") == dt.timedelta(hours=2, minutes=30)
    with pytest.raises(Exception, match="not a duration"):
        parse_duration("soon")


def test_schedule_runs_in_the_foreground_until_sigterm(setup: Engine, server: ScriptedServer) -> None:
    import os
    import signal
    import subprocess
    import sys

    from monitoring import config

    proc = subprocess.Popen(
        [sys.executable, "-m", "monitoring", "schedule", "cnemc-test", "--every", "1h"],
        cwd=config.PROJECT_ROOT,
        env=dict(os.environ),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "next round at" in line:
                break
        assert any("cnemc-test: succeeded" in line for line in lines), "".join(lines)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0  # a liveness check, not a speed one: generous under load
        assert "stopping after the current pull" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert [r["status"] for r in runs(setup, "cnemc-test")] == ["succeeded"]
