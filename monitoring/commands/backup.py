"""``backup PATH [--force]``: a consistent, checked copy of the database while the app runs.

SQLite: the online backup API, then an integrity check, row counts and a checksum per
table in ``PATH.manifest.json``. PostgreSQL: runs pg_dump when it is installed, or prints
the command to run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("backup", help="write a consistent copy of the database (safe while the app runs)")
    p.add_argument("path", type=Path, help="the backup file (x.db), or a folder to put a dated one in (data/backups)")
    p.add_argument("--force", action="store_true", help="overwrite an existing backup file")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitoring import backup, config
    from monitoring.storage.engine import sqlite_path

    url = config.database_url()
    if sqlite_path(url) is None:
        if backup.run_postgres_tool(url, args.path, restore=False, force=args.force):
            print(f"pg_dump wrote {args.path}")
        else:
            print("pg_dump is not installed here; on a machine that has it, run:")
            print(backup.postgres_instructions(url, args.path, restore=False))
        return 0
    path, manifest = backup.backup_sqlite(args.path, url=url, force=args.force,
                                          say=lambda m: print(m, file=sys.stderr))
    print(f"backup: {path} ({manifest.bytes:,} bytes, {manifest.total_rows():,} rows in {len(manifest.tables)} tables, "
          f"integrity {manifest.integrity}, schema {manifest.revision})")
    print(f"manifest: {backup.manifest_path(path)}")
    return 0
