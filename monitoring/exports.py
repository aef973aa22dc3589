"""Download bytes for every table: CSV with a BOM (Excel opens it as UTF-8) and XLSX.

Both are safe to open in a spreadsheet: a text cell that begins with ``=``, ``+``, ``-``
or ``@`` (or a tab / carriage return, which some programs strip before evaluating) would
be read as a formula, so it is written with a leading apostrophe ``'`` instead (OWASP's
advice for CSV injection). Numbers stay numbers: only text cells are touched, so a
negative gap such as ``-1.5`` is still a number in the file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

#: Characters that make a spreadsheet treat a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: What is put in front of such a cell.
NEUTRALISER = "'"
#: Excel's limits on a sheet name.
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def neutralise_text(value: Any) -> Any:
    """A text cell that would start a formula gets a leading apostrophe; anything else is kept."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return NEUTRALISER + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot start a formula."""
    out = frame.copy()
    out.columns = [neutralise_text(str(c)) for c in out.columns]
    for pos in range(out.shape[1]):
        column = out.iloc[:, pos]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        if pd.api.types.is_datetime64_any_dtype(column):
            continue
        out.isetitem(pos, column.map(neutralise_text).astype(object))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, formula-safe, no index."""
    text = neutralise(frame).to_csv(index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, none of []:*?/\\)."""
    base = _SHEET_NAME_BAD.sub("_", name).strip("'") or "Sheet"
    base = base[:_SHEET_NAME_MAX]
    used = {t.lower() for t in taken}
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    return candidate


def _cell(value: Any) -> Any:
    """A value XlsxWriter writes as itself: NaN/NaT become empty cells."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value


def write_sheet(
    workbook: Any,
    name: str,
    frame: pd.DataFrame,
    *,
    title_lines: Sequence[str] = (),
    foot_lines: Sequence[str] = (),
) -> Any:
    """Write one table (with optional title lines above and notes below) into a new sheet.

    Text goes through ``write_string`` (never parsed as a formula) and numbers through
    ``write_number``, so the workbook stays formula-free whatever the data holds.
    """
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1, "text_wrap": True})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    row = 0
    for line in title_lines:
        sheet.write_string(row, 0, str(neutralise_text(line)), bold if row == 0 else None)
        row += 1
    if title_lines:
        row += 1
    safe = neutralise(frame)
    widths = [max(6, min(40, len(str(c)) * 2)) for c in safe.columns]
    for col, name_ in enumerate(safe.columns):
        sheet.write_string(row, col, str(name_), header)
    values = safe.to_numpy(dtype=object)
    for r, record in enumerate(values, start=row + 1):
        for c, raw in enumerate(record):
            value = _cell(raw)
            if value is None:
                sheet.write_blank(r, c, None)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif hasattr(value, "year") and hasattr(value, "month"):
                sheet.write_datetime(r, c, value if hasattr(value, "hour") else pd.Timestamp(value).to_pydatetime(),
                                     date_fmt)
            else:
                text = str(value)
                sheet.write_string(r, c, text)
                widths[c] = max(widths[c], min(60, len(text) + 2))
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    row = row + 1 + len(values) + 1
    for line in foot_lines:
        sheet.write_string(row, 0, str(neutralise_text(line)))
        row += 1
    return sheet


def xlsx_bytes(
    sheets: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    notes: Sequence[str] = (),
    title: str = "",
) -> bytes:
    """An XLSX workbook: one sheet per table, the notes (method, sources) under each table."""
    import xlsxwriter

    tables = {"data": sheets} if isinstance(sheets, pd.DataFrame) else dict(sheets)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "nan_inf_to_errors": False})
    taken: list[str] = []
    for name, frame in tables.items():
        valid = sheet_name(name, taken)
        taken.append(valid)
        write_sheet(workbook, valid, frame, title_lines=[title] if title else (), foot_lines=notes)
    workbook.close()
    return buffer.getvalue()
