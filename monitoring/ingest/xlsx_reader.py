"""The XLSX reader (issue 13): streamed, bounded, the right sheet.

A workbook is checked before openpyxl unpacks it (a zip bomb, a flood of shared strings,
targets.yaml ``ingest.workbook`` bounds), the sheet is the one asked for or the only visible
one holding cells (never a guess between several, never a hidden one unasked), rows are
streamed in read-only mode and cells become text as the CSV reader gives them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from monitoring.errors import InputError
from monitoring.ingest import readers  # readers.CHUNK_ROWS read at call time (tests shrink it)
from monitoring.ingest.layout import detect_layout, known_headers
from monitoring.ingest.readers import MAX_TITLE_LINES, Blob, Chunk, SheetChoiceError, Table, refuse
from monitoring.printable import one_line as printable  # the one-line form of a file's text in messages

if TYPE_CHECKING:
    from monitoring.targets import WorkbookBounds

def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute, value.second) != (0, 0, 0) else value.strftime("%Y-%m-%d 00:00")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


#: XML rows looked at to tell whether a sheet holds anything.
_SHEET_PROBE_ROWS = 1000
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")


def _choose(name: str, en: str, zh: str, hint: str, sheets: list[Any]) -> SheetChoiceError:
    return SheetChoiceError(f"{name}: {en}", message_zh=f"{name}：{zh}", hint=hint, sheets=[s.title for s in sheets])


def _bounds_or_default(bounds: WorkbookBounds | None) -> WorkbookBounds:
    from monitoring.targets import WorkbookBounds

    return bounds if bounds is not None else WorkbookBounds()


def _too_big(name: str, en: str, zh: str, key: str) -> InputError:
    return refuse(
        name,
        f"{en} (targets.yaml ingest.workbook.{key})",
        f"{zh}（targets.yaml ingest.workbook.{key}）",
        "save the readings as CSV UTF-8 (no such bound) or split the workbook; keep only the table of readings",
    )


def _not_a_workbook(name: str, exc: BaseException) -> InputError:
    return refuse(
        name,
        f"not a readable XLSX workbook ({type(exc).__name__})",
        "不是可读取的 XLSX 工作簿",
        "open it in Excel and save it again as .xlsx or CSV UTF-8",
    )


def _check_package(blob: Blob, bounds: WorkbookBounds) -> None:
    """Refuse a zip bomb or a flood of shared strings before openpyxl unpacks anything.

    The sizes come from the zip's directory; zipfile stops reading a part at its stated
    size (and fails its checksum past it), so a part cannot unpack to more than it says.
    """
    import zipfile

    with blob.open() as fh:
        try:
            package = zipfile.ZipFile(fh)
            parts = package.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _not_a_workbook(blob.name, exc) from None
        total = sum(p.file_size for p in parts)
        limit = bounds.max_uncompressed_mb * (1 << 20)
        if total > limit:
            raise _too_big(
                blob.name,
                f"the workbook unpacks to {total / (1 << 20):,.0f} MB, more than the {bounds.max_uncompressed_mb:g} MB allowed",
                f"工作簿解压后为 {total / (1 << 20):,.0f} MB，超过允许的 {bounds.max_uncompressed_mb:g} MB",
                "max_uncompressed_mb",
            )
        for part in parts:
            if not part.filename.lower().endswith("sharedstrings.xml"):
                continue
            count, tail = 0, b""
            try:
                with package.open(part) as src:
                    while block := src.read(1 << 20):
                        text = tail + block
                        count += sum(1 for m in _SHARED_STRING.finditer(text) if m.end() > len(tail))
                        tail = text[-16:]
                        if count > bounds.max_shared_strings:
                            raise _too_big(
                                blob.name,
                                f"the workbook holds more than {bounds.max_shared_strings:,} distinct texts (shared strings)",
                                f"工作簿的不同文本（共享字符串）超过 {bounds.max_shared_strings:,} 个",
                                "max_shared_strings",
                            )
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise _not_a_workbook(blob.name, exc) from None


def _trimmed(row: tuple[Any, ...] | list[Any]) -> list[Any]:
    """A row without its trailing empty cells ([] for an empty row)."""
    cells = list(row)
    while cells and (cells[-1] is None or (isinstance(cells[-1], str) and not cells[-1].strip())):
        cells.pop()
    return cells


def _holds_cells(sheet: Any) -> bool:
    for i, row in enumerate(sheet.iter_rows(values_only=True)):
        if _trimmed(row):
            return True
        if i >= _SHEET_PROBE_ROWS:
            return False
    return False


def _pick_sheet(workbook: Any, name: str, wanted: str | None) -> Any:
    """The sheet to read: the one asked for; else the only visible sheet holding cells.

    A hidden sheet is never read unless asked for by name: it is often the old data. With
    several visible sheets holding cells the file is refused with their names, not guessed.
    """
    sheets = list(workbook.worksheets)
    for sheet in sheets:
        sheet.reset_dimensions()  # the <dimension> a sheet claims is not trusted (issue 13)
    titles = ", ".join(printable(s.title) for s in sheets)
    if wanted is not None:
        for sheet in sheets:
            if sheet.title == wanted or sheet.title.strip().lower() == wanted.strip().lower():
                return sheet
        raise _choose(
            name,
            f"no sheet named {printable(wanted)!r}; the sheets are: {titles}",
            f"没有名为“{printable(wanted)}”的工作表；现有工作表：{titles}",
            "give one of these names with --sheet (or choose it on the Upload page)",
            sheets,
        )
    visible = [s for s in sheets if getattr(s, "sheet_state", "visible") == "visible"]
    filled = [s for s in visible if _holds_cells(s)]
    if len(filled) > 1:
        names = ", ".join(printable(s.title) for s in filled)
        raise _choose(
            name,
            f"several sheets hold data: {names}; say which to read",
            f"多个工作表都有内容：{names.replace(', ', '、')}；请指定要导入的工作表",
            "choose the sheet with --sheet NAME (or on the Upload page), or keep only the readings sheet visible",
            filled,
        )
    if filled:
        return filled[0]
    hidden = [s for s in sheets if s not in visible and _holds_cells(s)]
    if hidden:
        names = ", ".join(printable(s.title) for s in hidden)
        raise _choose(
            name,
            f"only hidden sheets hold data ({names}); a hidden sheet is not read unless asked for",
            f"只有隐藏的工作表有内容（{names}），隐藏的工作表默认不导入",
            "unhide the sheet in Excel, or choose it with --sheet NAME (or on the Upload page)",
            hidden,
        )
    raise refuse(name, "the workbook is empty", "工作簿是空的", "put the readings on one visible sheet")


def _claimed_rows(sheet: Any) -> int | None:
    """The rows a sheet's <dimension> claims (read again, then reset: never trusted)."""
    try:
        sheet._get_size()  # openpyxl's own reader of the claim
        return int(sheet.max_row) if sheet.max_row else None
    except Exception:  # no claim, or one that does not parse: the bound paces the bar
        return None
    finally:
        sheet.reset_dimensions()


def _sheet_rows(sheet: Any, name: str, bounds: WorkbookBounds) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of every non-empty row, refusing a sheet past the bounds."""
    cells_read = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > bounds.max_rows:
            raise _too_big(name, f"the sheet has more than {bounds.max_rows:,} rows", f"工作表超过 {bounds.max_rows:,} 行", "max_rows")
        cells = _trimmed(row)
        if not cells:
            continue
        if len(cells) > bounds.max_columns:
            raise _too_big(
                name,
                f"line {number}: {len(cells):,} columns, more than the {bounds.max_columns:,} allowed",
                f"第 {number} 行：{len(cells):,} 列，超过允许的 {bounds.max_columns:,} 列",
                "max_columns",
            )
        cells_read += len(cells)
        if cells_read > bounds.max_cells:
            raise _too_big(
                name,
                f"line {number}: the sheet holds more than {bounds.max_cells:,} cells",
                f"第 {number} 行：工作表超过 {bounds.max_cells:,} 个单元格",
                "max_cells",
            )
        yield number, cells


def _open_sheet(blob: Blob, sheet_name: str | None) -> tuple[Any, Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(blob.open(), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise _not_a_workbook(blob.name, exc) from None
    try:
        return workbook, _pick_sheet(workbook, blob.name, sheet_name)
    except InputError:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise _not_a_workbook(blob.name, exc) from None


def read_xlsx(blob: Blob, sheet_name: str | None = None, bounds: WorkbookBounds | None = None) -> Table:
    limits = _bounds_or_default(bounds)
    _check_package(blob, limits)
    workbook, sheet = _open_sheet(blob, sheet_name)
    chosen = sheet.title
    rows = _sheet_rows(sheet, blob.name, limits)
    head: list[tuple[int, list[Any]]] = []
    try:
        for item in rows:
            head.append(item)
            if len(head) > MAX_TITLE_LINES:
                break
    except InputError:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise _not_a_workbook(blob.name, exc) from None
    if not head:
        workbook.close()
        raise refuse(blob.name, "the workbook is empty", "工作簿是空的", "put the readings on one visible sheet")
    header_at = 0
    for i, (_n, cells) in enumerate(head):
        texts = [_cell_text(c) for c in cells]
        if known_headers(texts) >= 2:
            header_at = i
            break
    header_number = head[header_at][0]
    headers = [_cell_text(c) for c in head[header_at][1]]
    try:
        layout = detect_layout(headers, name=blob.name)
    except InputError:
        workbook.close()
        raise
    positions = sorted(set(layout.roles.values()) | set(layout.pollutants))
    names = layout.columns()
    # clamped: a sheet's claimed size only paces the progress bar (and the accumulator's
    # first estimate), so a lie can cost at most the bound.
    claimed = _claimed_rows(sheet)
    expected_rows = max(1, min(limits.max_rows, claimed)) if claimed else None  # None: no claim, no pace

    def chunks() -> Iterator[Chunk]:
        import numpy as np

        # A datetime column whose times are all midnight holds dates: write them as dates,
        # so a daily file saved by Excel is not read as hourly values at 00:00. Decided on
        # the first chunk (the sheet is a stream), then kept for the file.
        date_only: set[int] | None = None
        part: list[tuple[int, list[Any]]] = []

        def frame_of(batch: list[tuple[int, list[Any]]]) -> Chunk:
            nonlocal date_only
            if date_only is None:
                date_only = set()
                for pos in positions:
                    col = [r[pos] for _n, r in batch if pos < len(r) and isinstance(r[pos], dt.datetime)]
                    if col and all((x.hour, x.minute, x.second) == (0, 0, 0) for x in col):
                        date_only.add(pos)

            def cell(row: list[Any], pos: int) -> str:
                value = row[pos] if pos < len(row) else None
                if date_only and pos in date_only and isinstance(value, dt.datetime):
                    return value.date().isoformat()
                return _cell_text(value)

            frame = pd.DataFrame({n: [cell(r, pos) for _k, r in batch] for n, pos in zip(names, positions, strict=True)}, dtype=str)
            lines = np.asarray([k for k, _r in batch], dtype="int64")
            return Chunk(cells=frame, lines=lines, done=min(0.99, batch[-1][0] / expected_rows) if expected_rows else 0.0)

        try:
            for item in itertools.chain(head[header_at + 1 :], rows):
                part.append(item)
                if len(part) >= readers.CHUNK_ROWS:
                    yield frame_of(part)
                    part = []
            if part:
                yield frame_of(part)
        except InputError:
            raise
        except Exception as exc:  # a part broken half-way through the sheet
            raise _not_a_workbook(blob.name, exc) from None
        finally:
            workbook.close()

    def raw_lines(wanted: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        if not wanted:
            return found
        book, again = _open_sheet(blob, chosen)
        try:
            last = max(wanted)
            for number, cells in _sheet_rows(again, blob.name, limits):
                if number in wanted:
                    found[number] = ",".join(_cell_text(c) for c in cells)
                if number >= last:
                    break
        finally:
            book.close()
        return found

    return Table(
        blob=blob,
        container="xlsx",
        encoding=None,
        delimiter=None,
        header_line=header_number,
        layout=layout,
        chunks=chunks(),
        bad_lines=[],
        raw_lines=raw_lines,
        sheet=chosen,
    )
