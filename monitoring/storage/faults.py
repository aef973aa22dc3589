"""Database faults that are the machine's, not the program's, told in one clear line.

A full disk, a read-only volume, a database held by another writer past the busy
timeout, or an I/O error reach us as the driver's OperationalError (through SQLAlchemy,
or raw from a DBAPI cursor in the bulk write path). :func:`storage_error` turns them
into a ``StorageError`` that says what happened, that nothing of the current write was
kept (the transaction rolled back), and what to do. Anything else is left alone: it is a
bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import DBAPIError

from monitoring.errors import StorageError

#: (a piece of the driver's message, English, Chinese, hint)
_KNOWN: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (
        ("database or disk is full", "no space left on device", "could not extend file", "disk full"),
        "the disk holding the database is full; nothing of this write was stored",
        "数据库所在磁盘已满，本次写入未保存任何数据",
        "free space on the data volume (or move DATABASE_URL to a larger one), then run it again",
    ),
    (
        ("readonly database", "read-only file system", "unable to open database file", "read-only transaction"),
        "the database is read-only here; nothing was written",
        "数据库为只读，未写入任何数据",
        "make the data folder and the database file writable (or mount the volume read-write), then run it again",
    ),
    (
        ("database is locked", "database table is locked", "lock timeout", "deadlock detected"),
        "the database stayed busy with another writer for too long; nothing of this write was stored",
        "数据库被其他写入长时间占用，本次写入未保存",
        "run it again in a moment",
    ),
    (
        ("disk i/o error", "input/output error", "database disk image is malformed", "file is not a database"),
        "the database file could not be read or written (disk I/O error or a damaged file); nothing was stored",
        "数据库文件读写出错（磁盘 I/O 错误或文件损坏），未保存任何数据",
        "check the disk; if PRAGMA integrity_check fails, restore the last backup (python -m monitoring restore)",
    ),
)


def _driver_message(exc: BaseException) -> str:
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    parts = [str(inner)]
    if isinstance(inner, OSError) and inner.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
        parts.append({errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk full",
                      errno.EROFS: "read-only file system"}[inner.errno])
    return " ".join(parts).lower()


def is_environment_fault(exc: BaseException) -> bool:
    return storage_error(exc) is not None


def storage_error(exc: BaseException, what: str = "") -> StorageError | None:
    """A one-line StorageError for a disk/permission/lock fault, or None for anything else."""
    if not isinstance(exc, (DBAPIError, sqlite3.Error, OSError)) and type(exc).__module__.split(".")[0] != "psycopg":
        return None
    message = _driver_message(exc)
    for needles, en, zh, hint in _KNOWN:
        if any(n in message for n in needles):
            prefix = f"{what}: " if what else ""
            return StorageError(f"{prefix}{en}", message_zh=f"{prefix}{zh}", hint=hint)
    return None
