"""Extract the key-task tables of the 2026 action plan into a CSV the app reads.

Why this script exists: the plan (美丽西城建设2026年行动计划) is only available
as a Word document.  Its three annex tables (附1-附3) list every key task (重点任务)
and, row by row, the work measures (工作措施) with their deadline and the lead and
supporting units.  The monitor needs them as data, and transcribing ~190 rows by
hand is error-prone, so the transcription is done by this parser and kept in the
repository: anyone can re-run it against the seed text and ``--check`` proves the
committed CSV still matches it.

Input format (text extracted from Word, see data/plan_2026_tasks.md):

* every table cell starts on a line beginning with a TAB; lines without a TAB
  continue the previous cell (wrapped lines, further units, blank paragraphs);
* each table row has exactly six cells: 序号 | 重点任务 | 工作措施 | 完成时限 |
  主责单位 | 协办单位; a row whose 序号 and 重点任务 cells are empty continues the
  task above (vertically merged cells).

The parser is strict on purpose: anything that does not fit the expected shape
raises ``PlanFormatError`` instead of silently producing a wrong table.

Usage::

    python scripts/extract_plan_tasks.py            # (re)write data/plan_2026_tasks.csv
    python scripts/extract_plan_tasks.py --check    # exit 1 if the CSV is stale
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE: Path = REPO_ROOT / "data" / "reference" / "plan_2026_action_plan.txt"
DEFAULT_OUTPUT: Path = REPO_ROOT / "data" / "plan_2026_tasks.csv"

#: Column order of the CSV; the app and the tests rely on it.
COLUMNS: tuple[str, ...] = (
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
)

#: Separator between units in the CSV.  Full-width, so it never occurs in a name.
UNIT_SEPARATOR: str = "；"

#: The annexes that hold key-task tables (附4 is the indicator table, not parsed).
TASK_ANNEXES: tuple[int, ...] = (1, 2, 3)

#: Cells per table row: 序号, 重点任务, 工作措施, 完成时限, 主责单位, 协办单位.
HEADER: tuple[str, ...] = ("序号", "重点任务", "工作措施", "完成时限", "主责单位", "协办单位")
CELLS_PER_ROW: int = len(HEADER)

#: Marks "no unit" in a unit cell.
NONE_MARK: str = "——"

#: A line that starts the per-subdistrict PM2.5 target table at the end of 附1.
#: It is not a task table, so the annex-1 table stops there.
SUBDISTRICT_TABLE_RE: re.Pattern[str] = re.compile(r"^各街道.*有关指标")

#: Annex heading lines, e.g. "附1".
ANNEX_HEADING_RE: re.Pattern[str] = re.compile(r"^附(\d)$")

#: Month-range deadlines such as "6-9月" (also accepts a single month, "9月").
MONTHS_RE: re.Pattern[str] = re.compile(r"^(?:(\d{1,2})\s*[-－—~～至]\s*)?(\d{1,2})月$")

#: Deadline wording -> normalised kind.
DEADLINE_KINDS: dict[str, str] = {
    "年底前": "year_end",
    "持续推进": "ongoing",
    "长期实施": "long_term",
}

#: A unit name that Word wrapped onto two lines ("市规划自然资源委" / "西城分局").
#: The tail alone is not a unit, so it is glued back to the line before it.
WRAPPED_UNIT_TAILS: frozenset[str] = frozenset({"西城分局"})

#: Two or more spaces separating two units typed on one line ("区教委      各街道办事处").
INLINE_UNIT_GAP_RE: re.Pattern[str] = re.compile(r"\s{2,}")


class PlanFormatError(ValueError):
    """The seed text does not have the shape this parser expects."""


@dataclass(frozen=True)
class Cell:
    """One table cell: its 1-based source line number and its lines (right-stripped)."""

    line_no: int
    lines: tuple[str, ...]

    @property
    def content_lines(self) -> list[str]:
        """The cell's lines without leading/trailing blank lines."""
        lines = list(self.lines)
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        return lines

    @property
    def is_empty(self) -> bool:
        """True when the cell holds no text at all (a merged or blank cell)."""
        return not self.content_lines


@dataclass(frozen=True)
class Measure:
    """One work measure (one table row) with the task it belongs to."""

    annex: int
    annex_title: str
    task_no: int
    task: str
    measure_no: int
    measure: str
    deadline: str
    deadline_kind: str
    deadline_end_month: int | None
    lead_units: tuple[str, ...]
    support_units: tuple[str, ...]
    source_line: int
    deadline_inherited: bool = False

    @property
    def measure_id(self) -> str:
        """Stable id "annex-task(2 digits)-measure", e.g. "1-03-2"."""
        return f"{self.annex}-{self.task_no:02d}-{self.measure_no}"

    def as_row(self) -> dict[str, str]:
        """The CSV row; every value is text so the output is byte-stable."""
        return {
            "measure_id": self.measure_id,
            "annex": str(self.annex),
            "annex_title": self.annex_title,
            "task_no": str(self.task_no),
            "task": self.task,
            "measure_no": str(self.measure_no),
            "measure": self.measure,
            "deadline": self.deadline,
            "deadline_kind": self.deadline_kind,
            "deadline_end_month": "" if self.deadline_end_month is None else str(self.deadline_end_month),
            "lead_units": UNIT_SEPARATOR.join(self.lead_units),
            "support_units": UNIT_SEPARATOR.join(self.support_units),
        }


@dataclass(frozen=True)
class AnnexSection:
    """The table lines of one annex, with where they start in the file."""

    annex: int
    title: str
    first_line_no: int
    lines: tuple[str, ...]


def split_annexes(text: str) -> list[AnnexSection]:
    """Cut the document into the task-table sections of 附1, 附2 and 附3.

    Why: the annexes are delimited only by their "附N" heading lines; the text
    before 附1 is the plan's preamble, and 附4 (indicators) has another layout.
    The per-subdistrict PM2.5 table at the end of 附1 is cut off as well.
    """
    lines = text.split("\n")
    headings: list[tuple[int, int]] = []  # (annex number, 0-based line index)
    for idx, line in enumerate(lines):
        match = ANNEX_HEADING_RE.match(line.strip()) if not line.startswith("\t") else None
        if match:
            headings.append((int(match.group(1)), idx))
    numbers = [number for number, _ in headings]
    if numbers != sorted(set(numbers)) or not set(TASK_ANNEXES) <= set(numbers):
        raise PlanFormatError(f"unexpected annex headings: {numbers}")

    sections: list[AnnexSection] = []
    for pos, (number, idx) in enumerate(headings):
        if number not in TASK_ANNEXES:
            continue
        end = headings[pos + 1][1] if pos + 1 < len(headings) else len(lines)
        body_start = idx + 1
        while body_start < end and not lines[body_start].strip():
            body_start += 1
        title = lines[body_start].strip()
        table_start = body_start + 1
        table_end = end
        for j in range(table_start, end):
            if SUBDISTRICT_TABLE_RE.match(lines[j]):
                table_end = j
                break
        sections.append(
            AnnexSection(
                annex=number,
                title=title,
                first_line_no=table_start + 1,
                lines=tuple(lines[table_start:table_end]),
            )
        )
    return sections


def iter_cells(section: AnnexSection) -> Iterator[Cell]:
    """Yield the cells of a section in document order.

    Why: in the Word export a cell is a TAB-prefixed line plus every following
    line without a TAB, so grouping on that rule recovers multi-line cells
    (several paragraphs, several units) without guessing.
    """
    start: int | None = None
    buf: list[str] = []
    for offset, raw in enumerate(section.lines):
        if raw.startswith("\t"):
            if start is not None:
                yield Cell(start, tuple(buf))
            start = section.first_line_no + offset
            buf = [raw[1:].rstrip()]
        elif start is not None:
            buf.append(raw.rstrip())
        elif raw.strip():
            raise PlanFormatError(
                f"annex {section.annex}: text before the table at line {section.first_line_no + offset}"
            )
    if start is not None:
        yield Cell(start, tuple(buf))


def iter_rows(section: AnnexSection) -> Iterator[tuple[Cell, ...]]:
    """Group the cells six by six into table rows, skipping repeated headers.

    Why: Word repeats the header row where a table restarts (附1 has three
    sub-tables: air, water, soil).  A row is accepted only if its first cell is a
    number or empty; otherwise the cell stream is out of step and we stop.
    """
    cells = list(iter_cells(section))
    if len(cells) % CELLS_PER_ROW:
        raise PlanFormatError(f"annex {section.annex}: {len(cells)} cells is not a multiple of {CELLS_PER_ROW}")
    for i in range(0, len(cells), CELLS_PER_ROW):
        row = tuple(cells[i : i + CELLS_PER_ROW])
        texts = tuple("".join(cell.content_lines) for cell in row)
        if texts == HEADER:
            continue
        first = texts[0]
        if first and not first.isdigit():
            raise PlanFormatError(f"annex {section.annex}: row at line {row[0].line_no} starts with {first!r}")
        yield row


def cell_text_paragraphs(cell: Cell) -> str:
    """Text of a measure cell: its paragraphs joined with "\\n", blank ones dropped.

    Why: in the measure column each source line is a separate Word paragraph
    (often a separate sub-measure), so the line breaks carry meaning.
    """
    return "\n".join(line for line in cell.content_lines if line)


def cell_text_wrapped(cell: Cell) -> str:
    """Text of a task-name cell: its lines joined without separator.

    Why: task names are short titles that Word wrapped mid-phrase
    ("完善碳排放权" / "交易体系"); a newline there would be an artefact.
    """
    return "".join(line.strip() for line in cell.content_lines)


def parse_units(cell: Cell) -> tuple[str, ...]:
    """Split a unit cell into unit names; "——" or an empty cell means none.

    Why: units are listed one per line, sometimes with blank lines between them,
    once two on one line separated by spaces, and "市规划自然资源委西城分局" is
    sometimes wrapped after "委".  Each quirk is undone here so every list item is
    one unit exactly as spelled in the document.
    """
    names: list[str] = []
    for line in cell.content_lines:
        for part in INLINE_UNIT_GAP_RE.split(line.strip()):
            if not part:
                continue
            if part in WRAPPED_UNIT_TAILS and names:
                names[-1] = names[-1] + part
            else:
                names.append(part)
    if names == [NONE_MARK]:
        return ()
    if NONE_MARK in names:
        raise PlanFormatError(f"unit cell at line {cell.line_no} mixes {NONE_MARK} with units: {names}")
    for name in names:
        if UNIT_SEPARATOR in name:
            raise PlanFormatError(f"unit {name!r} at line {cell.line_no} contains {UNIT_SEPARATOR!r}")
    return tuple(names)


def classify_deadline(deadline: str) -> tuple[str, int | None]:
    """Normalise a deadline to (kind, end month or None).

    Why: the app needs to tell which measures are due; "6-9月" is due at the end
    of September, "年底前" at the end of the year, while "长期实施"/"持续推进"
    never fall due.  Unknown wording is kept as "other" rather than guessed.
    """
    if deadline in DEADLINE_KINDS:
        return DEADLINE_KINDS[deadline], None
    match = MONTHS_RE.match(deadline)
    if match:
        end_month = int(match.group(2))
        if 1 <= end_month <= 12:
            return "months", end_month
    return "other", None


def parse_section(section: AnnexSection) -> list[Measure]:
    """Turn one annex table into measures, numbering them within each task.

    Why the rules: continuation rows (empty 序号 and 重点任务) belong to the task
    above; Word also repeats the 序号/重点任务 of a task after a page break, so a
    row repeating the current task's number *and* name is a continuation too.
    Task numbers must then run 1, 2, 3, ... without gaps.  Two measures have an
    empty 完成时限 cell (vertically merged in the original); they inherit the
    deadline of the previous measure of the same task and are flagged.
    """
    measures: list[Measure] = []
    task_no = 0
    task = ""
    measure_no = 0
    prev_deadline = ""
    for row in iter_rows(section):
        no_cell, task_cell, measure_cell, deadline_cell, lead_cell, support_cell = row
        no_text = "".join(no_cell.content_lines)
        task_text = cell_text_wrapped(task_cell)
        if not no_text and not task_text:
            if task_no == 0:
                raise PlanFormatError(
                    f"annex {section.annex}: continuation row before any task (line {no_cell.line_no})"
                )
        elif no_text and task_text:
            number = int(no_text)
            if number == task_no and task_text == task:
                pass  # repeated after a page break: same task continues
            elif number == task_no + 1:
                task_no, task, measure_no = number, task_text, 0
            else:
                raise PlanFormatError(
                    f"annex {section.annex}: task {number} {task_text!r} at line {no_cell.line_no} "
                    f"does not follow task {task_no} {task!r}"
                )
        else:
            raise PlanFormatError(f"annex {section.annex}: half-empty task cells at line {no_cell.line_no}")

        measure = cell_text_paragraphs(measure_cell)
        if not measure:
            raise PlanFormatError(f"annex {section.annex}: empty measure at line {measure_cell.line_no}")
        if len(deadline_cell.content_lines) > 1:
            raise PlanFormatError(f"annex {section.annex}: multi-line deadline at line {deadline_cell.line_no}")
        deadline = "".join(deadline_cell.content_lines).strip()
        inherited = False
        if not deadline:
            if measure_no == 0 or not prev_deadline:
                raise PlanFormatError(
                    f"annex {section.annex}: empty deadline without a row above (line {deadline_cell.line_no})"
                )
            deadline, inherited = prev_deadline, True
        kind, end_month = classify_deadline(deadline)
        lead_units = parse_units(lead_cell)
        if not lead_units:
            raise PlanFormatError(f"annex {section.annex}: no lead unit at line {lead_cell.line_no}")

        measure_no += 1
        prev_deadline = deadline
        measures.append(
            Measure(
                annex=section.annex,
                annex_title=section.title,
                task_no=task_no,
                task=task,
                measure_no=measure_no,
                measure=measure,
                deadline=deadline,
                deadline_kind=kind,
                deadline_end_month=end_month,
                lead_units=lead_units,
                support_units=parse_units(support_cell),
                source_line=no_cell.line_no,
                deadline_inherited=inherited,
            )
        )
    return measures


def parse_plan(text: str) -> list[Measure]:
    """Parse all three task annexes of the plan text, in document order."""
    measures: list[Measure] = []
    for section in split_annexes(text):
        measures.extend(parse_section(section))
    ids = [m.measure_id for m in measures]
    if len(ids) != len(set(ids)):
        raise PlanFormatError("duplicate measure ids")
    return measures


def render_csv(measures: Sequence[Measure]) -> bytes:
    """Render the measures as UTF-8-with-BOM CSV bytes.

    Why a BOM: Excel only detects UTF-8 in a CSV when it starts with one.  Rows
    end in "\\n" and every field is quoted only when needed, so the bytes depend
    on nothing but the input (deterministic, diff-friendly).
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for measure in measures:
        writer.writerow(measure.as_row())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def summarise(measures: Sequence[Measure]) -> str:
    """One line per annex with task and measure counts (printed after a run)."""
    out: list[str] = []
    for annex in TASK_ANNEXES:
        rows = [m for m in measures if m.annex == annex]
        tasks = {m.task_no for m in rows}
        out.append(f"附{annex}: {len(tasks)} tasks, {len(rows)} measures")
    out.append(f"total: {len({(m.annex, m.task_no) for m in measures})} tasks, {len(measures)} measures")
    inherited = [m.measure_id for m in measures if m.deadline_inherited]
    if inherited:
        out.append(f"deadline inherited from the row above: {', '.join(inherited)}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="seed plan text (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="CSV to write (default: %(default)s)")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if --output differs from a fresh parse"
    )
    args = parser.parse_args(argv)

    text = args.source.read_text(encoding="utf-8")
    try:
        measures = parse_plan(text)
    except PlanFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    data = render_csv(measures)

    if args.check:
        current = args.output.read_bytes() if args.output.exists() else None
        if current != data:
            print(f"{args.output} is out of date; run scripts/extract_plan_tasks.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(measures)} measures)")
        return 0

    args.output.write_bytes(data)
    print(f"wrote {args.output}")
    print(summarise(measures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
