"""Downloads: CSV with a BOM, XLSX, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from monitoring import exports

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "plain", "德胜"]


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "name": HOSTILE,
        "gap": [-1.5, 2.0, -0.25, 0.0, 1.0, -3.0, float("nan"), 4.5],
        "rank": pd.array([1, 2, 2, 4, 5, 6, None, 8], dtype="Int64"),
        "ok": [True, False, True, False, True, False, True, False],
    })


def test_text_cells_that_start_a_formula_get_an_apostrophe() -> None:
    safe = exports.neutralise(frame())
    assert safe["name"].tolist() == ["'" + v for v in HOSTILE[:6]] + ["plain", "德胜"]


def test_numbers_stay_numbers() -> None:
    safe = exports.neutralise(frame())
    assert safe["gap"].dtype == "float64" and safe["gap"].iloc[0] == -1.5
    assert str(safe["rank"].dtype) == "Int64"


def test_csv_has_a_bom_and_is_formula_safe() -> None:
    data = exports.csv_bytes(frame())
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["name"].iloc[0] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert back["gap"].iloc[0] == -1.5  # a negative number is written as a number, not neutralised
    cells = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))][1:]
    assert len(cells) == len(HOSTILE)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_a_hostile_column_name_is_neutralised_too() -> None:
    data = exports.csv_bytes(pd.DataFrame({"=cmd": ["a"]}))
    assert data.decode("utf-8-sig").splitlines()[0] == "'=cmd"


def test_xlsx_holds_numbers_as_numbers_and_no_formula() -> None:
    data = exports.xlsx_bytes({"排名": frame()}, notes=["=not a formula", "方法：GB/T 8170"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["排名"]
    rows = list(sheet.iter_rows(values_only=False))
    header = [c.value for c in rows[0]]
    assert header == ["name", "gap", "rank", "ok"]
    assert rows[1][0].value == "'=HYPERLINK(\"http://x\",\"y\")"
    assert rows[1][1].value == -1.5 and rows[1][1].data_type == "n"
    assert rows[1][2].value == 1
    assert rows[7][1].value is None  # NaN is an empty cell, not 0
    assert all(cell.data_type != "f" for row in rows for cell in row)
    notes = [r[0].value for r in rows if r[0].value and str(r[0].value).startswith(("'=", "方法"))]
    assert "'=not a formula" in notes


@pytest.mark.parametrize(("name", "expected"), [("a/b:c", "a_b_c"), ("x" * 40, "x" * 31), ("", "Sheet")])
def test_sheet_names_are_valid(name: str, expected: str) -> None:
    assert exports.sheet_name(name) == expected


def test_sheet_names_are_unique() -> None:
    first = exports.sheet_name("data")
    assert exports.sheet_name("DATA", [first]) == "DATA (2)"
