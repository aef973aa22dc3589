"""Issue 14: road-dust duplicates listed like rejections (line numbers and why), as readings' are.

A real road-dust CSV with a line the store already holds, a line repeated in the file, a
repeat with another value (refused) and a bad line; real SQLite files (PostgreSQL with
TEST_DATABASE_URL). The preview lists each duplicate with its line; the write then stores
exactly the lines the preview did not list as duplicates or rejected.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Engine, select

from monitoring.actors import Actor
from monitoring.ingest.pipeline import IngestResult, ingest_file
from monitoring.ingest.result import DUPLICATE_COLUMNS
from monitoring.storage.schema import road_dust
from monitoring.targets import Targets
from tests.cli import run_cli

ANALYST = Actor("road-dust-test", "analyst")
HEADER = "街道,道路名称,日期,道路尘负荷,等级\n"
#: Stored first: line 2 of FILE repeats it (a duplicate of the store).
STORED = HEADER + "德胜,德胜门外大街,2026-03-10,0.42,良\n"
FILE = HEADER + (
    "德胜,德胜门外大街,2026-03-10,0.42,良\n"  # 2: already stored, same value → duplicate
    "新街口,新街口外大街,2026-03-15,0.31,\n"  # 3: new
    "新街口,新街口外大街,2026-03-15,0.31,\n"  # 4: repeats line 3 → duplicate
    "新街口,新街口外大街,2026-03-15,0.5,\n"  # 5: repeats line 3 with another value → refused
    "德胜,鼓楼西大街,2026-03,-1,\n"  # 6: negative load → refused
    "月坛,月坛南街,2026-03-20,0.6,中\n"  # 7: new
)
STORED_LINES = [3, 7]


def _ingest(engine: Engine, text: str, targets: Targets, *, name: str = "道路尘.csv", **options: object) -> IngestResult:
    return ingest_file(engine, text.encode("utf-8"), name=name, targets=targets, actor=ANALYST, **options)  # type: ignore[arg-type]


def _stored_keys(engine: Engine, run_id: int | None = None) -> set[tuple[int, str, dt.date]]:
    rd = road_dust.c
    query = select(rd.subdistrict_id, rd.road, rd.day)
    if run_id is not None:
        query = query.where(rd.run_id == run_id)
    with engine.connect() as conn:
        return {(int(s), str(r), d) for s, r, d in conn.execute(query)}


def test_preview_lists_road_dust_duplicates_with_their_lines(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    _ingest(engine, STORED, targets, name="stored.csv")
    preview = _ingest(engine, FILE, targets, dry_run=True)
    assert preview.kind == "road_dust"
    dup = preview.duplicate_rows
    assert list(dup.columns) == DUPLICATE_COLUMNS["road_dust"]
    assert list(dup["line"]) == [2, 4]  # the store's and the file's own repeat, in line order
    assert list(dup["road"]) == ["德胜门外大街", "新街口外大街"] and list(dup["load"]) == [0.42, 0.31]
    assert list(dup["day"]) == [dt.date(2026, 3, 10), dt.date(2026, 3, 15)]
    c = preview.counts
    assert (preview.lines, c.accepted, c.duplicates, c.rejected, c.conflicts) == (6, 2, 2, 2, 0)
    assert len(dup) == c.duplicates  # listed as counted
    # every line accounted for once
    assert preview.readings == c.accepted + preview.rejected_readings + c.duplicates + c.missing + c.conflicts
    assert [r.line for r in preview.rejected_rows] == [5, 6]
    # the refused repeat names the road-dust key, not a reading's
    assert "同一街道、道路、日期" in preview.rejected_rows[0].reason


def test_a_readings_preview_keeps_its_duplicate_columns(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    body = "街道,时间,污染物,浓度\n德胜,2026-01-05 13:00,PM2.5,35\n德胜,2026-01-05 13:00,PM2.5,35\n"
    preview = _ingest(engine, body, targets, name="r.csv", dry_run=True)
    assert list(preview.duplicate_rows.columns) == DUPLICATE_COLUMNS["readings"]
    assert list(preview.duplicate_rows["line"]) == [3]


def test_road_dust_preview_equals_write(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    _ingest(engine, STORED, targets, name="stored.csv")
    preview = _ingest(engine, FILE, targets, dry_run=True)
    before = _stored_keys(engine)
    written = _ingest(engine, FILE, targets)
    assert written.status == "succeeded"
    assert written.counts == preview.counts
    assert [r.line for r in written.rejected_rows] == [r.line for r in preview.rejected_rows]
    # the write stored exactly the lines the preview neither listed as duplicates nor refused
    listed = set(preview.duplicate_rows["line"]) | {r.line for r in preview.rejected_rows}
    assert sorted(set(range(2, 2 + preview.lines)) - listed) == STORED_LINES
    new = _stored_keys(engine, written.run_id)
    assert {(road, day) for _sd, road, day in new} == {("新街口外大街", dt.date(2026, 3, 15)), ("月坛南街", dt.date(2026, 3, 20))}
    assert len(new) == written.counts.accepted == len(STORED_LINES)
    assert not new & before
    # a second preview: every good line is now a duplicate of the store, each listed
    again = _ingest(engine, FILE, targets, dry_run=True)
    assert list(again.duplicate_rows["line"]) == [2, 3, 4, 7] and again.counts.duplicates == 4
    assert again.counts.accepted == 0


def test_cli_dry_run_counts_match_the_preview(make_db, targets: Targets, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    _ingest(engine, STORED, targets, name="stored.csv")
    path = tmp_path / "道路尘.csv"
    path.write_text(FILE, encoding="utf-8")
    preview = _ingest(engine, FILE, targets, dry_run=True)
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    out = run_cli("ingest", str(path), "--dry-run", "--format", "json", env=env)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    report = report[0] if isinstance(report, list) else report
    assert report["kind"] == "road_dust"
    assert (report["lines"], report["readings"], report["accepted"], report["duplicates"], report["rejected"],
            report["rejected_readings"], report["conflicts"], report["missing"]) == (
        preview.lines, preview.readings, preview.counts.accepted, preview.counts.duplicates, preview.counts.rejected,
        preview.rejected_readings, preview.counts.conflicts, preview.counts.missing)
    assert [r["line"] for r in report["rejected_rows"]] == [5, 6]
    text = run_cli("ingest", str(path), "--dry-run", env=env)
    assert text.returncode == 0, text.stderr
    assert "would store 2 of 6 road-dust rows, 2026-03-10 … 2026-03-20;" in text.stdout  # days, no 00:00
    assert "2 duplicates" in text.stdout
