"""Issue 13 — hostile files and values, the readers' part: each test performs the attack.

Workbooks whose claims or contents are huge are read in a real child process
(``python -m monitoring ingest``) whose peak memory (ru_maxrss, from ``os.wait4``) is its
own; an address-space limit keeps a regression from taking the machine with it. The
rest runs the real pipeline into a real SQLite file (the ``make_db`` fixture).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, select

from monitoring import config, timeutil
from monitoring.actors import Actor
from monitoring.cli import main
from monitoring.errors import InputError
from monitoring.ingest import validate as v
from monitoring.ingest.pipeline import ingest_file
from monitoring.ingest.readers import SheetChoiceError
from monitoring.storage.schema import readings
from monitoring.targets import IngestRules, Targets, WorkbookBounds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus"))
import make_corpus

ANALYST = Actor("hostile-test", "analyst")
FILES = make_corpus.FILES
#: Peak memory allowed to one child ingest (an empty run peaks near 160 MB).
PEAK_MB = 400
#: Address space of a child: past it the child fails instead of swapping the shared machine.
CHILD_AS = 3 << 30


def _child(args: list[str], db: Path, out: Path) -> tuple[int, float, float, str, str]:
    """Run ``python -m monitoring`` ARGS; (exit code, peak MB, seconds, stdout, stderr)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_AS, CHILD_AS))

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    hwm = out / "vmhwm"
    started = time.monotonic()
    with open(out / "stdout", "w") as so, open(out / "stderr", "w") as se:
        proc = subprocess.Popen([sys.executable, "-c", _REPORT_HWM, str(hwm), *args], cwd=config.PROJECT_ROOT,
                                env=env, stdout=so, stderr=se, preexec_fn=limit)
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            raise
    seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    # the child's own high-water mark: wait4's ru_maxrss also counts the (large) test process it forked from
    peak = int(hwm.read_text()) / 1024 if hwm.exists() else usage.ru_maxrss / 1024
    return code, peak, seconds, (out / "stdout").read_text(), (out / "stderr").read_text()


#: ``python -m monitoring ARGS`` that writes its own VmHWM (kB) to the file named first, at exit.
_REPORT_HWM = (
    "import atexit, runpy, sys\n"
    "path = sys.argv[1]\n"
    "def hwm():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            open(path, 'w').write(line.split()[1])\n"
    "atexit.register(hwm)\n"
    "sys.argv = ['monitoring', *sys.argv[2:]]\n"
    "runpy.run_module('monitoring', run_name='__main__', alter_sys=True)\n"
)


def _stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(readings)).scalar_one())


def _with_ingest(targets: Targets, **changes: Any) -> Targets:
    ingest = targets.ingest.model_copy(update=changes)
    return targets.model_copy(update={"ingest": ingest})


# -- 3: workbooks streamed with bounds -------------------------------------------------------


@pytest.mark.parametrize(("name", "code", "accepted"), [("workbook_far_empty_cell.xlsx", 0, 5),
                                                      ("workbook_far_cell.xlsx", 1, None),
                                                      ("workbook_dimension_lie.xlsx", 0, 5)])
def test_a_lying_dimension_costs_nothing(name: str, code: int, accepted: int | None, tmp_path: Path) -> None:
    """A small workbook claiming 702 columns × 1,048,576 rows, with a cell at ZZ1048576
    (main: past 6 GB, each padded row copied)."""
    exit_code, peak, seconds, out, err = _child(["ingest", str(FILES / name), "--format", "json"], tmp_path / "x.db", tmp_path)
    assert exit_code == code, err[-2000:]
    answer = json.loads(out)
    if accepted is not None:
        assert answer["accepted"] == accepted
    else:
        assert "702 columns, more than the 256 allowed" in answer["error"]
    assert "Traceback" not in err
    assert peak < PEAK_MB and seconds < 60, f"peak {peak:.0f} MB, {seconds:.0f} s"


def test_a_zip_bomb_sheet_is_refused_in_one_line(tmp_path: Path) -> None:
    """1,048,576 rows × 16 cells: ~1 MB packed, ~360 MB unpacked (main: read it all)."""
    bomb = make_corpus.zip_bomb_sheet(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 5 << 20
    code, peak, seconds, out, err = _child(["ingest", str(bomb)], tmp_path / "x.db", tmp_path)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: bomb.xlsx: the workbook unpacks to"), err[-2000:]
    assert "max_uncompressed_mb" in lines[0] and "Traceback" not in err
    assert peak < PEAK_MB and seconds < 60, f"peak {peak:.0f} MB, {seconds:.0f} s"


def test_a_flood_of_unused_shared_strings_is_refused(tmp_path: Path) -> None:
    flood = make_corpus.shared_strings_flood(tmp_path / "strings.xlsx")
    code, peak, _seconds, _out, err = _child(["ingest", str(flood)], tmp_path / "x.db", tmp_path)
    assert code == 1
    assert err.strip().count("\n") == 0 and "more than 100,000 distinct texts (shared strings)" in err, err[-2000:]
    assert peak < PEAK_MB, f"peak {peak:.0f} MB"


@pytest.mark.parametrize(
    ("bound", "value", "words"),
    [("max_cells", 50, "more than 50 cells"), ("max_rows", 10, "more than 10 rows"),
     ("max_columns", 3, "4 columns, more than the 3 allowed"), ("max_uncompressed_mb", 0.001, "unpacks to"),
     ("max_shared_strings", 3, "more than 3 distinct texts")],
)
def test_the_bounds_come_from_targets_yaml(bound: str, value: float, words: str, make_db, targets: Targets,  # type: ignore[no-untyped-def]
                                          tmp_path: Path) -> None:
    engine = make_db()
    path = FILES / "good_workbook.xlsx"
    if bound == "max_shared_strings":  # openpyxl writes inline strings: a table of ten
        path = make_corpus.shared_strings_flood(tmp_path / "strings.xlsx", n=10)
    tight = _with_ingest(targets, workbook=WorkbookBounds(**{bound: value}))
    with pytest.raises(InputError) as refused:
        ingest_file(engine, path, name=path.name, targets=tight, actor=ANALYST)
    assert words in str(refused.value) and f"ingest.workbook.{bound}" in str(refused.value)
    assert _stored(engine) == 0
    # the same file within the default bounds is read whole
    assert ingest_file(engine, path, name=path.name, targets=targets, actor=ANALYST).counts.accepted == 15


# -- 6: error codes and missing values are data ---------------------------------------------


def test_error_codes_are_rejected_rows_and_the_list_is_data(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    body = "subdistrict,time,pollutant,value\n德胜,2026-01-05 13:00,PM10,9999\n月坛,2026-01-05 13:00,PM10,-9999\n"
    engine = make_db()
    result = ingest_file(engine, body.encode(), name="s.csv", targets=targets, actor=ANALYST)
    assert (result.counts.accepted, result.counts.rejected, result.counts.missing) == (0, 1, 1)
    assert "9999 is an instrument error code" in result.rejected_rows[0].reason_en
    assert "故障代码" in result.rejected_rows[0].reason
    # the lists live in targets.yaml: without 9999 among the error codes it is a reading
    other = make_db()
    loose = _with_ingest(targets, error_codes=(99999.0,))
    assert ingest_file(other, body.encode(), name="s.csv", targets=loose, actor=ANALYST).counts.accepted == 1


def test_the_lists_are_validated() -> None:
    with pytest.raises(ValidationError, match="both a missing value and an error code"):
        IngestRules(missing_values=(-999.0,), error_codes=(-999.0,))
    with pytest.raises(ValidationError, match="could be a concentration"):
        IngestRules(missing_values=(999.0,))
    with pytest.raises(ValidationError, match="lower case"):
        IngestRules(missing_marks=("NA",))


# -- 7: numbers by a grammar ---------------------------------------------------------------


@pytest.mark.parametrize("cell", ["1_0", "1__0", "inf", "-Infinity", "nan(1)", "٣٥", "0x10", "1e", "--5", "5.5.5", "1 0"])
def test_what_float_accepts_but_a_file_does_not_mean(cell: str) -> None:
    numbers = v.parse_numbers(np.asarray([cell, "10"], dtype=object))
    assert np.isnan(numbers[0]) and numbers[1] == 10.0
    assert np.isnan(v.parse_numbers(np.asarray([cell], dtype=object))[0])


@pytest.mark.parametrize(("cell", "value"), [("10", 10.0), (" 35.5 ", 35.5), ("+3", 3.0), (".5", 0.5), ("5.", 5.0),
                                             ("1e2", 100.0), ("-0", 0.0), ("\t7", 7.0)])
def test_the_grammar_reads_plain_numbers(cell: str, value: float) -> None:
    assert v.parse_numbers(np.asarray([cell], dtype=object))[0] == value
    assert v.parse_numbers(np.asarray([cell, "x"], dtype=object))[0] == value


def test_one_underscore_is_not_stored_as_ten(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    result = ingest_file(engine, FILES / "underscore_number.csv", name="u.csv", targets=targets, actor=ANALYST)
    assert result.counts.rejected == 2 and _stored(engine) == 2
    with engine.connect() as conn:
        assert 10.0 not in set(conn.execute(select(readings.c.value)).scalars())


# -- 8: which sheet --------------------------------------------------------------------------


def test_the_hidden_first_sheet_is_not_read(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    result = ingest_file(engine, FILES / "workbook_hidden_first_sheet.xlsx", name="h.xlsx", targets=targets, actor=ANALYST)
    assert result.counts.accepted == 15
    with engine.connect() as conn:
        values = set(conn.execute(select(readings.c.value)).scalars())
        first = conn.execute(select(func.min(readings.c.ts))).scalar_one()
    assert 99.0 not in values, "the hidden sheet's old values were stored"
    assert timeutil.ts_to_label(int(first)).year == 2026


def test_several_sheets_are_named_and_one_is_chosen_with_sheet(make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_db()
    path = FILES / "workbook_data_on_first_of_two.xlsx"
    with pytest.raises(SheetChoiceError) as refused:
        ingest_file(engine, path, name=path.name, targets=targets, actor=ANALYST)
    assert refused.value.sheets == ["数据", "汇总"]
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "several sheets hold data: 数据, 汇总" in err and "--sheet" in err
    assert main(["ingest", str(path), "--sheet", "汇总x"]) == 1
    assert "no sheet named '汇总x'; the sheets are: 数据, 汇总" in capsys.readouterr().err
    assert main(["ingest", str(path), "--sheet", "数据", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 15
    # a hidden sheet is read when asked for by name
    hidden = FILES / "workbook_hidden_first_sheet.xlsx"
    assert main(["ingest", str(hidden), "--sheet", "旧数据", "--dry-run", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 10


# -- 9, 10, 11: what the result says beside its counts, on the command line ---------------------


def test_json_lists_ignored_columns_conversions_and_warnings(make_db, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_db()
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["ingest", str(FILES / "long_extra_pm10_column.csv"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["ignored_columns"] == ["PM10"]
    assert main(["ingest", str(FILES / "zoned_times.csv"), "--format", "json"]) == 0
    zoned = json.loads(capsys.readouterr().out)
    assert [(n["code"], n["rows"], n["lines"]) for n in zoned["conversions"]] == [("time_zone", 2, [2, 3])]
    assert "converted to Beijing time" in zoned["message"]
    assert main(["ingest", str(FILES / "pm25_above_pm10.csv")]) == 0
    text = capsys.readouterr().out
    assert "PM2.5 above PM10 in the same hour and place 1 time(s), kept" in text and "line 2" in text


def test_zoned_times_are_stored_as_beijing_labels(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    result = ingest_file(engine, FILES / "zoned_times.csv", name="z.csv", targets=targets, actor=ANALYST)
    assert result.counts.accepted == 5 and result.counts.rejected == 0
    with engine.connect() as conn:
        stamps = set(conn.execute(select(readings.c.ts)).scalars())
    assert {timeutil.ts_to_label(int(t)) for t in stamps} == {pd.Timestamp("2026-01-05 13:00").to_pydatetime()}


def test_a_time_off_the_hour_after_conversion_is_still_refused(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    body = "subdistrict,time,pollutant,value\n德胜,2026-01-05T13:00+05:30,PM2.5,35\n德胜,2026-01-05 13:00:00.500,PM2.5,35\n"
    result = ingest_file(make_db(), body.encode(), name="o.csv", targets=targets, actor=ANALYST, dry_run=True)
    assert result.counts.rejected == 2
    assert "not on the hour" in result.rejected_rows[0].reason_en


def test_pm25_above_pm10_is_kept_and_flagged(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    result = ingest_file(engine, FILES / "pm25_above_pm10.csv", name="p.csv", targets=targets, actor=ANALYST)
    assert result.counts.accepted == 4 and [(n.code, n.rows, n.lines) for n in result.warnings] == [("pm25_above_pm10", 1, [2])]
    from monitoring.storage.audit import run_pm25_above_pm10

    odd = run_pm25_above_pm10(engine, int(result.run_id or 0))
    assert odd[["subdistrict_id", "pm25", "pm10"]].values.tolist() == [[10, 80.0, 50.0]]


# -- 16: messages name the physical line, the real offset, printable text -----------------------


def test_a_bad_line_after_a_quoted_line_break_is_named_by_its_physical_line(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    body = ('subdistrict,time,pollutant,value,note\n德胜,2026-01-05 13:00,PM2.5,35,"a\nb\r\nc"\n'
            "月坛,2026-01-05 13:00,PM2.5,36,x,extra\n月坛,2026-01-05 14:00,PM2.5,x,\n")
    result = ingest_file(make_db(), body.encode(), name="q.csv", targets=targets, actor=ANALYST, dry_run=True)
    assert [(r.line, r.reason_en.split(": ", 1)[1][:22]) for r in result.rejected_rows] == [
        (5, "wrong number of fields"), (6, 'value "x" is not a num')]


def test_a_late_encoding_change_names_its_line_and_byte(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as refused:
        ingest_file(make_db(), FILES / "mixed_encoding_late.csv", name="m.csv", targets=targets, actor=ANALYST)
    data = (FILES / "mixed_encoding_late.csv").read_bytes()
    line = data[: make_corpus.MIXED_AT].count(b"\n") + 1
    assert f"line {line}: bytes at offset {make_corpus.MIXED_AT:,} " in str(refused.value)


def test_a_utf32_file_is_read_and_its_messages_are_printable(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    bad = ("\ufeffwho,when\n德胜,2026\n").encode("utf-32-le")
    with pytest.raises(InputError) as refused:
        ingest_file(make_db(), bad, name="u.csv", targets=targets, actor=ANALYST)
    assert "\x00" not in str(refused.value) and "[who, when]" in str(refused.value)
    escaped = ingest_file(make_db(), "subdistrict,time,pollutant,value\n德\x1b[31m胜,2026-01-05 13:00,PM2.5,3\n".encode(),
                          name="e.csv", targets=targets, actor=ANALYST, dry_run=True)
    assert escaped.rejected_rows[0].reason_en.isprintable() and "\\x1b[31m" in escaped.rejected_rows[0].reason_en
