"""Fixtures for pull tests: the local HTTP server, fast HTTP settings, CNEMC hour files."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, select

from monitoring.actors import Actor
from monitoring.ingest.sources.config import HttpSettings, Retries, Timeouts
from monitoring.ingest.sources.http import make_session
from monitoring.storage.schema import ingestion_runs, readings
from tests.ingest.sources.server import ScriptedServer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CNEMC_SAMPLE = FIXTURES / "cnemc" / "HeQinWill_CNEMC_2025-12-31T23_beijing_rows.csv"
OPENAQ = FIXTURES / "openaq"
ANALYST = Actor("test-analyst", "analyst")


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def fast_http() -> HttpSettings:
    """Tiny timeouts and back-off so the failure tests take well under a second each."""
    return HttpSettings(
        timeout=Timeouts(connect=2.0, read=0.6),
        retries=Retries(total=2, backoff_factor=0.01, backoff_max=0.05, retry_after_max=2),
    )


@pytest.fixture
def session(fast_http: HttpSettings) -> Iterator[requests.Session]:
    s = make_session(fast_http)
    yield s
    s.close()


def cnemc_hour(label: dt.datetime, *, seed: int | None = None) -> bytes:
    """A real CNEMC hour file (the 2025-12-31T23 sample) relabelled to ``label``, with the
    hourly values of 1001A and 1006A varied by a seeded generator so hours differ."""
    rng = random.Random(seed if seed is not None else int(label.timestamp()) // 3600)
    lines = CNEMC_SAMPLE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    out = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        fields[0] = label.strftime("%Y-%m-%dT%H00")
        if fields[1] in ("1001A", "1006A"):
            for col in ("pm2_5", "pm10", "no2", "so2", "o3"):
                i = header.index(col)
                fields[i] = str(rng.randint(5, 90))
            fields[header.index("co")] = f"{rng.randint(2, 15) / 10:.1f}"
        out.append(",".join(fields))
    return ("\n".join(out) + "\n").encode("utf-8")


def hour_value(body: bytes, station: str, column: str) -> str:
    lines = body.decode("utf-8").splitlines()
    header = lines[0].split(",")
    for line in lines[1:]:
        fields = line.split(",")
        if fields[1] == station:
            return fields[header.index(column)]
    raise KeyError(station)


def stored(engine: Engine, source: str | None = None) -> list[tuple[int, str, int, str, float]]:
    """(subdistrict_id, pollutant, ts, station, value) of the stored readings."""
    stmt = select(readings.c.subdistrict_id, readings.c.pollutant, readings.c.ts, readings.c.station, readings.c.value)
    if source is not None:
        stmt = stmt.where(readings.c.source == source)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt.order_by(readings.c.ts, readings.c.station, readings.c.pollutant))]


def runs(engine: Engine, source: str) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ingestion_runs).where(ingestion_runs.c.source == source).order_by(ingestion_runs.c.id)
        ).mappings()
        return [dict(r) for r in rows]
