"""Issue 13, item 17: the preview (``dry_run=True``, the upload page's check) says exactly
what the write then does.

For every file of the hostile corpus (tests/corpus/files) and for generated files with
duplicates and conflicts (readings and road dust, kept or replaced, strict or not): a
preview, then the write, on a first ingest and again on a re-ingest; counts, status,
message, rejected lines and conflicts must be the same. Real SQLite files (PostgreSQL
with TEST_DATABASE_URL).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine

from monitoring.actors import Actor
from monitoring.errors import InputError
from monitoring.ingest.pipeline import IngestResult, ingest_file
from monitoring.targets import Targets
from tests.factories import make_readings

FILES = Path(__file__).resolve().parents[1] / "corpus" / "files"
ANALYST = Actor("preview-test", "analyst")
COUNTS = ("rows", "accepted", "rejected", "duplicates", "conflicts", "replaced", "missing")


def _outcome(result: IngestResult) -> dict[str, Any]:
    """What a user is told, with the dry run's wording made the write's."""
    conflicts = result.conflict_rows
    if len(conflicts):
        conflicts = conflicts.loc[:, ["subdistrict_id", "pollutant", "time", "station", "old_value", "new_value"]]
        conflicts = sorted(map(tuple, conflicts.astype(str).to_numpy().tolist()))
    else:
        conflicts = []
    return {
        **{k: getattr(result.counts, k) for k in COUNTS},
        "status": "succeeded" if result.status == "dry_run" else result.status,
        "span": (result.first_label, result.last_label),
        "rejected_lines": [r.line for r in result.rejected_rows],
        "message": result.message.replace(": would store ", ": stored "),
        "message_zh": result.message_zh.replace("：将保存 ", "：已保存 "),
        "conflict_rows": conflicts,
        "dust_days": result.dust_days,
    }


def _ingest(engine: Engine, path: Path, targets: Targets, **options: Any) -> dict[str, Any] | str:
    try:
        return _outcome(ingest_file(engine, path, name=path.name, targets=targets, actor=ANALYST, **options))
    except InputError as exc:
        return f"refused: {exc}"


def preview_then_write(engine: Engine, path: Path, targets: Targets, **options: Any) -> tuple[Any, Any]:
    preview = _ingest(engine, path, targets, dry_run=True, **options)
    written = _ingest(engine, path, targets, **options)
    return preview, written


def _assert_same(preview: Any, written: Any, what: str) -> None:
    assert preview == written, f"{what}: the preview said\n  {preview}\nthe write did\n  {written}"


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.iterdir()))
def test_preview_equals_write_for_each_corpus_file(name: str, make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    first = preview_then_write(engine, FILES / name, targets)
    _assert_same(*first, f"{name}, first ingest")
    again = preview_then_write(engine, FILES / name, targets)
    _assert_same(*again, f"{name}, re-ingest")


def _readings_pair(targets: Targets, folder: Path) -> tuple[Path, Path]:
    """File A; file B sharing half of A's keys (a tenth with another value), plus its own
    rows, a station column and one daily value: duplicates, conflicts and new rows."""
    rng = random.Random(7)
    names = [sd.short_name for sd in targets.subdistricts][:4]
    a = make_readings(targets, first_day=dt.date(2026, 2, 1), days=4, pollutants=("pm25", "o3", "co"), subdistricts=names,
                      rng=rng)
    b = a.sample(frac=0.5, random_state=3).copy()
    clash = b.sample(frac=0.1, random_state=4).index
    b.loc[clash, "value"] = b.loc[clash, "value"] + 2.5
    extra = make_readings(targets, first_day=dt.date(2026, 2, 5), days=2, pollutants=("pm25", "no2"), subdistricts=names,
                          rng=rng)
    b = pd.concat([b, extra], ignore_index=True)
    path_a, path_b = folder / "a.csv", folder / "b.csv"
    a.to_csv(path_a, index=False)
    b.to_csv(path_b, index=False)
    return path_a, path_b


def _dust_pair(folder: Path) -> tuple[Path, Path]:
    header = "街道,道路,日期,尘负荷,等级\n"
    rows = [f"德胜,德胜门外大街,2026-03-{d:02d},{0.2 + d / 100:.2f},良\n" for d in range(1, 11)]
    changed = [r.replace(",良", ",中") if i % 3 == 0 else r for i, r in enumerate(rows[5:])]
    new = [f"月坛,月坛南街,2026-03-{d:02d},0.4{d % 10},良\n" for d in range(1, 4)]
    path_a, path_b = folder / "dust_a.csv", folder / "dust_b.csv"
    path_a.write_text(header + "".join(rows), encoding="utf-8")
    path_b.write_text(header + "".join(changed + new + rows[:2]), encoding="utf-8")
    return path_a, path_b


@pytest.mark.parametrize("kind", ["readings", "road_dust"])
@pytest.mark.parametrize("options", [{}, {"replace": True}, {"strict": True}], ids=["keep", "replace", "strict"])
def test_preview_equals_write_with_duplicates_and_conflicts(
    kind: str, options: dict[str, bool], make_db, targets: Targets, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    engine = make_db()
    path_a, path_b = _readings_pair(targets, tmp_path) if kind == "readings" else _dust_pair(tmp_path)
    for step, path in (("first file", path_a), ("second file", path_b), ("second file again", path_b),
                       ("first file again", path_a)):
        preview, written = preview_then_write(engine, path, targets, **options)
        assert isinstance(written, dict) and written["status"] == "succeeded", written
        _assert_same(preview, written, f"{kind} {options}: {step}")
    # the cases happened: the second file met duplicates and conflicts
    assert _ingest(engine, path_b, targets, dry_run=True)["duplicates"] > 0  # type: ignore[index]


def test_a_strict_refusal_is_previewed_as_the_write_refuses_it(make_db, targets: Targets, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    path = tmp_path / "one_bad.csv"
    path.write_text("subdistrict,time,pollutant,value\n德胜,2026-01-05 13:00,pm25,35\n德胜门外,2026-01-05 13:00,pm25,1\n",
                    encoding="utf-8")
    preview, written = preview_then_write(engine, path, targets, strict=True)
    assert isinstance(written, dict) and written["status"] == "refused" and written["accepted"] == 0
    _assert_same(preview, written, "strict refusal")
