"""``restore PATH [--force]``: put a backup made by ``backup`` back in place of the database.

The copy is checked against its manifest first (file checksum, integrity, row counts and
checksums per table); a database that holds data is replaced only with ``--force``, and a
safety copy of it is kept in data/backups/ first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("restore", help="restore the database from a backup (checked against its manifest)")
    p.add_argument("path", type=Path, help="the backup file written by `backup`")
    p.add_argument("--force", action="store_true", help="replace a database that holds data (a safety copy is kept)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitoring import backup, config
    from monitoring.storage import migrate
    from monitoring.storage.engine import sqlite_path

    url = config.database_url()
    if sqlite_path(url) is None:
        if backup.run_postgres_tool(url, args.path, restore=True, force=args.force):
            print(f"pg_restore restored {args.path}; run `python -m monitoring init` to bring the schema up to date")
        else:
            print("pg_restore is not installed here; on a machine that has it, run:")
            print(backup.postgres_instructions(url, args.path, restore=True))
        return 0
    manifest, safety = backup.restore_sqlite(args.path, url=url, force=args.force,
                                             say=lambda m: print(m, file=sys.stderr))
    print(f"restored: {manifest.total_rows():,} rows in {len(manifest.tables)} tables from {args.path} "
          f"(made {manifest.created_at}, schema {manifest.revision}); checksums match the manifest")
    if safety is not None:
        print(f"the database it replaced is kept in {safety}")
    if manifest.revision != migrate.head_revision():
        print("the backup's schema is older than this version: run `python -m monitoring init` to migrate it")
    return 0
