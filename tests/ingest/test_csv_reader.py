"""The general CSV reader's rows with too many fields (``Table.bad_lines``), read straight from
the reader: these fail if pandas rewords the warning the reader reads them from (see the
reason in monitoring/ingest/csv_reader.py's docstring)."""

from __future__ import annotations

import pytest

from monitoring.ingest import readers
from monitoring.ingest.readers import BadLine


def _read(text: str) -> tuple[list[BadLine], list[int]]:
    table = readers.read_table(text.encode("utf-8"), name="t.csv")
    lines = [int(n) for chunk in table.chunks for n in chunk.lines]
    return table.bad_lines, lines


def test_c_parser_bad_lines_with_their_file_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "CHUNK_ROWS", 2)  # bad lines in several chunks
    rows = [f"德胜,2026-01-05 {h:02d}:00,PM2.5,{h}" for h in range(1, 8)]
    rows[1] += ",x,y"  # line 3: 6 fields
    rows[4] += ",z"  # line 6: 5 fields
    bad, lines = _read("subdistrict,time,pollutant,value\n" + "\n".join(rows) + "\n")
    assert bad == [BadLine(line=3, fields=6, expected=4), BadLine(line=6, fields=5, expected=4)]
    assert lines == [2, 4, 5, 7, 8]  # every other line, each once


def test_bad_line_after_a_quoted_line_break_keeps_its_physical_line() -> None:
    text = 'subdistrict,time,pollutant,value,note\n德胜,2026-01-05 01:00,PM2.5,1,"two\nlines"\n德胜,2026-01-05 02:00,PM2.5,2,n,extra\n'
    bad, lines = _read(text)
    assert bad == [BadLine(line=4, fields=6, expected=5)]
    assert lines == [2]


def test_python_parser_bad_lines() -> None:
    text = "subdistrict，time，pollutant，value\n德胜，2026-01-05 13:00，PM2.5，35，9\n月坛，2026-01-05 15:00，PM2.5，40\n"
    bad, lines = _read(text)
    assert bad == [BadLine(line=2, fields=5, expected=4)]
    assert lines == [3]


def test_first_data_row_with_extra_fields_is_a_bad_line() -> None:
    bad, lines = _read("subdistrict,time,pollutant,value\n德胜,2026-01-05 13:00,PM2.5,35,9\n月坛,2026-01-05 15:00,PM2.5,40\n")
    assert bad == [BadLine(line=2, fields=5, expected=4)]
    assert lines == [3]
    # a trailing delimiter on every data row (and not on the header): each row says so
    bad, lines = _read("subdistrict,time,pollutant,value\n德胜,2026-01-05 13:00,PM2.5,35,\n月坛,2026-01-05 15:00,PM2.5,40,\n")
    assert [b.line for b in bad] == [2, 3] and lines == []
