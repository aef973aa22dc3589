"""The bench's floor stores exactly the rows the ingest stores, in the app's own table.

If it stored fewer rows, other keys or other values, the ratio of the ingest to it would
compare unlike work; both insert paths are held to the ingest's result.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitoring.bench.data import readings_file, schema_only
from monitoring.bench.loaders import FLOOR_VARIANTS, run_floor, run_ingest

pytestmark = pytest.mark.slow

KEY = "SELECT subdistrict_id, pollutant, ts, resolution, station, value FROM readings ORDER BY 1, 2, 3"


def _stored(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(KEY).fetchall()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[object, ...]]]:
    folder = tmp_path_factory.mktemp("floor")
    # 3,001 rows: the last hour is cut short, so the (subdistrict, pollutant) runs are uneven
    csv = readings_file(folder / "readings.csv", 3_001)
    db = folder / "ingest.db"
    schema_only(f"sqlite:///{db}")
    result = run_ingest(csv, f"sqlite:///{db}")
    assert result.output["accepted"] == 3_001
    return csv, _stored(db)


@pytest.mark.parametrize("variant", sorted(FLOOR_VARIANTS))
def test_floor_stores_what_the_ingest_stores(variant: str, ingested: tuple[Path, list[tuple[object, ...]]], tmp_path: Path) -> None:
    csv, expected = ingested
    db = tmp_path / "floor.db"
    schema_only(f"sqlite:///{db}")
    run = run_floor(csv, db, variant)
    assert run.output["rows"] == 3_001 and run.cpu > 0
    assert _stored(db) == expected
