"""The fast reader (ingest/fast.py) changes how fast a clean file is read, never its outcome.

Each file is ingested twice, into two databases: as the pipeline does it (the fast
reader first), and with the fast reader switched off (the general reader only). The
results, the stored readings and the daily means must be the same; and the tests say
which reader took the file, so a change that quietly stops using the fast one fails.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from monitoring.actors import Actor
from monitoring.ingest import collect, fast
from monitoring.ingest.pipeline import IngestResult, ingest_file
from monitoring.storage.schema import daily_means, readings, rejected_rows
from monitoring.targets import Targets
from tests.factories import make_readings

ANALYST = Actor("tester", "analyst")


def _stored(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        rows = conn.execute(select(readings.c.subdistrict_id, readings.c.pollutant, readings.c.ts, readings.c.resolution,
                                   readings.c.station, readings.c.value).order_by(*readings.primary_key.columns)).all()
        days = conn.execute(select(daily_means).order_by(*daily_means.primary_key.columns)).all()
        rejected = conn.execute(select(rejected_rows.c.line, rejected_rows.c.reason_en).order_by(rejected_rows.c.line)).all()
    return [tuple(r) for r in rows], [tuple(r) for r in days], [tuple(r) for r in rejected]


def _outcome(r: IngestResult) -> tuple[Any, ...]:
    c = r.counts
    return (r.status, c.rows, c.accepted, c.rejected, c.duplicates, c.conflicts, c.missing, r.first_label, r.last_label,
            [(x.line, x.reason_en) for x in r.rejected_rows], r.message,
            r.ignored_columns, [n.to_json() for n in r.conversions], [n.to_json() for n in r.warnings])


def _both(
    make_db: Callable[..., Engine], targets: Targets, monkeypatch: pytest.MonkeyPatch, data: bytes, **kw: Any
) -> tuple[bool, IngestResult]:
    """Ingest ``data`` both ways; assert the same outcome; return (fast reader used, result)."""
    used: list[bool] = []
    read_clean = collect.read_clean

    def spy(*args: Any) -> Any:
        out = read_clean(*args)
        used.append(out is not None)
        return out

    with monkeypatch.context() as m:
        m.setattr(collect, "read_clean", spy)
        first = make_db()
        result = ingest_file(first, data, name="f.csv", targets=targets, actor=ANALYST, run_kind="upload", **kw)
    with monkeypatch.context() as m:
        m.setattr(fast, "eligible", lambda _table: False)
        second = make_db()
        general = ingest_file(second, data, name="f.csv", targets=targets, actor=ANALYST, run_kind="upload", **kw)
    assert _outcome(result) == _outcome(general)
    assert _stored(first) == _stored(second)
    return used == [True], result


def _clean(targets: Targets, **kw: Any) -> pd.DataFrame:
    return make_readings(targets, days=3, pollutants=("pm25", "o3", "co"), rng=random.Random(7), **kw)


def test_a_clean_file_takes_the_fast_reader(make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    frame = _clean(targets)
    used, result = _both(make_db, targets, monkeypatch, frame.to_csv(index=False).encode())
    assert used and result.counts.accepted == len(frame) and result.status == "succeeded"


@pytest.mark.parametrize(
    "variant",
    ["bom_crlf", "columns_reordered", "extra_column", "english_names", "dates_given_daily", "repeated_rows"],
)
def test_variants_of_a_clean_file_end_as_the_general_reader_ends_them(
    make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch, variant: str  # type: ignore[no-untyped-def]
) -> None:
    frame = _clean(targets)
    encoding, newline = "utf-8", "\n"
    if variant == "bom_crlf":
        encoding, newline = "utf-8-sig", "\r\n"
    elif variant == "columns_reordered":
        frame = frame[["value", "pollutant", "subdistrict", "time"]]
    elif variant == "extra_column":
        frame = frame.assign(remark="ok")
    elif variant == "english_names":
        frame = frame.rename(columns={"subdistrict": "Subdistrict", "time": "Time", "pollutant": "Pollutant", "value": "Value"})
        frame["Pollutant"] = frame["Pollutant"].str.upper().replace({"PM25": "PM2.5"})
    elif variant == "dates_given_daily":
        daily = frame.groupby(["subdistrict", "pollutant"], as_index=False)["value"].mean().round(1)
        frame = pd.concat([frame, daily.assign(time="2026-01-05")[frame.columns]], ignore_index=True)
    elif variant == "repeated_rows":
        frame = pd.concat([frame, frame.iloc[[3, 10]], frame.iloc[[20]].assign(value=frame.loc[20, "value"] + 1)], ignore_index=True)
    used, result = _both(make_db, targets, monkeypatch, frame.to_csv(index=False, lineterminator=newline).encode(encoding))
    assert used
    if variant == "repeated_rows":  # in-file repeats are reported with the right lines
        assert result.counts.duplicates == 2 and result.counts.rejected == 1


@pytest.mark.parametrize(
    "damage",
    ["bad_value", "missing_mark", "empty_value", "unknown_subdistrict", "time_off_the_hour", "blank_line", "short_line",
     "out_of_range", "gbk", "semicolons"],
)
def test_a_file_with_anything_unusual_is_read_by_the_general_reader(
    make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch, damage: str  # type: ignore[no-untyped-def]
) -> None:
    # small blocks: the damage sits blocks after the first, after the fast reader has started
    monkeypatch.setattr(fast, "BLOCK_BYTES", 4096)
    frame = _clean(targets).astype({"value": object})
    at = len(frame) - 40
    encoding, sep = "utf-8", ","
    if damage == "bad_value":
        frame.loc[at, "value"] = "12..5"
    elif damage == "missing_mark":
        frame.loc[at, "value"] = -999
    elif damage == "empty_value":
        frame.loc[at, "value"] = ""
    elif damage == "unknown_subdistrict":
        frame.loc[at, "subdistrict"] = "德胜门外"
    elif damage == "time_off_the_hour":
        frame.loc[at, "time"] = "2026-01-02 10:30"
    elif damage == "out_of_range":
        frame.loc[at, "value"] = 5000.0
    elif damage == "gbk":
        encoding = "gbk"
    elif damage == "semicolons":
        sep = ";"
    text = frame.to_csv(index=False, sep=sep)
    lines = text.split("\n")
    if damage == "blank_line":
        lines.insert(at + 1, "")
    elif damage == "short_line":
        lines[at + 1] = lines[at + 1].rsplit(",", 1)[0]
    used, result = _both(make_db, targets, monkeypatch, "\n".join(lines).encode(encoding))
    assert not used
    if damage not in ("gbk", "semicolons", "blank_line", "missing_mark", "empty_value"):
        assert result.counts.rejected == 1 and result.rejected_rows[0].line == at + 2  # the header is line 1


@pytest.mark.parametrize("options", [{"hour_beginning": True}, {"dry_run": True}, {"strict": True}, {"replace": True}])
def test_options_act_the_same_through_either_reader(
    make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch, options: dict[str, bool]  # type: ignore[no-untyped-def]
) -> None:
    used, result = _both(make_db, targets, monkeypatch, _clean(targets).to_csv(index=False).encode(), **options)
    assert used
    assert result.status == ("dry_run" if options.get("dry_run") else "succeeded")


# -- issue 13: readers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "attack",
    ["underscore", "error_code", "missing_9999", "zoned", "milliseconds", "pm25_above_pm10", "extra_pm10", "quoted_newline"],
)
def test_hostile_values_end_the_same_through_either_reader(
    make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch, attack: str  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(fast, "BLOCK_BYTES", 4096)
    frame = make_readings(targets, days=2, pollutants=("pm25", "pm10"), rng=random.Random(3))
    frame.loc[frame["pollutant"] == "pm10", "value"] *= 3  # PM10 above PM2.5, as it is
    frame = frame.astype({"value": object})
    at = len(frame) - 40  # a pm25 row (pollutants alternate), blocks after the first
    assert frame.loc[at, "pollutant"] == "pm25"
    if attack == "underscore":
        frame.loc[at, "value"] = "1_0"
    elif attack == "error_code":
        frame.loc[at, "value"] = "9999"
    elif attack == "missing_9999":
        frame.loc[at, "value"] = "-9999"
    elif attack == "zoned":
        frame.loc[at, "time"] = pd.Timestamp(frame.loc[at, "time"]).strftime("%Y-%m-%dT%H:%M+08:00")
        frame.loc[at + 2, "time"] = (pd.Timestamp(frame.loc[at + 2, "time"]) - pd.Timedelta(hours=8)).strftime("%Y-%m-%dT%H:%MZ")
    elif attack == "milliseconds":
        frame.loc[at, "time"] = frame.loc[at, "time"] + ":00.000"
    elif attack == "pm25_above_pm10":
        frame.loc[at, "value"] = float(frame.loc[at + 1, "value"]) + 5
    elif attack == "extra_pm10":
        frame = frame.assign(PM10="60")
    elif attack == "quoted_newline":
        frame = frame.assign(note="")
        frame.loc[at - 10, "note"] = "two\nlines"
        frame.loc[at, "subdistrict"] = "德胜门外"
    used, result = _both(make_db, targets, monkeypatch, frame.to_csv(index=False).encode())
    line = at + 2  # the header is line 1
    if attack == "underscore":
        assert not used and result.counts.rejected == 1 and 'value "1_0" is not a number' in result.rejected_rows[0].reason_en
    elif attack == "error_code":
        assert not used and result.counts.rejected == 1 and "error code" in result.rejected_rows[0].reason_en
    elif attack == "missing_9999":
        assert not used and result.counts.missing == 1 and result.counts.rejected == 0
    elif attack == "zoned":
        assert not used and result.counts.rejected == 0 and [(n.code, n.lines) for n in result.conversions] == [("time_zone", [line + 2])]
    elif attack == "milliseconds":
        assert result.counts.rejected == 0 and result.counts.accepted == len(frame)  # either reader: the same outcome
    elif attack == "pm25_above_pm10":
        assert used and result.counts.rejected == 0 and [(n.code, n.lines) for n in result.warnings] == [("pm25_above_pm10", [line])]
    elif attack == "extra_pm10":
        assert used and result.ignored_columns == ["PM10"]
    elif attack == "quoted_newline":
        assert not used and [r.line for r in result.rejected_rows] == [line + 1]



# -- issue 15: pyarrow missing ------------------------------------------------------------------

_WITHOUT_PYARROW = """
import json, sys
sys.modules["pyarrow"] = None  # as if not installed: every import of it fails, pandas' too
from monitoring.actors import Actor
from monitoring.ingest import collect, fast
from monitoring.ingest.pipeline import ingest_file
from monitoring.storage.engine import make_engine
from monitoring.targets import load_targets
used = []
read_clean = collect.read_clean
def spy(*args):
    out = read_clean(*args)
    used.append(out is not None)
    return out
collect.read_clean = spy
r = ingest_file(make_engine(sys.argv[1]), open(sys.argv[2], "rb").read(), name="f.csv", targets=load_targets(),
                actor=Actor("tester", "analyst"), run_kind="upload")
print(json.dumps({"used": used, "status": r.status, "accepted": r.counts.accepted, "rejected": r.counts.rejected,
                  "pyarrow_loaded": sys.modules.get("pyarrow") is not None}))
"""


def test_without_pyarrow_the_general_reader_reads_the_file(
    make_db: Callable[..., Engine], targets: Targets, tmp_path: Path
) -> None:
    # A child process: pyarrow cannot be un-imported from this one, and pandas must start without it too.
    frame = _clean(targets)
    data = frame.to_csv(index=False).encode()
    (tmp_path / "f.csv").write_bytes(data)
    child_db, reference = make_db(), make_db()
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_PYARROW, child_db.url.render_as_string(hide_password=False), str(tmp_path / "f.csv")],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"used": [False], "status": "succeeded", "accepted": len(frame), "rejected": 0, "pyarrow_loaded": False}
    # the same rows and daily means as the general reader stores here, with pyarrow
    with pytest.MonkeyPatch.context() as m:
        m.setattr(fast, "eligible", lambda _table: False)
        ingest_file(reference, data, name="f.csv", targets=targets, actor=ANALYST, run_kind="upload")
    assert _stored(child_db) == _stored(reference)
