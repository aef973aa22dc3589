"""``events list|add|remove``: exceptional events (例外事件, sand and dust among them) deducted
from assessment; figures are given with and without them (``report … --exclude-events``)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from monitoring.storage.events import Event


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("events", help="exceptional events (sand and dust, …): list, add or remove a deducted day range")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    ls = actions.add_parser("list", help="the events in force (--all: removed ones too), with who flagged them")
    ls.add_argument("--year", type=int, help="only events touching this year")
    ls.add_argument("--all", action="store_true", help="also the removed events, with who removed them")
    ls.add_argument("--format", choices=("text", "json"), default="text")
    ls.set_defaults(handler=run_list)
    add = actions.add_parser("add", help="flag FIRST … LAST (both included) as an exceptional event")
    add.add_argument("first", help="first day, YYYY-MM-DD")
    add.add_argument("last", help="last day, YYYY-MM-DD (the same day for a one-day event)")
    add.add_argument("--kind", required=True, help="a kind of targets.yaml exceptional_events.kinds, e.g. sand_dust")
    add.add_argument("--reason", required=True, help="what happened and on what evidence")
    add.set_defaults(handler=run_add)
    rm = actions.add_parser("remove", help="stop deducting event ID (the record stays, marked removed)")
    rm.add_argument("id", type=int, help="the event's id (see `events list`)")
    rm.add_argument("--reason", default="", help="why it is removed")
    rm.set_defaults(handler=run_remove)


def _engine() -> Engine:
    from monitoring.storage import migrate
    from monitoring.storage.engine import make_engine

    engine = make_engine()
    migrate.ensure_current(engine)
    return engine


def run_list(args: argparse.Namespace) -> int:
    import datetime as dt

    from monitoring import events
    from monitoring.targets import load_targets

    targets = load_targets()
    first = dt.date(args.year, 1, 1) if args.year else None
    last = dt.date(args.year, 12, 31) if args.year else None
    found = events.list_events(_engine(), first, last, removed=args.all)
    if args.format == "json":
        print(json.dumps([_record(e) for e in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("no exceptional events" + (f" in {args.year}" if args.year else ""))
        return 0
    for e in found:
        try:
            name = targets.exceptional_events.kind(e.kind).name_en
        except KeyError:
            name = e.kind
        days = (e.last_day - e.first_day).days + 1
        state = f"  removed by {e.removed_by} {e.removed_at:%Y-%m-%d %H:%M} UTC" if e.removed_at else ""
        print(f"{e.id:>4}  {e.first_day} – {e.last_day}  {days:>3} d  {e.kind:<10} ({name})  "
              f"flagged by {e.flagged_by} {e.flagged_at:%Y-%m-%d %H:%M} UTC  {_printable(e.reason)}{state}")
    return 0


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def _record(e: Event) -> dict[str, Any]:
    return {
        "id": e.id, "first_day": e.first_day.isoformat(), "last_day": e.last_day.isoformat(), "kind": e.kind,
        "reason": e.reason, "flagged_by": e.flagged_by, "flagged_at": e.flagged_at.isoformat(), "run_id": e.run_id,
        "removed_by": e.removed_by, "removed_at": e.removed_at.isoformat() if e.removed_at else None,
        "removed_reason": e.removed_reason,
    }


def run_add(args: argparse.Namespace) -> int:
    from monitoring import events
    from monitoring.actors import command_line_actor
    from monitoring.targets import load_targets

    e = events.flag_event(_engine(), load_targets(), args.first, args.last, args.kind, args.reason, command_line_actor())
    print(f"flagged event {e.id}: {e.kind} {e.first_day} – {e.last_day} ({(e.last_day - e.first_day).days + 1} days) by {e.flagged_by}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from monitoring import events
    from monitoring.actors import command_line_actor

    e = events.remove_event(_engine(), args.id, command_line_actor(), args.reason)
    print(f"removed event {e.id}: {e.kind} {e.first_day} – {e.last_day} (the record stays, removed by {e.removed_by})")
    return 0
