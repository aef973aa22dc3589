"""csv-url pulls: a URL returning a readings file, read by the uploads' reader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import requests
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.ingest.sources.config import CsvUrlSource, HttpSettings
from monitoring.ingest.sources.run import PullFailed, PullResult, pull
from monitoring.targets import Targets
from tests.ingest.sources.conftest import ANALYST, runs, stored
from tests.ingest.sources.server import Reply, ScriptedServer

NAME = "bureau-test"
START, END = dt.datetime(2026, 1, 5, 1), dt.datetime(2026, 1, 5, 3)

LONG_GBK = (
    "街道,监测时间,污染物,浓度,单位\n"
    "德胜,2026-01-05 01:00,PM2.5,35,μg/m³\n"
    "西城区德胜,2026-01-05 02:00,PM2.5,41,μg/m³\n"  # a spelling only the source's `names` knows
    "月坛街道,2026-01-05 03:00,细颗粒物,28.5,μg/m³\n"
    "德胜,2026-01-05 03:00,CO,0.9,mg/m³\n"
)
WIDE = (
    "subdistrict,time,PM2.5(μg/m³),PM10(μg/m³),CO(mg/m³)\n"
    "Desheng,2026-01-05T01:00,30,60,0.7\n"
    "Yuetan,2026-01-05T02:00,NA,55,0.8\n"
)
STATIONS = "站点,时间,PM2.5\nXC-MS-07,2026-01-05 01:00,33\n官园,2026-01-05 01:00,40\n"


def source(server: ScriptedServer, path: str = "/export.csv", **extra: object) -> CsvUrlSource:
    return CsvUrlSource.model_validate({"name": NAME, "kind": "csv-url", "url": server.url + path, **extra})


@pytest.fixture
def do_pull(
    make_db: Callable[..., Engine], targets: Targets, session: requests.Session, fast_http: HttpSettings
) -> Callable[..., PullResult]:
    engine = make_db()

    def run(src: CsvUrlSource, **kwargs: object) -> PullResult:
        kwargs.setdefault("start", START)
        kwargs.setdefault("end", END)
        return pull(engine, src, targets=targets, actor=ANALYST, defaults=fast_http, session=session, **kwargs)  # type: ignore[arg-type]

    run.engine = engine  # type: ignore[attr-defined]
    return run


def test_a_long_gbk_file_with_the_window_in_the_url(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    server.route("/export.csv", Reply(body=LONG_GBK.encode("gb18030"), content_type="text/csv; charset=gb18030"))
    src = source(server, "/export.csv?from={from:%Y-%m-%d %H:%M}&to={to:%Y%m%d%H}", names={"西城区德胜": "德胜"})
    result = do_pull(src)
    assert result.status == "succeeded", result.message
    assert server.requests[0].query == {"from": "2026-01-05 01:00", "to": "2026010503"}
    values = {(sd, pol, timeutil.ts_to_label(ts)): v for sd, pol, ts, _st, v in stored(do_pull.engine, NAME)}  # type: ignore[attr-defined]
    assert values == {
        (10, "pm25", dt.datetime(2026, 1, 5, 1)): 35.0,
        (10, "pm25", dt.datetime(2026, 1, 5, 2)): 41.0,
        (7, "pm25", dt.datetime(2026, 1, 5, 3)): 28.5,
        (10, "co", dt.datetime(2026, 1, 5, 3)): 0.9,
    }
    # the same file again adds nothing
    again = do_pull(src)
    assert (again.counts.accepted, again.counts.duplicates) == (0, 4)


def test_a_wide_file(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    server.route("/export.csv", Reply(body=WIDE))
    result = do_pull(source(server))
    assert result.status == "succeeded", result.message
    assert (result.counts.accepted, result.counts.missing) == (5, 1)
    assert sorted((r[1], r[4]) for r in stored(do_pull.engine, NAME) if r[0] == 10) == [("co", 0.7), ("pm10", 60.0), ("pm25", 30.0)]  # type: ignore[attr-defined]


def test_stations_are_mapped(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    server.route("/export.csv", Reply(body=STATIONS))
    result = do_pull(source(server, stations={"XC-MS-07": "月坛"}))
    assert result.status == "succeeded", result.message
    rows = {(r[0], r[3]): r[4] for r in stored(do_pull.engine, NAME)}  # type: ignore[attr-defined]
    assert rows == {(7, ""): 33.0, (9, "1006A"): 40.0}  # XC-MS-07 → 月坛 as a whole; 官园 is 1006A in 展览路


def test_a_rejected_row_does_not_stop_the_good_ones(server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    server.route("/export.csv", Reply(body=LONG_GBK.replace("西城区德胜", "德胜门外").encode("utf-8")))
    result = do_pull(source(server))
    assert (result.status, result.counts.accepted, result.counts.rejected) == ("succeeded", 3, 1)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(body=LONG_GBK.encode("utf-8")[:-12]), r"last line has 3 of 5 fields and no line end"),
        (Reply(body=LONG_GBK.encode("utf-8"), truncate=30), r"cut short"),
        (Reply(body="<!doctype html><title>Login</title>", content_type="text/html"), r"HTML page instead of CSV"),
        (Reply(body="name,colour\nx,red\n"), r"unknown columns"),
        (Reply(status=503, headers={"Retry-After": "0"}), r"HTTP 503"),
    ],
    ids=["last line cut", "Content-Length not reached", "HTML", "not a readings file", "503"],
)
def test_a_failed_csv_pull_stores_nothing(reply: Reply, reason: str, server: ScriptedServer, do_pull: Callable[..., PullResult]) -> None:
    server.route("/export.csv", reply)
    with pytest.raises(PullFailed, match=reason):
        do_pull(source(server))
    assert stored(do_pull.engine) == []  # type: ignore[attr-defined]
    assert [r["status"] for r in runs(do_pull.engine, NAME)] == ["failed"]  # type: ignore[attr-defined]
