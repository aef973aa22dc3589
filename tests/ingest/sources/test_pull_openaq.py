"""openaq-v3 pulls against a local server answering with v3-shaped JSON (tests/fixtures/openaq)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
import requests
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.ingest.sources.config import HttpSettings, OpenAQSource
from monitoring.ingest.sources.openaq import convert, label_from_utc
from monitoring.ingest.sources.run import PullFailed, PullResult, pull
from monitoring.targets import Targets
from tests.ingest.sources.conftest import ANALYST, OPENAQ, runs, stored
from tests.ingest.sources.server import Reply, ScriptedServer

START, END = dt.datetime(2026, 1, 5, 10), dt.datetime(2026, 1, 5, 15)
NAME = "openaq-test"
KEY = "test-key-123"
JSON = "application/json"


def fixture(name: str) -> bytes:
    return (OPENAQ / name).read_bytes()


def source(server: ScriptedServer, **extra: object) -> OpenAQSource:
    data = {"name": NAME, "kind": "openaq-v3", "url": server.url + "/v3", "api_key_env": "TEST_OPENAQ_KEY",
            "locations": {100001: "1001A"}, "page_limit": 3, **extra}
    return OpenAQSource.model_validate(data)


def serve_all(server: ScriptedServer) -> None:
    server.route("/v3/locations/100001", Reply(body=fixture("location_100001.json"), content_type=JSON))
    server.route("/v3/sensors/7001/hours", Reply(body=fixture("sensor_7001_hours_page1.json"), content_type=JSON), query={"page": "1"})
    server.route("/v3/sensors/7001/hours", Reply(body=fixture("sensor_7001_hours_page2.json"), content_type=JSON), query={"page": "2"})
    server.route("/v3/sensors/7002/hours", Reply(body=fixture("sensor_7002_hours.json"), content_type=JSON))
    server.route("/v3/sensors/7003/hours", Reply(body=fixture("sensor_7003_hours.json"), content_type=JSON))


@pytest.fixture
def do_pull(
    make_db: Callable[..., Engine],
    targets: Targets,
    session: requests.Session,
    fast_http: HttpSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., PullResult]:
    monkeypatch.setenv("TEST_OPENAQ_KEY", KEY)
    engine = make_db()

    def run(src: OpenAQSource, **kwargs: object) -> PullResult:
        kwargs.setdefault("start", START)
        kwargs.setdefault("end", END)
        return pull(engine, src, targets=targets, actor=ANALYST, defaults=fast_http, session=session, **kwargs)  # type: ignore[arg-type]

    run.engine = engine  # type: ignore[attr-defined]
    return run


def test_hourly_values_are_paged_converted_and_stored(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    serve_all(server)
    result = do_pull(source(server))
    assert result.status == "succeeded", result.message
    rows = stored(do_pull.engine, NAME)  # type: ignore[attr-defined]
    values = {(pol, timeutil.ts_to_label(ts)): value for _sd, pol, ts, _st, value in rows}
    # period.datetimeTo 2026-01-05T05:00Z is the hour 12:00–13:00 Beijing: label 13:00
    assert values[("pm25", dt.datetime(2026, 1, 5, 13))] == 52.0
    assert values[("pm25", dt.datetime(2026, 1, 5, 15))] == 39.0
    assert ("pm25", dt.datetime(2026, 1, 5, 12)) not in values  # null value: missing
    assert values[("o3", dt.datetime(2026, 1, 5, 14))] == 15.0
    assert values[("co", dt.datetime(2026, 1, 5, 15))] == pytest.approx(0.95)  # 950 µg/m³ → mg/m³
    assert {r[3] for r in rows} == {"1001A"} and {r[0] for r in rows} == {19}  # 万寿西宫 in 白纸坊
    assert (result.counts.accepted, result.counts.missing) == (5 + 3 + 2, 1)
    # the key is sent as X-API-Key, both pages were asked for, humidity was not
    hours = [r for r in server.requests if r.path == "/v3/sensors/7001/hours"]
    assert [r.query["page"] for r in hours] == ["1", "2"]
    assert hours[0].query["datetime_from"] == "2026-01-05T01:00:00Z"  # the hour ending 10:00 Beijing begins 01:00Z
    assert hours[0].query["datetime_to"] == "2026-01-05T07:00:00Z"
    assert all(r.headers.get("X-API-Key") == KEY for r in server.requests)
    assert server.hits("/v3/sensors/7004/hours") == 0
    assert KEY not in json.dumps(runs(do_pull.engine, NAME), default=str)  # type: ignore[attr-defined]


def test_a_second_page_is_not_asked_for_when_found_says_so(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    serve_all(server)
    do_pull(source(server))
    # sensor 7002's page 1 has 3 results, limit 3, found 3 (a number): no page 2
    assert [r.query["page"] for r in server.requests if r.path == "/v3/sensors/7002/hours"] == ["1"]


def _body_with(tamper: Callable[[dict], None]) -> bytes:
    doc = json.loads(fixture("sensor_7002_hours.json"))
    tamper(doc)
    return json.dumps(doc).encode()


FAILURES = {
    "malformed JSON": (Reply(body=b'{"meta": {"found": 3}, "results": [{"value": 1', content_type=JSON), r"malformed JSON at line 1 column \d+"),
    "truncated body": (Reply(body=fixture("sensor_7002_hours.json"), content_type=JSON, truncate=200), r"cut short after 3 attempts"),
    "HTML error page": (Reply(body="<html><head><title>502 Bad Gateway</title></head></html>", content_type="text/html"), r"HTML page instead of JSON"),
    "500 every time": (Reply(status=500, body='{"detail": "boom"}', content_type=JSON), r"HTTP 500"),
    "401 bad key": (Reply(status=401, body='{"detail": "invalid key"}', content_type=JSON), r"HTTP 401.*check the API key"),
    "no results array": (Reply(body=b'{"meta": {}, "detail": "x"}', content_type=JSON), r"unexpected JSON: \.results is missing"),
    "value is text": (
        Reply(body=_body_with(lambda d: d["results"][1].__setitem__("value", "12")), content_type=JSON),
        r"results\[1\]\.value is str, expected a number",
    ),
    "period end missing": (
        Reply(body=_body_with(lambda d: d["results"][0]["period"].pop("datetimeTo")), content_type=JSON),
        r"results\[0\]\.period\.datetimeTo is missing",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failed_openaq_pull_is_recorded_and_stores_nothing(
    case: str, server: ScriptedServer, do_pull: Callable[..., PullResult]
) -> None:
    reply, reason = FAILURES[case]
    serve_all(server)
    server.route("/v3/sensors/7002/hours", reply)  # sensor 7001 (pm25) was fetched fine before it
    with pytest.raises(PullFailed, match=reason) as caught:
        do_pull(source(server))
    assert stored(do_pull.engine) == []  # type: ignore[attr-defined]
    [run] = runs(do_pull.engine, NAME)  # type: ignore[attr-defined]
    assert run["status"] == "failed" and run["id"] == caught.value.run_id
    assert caught.value.cause.message in str(run["message"])
    # the next pull, the API healthy again, catches up from the same start
    serve_all(server)
    result = do_pull(source(server), start=None)
    assert result.status == "succeeded" and result.start == START
    assert len(stored(do_pull.engine, NAME)) == 10  # type: ignore[attr-defined]


def test_no_api_key_fails_before_any_request(server: ScriptedServer, do_pull: Callable[..., PullResult], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_OPENAQ_KEY")
    with pytest.raises(PullFailed, match="environment variable TEST_OPENAQ_KEY is not set"):
        do_pull(source(server))
    assert server.requests == []
    assert runs(do_pull.engine, NAME)[0]["status"] == "failed"  # type: ignore[attr-defined]


def test_an_unknown_location_fails(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    server.route("/v3/locations/100001", Reply(body=b'{"meta": {"found": 0}, "results": []}', content_type=JSON))
    with pytest.raises(PullFailed, match="OpenAQ location 100001 not found"):
        do_pull(source(server))


def test_a_location_mapped_to_a_subdistrict_has_no_station(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    serve_all(server)
    do_pull(source(server, locations={100001: "德胜"}))
    rows = stored(do_pull.engine, NAME)  # type: ignore[attr-defined]
    assert {(r[0], r[3]) for r in rows} == {(10, "")}


def test_units_are_converted_at_25_degrees() -> None:
    assert convert("pm25", 35.0, "µg/m³") == (35.0, "µg/m³")
    assert convert("co", 1200.0, "µg/m³") == (1.2, "mg/m³")
    value, unit = convert("no2", 10.0, "ppb")  # type: ignore[misc]
    assert unit == "µg/m³" and value == pytest.approx(18.80, abs=0.01)  # 10 × 46.0055 / 24.465
    value, unit = convert("co", 1.0, "ppm")  # type: ignore[misc]
    assert unit == "mg/m³" and value == pytest.approx(1.145, abs=0.001)
    assert convert("pm25", 1.0, "ppm") is None
    assert convert("o3", 1.0, "furlongs") is None


def test_period_end_in_utc_becomes_the_beijing_hour_ending_label() -> None:
    assert label_from_utc("2026-01-05T05:00:00Z") == dt.datetime(2026, 1, 5, 13)
    assert label_from_utc("2026-01-04T16:00:00+00:00") == dt.datetime(2026, 1, 5, 0)  # the hour 23–24 of the 4th
