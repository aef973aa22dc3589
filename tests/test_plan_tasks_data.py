"""Checks data/plan_2026_tasks.csv against the seed plan text it was parsed from.

Why: the CSV is a transcription of the 2026 action plan's key-task tables (附1-附3);
the monitor reports progress per measure, so a lost or duplicated row would be a
silent reporting error.  The counts here are established *independently* of the
parser (hand count + a different regex on the raw text), so a parser bug cannot
make both sides agree by accident.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT: Path = Path(__file__).resolve().parent.parent
SOURCE: Path = REPO_ROOT / "data" / "reference" / "plan_2026_action_plan.txt"
CSV_PATH: Path = REPO_ROOT / "data" / "plan_2026_tasks.csv"
SCRIPT: Path = REPO_ROOT / "scripts" / "extract_plan_tasks.py"

EXPECTED_COLUMNS: list[str] = [
    "measure_id",
    "annex",
    "annex_title",
    "task_no",
    "task",
    "measure_no",
    "measure",
    "deadline",
    "deadline_kind",
    "deadline_end_month",
    "lead_units",
    "support_units",
]

# Counts verified by reading data/reference/plan_2026_action_plan.txt
# (line numbers of that file):
#   附1 (lines 13-977): tasks numbered 1-37 without gaps — air 1-19 (lines 16-709),
#       water 20-32 (header repeated at line 711), soil 33-37 (header at line 906);
#       90 measure rows (73 年底前 + 16 长期实施 + 1 "6-9月" deadline cells).
#       The PM2.5 table of the 15 subdistricts (line 979-1026) is not a task table.
#   附2 (lines 1029-1580): tasks 1-30 without gaps; 58 measure rows
#       (55 年底前 + 1 长期实施 + 2 empty deadline cells, lines 1149 and 1158).
#   附3 (lines 1582-1881): tasks 1-11 without gaps; 31 measure rows
#       (14 年底前 + 11 持续推进 + 6 长期实施).
#   Total 78 key tasks, 179 work measures (the "some 180 ... 78").
# Numbers repeated after a page break (附1 tasks 3, 6, 7, 8 at lines 94, 263,
# 309, 338; 附2 task 2 at line 1063) are one task, not new tasks.
HAND_COUNTED: dict[int, tuple[int, int]] = {1: (37, 90), 2: (30, 58), 3: (11, 31)}

# The two measures whose 完成时限 cell is empty in the document (lines 1149 and
# 1158, 附2 task 7); the parser takes the deadline of the row above (年底前).
INHERITED_DEADLINES: set[str] = {"2-07-2", "2-07-3"}

SUBDISTRICT_TABLE_TITLE: str = "各街道持续污染防治攻坚"


def load_rows() -> list[dict[str, str]]:
    """The committed CSV as dicts (BOM stripped by the utf-8-sig codec)."""
    with CSV_PATH.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def annex_texts() -> dict[int, str]:
    """Raw text of each task annex, cut with plain string search (not the parser)."""
    text = SOURCE.read_text(encoding="utf-8")
    starts = {n: text.index(f"\n附{n}\n") for n in (1, 2, 3, 4)}
    annex1_end = text.index(SUBDISTRICT_TABLE_TITLE, starts[1])
    return {
        1: text[starts[1] : annex1_end],
        2: text[starts[2] : starts[3]],
        3: text[starts[3] : starts[4]],
    }


def regex_rows(annex_text: str) -> list[str]:
    """序号 cell of every table row: a blank line, then a TAB cell that is a number
    or empty, then another TAB cell.  Header rows ("序号") do not match."""
    return re.findall(r"\n\n\t(\d*)\n\t", annex_text)


def regex_measures_per_task(annex_text: str) -> dict[int, int]:
    """Rows per task number from the regex rows (empty 序号 = same task)."""
    counts: Counter[int] = Counter()
    current = 0
    for number in regex_rows(annex_text):
        if number:
            current = int(number)
        counts[current] += 1
    return dict(counts)


def test_csv_header_and_bom() -> None:
    raw = CSV_PATH.read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8")), "CSV must start with a UTF-8 BOM for Excel"
    assert load_rows() and list(load_rows()[0].keys()) == EXPECTED_COLUMNS


@pytest.mark.parametrize("annex", [1, 2, 3])
def test_counts_match_hand_count(annex: int) -> None:
    rows = [r for r in load_rows() if r["annex"] == str(annex)]
    tasks = {r["task_no"] for r in rows}
    assert (len(tasks), len(rows)) == HAND_COUNTED[annex]


@pytest.mark.parametrize("annex", [1, 2, 3])
def test_counts_match_regex_on_document(annex: int) -> None:
    text = annex_texts()[annex]
    numbers = [int(n) for n in regex_rows(text) if n]
    distinct = sorted(set(numbers))
    assert distinct == list(range(1, len(distinct) + 1)), "task numbers must run 1..N"
    assert len(distinct) == HAND_COUNTED[annex][0]
    assert len(regex_rows(text)) == HAND_COUNTED[annex][1]

    csv_per_task = Counter(int(r["task_no"]) for r in load_rows() if r["annex"] == str(annex))
    assert dict(csv_per_task) == regex_measures_per_task(text)


def test_total_counts() -> None:
    rows = load_rows()
    assert len({(r["annex"], r["task_no"]) for r in rows}) == 78
    assert len(rows) == 179


def test_required_fields_non_empty() -> None:
    for row in load_rows():
        for column in ("annex_title", "task", "measure", "deadline", "deadline_kind", "lead_units"):
            assert row[column].strip(), f"{row['measure_id']}: empty {column}"


def test_measure_ids_unique_and_consistent() -> None:
    rows = load_rows()
    ids = [r["measure_id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert r["measure_id"] == f"{r['annex']}-{int(r['task_no']):02d}-{r['measure_no']}"


def test_measure_numbers_contiguous_within_task() -> None:
    per_task: dict[tuple[str, str], list[int]] = {}
    for r in load_rows():
        per_task.setdefault((r["annex"], r["task_no"]), []).append(int(r["measure_no"]))
    for key, numbers in per_task.items():
        assert numbers == list(range(1, len(numbers) + 1)), key


def test_one_name_per_task() -> None:
    names: dict[tuple[str, str], set[str]] = {}
    for r in load_rows():
        names.setdefault((r["annex"], r["task_no"]), set()).add(r["task"])
    assert all(len(v) == 1 for v in names.values())


def test_deadline_kinds() -> None:
    expected = {"年底前": "year_end", "长期实施": "long_term", "持续推进": "ongoing"}
    for r in load_rows():
        if r["deadline"] in expected:
            assert r["deadline_kind"] == expected[r["deadline"]]
            assert r["deadline_end_month"] == ""
        elif re.fullmatch(r"\d{1,2}-(\d{1,2})月", r["deadline"]):
            assert r["deadline_kind"] == "months"
            assert r["deadline_end_month"] == re.fullmatch(r"\d{1,2}-(\d{1,2})月", r["deadline"]).group(1)  # type: ignore[union-attr]
        else:
            assert r["deadline_kind"] == "other"
    assert [r["deadline_end_month"] for r in load_rows() if r["deadline_kind"] == "months"] == ["9"]


def test_units_are_split() -> None:
    for r in load_rows():
        for column in ("lead_units", "support_units"):
            if not r[column]:
                continue
            for unit in r[column].split("；"):
                assert unit and unit == unit.strip(), (r["measure_id"], column, unit)
                assert "\n" not in unit and "——" not in unit and "  " not in unit
                assert unit != "西城分局", "wrapped unit name not re-joined"


def test_subdistrict_pm25_table_excluded() -> None:
    for r in load_rows():
        assert not re.fullmatch(r"\d+", r["measure"])
        assert not r["task"].endswith("街道")


def test_inherited_deadlines_are_the_known_ones() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import extract_plan_tasks
    finally:
        sys.path.pop(0)
    measures = extract_plan_tasks.parse_plan(SOURCE.read_text(encoding="utf-8"))
    assert {m.measure_id for m in measures if m.deadline_inherited} == INHERITED_DEADLINES


def test_check_passes_on_committed_csv() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    assert result.returncode == 0, result.stderr


def test_check_fails_when_csv_missing() -> None:
    missing = REPO_ROOT / "data" / "__no_such_plan_tasks__.csv"
    assert not missing.exists()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--output", str(missing)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert not missing.exists()
