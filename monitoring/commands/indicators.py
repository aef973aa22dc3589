"""``indicators [--format json]``: every 附4 indicator; ``indicators set`` / ``indicators import`` enter values."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("indicators", help="the plan's 附4 indicators: value, target, gap, status; enter values")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--as-of", help="the day to report (YYYY-MM-DD; default today)")
    p.set_defaults(handler=run_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    s = actions.add_parser("set", help="enter one dated value of an indicator")
    s.add_argument("key", help="indicator key (see `indicators`) or its Chinese name")
    s.add_argument("date", help="the day the value describes, YYYY-MM-DD")
    s.add_argument("value", help="the number, in the indicator's unit (35 or 35%%)")
    s.add_argument("--note", default="", help="where the number comes from")
    s.set_defaults(handler=run_set)
    i = actions.add_parser("import", help="enter values from a CSV: indicator, date, value, note (all or none)")
    i.add_argument("file", type=Path)
    i.set_defaults(handler=run_import)


def run_list(args: argparse.Namespace) -> int:
    from monitoring import plan
    from monitoring.commands.report import jsonable
    from monitoring.storage import migrate
    from monitoring.storage.engine import make_engine
    from monitoring.targets import load_targets

    targets = load_targets()
    as_of = plan.parse_day(args.as_of, "--as-of") if args.as_of else None
    engine = make_engine()
    migrate.ensure_current(engine)
    frame = plan.indicators_table(engine, targets, as_of=as_of)
    records = [{k: jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]
    from monitoring.printable import printable, printable_json

    if args.format == "json":
        print(printable_json(json.dumps(records, ensure_ascii=False, indent=2)))
        return 0
    for r in records:
        target = f"{'≤' if r['direction'] == 'at_most' else '≥' if r['direction'] == 'at_least' else ''}{r['target']:g}" \
            if r["target"] is not None else r["target_text"]
        value = "—" if r["value"] is None else f"{r['value']:g}"
        gap = "" if r["gap"] is None else f"{r['gap']:+g}"
        print(f"{r['key']:<32}{value:>10} {r['unit']:<6} target {target:<14} gap {gap:<8} {r['status']:<12} {printable(r['source'])}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    from monitoring import plan
    from monitoring.actors import command_line_actor
    from monitoring.storage import migrate
    from monitoring.storage.engine import make_engine
    from monitoring.targets import load_targets

    targets = load_targets()
    engine = make_engine()
    migrate.ensure_current(engine)
    plan.enter_indicator_value(engine, targets, args.key, args.date, args.value, args.note, command_line_actor(), source="cli")
    ind = plan.find_indicator(targets, args.key)
    print(f"stored {ind.key} = {args.value} on {args.date}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from monitoring import plan
    from monitoring.actors import command_line_actor
    from monitoring.storage import migrate
    from monitoring.storage.engine import make_engine
    from monitoring.targets import load_targets

    targets = load_targets()
    engine = make_engine()
    migrate.ensure_current(engine)
    n = plan.import_indicator_csv(engine, targets, args.file, command_line_actor())
    print(f"stored {n} values from {args.file.name}")
    return 0
