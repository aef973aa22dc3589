"""Backup and restore of the monitor's database, safe while the app runs.

SQLite: ``backup`` copies a consistent snapshot with SQLite's online backup API into a
temporary file beside the destination, checks it (``PRAGMA integrity_check``, a row
count and a checksum per table), writes a manifest JSON beside it, and only then gives
the copy its final name, so a file under the final name is always a complete, checked
backup. ``restore`` checks the copy against its manifest before touching anything,
refuses to overwrite a database holding data without ``force``, keeps the database it
replaces as a safety copy, and checks the result against the manifest again.

PostgreSQL: ``pg_dump`` / ``pg_restore`` do this job; the commands run them when they
are installed and otherwise print the exact commands to run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from monitoring import config
from monitoring.errors import InputError, StorageError
from monitoring.storage import snapshot
from monitoring.storage.engine import sqlite_path

MANIFEST_FORMAT = 1
MANIFEST_SUFFIX = ".manifest.json"

Say = Callable[[str], None]
#: Tables that `init` fills by itself: a database holding only these holds no data yet.
_REFERENCE_TABLES = frozenset({"alembic_version", "subdistricts", "stations"})


@dataclass
class Manifest:
    """What a backup holds, written beside it as ``<file>.manifest.json``."""

    file: str
    bytes: int
    sha256: str
    created_at: str
    source: str
    revision: str | None
    integrity: str
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    format: int = MANIFEST_FORMAT

    def rows(self) -> dict[str, int]:
        return {name: int(t["rows"]) for name, t in self.tables.items()}

    def total_rows(self) -> int:
        return sum(self.rows().values())


def manifest_path(copy: Path) -> Path:
    return copy.with_name(copy.name + MANIFEST_SUFFIX)


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_manifest(copy: Path) -> Manifest:
    path = manifest_path(copy)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(**data)
    except FileNotFoundError:
        raise InputError(
            f"{copy}: no manifest {path.name} beside it",
            message_zh=f"{copy}：旁边没有清单文件 {path.name}",
            hint="restore only copies made by `python -m monitoring backup`, with their manifest",
        ) from None
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{path}: not a backup manifest ({exc})",
            message_zh=f"{path}：不是备份清单",
            hint="use the manifest written by `python -m monitoring backup`",
        ) from None


def _storage_error(what: str, exc: OSError | Exception, hint: str) -> StorageError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StorageError(f"{what}: {reason}", message_zh=f"{what}：{reason}", hint=hint)


def _live_sqlite_path(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise StorageError(
            "the SQLite backup needs a SQLite DATABASE_URL",
            message_zh="SQLite 备份需要 SQLite 数据库地址",
            hint="for PostgreSQL use pg_dump (see `python -m monitoring backup --help`)",
        )
    return path


def default_name(url: str) -> str:
    stem = (sqlite_path(url) or Path("xicheng_air.db")).stem
    return f"{stem}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.db"


def backup_sqlite(destination: Path, *, url: str | None = None, force: bool = False,
                  say: Say | None = None) -> tuple[Path, Manifest]:
    """Copy the live SQLite database to ``destination``.

    ``destination`` is the backup file, or a folder (an existing one, or a name without a
    suffix such as ``data/backups``) to put a dated ``<name>-<UTC time>.db`` in.
    """
    say = say or (lambda _m: None)
    url = url or config.database_url()
    source = _live_sqlite_path(url)
    if not source.exists():
        raise StorageError(
            f"database {source} does not exist",
            message_zh=f"数据库 {source} 不存在",
            hint="check DATABASE_URL, or run `python -m monitoring init` first",
        )
    if destination.is_dir() or not destination.suffix:
        destination = destination / default_name(url)
    if destination.resolve() == source.resolve():
        raise InputError(
            f"{destination} is the live database itself",
            message_zh=f"{destination} 就是正在使用的数据库",
            hint="give another file or folder",
        )
    if destination.exists() and not force:
        raise InputError(
            f"{destination} already exists",
            message_zh=f"{destination} 已存在",
            hint="choose another name, or add --force to overwrite it",
        )
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _storage_error(f"cannot create {destination.parent}", exc, "choose a writable folder") from None
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        say(f"copying {source} (online backup, the app may keep running)")
        snapshot.online_copy(source, partial)
        say("checking the copy (integrity, row counts, checksums)")
        integrity = snapshot.integrity_check(partial)
        if integrity != "ok":
            raise StorageError(
                f"the copy of {source} failed its integrity check: {integrity}",
                message_zh="备份副本完整性检查未通过",
                hint="the live database may be damaged: run PRAGMA integrity_check on it and keep the last good backup",
            )
        prints = snapshot.fingerprints(partial)
        manifest = Manifest(
            file=destination.name,
            bytes=partial.stat().st_size,
            sha256=snapshot.file_sha256(partial),
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            source=str(source),
            revision=snapshot.schema_revision(partial),
            integrity=integrity,
            tables={name: asdict(fp) for name, fp in prints.items()},
        )
        os.replace(partial, destination)
        _write_json_atomic(manifest_path(destination), asdict(manifest))
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise _storage_error(f"backup to {destination} failed", exc,
                             "check the free space and that the folder is writable; nothing was changed") from None
    except Exception:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return destination, manifest


def verify_copy(copy: Path, say: Say | None = None) -> Manifest:
    """Check a backup file against its manifest: size, file checksum, integrity, tables."""
    say = say or (lambda _m: None)
    if not copy.is_file():
        raise InputError(f"{copy}: no such backup file", message_zh=f"{copy}：备份文件不存在",
                         hint="give the .db file written by `python -m monitoring backup`")
    manifest = read_manifest(copy)

    def refuse(what: str) -> InputError:
        return InputError(f"{copy}: {what}", message_zh=f"{copy}：备份与清单不符（{what}）",
                          hint="the copy is damaged or was changed after the backup; use another backup")

    if not snapshot.is_sqlite_file(copy):
        raise refuse("not a SQLite database")
    if copy.stat().st_size != manifest.bytes or snapshot.file_sha256(copy) != manifest.sha256:
        raise refuse("file size or checksum differs from the manifest")
    say(f"checking {copy} against its manifest")
    if snapshot.integrity_check(copy) != "ok":
        raise refuse("integrity check failed")
    found = {name: asdict(fp) for name, fp in snapshot.fingerprints(copy).items()}
    if found != manifest.tables:
        raise refuse("table row counts or checksums differ")
    return manifest


def _holds_data(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        tables = snapshot.tables_with_rows(path)
    except Exception:  # unreadable: treat as holding data, so only --force overwrites it
        return True
    return any(name not in _REFERENCE_TABLES for name in tables)


def restore_sqlite(copy: Path, *, url: str | None = None, force: bool = False,
                   say: Say | None = None) -> tuple[Manifest, Path | None]:
    """Put a checked backup in place of the live database; return the safety copy's path."""
    say = say or (lambda _m: None)
    url = url or config.database_url()
    target = _live_sqlite_path(url)
    manifest = verify_copy(copy, say)
    if copy.resolve() == target.resolve():
        raise InputError(f"{copy} is the live database itself", message_zh="备份文件就是正在使用的数据库",
                         hint="give a backup file")
    safety: Path | None = None
    if _holds_data(target):
        if not force:
            raise InputError(
                f"database {target} holds data; restoring would replace it",
                message_zh=f"数据库 {target} 中已有数据，恢复会覆盖它",
                hint="add --force to replace it (a safety copy of it is kept first)",
            )
        safety_dir = target.parent / "backups"
        say(f"keeping a safety copy of the current database in {safety_dir}")
        safety, _ = backup_sqlite(safety_dir / f"before-restore-{default_name(url)}", url=url)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        say(f"restoring {copy} into {target}")
        snapshot.restore_into(copy, target)
    except OSError as exc:
        raise _storage_error(f"restore into {target} failed", exc,
                             "check the free space and that the folder is writable") from None
    except Exception as exc:  # sqlite3 errors: the target is locked, read-only, full …
        raise _storage_error(f"restore into {target} failed", exc,
                             "stop the app if it is writing, check space and permissions, and run restore again"
                             + (f"; the previous database is in {safety}" if safety else "")) from None
    found = {name: asdict(fp) for name, fp in snapshot.fingerprints(target).items()}
    if found != manifest.tables:
        raise StorageError(
            f"restored database {target} does not match the manifest of {copy}",
            message_zh="恢复后的数据库与备份清单不符",
            hint=f"run restore again; the previous database is in {safety}" if safety else "run restore again",
        )
    return manifest, safety


# -- PostgreSQL -------------------------------------------------------------------


def _libpq_url(url: str) -> tuple[str, dict[str, str]]:
    """The URL pg_dump understands (no driver suffix, no password) and its environment."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def postgres_instructions(url: str, path: Path, *, restore: bool) -> str:
    plain, _ = _libpq_url(url)
    if restore:
        return (f"pg_restore --clean --if-exists --no-owner --dbname '{plain}' '{path}'\n"
                "(set PGPASSWORD or use ~/.pgpass for the password; then run `python -m monitoring init`)")
    return (f"pg_dump --format=custom --file '{path}' '{plain}'\n"
            "(set PGPASSWORD or use ~/.pgpass for the password; pg_dump reads one consistent snapshot "
            "while the app runs)")


def run_postgres_tool(url: str, path: Path, *, restore: bool, force: bool) -> bool:
    """Run pg_dump / pg_restore when installed; False when it is not (print instructions)."""
    tool = "pg_restore" if restore else "pg_dump"
    if shutil.which(tool) is None:
        return False
    plain, env = _libpq_url(url)
    if restore:
        if not force:
            raise InputError("restoring into PostgreSQL replaces its tables", message_zh="恢复会覆盖 PostgreSQL 中的表",
                             hint="add --force to go ahead")
        cmd = [tool, "--clean", "--if-exists", "--no-owner", "--dbname", plain, str(path)]
    else:
        if path.exists() and not force:
            raise InputError(f"{path} already exists", message_zh=f"{path} 已存在",
                             hint="choose another name, or add --force to overwrite it")
        cmd = [tool, "--format=custom", "--file", str(path), plain]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise StorageError(f"{tool} failed: {last}", message_zh=f"{tool} 失败：{last}",
                           hint="check the server, the URL and the password (PGPASSWORD or ~/.pgpass)")
    return True
