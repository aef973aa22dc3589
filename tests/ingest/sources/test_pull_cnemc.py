"""cnemc-hourly pulls against a real HTTP server on 127.0.0.1, including its failures.

Each failure test checks the three promises of the reliability issue: the run is recorded
as failed with its reason, nothing partial is stored, and the next pull catches up.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
import requests
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.ingest.sources.config import CnemcSource, HttpSettings
from monitoring.ingest.sources.run import PullFailed, PullResult, pull
from monitoring.targets import Targets
from tests.ingest.sources.conftest import ANALYST, cnemc_hour, hour_value, runs, stored
from tests.ingest.sources.server import Reply, ScriptedServer

T0 = dt.datetime(2026, 1, 5, 10)  # hour-ending Beijing labels 10:00, 11:00, 12:00 …
HOURS = [T0 + dt.timedelta(hours=i) for i in range(4)]
SOURCE = "cnemc-test"


def path_of(label: dt.datetime) -> str:
    return f"/cnemc/{label:%Y-%m-%dT%H}.csv"


def source(server: ScriptedServer, **extra: object) -> CnemcSource:
    return CnemcSource.model_validate(
        {"name": SOURCE, "kind": "cnemc-hourly", "url": server.url + "/cnemc/{timepoint:%Y-%m-%dT%H}.csv", **extra}
    )


def serve_hours(server: ScriptedServer, labels: list[dt.datetime]) -> dict[dt.datetime, bytes]:
    bodies = {label: cnemc_hour(label) for label in labels}
    for label, body in bodies.items():
        server.route(path_of(label), Reply(body=body))
    return bodies


@pytest.fixture
def do_pull(
    make_db: Callable[..., Engine], targets: Targets, session: requests.Session, fast_http: HttpSettings
) -> Callable[..., PullResult]:
    engine = make_db()

    def run(src: CnemcSource, **kwargs: object) -> PullResult:
        kwargs.setdefault("end", HOURS[-1])
        return pull(engine, src, targets=targets, actor=ANALYST, defaults=fast_http, session=session, **kwargs)  # type: ignore[arg-type]

    run.engine = engine  # type: ignore[attr-defined]
    return run


def test_pull_stores_every_hour_of_the_mapped_stations(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    bodies = serve_hours(server, HOURS)
    result = do_pull(source(server), start=HOURS[0])
    engine = do_pull.engine  # type: ignore[attr-defined]

    assert result.status == "succeeded", result.message
    assert result.requests == 4
    rows = stored(engine, SOURCE)
    # 2 Xicheng stations × 6 pollutants × 4 hours; the other 22 Beijing stations are skipped
    assert len(rows) == 2 * 6 * 4
    assert {r[3] for r in rows} == {"1001A", "1006A"}
    by_key = {(r[1], r[2], r[3]): r[4] for r in rows}
    label = HOURS[2]
    ts = timeutil.label_to_ts(label)  # the feed's timepoint is already the hour-ending label
    assert by_key[("pm25", ts, "1001A")] == float(hour_value(bodies[label], "1001A", "pm2_5"))
    assert by_key[("o3", ts, "1006A")] == float(hour_value(bodies[label], "1006A", "o3"))
    assert by_key[("co", ts, "1006A")] == float(hour_value(bodies[label], "1006A", "co"))
    # 1001A 万寿西宫 stands in 白纸坊 (id 19), 1006A 官园 in 展览路 (id 9), per targets.yaml
    assert {r[0] for r in rows if r[3] == "1001A"} == {19}
    assert {r[0] for r in rows if r[3] == "1006A"} == {9}
    [run] = runs(engine, SOURCE)
    assert (run["kind"], run["status"], run["accepted"]) == ("pull", "succeeded", 48)
    assert run["sha256"] and len(str(run["sha256"])) == 64


def test_the_hourly_columns_are_read_not_the_rolling_means(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    # the real sample: 1001A pm2_5=21, pm2_5_24h=7, o3=11, o3_8h=54
    label = dt.datetime(2025, 12, 31, 23)
    from tests.ingest.sources.conftest import CNEMC_SAMPLE

    server.route(path_of(label), Reply(body=CNEMC_SAMPLE.read_bytes()))
    result = do_pull(source(server), start=label, end=label)
    assert result.status == "succeeded"
    values = {(r[1], r[3]): r[4] for r in stored(do_pull.engine)}  # type: ignore[attr-defined]
    assert values[("pm25", "1001A")] == 21
    assert values[("o3", "1001A")] == 11
    assert values[("pm10", "1006A")] == 50


def test_a_second_pull_resumes_after_the_newest_reading(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    serve_hours(server, HOURS[:2])
    first = do_pull(source(server), start=HOURS[0], end=HOURS[1])
    assert first.status == "succeeded"
    serve_hours(server, HOURS[2:])
    second = do_pull(source(server))  # no --from: incremental
    assert second.start == HOURS[2] and second.end == HOURS[-1]
    assert [server.hits(path_of(h)) for h in HOURS] == [1, 1, 1, 1]
    assert len(stored(do_pull.engine, SOURCE)) == 2 * 6 * 4  # type: ignore[attr-defined]
    third = do_pull(source(server))
    assert third.status == "up_to_date"
    assert [server.hits(path_of(h)) for h in HOURS] == [1, 1, 1, 1]
    assert runs(do_pull.engine, SOURCE)[-1]["status"] == "succeeded"  # type: ignore[attr-defined]


def test_500_then_success_is_retried(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    body = cnemc_hour(HOURS[0])
    server.route(path_of(HOURS[0]), Reply(status=500, body="oops", content_type="text/plain"), Reply(status=503), Reply(body=body))
    result = do_pull(source(server), start=HOURS[0], end=HOURS[0])
    assert result.status == "succeeded"
    assert server.hits(path_of(HOURS[0])) == 3
    assert len(stored(do_pull.engine, SOURCE)) == 12  # type: ignore[attr-defined]


def test_429_waits_for_retry_after(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    server.route(
        path_of(HOURS[0]),
        Reply(status=429, body="slow down", headers={"Retry-After": "1"}, content_type="text/plain"),
        Reply(body=cnemc_hour(HOURS[0])),
    )
    result = do_pull(source(server), start=HOURS[0], end=HOURS[0])
    assert result.status == "succeeded"
    seen = [r.at for r in server.requests if r.path == path_of(HOURS[0])]
    assert len(seen) == 2
    assert seen[1] - seen[0] >= 0.95  # the back-off factor alone would be 0.01 s


def test_a_read_timeout_is_retried(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    server.route(path_of(HOURS[0]), Reply(delay=2.0, body=cnemc_hour(HOURS[0])), Reply(body=cnemc_hour(HOURS[0])))
    started = time.monotonic()
    result = do_pull(source(server), start=HOURS[0], end=HOURS[0])
    assert result.status == "succeeded"
    assert server.hits(path_of(HOURS[0])) >= 2  # (a loaded machine may need the third attempt)
    assert time.monotonic() - started < 2.0  # it did not wait for the slow answer


def test_a_body_cut_short_is_retried(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    body = cnemc_hour(HOURS[0])
    server.route(path_of(HOURS[0]), Reply(body=body, truncate=len(body) // 2), Reply(body=body))
    result = do_pull(source(server), start=HOURS[0], end=HOURS[0])
    assert result.status == "succeeded"
    assert server.hits(path_of(HOURS[0])) == 2
    assert len(stored(do_pull.engine, SOURCE)) == 12  # type: ignore[attr-defined]


def test_a_404_hour_is_not_published_and_skipped(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    serve_hours(server, [HOURS[0], HOURS[2]])  # 11:00 and 13:00 answer 404
    result = do_pull(source(server), start=HOURS[0])
    assert result.status == "succeeded"
    assert result.not_published == [HOURS[1], HOURS[3]]
    assert len(stored(do_pull.engine, SOURCE)) == 2 * 6 * 2  # type: ignore[attr-defined]
    assert "not published" in str(runs(do_pull.engine, SOURCE)[-1]["message"])  # type: ignore[attr-defined]


def test_missing_values_are_counted_not_stored(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    body = cnemc_hour(HOURS[0]).decode("utf-8").splitlines()
    header = body[0].split(",")
    for i, line in enumerate(body):
        fields = line.split(",")
        if fields[1] == "1006A":
            fields[header.index("so2")] = ""
            fields[header.index("co")] = "—"
            body[i] = ",".join(fields)
    server.route(path_of(HOURS[0]), Reply(body="\n".join(body) + "\n"))
    result = do_pull(source(server), start=HOURS[0], end=HOURS[0])
    assert (result.status, result.counts.accepted, result.counts.missing) == ("succeeded", 10, 2)


def test_stations_mapped_to_a_subdistrict_are_averaged(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    from tests.ingest.sources.conftest import CNEMC_SAMPLE

    label = dt.datetime(2025, 12, 31, 23)
    server.route(path_of(label), Reply(body=CNEMC_SAMPLE.read_bytes()))
    # 1003A 东四 (pm2_5 19) and 1004A 天坛 (pm2_5 19) and 1005A 农展馆 (27) counted for 德胜, for the test
    src = source(server, stations={"1003A": "德胜", "1004A": "德胜", "1005A": "德胜街道"})
    result = do_pull(src, start=label, end=label)
    assert result.status == "succeeded", result.message
    desheng = {r[1]: r[4] for r in stored(do_pull.engine) if r[0] == 10}  # type: ignore[attr-defined]
    assert desheng["pm25"] == pytest.approx((19 + 19 + 27) / 3, abs=1e-3)
    assert {r[3] for r in stored(do_pull.engine) if r[0] == 10} == {""}  # type: ignore[attr-defined]


# -- failures: recorded as failed, nothing partial stored, the next pull catches up --------


FAILURES = {
    "500 every time": (Reply(status=500, body="<p>Internal error</p>", content_type="text/plain"), r"HTTP 500 .*after 3 attempts"),
    "429 every time": (Reply(status=429, headers={"Retry-After": "0"}, body="busy", content_type="text/plain"), r"HTTP 429"),
    "timeout every time": (Reply(delay=1.5, body="late"), r"timed out after 3 attempts"),
    "body cut every time": (Reply(body="x" * 4000, truncate=100), r"cut short after 3 attempts"),
    "HTML error page with 200": (
        Reply(body="<!DOCTYPE html><html><head><title>系统维护中</title></head><body>维护</body></html>",
              content_type="text/html; charset=utf-8"),
        r"HTML page instead of CSV \(title: '系统维护中'\)",
    ),
    "HTML sent as text/csv": (Reply(body="<html><body>Error 502</body></html>"), r"HTML page"),
    "last line cut (Content-Length right)": (None, r"line 8 has 7 of 22 fields \(the file was cut short\)"),
    "not the CNEMC layout": (Reply(body="a,b,c\n1,2,3\n"), r"not the CNEMC station layout"),
    "empty body": (Reply(body=""), r"body is empty"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failed_pull_is_recorded_stores_nothing_and_the_next_pull_catches_up(
    case: str, server: ScriptedServer, do_pull: Callable[..., PullResult]
) -> None:
    reply, reason = FAILURES[case]
    if reply is None:
        lines = cnemc_hour(HOURS[2]).splitlines()
        # the body ends inside line 8 (7 of its 22 fields), and Content-Length matches it
        cut = b"\n".join(lines[:7]) + b"\n" + b",".join(lines[7].split(b",")[:7])
        reply = Reply(body=cut)
    engine = do_pull.engine  # type: ignore[attr-defined]
    serve_hours(server, [HOURS[0], HOURS[1], HOURS[3]])
    # the third hour fails, after two good hours were fetched: they must not be stored either
    server.route(path_of(HOURS[2]), reply)

    with pytest.raises(PullFailed, match=reason) as caught:
        do_pull(source(server), start=HOURS[0])
    assert stored(engine) == []
    [run] = runs(engine, SOURCE)
    assert run["status"] == "failed"
    assert run["id"] == caught.value.run_id
    assert caught.value.cause.message in str(run["message"])
    assert run["accepted"] == 0
    assert "nothing was stored" in str(caught.value)

    # the source recovers: the next pull (no --from) fetches the same window again
    server.route(path_of(HOURS[2]), Reply(body=cnemc_hour(HOURS[2])))
    result = do_pull(source(server), start=None)
    assert result.status == "succeeded"
    assert result.start == HOURS[0]  # nothing was stored, so the next pull starts where the failed one did
    assert len(stored(engine, SOURCE)) == 2 * 6 * 4
    assert [r["status"] for r in runs(engine, SOURCE)] == ["failed", "succeeded"]


def test_a_refused_connection_fails_in_one_line(
    make_db: Callable[..., Engine], targets: Targets, session: requests.Session, fast_http: HttpSettings
) -> None:
    with ScriptedServer() as gone:
        url = gone.url
    src = CnemcSource.model_validate({"name": SOURCE, "kind": "cnemc-hourly", "url": url + "/{timepoint:%Y%m%d%H}.csv"})
    engine = make_db()
    started = time.monotonic()
    with pytest.raises(PullFailed, match=r"cannot connect after 3 attempts \(Connection refused\)") as caught:
        pull(engine, src, targets=targets, actor=ANALYST, defaults=fast_http, session=session, start=HOURS[0], end=HOURS[0])
    assert time.monotonic() - started < 5
    assert "\n" not in str(caught.value)
    assert runs(engine, SOURCE)[0]["status"] == "failed"


def test_a_viewer_may_not_pull(server: ScriptedServer, make_db: Callable[..., Engine], targets: Targets) -> None:
    from monitoring.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        pull(make_db(), source(server), targets=targets, actor=ANALYST.__class__("boss", "viewer"), start=HOURS[0], end=HOURS[0])
    assert server.requests == []


def test_a_dry_run_fetches_and_validates_but_stores_and_records_nothing(
    server: ScriptedServer, do_pull: Callable[..., PullResult]
) -> None:
    serve_hours(server, HOURS)
    result = do_pull(source(server), start=HOURS[0], dry_run=True)
    assert (result.status, result.counts.accepted, result.run_id) == ("dry_run", 48, None)
    assert stored(do_pull.engine) == [] and runs(do_pull.engine, SOURCE) == []  # type: ignore[attr-defined]


def test_an_interrupted_pull_is_recorded_and_stores_nothing(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    serve_hours(server, HOURS)
    seen: list[float] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(fraction)
        if len(seen) == 3:  # Ctrl-C while the third hour is being fetched
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        do_pull(source(server), start=HOURS[0], progress=progress)
    assert stored(do_pull.engine) == []  # type: ignore[attr-defined]
    [run] = runs(do_pull.engine, SOURCE)  # type: ignore[attr-defined]
    assert run["status"] == "failed" and "interrupted" in str(run["message"])
    assert seen == sorted(seen) and seen[0] == 0.0


def test_progress_reaches_the_end(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    serve_hours(server, HOURS)
    seen: list[tuple[float, str]] = []
    do_pull(source(server), start=HOURS[0], progress=lambda f, m: seen.append((f, m)))
    fetching = [f for f, m in seen if "(" in m and "/4)" in m]
    assert fetching == [0.0, 0.25, 0.5, 0.75]
    assert seen[-1][0] == 1.0


def test_the_window_never_asks_for_hours_that_have_not_ended(make_db: Callable[..., Engine], server: ScriptedServer) -> None:
    from monitoring.ingest.sources.run import window

    engine = make_db()
    now = dt.datetime(2026, 1, 5, 13, 20)
    assert window(engine, source(server), start=None, end=None, now=now) == (dt.datetime(2026, 1, 4, 14), dt.datetime(2026, 1, 5, 13))
    assert window(engine, source(server), start=HOURS[0], end=dt.datetime(2026, 2, 1), now=now)[1] == dt.datetime(2026, 1, 5, 13)
    configured = source(server, start="2026-01-02")
    assert window(engine, configured, start=None, end=None, now=now)[0] == dt.datetime(2026, 1, 2, 1)
