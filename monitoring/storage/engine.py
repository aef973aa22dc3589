"""Engine creation: the database URL, SQLite's pragmas, and clear errors when it cannot open.

SQLite runs in WAL mode (readers never block the writer), with foreign keys on and a
busy timeout, so an upload while pages are read waits instead of failing with
"database is locked".
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from monitoring import config
from monitoring.errors import StorageError

#: Milliseconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Tables whose content a data write reads to decide what is new (PostgreSQL locks them
#: for the whole write; SQLite's write lock covers the whole file).
WRITE_LOCKED_TABLES = ("readings", "road_dust", "exceptional_events")


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    # NORMAL is durable in WAL mode except for the last commits on power loss; the file
    # itself can never be corrupted by it.
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another engine or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def check_sqlite_location(path: Path) -> None:
    """Refuse early, in one line, when the database folder is missing or read-only."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"database folder {folder} cannot be created: {exc.strerror}",
            message_zh=f"无法创建数据库目录 {folder}：{exc.strerror}",
            hint="create it, or set DATABASE_URL to a writable location",
            hint_zh="请创建该目录，或把 DATABASE_URL 设为可写的位置",
        ) from None
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK) or (path.exists() and not os.access(folder, os.W_OK)):
        raise StorageError(
            f"database {path} is not writable (read-only folder or file)",
            message_zh=f"数据库 {path} 不可写（目录或文件为只读）",
            hint="make the data folder writable, or set DATABASE_URL to a writable location",
            hint_zh="请让数据目录可写，或把 DATABASE_URL 设为可写的位置",
        )


def make_engine(url: str | None = None, *, check_writable: bool = True) -> Engine:
    """An engine for ``url`` (default: the DATABASE_URL setting)."""
    url = url or config.database_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(
            f"DATABASE_URL {url!r} is not a database URL",
            message_zh=f"DATABASE_URL {url!r} 不是有效的数据库地址",
            hint="use sqlite:///path/to/file.db or postgresql+psycopg://user@host:port/db",
            hint_zh="请使用 sqlite:///路径/文件.db 或 postgresql+psycopg://用户@主机:端口/库名",
        ) from None
    path = sqlite_path(url)
    if path is not None and check_writable:
        check_sqlite_location(path)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10)
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StorageError(
            f"DATABASE_URL {parsed.render_as_string(hide_password=True)}: no driver ({exc})",
            message_zh="数据库驱动未安装",
            hint="use sqlite:/// or postgresql+psycopg:// (the drivers in requirements.txt)",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    return engine


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the write lock from its first statement (commit on exit).

    A data write first reads what is stored ("is this key there? with which value?") and
    then writes what is new. Those reads must see the store as it is when the write
    happens, so no other writer may commit in between: the lock is taken before the
    first read. Readers are never blocked (SQLite WAL, PostgreSQL MVCC).

    - SQLite: ``BEGIN IMMEDIATE``. pysqlite (legacy transaction control) would otherwise
      begin only at the first INSERT, after the reads; it leaves an explicit BEGIN alone
      and SQLAlchemy's commit/rollback then end it. Waits up to the busy timeout.
    - PostgreSQL: ``LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE`` on the tables a write
      decides on: it excludes every other writer of them (any INSERT/UPDATE/DELETE, not
      only ours) but no reader; under READ COMMITTED each later statement then sees all
      that was committed before the lock. Waits up to the same timeout (``lock_timeout``).
    A wait past the timeout raises the driver's error, which ``faults.storage_error``
    tells in one line.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(SQLITE_BUSY_TIMEOUT_MS)}")
            conn.exec_driver_sql(f"LOCK TABLE {', '.join(WRITE_LOCKED_TABLES)} IN SHARE ROW EXCLUSIVE MODE")
        yield conn


def describe(engine: Engine) -> str:
    """The URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def plain_rows(conn: Connection, stmt: Select[Any]) -> list[tuple[Any, ...]]:
    """The driver's own tuples, without SQLAlchemy's per-row objects and type conversion
    (on SQLite: dates as ISO text, booleans as 0/1): a year of daily means (33 k rows)
    comes back in a third of the time, and pandas builds a frame from them without probing
    each Row for attributes (≈ 10 µs a row). The caller converts the columns it needs."""
    result = conn.execute(stmt)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()
