"""``tasks [--annex N] [--unit NAME] [--status S] [--format json]``: the plan's work measures;
``tasks set MEASURE_ID STATUS`` records a status."""

from __future__ import annotations

import argparse
import json

JSON_FIELDS = (
    "measure_id", "annex", "task_no", "task", "measure_no", "measure", "deadline", "due", "lead_units",
    "support_units", "status", "status_zh", "status_day", "note", "set_by", "set_at", "overdue",
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("tasks", help="the plan's key tasks, one line per work measure; set a measure's status")
    p.add_argument("--annex", type=int, choices=(1, 2, 3), help="annex 1, 2 or 3")
    p.add_argument("--unit", help="a lead or supporting unit (part of a name is enough)")
    p.add_argument("--status", help="unreported, not_started, in_progress, done, late (or 未填报, 未开始, 进行中, 已完成, 滞后)")
    p.add_argument("--overdue", action="store_true", help="only measures past their deadline or marked late")
    p.add_argument("--as-of", help="the day to report (YYYY-MM-DD; default today)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    s = actions.add_parser("set", help="record a measure's status (kept with who and when)")
    s.add_argument("measure_id", help="e.g. 1-03-2 (annex-task-measure)")
    s.add_argument("status", help="not_started, in_progress, done, late (or 未开始, 进行中, 已完成, 滞后)")
    s.add_argument("--note", default="", help="what was done or why it is late")
    s.add_argument("--date", help="the day the status was reached (default today)")
    s.set_defaults(handler=run_set)


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
    frame = plan.tasks_table(engine, targets, as_of=as_of, annex=args.annex, unit=args.unit, status=args.status)
    if args.overdue:
        frame = plan.overdue_tasks(frame)
    records = [{k: jsonable(row[k]) for k in JSON_FIELDS} for row in frame.to_dict("records")]
    from monitoring.printable import printable, printable_json

    if args.format == "json":
        print(printable_json(json.dumps(records, ensure_ascii=False, indent=2)))
        return 0
    for r in records:
        flag = " OVERDUE" if r["overdue"] else ""
        first_line = printable((str(r["measure"]).splitlines() or [""])[0][:40])
        print(f"{printable(r['measure_id']):<8} {printable(r['status']):<12}{printable(r['deadline']):<6} "
              f"{printable('；'.join(r['lead_units']))[:30]:<30} {printable(r['task'])} — {first_line}{flag}")
    print(f"{len(records)} measures")
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
    day = args.date or plan.beijing_today()
    code = plan.set_task_status(engine, args.measure_id, args.status, args.note, day, command_line_actor(), targets=targets)
    print(f"{args.measure_id}: {code} from {day}")
    return 0
