"""``remove-demo``: delete every row the generated demo year stored (analysts only).

The demo runs stay in the audit trail, marked ``removed``; the daily means they fed are
recomputed from what is left (the real history and any loaded files).
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("remove-demo", help="delete the generated demo data (readings and road dust)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitoring.actors import command_line_actor
    from monitoring.ingest.audit import remove_demo_data
    from monitoring.storage.engine import make_engine
    from monitoring.targets import load_targets

    runs, rows = remove_demo_data(make_engine(), load_targets(), command_line_actor())
    if not runs:
        print("no demo data to remove")
    else:
        print(f"removed the demo data: {rows:,} rows from {runs} run(s); the runs stay in `runs list` as removed")
    return 0
