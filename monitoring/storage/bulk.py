"""Bulk inserts: PostgreSQL's COPY, and multi-row INSERTs on SQLite.

Both take the rows as columns (numpy arrays or lists) plus constants (one value for
every row, e.g. the run id), inside the caller's transaction.

SQLite has no COPY. Measured (``python -m monitoring bench``; docs/PERFORMANCE.md): a
million readings in key order, as multi-row ``INSERT … VALUES (…), (…), …`` statements
of 250 rows run by one ``executemany``, take about half the time of one-row
``executemany`` into a bare table. The per-statement work (reset, step, Python's call
overhead) is paid once per 250 rows, and a constant column is bound once per statement
(a shared numbered parameter), not once per row. Key order matters more than anything:
the same rows in file order take four times as long (each insert lands in a different
page of the key's B-tree), so callers sort first.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection

#: Rows per SQLite INSERT statement. Measured on a million readings: 50 → 0.93 s,
#: 250 → 0.58 s, 1,000 → 0.65 s (a longer statement costs more to step through).
ROWS_PER_STATEMENT = 250

Column = np.ndarray | Sequence[Any]


def _driver(conn: Connection) -> Any:
    return conn.connection.driver_connection


def insert_columns(
    conn: Connection,
    table: str,
    columns: Mapping[str, Column],
    constants: Mapping[str, Any] | None = None,
) -> int:
    """Insert ``len(columns[...])`` rows into ``table``; return how many.

    ``columns``: one array or list per column, all the same length (numpy values become
    Python numbers; ``None`` is NULL). ``constants``: columns with the same value on every
    row. Table and column names come from the code, never from input.
    """
    constants = dict(constants or {})
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{table}: columns of different lengths")
    if not lengths or lengths == {0}:
        return 0
    names: list[str] = []
    arrays: list[np.ndarray] = []
    for name, values in columns.items():
        if _constant(values):  # e.g. every reading hourly: bound once, not once per row
            constants[name] = _as_objects(values[:1])[0]
        else:
            names.append(name)
            arrays.append(_as_objects(values))
    if not arrays:  # every column constant: still one row per input row
        first = next(iter(constants))
        names, arrays = [first], [np.full(lengths.pop(), constants.pop(first), dtype=object)]
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, names, arrays, constants)
    return _sqlite_insert(conn, table, names, arrays, constants)


def _as_objects(values: Column) -> np.ndarray:
    """A column as an object array of plain Python values (what the drivers bind)."""
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            return values
        return values.astype(object)  # int64 → int, float64 → float, bool → bool
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _constant(values: Column) -> bool:
    """One value on every row? Integers, booleans, text and NULL only: a float column is
    bound row by row (NaN never equals itself, and measured values are not all one)."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "iub":
            return bool((values == values[0]).all())  # vectorised, before any conversion
        if values.dtype.kind == "f":
            return False
    first = values[0]
    if first is None:  # NULL on every row (e.g. the O3 columns of another pollutant)
        return all(v is None for v in values)
    if isinstance(first, float):
        return False
    if isinstance(values, np.ndarray):
        return bool((values == first).all())
    return all(v == first for v in values)


def _copy(conn: Connection, table: str, names: list[str], arrays: list[np.ndarray], constants: dict[str, Any]) -> int:
    all_names = [*names, *constants]
    lists = [a.tolist() for a in arrays]
    fixed = tuple(constants.values())
    cur = _driver(conn).cursor()
    try:
        with cur.copy(f"COPY {table} ({', '.join(all_names)}) FROM STDIN") as copy:
            for row in zip(*lists, strict=True):
                copy.write_row(row + fixed)
    finally:
        cur.close()
    return len(arrays[0])


def _sqlite_insert(conn: Connection, table: str, names: list[str], arrays: list[np.ndarray], constants: dict[str, Any]) -> int:
    driver = _driver(conn)
    n, width = len(arrays[0]), len(names)
    limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(ROWS_PER_STATEMENT, (limit - len(constants)) // max(width, 1)))
    matrix = np.empty((n, width), dtype=object)
    for j, array in enumerate(arrays):
        matrix[:, j] = array
    full = n - n % per_statement
    cur = driver.cursor()
    try:
        if full:
            batches = matrix[:full].reshape(-1, per_statement * width)
            shared = list(constants.values())
            # one statement's parameters at a time: the lists are not all held at once
            cur.executemany(_insert_sql(table, names, constants, per_statement), (b.tolist() + shared for b in batches))
        if full < n:
            rest = matrix[full:].reshape(-1).tolist() + list(constants.values())
            cur.execute(_insert_sql(table, names, constants, n - full), rest)
    finally:
        cur.close()
    return n


def _insert_sql(table: str, names: list[str], constants: dict[str, Any], rows: int) -> str:
    return _statement(table, tuple(names), tuple(constants), rows)


@functools.lru_cache(maxsize=64)
def _statement(table: str, names: tuple[str, ...], constants: tuple[str, ...], rows: int) -> str:
    """``INSERT INTO t (a, b, c) VALUES (?1, ?2, ?7), (?3, ?4, ?7), …``: numbered
    parameters, row by row, then the constants' parameters shared by every row."""
    width = len(names)
    shared = [f"?{rows * width + k + 1}" for k in range(len(constants))]
    tuples = (
        "(" + ", ".join([*(f"?{i * width + j + 1}" for j in range(width)), *shared]) + ")" for i in range(rows)
    )
    return f"INSERT INTO {table} ({', '.join([*names, *constants])}) VALUES " + ", ".join(tuples)
