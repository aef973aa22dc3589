"""Issue 13, items 4, 5 and 16: pulls against a faulty server on 127.0.0.1.

Gaps are filled (an hour published late, a subdistrict's last hours missing, a row from
outside the window); a huge, compressed-bomb or trickling answer is stopped by the limits
of sources.yaml with the run recorded as failed and nothing stored; messages give the
number of requests the server really received.
"""

from __future__ import annotations

import datetime as dt
import gzip
import time
import tracemalloc
from collections.abc import Callable, Iterator

import pytest
import requests
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.ingest.sources.config import CnemcSource, CsvUrlSource, HttpSettings, Limits, Retries, Timeouts
from monitoring.ingest.sources.http import make_session
from monitoring.ingest.sources.run import PullFailed, PullResult, pull
from monitoring.targets import Targets
from tests.ingest.sources.conftest import ANALYST, cnemc_hour, runs, stored
from tests.ingest.sources.server import Reply, ScriptedServer

T0 = dt.datetime(2026, 1, 5, 10)
HOURS = [T0 + dt.timedelta(hours=i) for i in range(4)]  # 10:00 … 13:00
CNEMC, CSV = "cnemc-attack", "csv-attack"


def http(*, read: float = 0.6, total: int = 2, mb: float = 50.0, deadline: float = 900.0) -> HttpSettings:
    return HttpSettings(
        timeout=Timeouts(connect=2.0, read=read),
        retries=Retries(total=total, backoff_factor=0.01, backoff_max=0.05, retry_after_max=300),
        limits=Limits(max_response_mb=mb, deadline=deadline),
    )


@pytest.fixture
def engine(make_db: Callable[..., Engine]) -> Engine:
    return make_db()


@pytest.fixture
def sessions() -> Iterator[list[requests.Session]]:
    made: list[requests.Session] = []
    yield made
    for s in made:
        s.close()


@pytest.fixture
def do_pull(
    engine: Engine, targets: Targets, sessions: list[requests.Session]
) -> Callable[..., PullResult]:
    def run(src: CnemcSource | CsvUrlSource, settings: HttpSettings | None = None, **kwargs: object) -> PullResult:
        settings = settings or http()
        session = make_session(settings)
        sessions.append(session)
        kwargs.setdefault("end", HOURS[-1])
        return pull(engine, src, targets=targets, actor=ANALYST, defaults=settings, session=session, **kwargs)  # type: ignore[arg-type]

    return run


def cnemc(server: ScriptedServer, **extra: object) -> CnemcSource:
    return CnemcSource.model_validate(
        {"name": CNEMC, "kind": "cnemc-hourly", "url": server.url + "/c/{timepoint:%Y%m%d%H}.csv", **extra}
    )


def csv_source(server: ScriptedServer, **extra: object) -> CsvUrlSource:
    url = server.url + "/export.csv?from={from:%Y-%m-%d %H:%M}&to={to:%Y-%m-%d %H:%M}"
    return CsvUrlSource.model_validate({"name": CSV, "kind": "csv-url", "url": url, **extra})


def path_of(label: dt.datetime) -> str:
    return f"/c/{label:%Y%m%d%H}.csv"


def hours_stored(engine: Engine, source: str, subdistrict: int | None = None) -> list[dt.datetime]:
    rows = stored(engine, source)
    return sorted({timeutil.ts_to_label(ts) for sd, _p, ts, _s, _v in rows if subdistrict is None or sd == subdistrict})


def readings_csv(rows: list[tuple[str, dt.datetime]]) -> bytes:
    lines = ["subdistrict,time,pollutant,value"] + [f"{sd},{t:%Y-%m-%d %H:%M},pm25,{30 + t.hour}" for sd, t in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- item 4: gaps are filled ----------------------------------------------------------------


def test_an_hour_published_late_is_asked_for_again(server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]) -> None:
    for label in (HOURS[0], HOURS[2], HOURS[3]):  # 11:00 is not there yet: 404
        server.route(path_of(label), Reply(body=cnemc_hour(label)))
    first = do_pull(cnemc(server), start=HOURS[0])
    assert first.status == "succeeded" and first.not_published == [HOURS[1]]

    server.route(path_of(HOURS[1]), Reply(body=cnemc_hour(HOURS[1])))  # published an hour late
    second = do_pull(cnemc(server))  # incremental
    assert second.start == HOURS[1], second.window()
    assert second.counts.accepted == 12 and second.counts.duplicates == 24
    assert hours_stored(engine, CNEMC) == HOURS
    assert do_pull(cnemc(server)).status == "up_to_date"


def test_the_look_back_bounds_how_long_a_missing_hour_is_asked_for(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    for label in HOURS[1:]:  # 10:00 never comes
        server.route(path_of(label), Reply(body=cnemc_hour(label)))
    src = cnemc(server, lookback_hours=3)  # 11:00 … 13:00 seen from 13:00
    assert do_pull(src, start=HOURS[0]).not_published == [HOURS[0]]
    assert do_pull(src).status == "up_to_date"  # 10:00 is older than the look-back
    assert server.hits(path_of(HOURS[0])) == 1
    src = cnemc(server, lookback_hours=4)
    again = do_pull(src)
    assert again.start == HOURS[0] and server.hits(path_of(HOURS[0])) == 2


def test_a_subdistricts_missing_last_hours_are_asked_for_again(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    full = [(sd, t) for t in HOURS for sd in ("德胜", "月坛")]
    short = [(sd, t) for sd, t in full if sd == "德胜" or t <= HOURS[1]]  # 月坛's 12:00 and 13:00 missing
    server.route("/export.csv", Reply(body=readings_csv(short)), Reply(body=readings_csv(full)))
    first = do_pull(csv_source(server), start=HOURS[0])
    assert first.counts.accepted == 6
    second = do_pull(csv_source(server))
    assert second.start == HOURS[2], second.window()  # 月坛 (id 7) lacks 12:00
    assert server.requests[-1].query == {"from": "2026-01-05 12:00", "to": "2026-01-05 13:00"}
    assert hours_stored(engine, CSV, 7) == HOURS and hours_stored(engine, CSV, 10) == HOURS
    assert do_pull(csv_source(server)).status == "up_to_date"


def test_a_row_outside_the_window_does_not_move_the_resume_point(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    stray = HOURS[1] + dt.timedelta(hours=19)  # 19 hours past the window's end
    rows = [("德胜", HOURS[0]), ("德胜", HOURS[1]), ("德胜", stray)]
    server.route("/export.csv", Reply(body=readings_csv(rows)))
    first = do_pull(csv_source(server), start=HOURS[0], end=HOURS[1])
    assert first.status == "succeeded"
    later = stray + dt.timedelta(hours=1)
    second = do_pull(csv_source(server), end=later)
    # it resumes right after the window asked (12:00), not after the stray row (06:00 next day)
    assert second.start == HOURS[2], second.window()
    assert server.requests[-1].query["from"] == "2026-01-05 12:00"


# -- item 5: limits ------------------------------------------------------------------------


def _failed_cleanly(engine: Engine, source: str, exc: pytest.ExceptionInfo[PullFailed], *words: str) -> None:
    message = str(exc.value)
    assert all(w in message for w in words), message
    assert "\n" not in message and "nothing was stored" in message
    last = runs(engine, source)[-1]
    assert last["status"] == "failed" and all(w in str(last["message"]) for w in words)
    assert stored(engine, source) == []


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "no-length"])
def test_a_200_mb_answer_is_refused_while_reading(
    declare_length: bool, server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    server.route("/export.csv", Reply(huge=200_000_000, declare_length=declare_length))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(PullFailed) as exc:
            do_pull(csv_source(server), http(mb=5), start=HOURS[0])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _failed_cleanly(engine, CSV, exc, "larger than 5 MB")
    assert peak < 40_000_000, peak  # the 200 MB never came into memory
    assert time.monotonic() - started < 10


def test_a_compressed_bomb_is_measured_after_decompression(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    bomb = gzip.compress(readings_csv([("德胜", HOURS[0])]) + b"\n" * 30_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    server.route("/export.csv", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(PullFailed) as exc:
        do_pull(csv_source(server), http(mb=5), start=HOURS[0])
    _failed_cleanly(engine, CSV, exc, "larger than 5 MB")


def test_a_trickling_server_is_stopped_at_the_deadline(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    body = readings_csv([("德胜", t) for t in HOURS] * 20)  # ~3 KB: 45 s at 100 bytes every 1.5 s
    server.route("/export.csv", Reply(body=body, trickle=(100, 1.5)))
    started = time.monotonic()
    with pytest.raises(PullFailed) as exc:
        do_pull(csv_source(server), http(read=5.0, deadline=3.0), start=HOURS[0])
    elapsed = time.monotonic() - started
    _failed_cleanly(engine, CSV, exc, "deadline of 3 s")
    assert 2.9 <= elapsed < 5.0, elapsed


def test_a_retry_after_past_the_deadline_is_not_waited_for(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    server.route("/export.csv", Reply(status=503, body="busy", headers={"Retry-After": "120"}, content_type="text/plain"))
    started = time.monotonic()
    with pytest.raises(PullFailed) as exc:
        do_pull(csv_source(server), http(deadline=2.0), start=HOURS[0])
    _failed_cleanly(engine, CSV, exc, "deadline of 2 s")
    assert time.monotonic() - started < 3.0
    assert server.hits("/export.csv") == 1


def test_the_deadline_spans_every_request_of_a_pull(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    for label in HOURS:  # each hour answers in 0.8 s: alone fine, together past 2 s
        server.route(path_of(label), Reply(body=cnemc_hour(label), delay=0.8))
    with pytest.raises(PullFailed) as exc:
        do_pull(cnemc(server), http(read=5.0, deadline=2.0), start=HOURS[0])
    _failed_cleanly(engine, CNEMC, exc, "deadline of 2 s")
    assert sum(server.hits(path_of(h)) for h in HOURS) <= 3


# -- item 16: the true attempt count -----------------------------------------------------------


@pytest.mark.parametrize("total", [0, 2])
def test_a_stalled_body_names_the_requests_really_made(
    total: int, server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    server.route("/export.csv", Reply(body=readings_csv([("德胜", HOURS[0])] * 50), stall_after=100))
    with pytest.raises(PullFailed) as exc:
        do_pull(csv_source(server), http(read=0.5, total=total), start=HOURS[0])
    made = server.hits("/export.csv")
    assert made == total + 1
    said = "1 attempt" if made == 1 else f"{made} attempts"
    _failed_cleanly(engine, CSV, exc, f"stalled after {said}")


def test_a_failing_status_names_the_requests_really_made(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    server.route("/export.csv", Reply(status=500, body="oops", content_type="text/plain"))
    with pytest.raises(PullFailed) as exc:
        do_pull(csv_source(server), http(total=3), start=HOURS[0])
    assert server.hits("/export.csv") == 4
    assert "HTTP 500 Internal Server Error after 4 attempts" in str(exc.value)


def test_a_read_timeout_names_the_requests_really_made(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    server.route("/export.csv", Reply(body="x", delay=1.0))
    with pytest.raises(PullFailed) as exc:
        do_pull(csv_source(server), http(read=0.3, total=1), start=HOURS[0])
    assert server.hits("/export.csv") == 2
    assert "timed out after 2 attempts" in str(exc.value)


def test_a_body_stalled_past_the_deadline_says_deadline(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    server.route("/export.csv", Reply(body=readings_csv([("德胜", HOURS[0])] * 50), stall_after=100))
    started = time.monotonic()
    with pytest.raises(PullFailed) as exc:
        do_pull(csv_source(server), http(read=30.0, deadline=1.5), start=HOURS[0])
    _failed_cleanly(engine, CSV, exc, "deadline of 1.5 s")
    assert time.monotonic() - started < 3.0


# -- item 3, through a pull: the same bounded workbook reader as the uploads --------------


def test_a_workbook_with_a_far_cell_is_refused_by_a_pull_in_one_line(
    server: ScriptedServer, engine: Engine, do_pull: Callable[..., PullResult]
) -> None:
    """A 19 KB workbook with a cell at ZZ1048576 (main: a pull of these bytes reached 2.9 GB)."""
    from pathlib import Path

    body = (Path(__file__).resolve().parents[2] / "corpus" / "files" / "workbook_far_cell.xlsx").read_bytes()
    assert len(body) < 20_000
    server.route("/export.csv", Reply(body=body))
    tracemalloc.start()
    try:
        with pytest.raises(PullFailed) as exc:
            do_pull(csv_source(server), start=HOURS[0])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _failed_cleanly(engine, CSV, exc, "702 columns")
    assert peak < 100_000_000, peak
