"""``runs [list|show RUN_ID]``: the ingestion audit — who, when, what file (sha256),
counts, and a run's rejected rows with their reasons."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("runs", help="the ingestion audit: list runs or show one with its rejected rows")
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("run_id", nargs="?", type=int, metavar="RUN_ID")
    p.add_argument("--limit", type=int, default=30, help="runs to list (newest first)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def _text(value: object) -> str:
    """A stored value as printable text: file names, users and messages come from outside
    and may hold newlines or terminal escape codes."""
    from monitoring.printable import printable

    return printable(value)


def run(args: argparse.Namespace) -> int:
    from monitoring.errors import InputError
    from monitoring.ingest.audit import run_detail, runs_table
    from monitoring.printable import printable_json
    from monitoring.storage import migrate
    from monitoring.storage.engine import make_engine

    engine = make_engine()
    migrate.ensure_current(engine)  # a new or old database: its schema first, not "no such table"
    if args.action == "list":
        if args.run_id is not None:
            print("python -m monitoring runs: error: `runs list` takes no RUN_ID (use `runs show RUN_ID`)", file=sys.stderr)
            return 2
        runs = runs_table(engine, limit=args.limit)
        if args.format == "json":
            print(printable_json(runs.to_json(orient="records", force_ascii=False)))
            return 0
        if runs.empty:
            print("no runs yet: load a file with `python -m monitoring ingest PATH`")
            return 0
        # finished is empty for a run still running, or killed (state "interrupted")
        print(f"{'id':>5}  {'started (Beijing)':<19}  {'finished':<19}  {'kind':<7} {'status':<11} {'user':<16} {'rows':>9} "
              f"{'stored':>9} {'rejected':>8} {'dup':>7} {'confl':>6}  sha256        source")
        for r in runs.itertuples(index=False):
            print(f"{r.id:>5}  {r.started_at:<19}  {r.finished_at:<19}  {r.kind:<7} {r.status:<11} {_text(r.user)[:16]:<16} "
                  f"{r.rows:>9,} {r.accepted:>9,} {r.rejected:>8,} {r.duplicates:>7,} {r.conflicts:>6,}  "
                  f"{_text(r.sha256)[:12]:<12}  {_text(r.source)}")
        return 0
    if args.run_id is None:
        print("python -m monitoring runs: error: `runs show` needs a RUN_ID (see `runs list`)", file=sys.stderr)
        return 2
    detail = run_detail(engine, args.run_id)
    if detail is None:
        raise InputError(
            f"run {args.run_id} does not exist",
            message_zh=f"运行记录 {args.run_id} 不存在",
            hint="see `python -m monitoring runs list` for the run ids",
        )
    if args.format == "json":
        out = dict(detail.run)
        out["stored_now"] = detail.stored
        out["rejected_rows"] = detail.rejected.to_dict(orient="records")
        out["conflict_rows"] = json.loads(detail.conflicts.to_json(orient="records", date_format="iso", force_ascii=False))
        print(printable_json(json.dumps(out, ensure_ascii=False, default=str)))
        return 0
    r = detail.run
    print(f"run {r['id']}: {r['kind']} of {r['data_kind']} from {_text(r['source'])} by {_text(r['user'])}")
    print(f"  status:   {r['status']}{(' — ' + _text(r['message'])) if r['message'] else ''}")
    print(f"  started:  {r['started_at']} (Beijing)   finished: {r['finished_at']}")
    print(f"  sha256:   {_text(r['sha256'])}")
    print(f"  options:  {printable_json(json.dumps(r.get('options') or {}, ensure_ascii=False))}")
    print(f"  counts:   rows {r['rows']:,}, stored {r['accepted']:,}, rejected {r['rejected']:,}, duplicates {r['duplicates']:,}, "
          f"conflicts {r['conflicts']:,} (replaced {r['replaced']:,}), missing {r['missing']:,}"
          + (f"; still stored now: {detail.stored:,}" if detail.stored >= 0 else ""))
    if r["first"]:
        print(f"  span:     {r['first']} … {r['last']} (hour-ending labels, Beijing)")
    if len(detail.rejected):
        print(f"rejected rows ({len(detail.rejected):,}):")
        for x in detail.rejected.itertuples(index=False):
            print(f"  {_text(x.reason_en or x.reason)}")
            if x.raw:
                print(f"      {_text(x.raw)}")
    if len(detail.conflicts):
        print(f"conflicts ({len(detail.conflicts):,}):")
        for c in detail.conflicts.itertuples(index=False):
            print(f"  subdistrict {c.subdistrict_id} {c.pollutant} {c.time:%Y-%m-%d %H:%M} station '{_text(c.station)}': "
                  f"stored {c.old_value:g}, file {c.new_value:g} -> {c.action}")
    return 0
