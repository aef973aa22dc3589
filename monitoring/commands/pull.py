"""``pull SOURCE [--from DATE] [--to DATE]``: fetch one HTTP source of sources.yaml.

Incremental by default: from the oldest hour still missing (within the source's
look-back), else after the last hour asked, up to the last hour that has ended. All-or-nothing: a failure stores nothing, is recorded as a
failed ingestion run with its reason, and exits 1 with one line. See docs/PULLS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # sqlalchemy is imported by run(), not at start-up
    from sqlalchemy import Engine

_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2})(?::(\d{2}))?(?::00)?)?$")


def parse_when(text: str, *, end: bool) -> dt.datetime:
    """A --from/--to value → an hour-ending label. A date alone means its whole day:
    --from DAY is its 01:00, --to DAY is the next day's 00:00."""
    m = _DATE.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (2026-01-05) or an hour (2026-01-05 13:00)")
    y, mo, d, h, mi = m.groups()
    try:
        day = dt.date(int(y), int(mo), int(d))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    if h is None:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0)) if end else dt.datetime.combine(day, dt.time(1))
    if mi not in (None, "00"):
        raise argparse.ArgumentTypeError(f"{text!r}: hours are labelled on the hour (13:00, not 13:{mi})")
    if not 0 <= int(h) <= 24:
        raise argparse.ArgumentTypeError(f"{text!r}: the hour must be 0–24")
    return dt.datetime.combine(day, dt.time(0)) + dt.timedelta(hours=int(h))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "pull",
        help="fetch one configured HTTP source (sources.yaml) into the database",
        description="Fetch one HTTP source of sources.yaml. Without --from it resumes at the oldest hour still "
        "missing within lookback_hours, else after the last hour asked; without --to it runs up to the last hour that has ended. Hours are hour-ending "
        "Beijing labels. A failed pull stores nothing and is recorded as a failed run (exit 1).",
    )
    p.add_argument("source", metavar="SOURCE", help="a source name from sources.yaml")
    p.add_argument("--from", dest="start", metavar="DATE", type=lambda s: parse_when(s, end=False),
                   help="first hour (2026-01-05 13:00) or day (2026-01-05 = from its 01:00)")
    p.add_argument("--to", dest="end", metavar="DATE", type=lambda s: parse_when(s, end=True),
                   help="last hour, or day (= through the next day's 00:00); default: the last hour that has ended")
    p.add_argument("--dry-run", action="store_true", help="fetch and validate, store nothing, record no run")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(handler=run)


class ProgressPrinter:
    """Progress on stderr: one rewritten line on a terminal, else a line every few seconds."""

    def __init__(self, label: str, stream: TextIO | None = None, every_s: float = 5.0) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_s = every_s
        self._last = 0.0
        self._shown = False

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        text = f"{self.label}: {fraction * 100:5.1f}% {message}"
        if self.tty:
            self.stream.write("\r\033[K" + text[:150])
            self.stream.flush()
            self._shown = True
        elif now - self._last >= self.every_s or fraction >= 1.0:
            self.stream.write(text + "\n")
            self.stream.flush()
            self._last = now

    def close(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def ready_engine() -> Engine:
    """The configured database, refused in one line when it has not been initialised."""
    from monitoring.errors import StorageError
    from monitoring.storage import migrate
    from monitoring.storage.engine import describe, make_engine

    engine = make_engine()
    try:
        current = migrate.current_revision(engine)
    except Exception as exc:  # the driver's own error type varies by engine
        raise StorageError(
            f"cannot open the database {describe(engine)}: {exc}",
            message_zh=f"无法打开数据库 {describe(engine)}",
            hint="check DATABASE_URL and that the database server is running",
        ) from None
    if current != migrate.SCHEMA_REVISION:
        raise StorageError(
            f"the database {describe(engine)} is not initialised or is behind (schema {current or 'empty'})",
            message_zh="数据库尚未初始化或版本过旧",
            hint="run `python -m monitoring init` first",
        )
    return engine


def run(args: argparse.Namespace) -> int:
    from monitoring.actors import command_line_actor
    from monitoring.ingest.sources import load_sources
    from monitoring.ingest.sources.run import pull
    from monitoring.targets import load_targets

    targets = load_targets()
    sources = load_sources(targets=targets)
    source = sources.get(args.source)
    if args.start is not None and args.end is not None and args.start > args.end:
        print(f"python -m monitoring pull: error: --from {args.start:%Y-%m-%d %H:%M} is after --to "
              f"{args.end:%Y-%m-%d %H:%M}", file=sys.stderr)
        return 2
    engine = ready_engine()
    printer = None if args.quiet else ProgressPrinter(source.name)
    try:
        result = pull(
            engine,
            source,
            targets=targets,
            actor=command_line_actor(),
            defaults=sources.defaults,
            start=args.start,
            end=args.end,
            dry_run=args.dry_run,
            progress=printer,
        )
    finally:
        if printer is not None:
            printer.close()
        engine.dispose()
    from monitoring.printable import printable, printable_json

    if args.format == "json":
        print(printable_json(json.dumps(result.to_json(), ensure_ascii=False)))
    else:
        print(printable(result.line()))
    return 0 if result.ok else 1
