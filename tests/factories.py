"""Seeded generators and factories for tests (random.Random(42) unless a test says otherwise)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.counts import Counts
from monitoring.storage.run_records import RunInfo, finish_run, start_run
from monitoring.targets import Targets, subdistrict_id


def hourly_labels(first_day: dt.date, days: int) -> list[dt.datetime]:
    """Hour-ending labels of ``days`` whole Beijing days: 01:00 … next day 00:00."""
    start = dt.datetime.combine(first_day, dt.time(1))
    return [start + dt.timedelta(hours=h) for h in range(days * 24)]


def make_readings(
    targets: Targets,
    *,
    first_day: dt.date = dt.date(2026, 1, 1),
    days: int = 3,
    pollutants: Sequence[str] = ("pm25",),
    subdistricts: Iterable[str] | None = None,
    level: float = 30.0,
    rng: random.Random | None = None,
) -> pd.DataFrame:
    """A long-form readings frame as a file would hold it: subdistrict, time, pollutant, value."""
    rng = rng or random.Random(42)
    names = list(subdistricts) if subdistricts is not None else [sd.short_name for sd in targets.subdistricts]
    rows = []
    for label in hourly_labels(first_day, days):
        for name in names:
            for pol in pollutants:
                scale = {"co": 0.03}.get(pol, 1.0)
                rows.append((name, label.strftime("%Y-%m-%d %H:%M"), pol, round(rng.uniform(0.5, 1.5) * level * scale, 1)))
    return pd.DataFrame(rows, columns=["subdistrict", "time", "pollutant", "value"])


def canonical(targets: Targets, frame: pd.DataFrame, station: str = "") -> pd.DataFrame:
    """A long-form frame (short names, local labels) → the canonical rows storage writes."""
    ids = {sd.short_name: subdistrict_id(sd.code) for sd in targets.subdistricts}
    labels = pd.to_datetime(frame["time"])
    return pd.DataFrame(
        {
            "subdistrict_id": frame["subdistrict"].map(ids).astype("int64"),
            "pollutant": frame["pollutant"].astype(str),
            "ts": timeutil.labels_to_ts(labels),
            "resolution": "h",
            "station": station,
            "value": frame["value"].astype("float64"),
        }
    )


#: Two HTTP sources as an operator writes them in sources.yaml (the hosts never answer).
PULL_SOURCES_YAML = """\
version: 1
sources:
  - name: cnemc-test
    kind: cnemc-hourly
    url: "https://cnemc.example.invalid/{timepoint:%Y-%m-%dT%H}.csv"
  - name: bureau-csv
    kind: csv-url
    url: "https://data.example.invalid/export.csv"
"""
#: A pull's failure message as ``pull`` records it after its retries.
HTTP_500 = "HTTP 500 Internal Server Error after 6 attempts"


def make_run(engine: Engine, source: str, status: str, *, first: dt.datetime | None = None,
             last: dt.datetime | None = None, accepted: int = 0, duplicates: int = 0, message: str = "",
             kind: str = "pull", options: dict[str, Any] | None = None) -> int:
    """One ingestion run as the writers record it (hour-ending Beijing labels); its id."""
    run_id = start_run(engine, RunInfo(kind=kind, source=source, user="tester", options=options or {}))
    counts = Counts(
        rows=accepted + duplicates, accepted=accepted, duplicates=duplicates,
        first_ts=None if first is None else timeutil.label_to_ts(first),
        last_ts=None if last is None else timeutil.label_to_ts(last),
    )
    finish_run(engine, run_id, status, counts, message=message)
    return run_id
