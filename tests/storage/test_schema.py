"""The migrations build exactly the schema of schema.py, and the indexes the reads rely on exist."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError

from monitoring.storage.run_records import RunInfo, start_run
from monitoring.storage.schema import metadata


def test_migrations_match_schema(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_read_indexes_exist_and_run_id_index_does_not(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    names = {ix["name"] for ix in inspect(engine).get_indexes("daily_means")}
    assert "ix_daily_means_day_pollutant" in names
    # measured: an index on readings.run_id costs every ingest ~50 % of the insert (PERFORMANCE.md)
    assert "ix_readings_run_id" not in {ix["name"] for ix in inspect(engine).get_indexes("readings")}


def test_check_constraints_refuse_unknown_codes(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    run_id = start_run(engine, RunInfo(kind="ingest", source="x"))
    for pollutant, resolution in (("pm2.5", "h"), ("pm25", "x")):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO readings (subdistrict_id, pollutant, ts, resolution, station, value, source, run_id) "
                f"VALUES (10, '{pollutant}', 0, '{resolution}', '', 1.0, 'cli', {int(run_id)})"
            )
