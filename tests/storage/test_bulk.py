"""storage.bulk: multi-row INSERTs on SQLite (COPY on PostgreSQL) insert exactly the rows given."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy import Engine, select

from monitoring.storage import bulk
from monitoring.storage.run_records import RunInfo, start_run
from monitoring.storage.schema import daily_means, readings

DESHENG = 10


def _readings(n: int, *, station: str | list[str] = "") -> dict[str, object]:
    return {
        "subdistrict_id": np.full(n, DESHENG),
        "pollutant": np.full(n, "pm25", dtype=object),
        "ts": 1_700_000_000 + np.arange(n, dtype="int64") * 3600,
        "resolution": np.full(n, "h", dtype=object),
        "station": np.asarray(station if isinstance(station, list) else [station] * n, dtype=object),
        "value": np.arange(n, dtype="float64") / 4,
    }


@pytest.mark.parametrize("n", [1, 249, 250, 251, 1000, 1234])
def test_every_row_lands_once_whatever_the_statement_size(make_db: Callable[..., Engine], n: int) -> None:
    engine = make_db()
    run_id = start_run(engine, RunInfo(kind="ingest", source="bulk.csv"))
    with engine.begin() as conn:
        assert bulk.insert_columns(conn, "readings", _readings(n), {"source": "cli", "run_id": run_id}) == n
    with engine.connect() as conn:
        got = conn.execute(select(readings.c.ts, readings.c.value, readings.c.run_id).order_by(readings.c.ts)).all()
    assert [r.ts for r in got] == (1_700_000_000 + np.arange(n) * 3600).tolist()
    assert [r.value for r in got] == (np.arange(n) / 4).tolist()
    assert {r.run_id for r in got} == {run_id}


def test_varying_and_null_columns_keep_their_values(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    stations = ["", "1001A", "1002A"] * 100
    run_id = start_run(engine, RunInfo(kind="ingest", source="bulk.csv"))
    with engine.begin() as conn:
        bulk.insert_columns(conn, "readings", _readings(300, station=stations), {"source": "cli", "run_id": run_id})
        bulk.insert_columns(
            conn,
            "daily_means",
            {
                "subdistrict_id": [DESHENG, DESHENG],
                "pollutant": ["o3", "o3"],
                "day": ["2025-03-10", "2025-03-11"],
                "mean": [40.0, 41.5],
                "n_hours": [24, 23],
                "max8h": [None, 60.25],
                "n_8h": [None, 17],
                "max1h": [None, 70.0],
                "demo": [False, False],
            },
        )
    with engine.connect() as conn:
        got = conn.execute(select(readings.c.station).order_by(readings.c.ts)).scalars().all()
        daily = conn.execute(select(daily_means.c.max8h, daily_means.c.n_8h).order_by(daily_means.c.day)).all()
    assert got == stations
    assert [tuple(r) for r in daily] == [(None, None), (60.25, 17)]


def test_statements_stay_within_the_drivers_parameter_limit(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's bound-parameter limit")
    run_id = start_run(engine, RunInfo(kind="ingest", source="bulk.csv"))
    with engine.begin() as conn:
        driver = conn.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 20)  # as a build with a small limit
        try:
            bulk.insert_columns(conn, "readings", _readings(101, station=["", "x"] * 50 + [""]), {"source": "cli", "run_id": run_id})
        finally:
            driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    with engine.connect() as conn:
        assert len(conn.execute(select(readings.c.ts)).all()) == 101


def test_columns_of_different_lengths_are_refused(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    with engine.begin() as conn, pytest.raises(ValueError, match="different lengths"):
        bulk.insert_columns(conn, "readings", {"ts": [1, 2], "value": [1.0]})


def test_the_statement_numbers_rows_then_shares_the_constants() -> None:
    sql = bulk._insert_sql("t", ["a", "b"], {"c": 1}, 2)
    assert sql == "INSERT INTO t (a, b, c) VALUES (?1, ?2, ?5), (?3, ?4, ?5)"
