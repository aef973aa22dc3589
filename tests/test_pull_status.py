"""The scheduled-pulls status (monitoring.pull_status): one line per source of sources.yaml,
read from the ingestion audit alone, on real databases with runs written by the real
writers (storage.run_records) and, at the end, by real pulls from a local HTTP server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from monitoring import timeutil
from monitoring.ingest.sources.config import AnySource, CnemcSource, HttpSettings, Retries, Timeouts, load_sources
from monitoring.ingest.sources.run import PullFailed, pull
from monitoring.pull_status import PullStatus, configured_sources, pull_status
from monitoring.storage.audit_queries import get_run
from monitoring.storage.run_records import RunInfo, start_run
from monitoring.targets import Targets
from tests.factories import HTTP_500, PULL_SOURCES_YAML, make_run
from tests.ingest.sources.conftest import ANALYST, cnemc_hour
from tests.ingest.sources.server import Reply, ScriptedServer

T0 = dt.datetime(2026, 1, 5, 10)  # hour-ending Beijing labels


@pytest.fixture
def sources(tmp_path: Path, targets: Targets) -> tuple[AnySource, ...]:
    path = tmp_path / "sources.yaml"
    path.write_text(PULL_SOURCES_YAML, encoding="utf-8")
    return configured_sources(path, targets)


def _started(engine: Engine, run_id: int) -> dt.datetime:
    """A run's start as the panel shows it: Beijing local time, naive."""
    run = get_run(engine, run_id)
    assert run is not None
    value = run["started_at"]
    value = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return value.astimezone(timeutil.BEIJING).replace(tzinfo=None)


def _by_name(lines: list[PullStatus]) -> dict[str, PullStatus]:
    return {line.source: line for line in lines}


def test_a_source_never_pulled_says_so(make_db: Callable[..., Engine], sources: tuple[AnySource, ...]) -> None:
    engine = make_db()
    lines = pull_status(engine, sources)
    assert [(x.source, x.kind, x.configured) for x in lines] == [
        ("cnemc-test", "cnemc-hourly", True), ("bureau-csv", "csv-url", True)
    ]
    for line in lines:
        assert line.never_pulled and not line.failed
        assert line.last_status is None and line.last_started is None
        assert line.last_success_started is None and line.newest_reading is None and line.failure_reason == ""


def test_a_pull_that_failed_after_a_success_shows_the_reason_and_the_earlier_success(
    make_db: Callable[..., Engine], sources: tuple[AnySource, ...]
) -> None:
    engine = make_db()
    ok = make_run(engine, "cnemc-test", "succeeded", first=T0, last=T0 + dt.timedelta(hours=2), accepted=36)
    failed = make_run(engine, "cnemc-test", "failed", message=HTTP_500)
    line = _by_name(pull_status(engine, sources))["cnemc-test"]
    assert line.last_run_id == failed and line.last_status == "failed" and line.failed
    assert line.failure_reason == HTTP_500
    assert line.last_accepted == 0  # a failed pull stores nothing
    assert line.last_started == _started(engine, failed)
    assert line.last_success_started == _started(engine, ok)
    assert line.last_success_started <= line.last_started
    # the newest hour the successful pulls received, as its hour-ending label
    assert line.newest_reading == dt.datetime(2026, 1, 5, 12)
    assert _by_name(pull_status(engine, sources))["bureau-csv"].never_pulled


def test_a_successful_pull_is_the_last_success(make_db: Callable[..., Engine], sources: tuple[AnySource, ...]) -> None:
    engine = make_db()
    make_run(engine, "bureau-csv", "failed", message="cannot connect after 6 attempts")
    make_run(engine, "bureau-csv", "succeeded", first=T0, last=T0 + dt.timedelta(hours=5), accepted=20)
    latest = make_run(engine, "bureau-csv", "succeeded", first=T0 + dt.timedelta(hours=3), last=T0 + dt.timedelta(hours=4),
                  accepted=4, duplicates=6)
    line = _by_name(pull_status(engine, sources))["bureau-csv"]
    assert line.last_run_id == latest and line.last_status == "succeeded" and not line.failed
    assert line.failure_reason == ""
    assert (line.last_accepted, line.last_duplicates) == (4, 6)
    assert line.last_success_started == line.last_started == _started(engine, latest)
    # the newest hour over every successful pull, not only the last one
    assert line.newest_reading == dt.datetime(2026, 1, 5, 15)
    # the start of a pull is "now" in Beijing (stored in UTC)
    assert abs(line.last_started - timeutil.now_beijing()) < dt.timedelta(minutes=5)


def test_nothing_new_is_up_to_date_and_a_running_pull_is_running(
    make_db: Callable[..., Engine], sources: tuple[AnySource, ...]
) -> None:
    engine = make_db()
    make_run(engine, "cnemc-test", "succeeded", first=T0, last=T0, accepted=12)
    # run.pull's record of "nothing new": a succeeded run whose window starts after it ends
    make_run(engine, "cnemc-test", "succeeded", message="up to date: the next hour (2026-01-05 11:00) has not ended yet",
         options={"kind": "cnemc-hourly", "from": "2026-01-05 11:00", "to": "2026-01-05 10:00"})
    start_run(engine, RunInfo(kind="pull", source="bureau-csv", user="tester"))
    lines = _by_name(pull_status(engine, sources))
    assert lines["cnemc-test"].last_status == "up_to_date"
    assert lines["cnemc-test"].newest_reading == T0
    assert lines["bureau-csv"].last_status == "running" and lines["bureau-csv"].last_success_started is None


def test_other_ways_in_and_sources_no_longer_configured(
    make_db: Callable[..., Engine], sources: tuple[AnySource, ...]
) -> None:
    engine = make_db()
    # an upload of a file that happens to carry a source's name is not a pull
    make_run(engine, "cnemc-test", "succeeded", first=T0, last=T0, accepted=1, kind="upload")
    make_run(engine, "old-feed", "refused", message="not the CNEMC station layout (no column pm2_5)")
    lines = pull_status(engine, sources)
    assert [x.source for x in lines] == ["cnemc-test", "bureau-csv", "old-feed"]
    assert lines[0].never_pulled
    old = lines[2]
    assert not old.configured and old.kind is None
    assert old.last_status == "refused" and old.failed and old.failure_reason.startswith("not the CNEMC")
    assert [x.source for x in pull_status(engine, sources, include_unconfigured=False)] == ["cnemc-test", "bureau-csv"]


def test_only_the_audit_is_read(make_db: Callable[..., Engine], sources: tuple[AnySource, ...], targets: Targets) -> None:
    """The page must stay quick on millions of readings: not one statement touches them."""
    engine = make_db(load=True)
    make_run(engine, "cnemc-test", "succeeded", first=T0, last=T0, accepted=12)
    seen: list[str] = []

    def remember(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert pull_status(engine, sources)[0].newest_reading == T0
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len(seen) == 2
    assert all("ingestion_runs" in s and "readings" not in s.replace("ingestion_runs", "") for s in seen), seen


def test_configured_sources_of_a_missing_or_empty_file(tmp_path: Path, targets: Targets) -> None:
    assert configured_sources(tmp_path / "absent.yaml", targets) == ()
    empty = tmp_path / "sources.yaml"
    empty.write_text("version: 1\nsources: []\n", encoding="utf-8")
    assert configured_sources(empty, targets) == ()
    empty.write_text("", encoding="utf-8")
    assert configured_sources(empty, targets) == ()
    assert len(configured_sources(None, targets)) == len(load_sources(None, targets).sources)


# -- the same through real pulls ---------------------------------------------------------


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


def test_real_pulls_success_failure_and_nothing_new(
    make_db: Callable[..., Engine], targets: Targets, server: ScriptedServer
) -> None:
    """What run.pull records is what the panel reads: a success, a failed retry of the
    next hours (HTTP 500), then a pull with nothing new to ask for."""
    engine = make_db()
    fast = HttpSettings(timeout=Timeouts(connect=2.0, read=0.6),
                        retries=Retries(total=1, backoff_factor=0.01, backoff_max=0.05, retry_after_max=1))
    hours = [T0 + dt.timedelta(hours=i) for i in range(4)]
    for label in hours[:3]:
        server.route(f"/c/{label:%Y-%m-%dT%H}.csv", Reply(body=cnemc_hour(label)))
    server.route(f"/c/{hours[3]:%Y-%m-%dT%H}.csv", Reply(status=500, body="oops", content_type="text/plain"))
    src = CnemcSource.model_validate(
        {"name": "cnemc-test", "kind": "cnemc-hourly", "url": server.url + "/c/{timepoint:%Y-%m-%dT%H}.csv"}
    )

    def do(**kwargs: Any) -> None:
        pull(engine, src, targets=targets, actor=ANALYST, defaults=fast, **kwargs)

    do(start=hours[0], end=hours[2])
    [line] = pull_status(engine, [src])
    assert line.last_status == "succeeded" and line.last_accepted == 2 * 6 * 3
    assert line.newest_reading == hours[2]
    first_success = line.last_success_started

    with pytest.raises(PullFailed):
        do(end=hours[3])  # resumes at hours[3], which answers 500
    [line] = pull_status(engine, [src])
    assert line.failed and "HTTP 500" in line.failure_reason
    assert line.last_success_started == first_success and line.newest_reading == hours[2]

    do(end=hours[2], now=hours[2] + dt.timedelta(minutes=20))  # nothing after 12:00 has ended
    [line] = pull_status(engine, [src])
    assert line.last_status == "up_to_date" and not line.failed
    assert line.newest_reading == hours[2]
