"""``init``: create or upgrade the schema and load the embedded data into an empty database."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="create or upgrade the database; load the embedded data when empty")
    p.add_argument("--no-demo", action="store_true", help="do not generate the demo year")
    p.add_argument("--no-data", action="store_true", help="only the schema and reference tables")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitoring.bootstrap import init_database

    report = init_database(
        load_data=not args.no_data,
        with_demo=False if args.no_demo else None,
        progress=lambda msg: print(msg, file=sys.stderr),
    )
    for line in report.lines():
        print(line)
    return 0
