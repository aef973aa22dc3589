"""SQLite file-level operations for backup and restore: online copy, integrity, fingerprints.

The copy uses SQLite's online backup API in one step: it reads one consistent snapshot
(a read transaction; in WAL mode the app's writers carry on meanwhile) and writes it
page by page into the destination. The fingerprint of a table is its row count and a
SHA-256 over its rows in primary-key order, so two files holding the same data agree
whatever their page layout.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: SQLite's own bookkeeping tables are not data.
_INTERNAL_PREFIX = "sqlite_"
_BUSY_TIMEOUT_S = 30.0
_BATCH = 10_000


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    sha256: str


@contextlib.contextmanager
def _open(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_S)
    else:
        conn = sqlite3.connect(str(path), timeout=_BUSY_TIMEOUT_S)
    try:
        yield conn
    finally:
        conn.close()


def online_copy(source: Path, destination: Path, *, self_contained: bool = True) -> None:
    """Copy the database ``source`` into ``destination`` (created or overwritten in place).

    ``self_contained``: switch the copy to the rollback journal, so it is one file with no
    ``-wal`` beside it (a backup that can be moved, checksummed and mailed as it is).
    """
    with _open(source, read_only=True) as src, _open(destination, read_only=False) as dst:
        src.backup(dst)
        if self_contained:
            dst.execute("PRAGMA journal_mode = DELETE").fetchall()


def restore_into(copy: Path, target: Path) -> None:
    """Write the pages of ``copy`` over the live database ``target``.

    Through the backup API, not a file rename: connections the app holds open on
    ``target`` see the restored content on their next transaction instead of a deleted file.
    """
    with _open(copy, read_only=True) as src, _open(target, read_only=False) as dst:
        src.backup(dst)
        # The copy is kept with a rollback journal; the live database runs in WAL mode.
        dst.execute("PRAGMA journal_mode = WAL").fetchall()


def integrity_check(path: Path) -> str:
    """``ok``, or SQLite's description of what is broken (first lines)."""
    with _open(path, read_only=True) as conn:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(r[0]) for r in rows[:5])


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    return [str(r[0]) for r in rows if not str(r[0]).startswith(_INTERNAL_PREFIX)]


def _order_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    info = conn.execute("SELECT name, pk FROM pragma_table_info(?)", (table,)).fetchall()
    keyed = sorted((int(pk), str(name)) for name, pk in info if int(pk) > 0)
    # No primary key: order by every column, which is still deterministic.
    return [name for _, name in keyed] or [str(name) for name, _ in info]


def _quote(identifier: str) -> str:
    # Table and column names come from sqlite_master of our own schema, never from a file;
    # quoting keeps names such as "user" or "load" valid.
    return '"' + identifier.replace('"', '""') + '"'


def fingerprints(path: Path) -> dict[str, TableFingerprint]:
    """Row count and row checksum of every table in the file."""
    out: dict[str, TableFingerprint] = {}
    with _open(path, read_only=True) as conn:
        conn.execute("BEGIN")  # one snapshot for every table
        for table in _tables(conn):
            order = ", ".join(_quote(c) for c in _order_columns(conn, table))
            digest = hashlib.sha256()
            rows = 0
            cursor = conn.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # names from sqlite_master, quoted
            # Batches have a fixed size, so hashing a batch's repr is as deterministic as
            # hashing each row, and much faster in Python.
            while batch := cursor.fetchmany(_BATCH):
                rows += len(batch)
                digest.update(repr(batch).encode("utf-8"))
            out[table] = TableFingerprint(rows, digest.hexdigest())
        conn.execute("COMMIT")
    return out


def tables_with_rows(path: Path) -> list[str]:
    """Tables that hold at least one row (cheap: one probe per table)."""
    with _open(path, read_only=True) as conn:
        return [t for t in _tables(conn) if conn.execute(f"SELECT 1 FROM {_quote(t)} LIMIT 1").fetchone()]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def schema_revision(path: Path) -> str | None:
    """The Alembic revision recorded in the file, or None when it has none."""
    with _open(path, read_only=True) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return str(row[0]) if row else None


def is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"
