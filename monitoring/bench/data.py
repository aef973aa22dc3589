"""The bench's data sets: the readings file and the ten-year pages database (deterministic, cached)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring import config, targets, timeutil

#: Bump when the generated data change: the cached databases are keyed by it.
GENERATOR_VERSION = 1
SEED = 2026
BENCH_DIR = config.PROJECT_ROOT / "bench-data"

POLLUTANTS = targets.POLLUTANTS  # the one table of codes, in its order (the file's column order)
#: Column names and pollutant spellings as an analyst's file has them.
FILE_POLLUTANT = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "o3": "O3", "co": "CO"}
#: Typical level (µg/m³, CO mg/m³) and winter/summer swing of each pollutant.
LEVEL = {"pm25": 32.0, "pm10": 55.0, "so2": 4.0, "no2": 30.0, "o3": 60.0, "co": 0.7}
SEASON = {"pm25": 0.35, "pm10": 0.3, "so2": 0.5, "no2": 0.25, "o3": -0.6, "co": 0.35}


@dataclass
class Sizes:
    rows: int  # readings in the ingest file
    page_years: int  # years of hourly data in the pages database
    repeat: int  # repetitions of each timed measurement
    pages: tuple[str, ...] | None = None  # None: every page


FULL = Sizes(rows=1_000_000, page_years=10, repeat=3)
QUICK = Sizes(rows=20_000, page_years=1, repeat=1, pages=("overview.py", "rankings.py"))


def subdistricts() -> list[tuple[int, str]]:
    """(id, short name) of the 15 subdistricts, from targets.yaml."""
    from monitoring.targets import load_targets, subdistrict_id

    return [(subdistrict_id(sd.code), sd.short_name) for sd in load_targets().subdistricts]


def file_mapping() -> dict[str, dict[str, Any]]:
    """How the file's names become the store's keys (what the floor is given, unchecked)."""
    return {
        "subdistricts": {name: sid for sid, name in subdistricts()},
        "pollutants": {spelled: code for code, spelled in FILE_POLLUTANT.items()},
    }


def _series(rng: np.random.Generator, pollutant: str, ts: np.ndarray) -> np.ndarray:
    """Plausible hourly values: a seasonal cycle, a daily cycle, multi-day episodes, noise."""
    day_of_year = ((ts + timeutil.BEIJING_OFFSET_S) // timeutil.DAY_S) % 365.25
    hour = ((ts + timeutil.BEIJING_OFFSET_S) // timeutil.HOUR_S) % 24
    season = 1 + SEASON[pollutant] * np.cos(2 * np.pi * day_of_year / 365.25)
    if pollutant == "o3":
        daily = 1 + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24)
    else:
        daily = 1 + 0.15 * np.cos(2 * np.pi * (hour - 21) / 24)
    episode = np.repeat(rng.lognormal(0.0, 0.45, len(ts) // 72 + 1), 72)[: len(ts)]
    noise = rng.lognormal(0.0, 0.25, len(ts))
    values = LEVEL[pollutant] * season * daily * episode * noise
    return np.round(np.clip(values, 0.0, 50.0 if pollutant == "co" else 900.0), 2 if pollutant == "co" else 1)


def readings_file(path: Path, rows: int) -> Path:
    """A long-form readings CSV of ``rows`` rows: every hour, 15 subdistricts × 6 pollutants."""
    if path.exists():
        return path
    rng = np.random.default_rng(SEED)
    sds = subdistricts()
    per_hour = len(sds) * len(POLLUTANTS)
    hours = -(-rows // per_hour)
    start = timeutil.label_to_ts(dt.datetime(2019, 1, 1, 1, 0))
    ts = start + np.arange(hours, dtype="int64") * timeutil.HOUR_S
    values = np.empty((hours, len(sds), len(POLLUTANTS)))
    for j in range(len(sds)):
        for k, pol in enumerate(POLLUTANTS):
            values[:, j, k] = _series(rng, pol, ts)
    labels = timeutil.ts_to_labels(ts).strftime("%Y-%m-%d %H:%M").to_numpy(dtype=object)
    frame = pd.DataFrame(
        {
            "subdistrict": np.tile(np.repeat(np.array([n for _, n in sds], dtype=object), len(POLLUTANTS)), hours),
            "time": np.repeat(labels, per_hour),
            "pollutant": np.tile(np.array([FILE_POLLUTANT[p] for p in POLLUTANTS], dtype=object), hours * len(sds)),
            "value": values.reshape(-1),
        }
    ).iloc[:rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)
    return path


def file_tuples(path: Path) -> list[tuple[Any, ...]]:
    """The file's rows as the tuples the reference loader inserts (ids and codes, as stored)."""
    mapping = file_mapping()
    frame = pd.read_csv(path, dtype={"subdistrict": object, "time": object, "pollutant": object})
    ts = timeutil.labels_to_ts(pd.to_datetime(frame["time"], format="%Y-%m-%d %H:%M")).tolist()
    return list(
        zip(
            frame["subdistrict"].map(mapping["subdistricts"]).astype("int64").tolist(),
            frame["pollutant"].map(mapping["pollutants"]).astype(object).tolist(),
            ts,
            itertools.repeat("h", len(frame)),
            itertools.repeat("", len(frame)),
            frame["value"].astype("float64").tolist(),
            itertools.repeat("cli", len(frame)),
            itertools.repeat(1, len(frame)),
            strict=True,
        )
    )


def fresh_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def schema_only(url: str) -> None:
    """The app's schema and reference tables (``init`` without data): where ingest and floor write."""
    from monitoring.bootstrap import init_database
    from monitoring.storage.engine import make_engine

    engine = make_engine(url)
    try:
        init_database(engine, load_data=False)
    finally:
        engine.dispose()


def stored_readings(url: str) -> int:
    from sqlalchemy import func, select

    from monitoring.storage.engine import make_engine
    from monitoring.storage.schema import readings

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(readings)).scalar_one())
    finally:
        engine.dispose()


# -- the ten-year database for the pages ----------------------------------------------------


def pages_database(years: int, folder: Path = BENCH_DIR, progress: Callable[[str], None] | None = None) -> Path:
    """A SQLite database with ``years`` of hourly readings for the 15 subdistricts (cached)."""
    say = progress or (lambda _m: None)
    path = folder / f"pages-v{GENERATOR_VERSION}-{years}y.db"
    if path.exists():
        return path
    from monitoring.storage.columnar import ReadingRows
    from monitoring.storage.daily_refresh import DailyRules, daily_from_rows, insert_daily
    from monitoring.targets import load_targets

    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    fresh_sqlite(tmp)
    url = f"sqlite:///{tmp}"
    schema_only(url)
    rules = DailyRules.from_targets(load_targets())
    last = timeutil.label_to_ts(dt.datetime(2026, 11, 21, 23, 0))
    hours = years * 8766
    ts = last - np.arange(hours, dtype="int64")[::-1] * timeutil.HOUR_S
    rng = np.random.default_rng(SEED + years)
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        run_id = conn.exec_driver_sql(
            "INSERT INTO ingestion_runs (kind, data_kind, source, user, started_at, finished_at, status, rows, accepted, "
            "first_ts, last_ts) VALUES ('ingest', 'readings', 'bench generator', 'bench', ?, ?, 'succeeded', ?, ?, ?, ?)",
            (dt.datetime.now(dt.UTC), dt.datetime.now(dt.UTC), hours * 90, hours * 90, int(ts[0]), int(ts[-1])),
        ).lastrowid
        raw = conn.connection.driver_connection
        assert raw is not None
        cur = raw.cursor()
        for n, (sid, name) in enumerate(subdistricts()):
            say(f"generating {years} years for {name} ({n + 1}/15)")
            for pol in sorted(POLLUTANTS):  # key order: appends to the primary key
                values = _series(rng, pol, ts)
                cur.executemany(
                    "INSERT INTO readings (subdistrict_id, pollutant, ts, resolution, station, value, source, run_id) "
                    "VALUES (?, ?, ?, 'h', '', ?, 'bench', ?)",
                    zip(itertools.repeat(sid), itertools.repeat(pol), ts.tolist(), values.tolist(), itertools.repeat(run_id), strict=False),
                )
                rows = ReadingRows(
                    sd=np.full(hours, sid, dtype="int64"),
                    pcode=np.full(hours, sorted(POLLUTANTS).index(pol), dtype="int64"),
                    ts=ts,
                    res=np.full(hours, "h", dtype=object),
                    station=np.full(hours, "", dtype=object),
                    value=values,
                    demo=np.zeros(hours, dtype=bool),
                    run_id=np.full(hours, run_id, dtype="int64"),
                )
                insert_daily(conn, daily_from_rows(rows, rules))
        cur.close()
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.replace(path)
    return path
