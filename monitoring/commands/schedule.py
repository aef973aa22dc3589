"""``schedule [SOURCE...] [--every 1h] [--delay 20m] [--rounds N]``: run pulls on a timetable.

Runs in the foreground (for systemd, tmux or a container), logging one line per pull to
stderr. Each round pulls every named source (all of sources.yaml when none is named) in
turn; rounds start at wall-clock multiples of --every plus --delay (the network publishes
an hour some 20 minutes after it ends). A failed pull is logged and the round goes on;
the next round catches up because pulls resume after the newest stored reading.
SIGTERM / Ctrl-C stop it between pulls: a pull under way finishes or fails as a whole.
With ``--rounds 1`` it is a one-shot for cron: exit 1 when any pull failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import re
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

log = logging.getLogger("monitoring.schedule")

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> dt.timedelta:
    """``1h``, ``30m``, ``2h30m``, ``90s`` → a timedelta."""
    m = _DURATION.match(text.strip().lower())
    if not m or not any(m.groups()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 1h, 30m, 2h30m or 90s")
    h, mi, s = (int(g) if g else 0 for g in m.groups())
    return dt.timedelta(hours=h, minutes=mi, seconds=s)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "schedule",
        help="pull HTTP sources on a timetable, in the foreground (for systemd or tmux)",
        description="Pull the named sources (default: every source in sources.yaml) every --every, "
        "at --delay past each multiple of it (wall clock). Logs one line per pull; a failure is logged "
        "and retried next round. Stop with Ctrl-C or SIGTERM. See docs/PULLS.md.",
    )
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="source names (default: all of sources.yaml)")
    p.add_argument("--every", type=parse_duration, default=dt.timedelta(hours=1), help="period (default 1h)")
    p.add_argument("--delay", type=parse_duration, default=dt.timedelta(minutes=20),
                   help="offset after each multiple of --every (default 20m)")
    p.add_argument("--rounds", type=int, default=0,
                   help="stop after this many rounds (default 0: forever; 1: one round now, for cron)")
    p.set_defaults(handler=run)


class PrintableFormatter(logging.Formatter):
    """Log lines with control characters escaped: a server's answer or a file name in a
    message cannot forge a log line or drive the terminal reading it."""

    def format(self, record: logging.LogRecord) -> str:
        from monitoring.printable import printable

        return printable(super().format(record))


def next_start(now: dt.datetime, every: dt.timedelta, delay: dt.timedelta) -> dt.datetime:
    """The first instant after ``now`` that is a multiple of ``every`` (since midnight) plus ``delay``."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    period = max(every.total_seconds(), 1.0)
    offset = delay.total_seconds() % period
    elapsed = (now - midnight).total_seconds() - offset
    n = int(elapsed // period) + 1
    return midnight + dt.timedelta(seconds=offset + n * period)


def pull_round(names: list[str]) -> tuple[int, int]:
    """Pull each source once; returns (succeeded, failed). Never raises a MonitorError."""
    from monitoring.actors import command_line_actor
    from monitoring.commands.pull import ready_engine
    from monitoring.errors import MonitorError
    from monitoring.ingest.sources import load_sources
    from monitoring.ingest.sources.run import pull
    from monitoring.targets import load_targets

    ok = failed = 0
    try:
        targets = load_targets()
        sources = load_sources(targets=targets)  # read every round: edits apply without a restart
        chosen = [sources.get(n) for n in names] if names else list(sources.sources)
        engine = ready_engine()
    except MonitorError as exc:
        log.error("round skipped: %s", exc)
        return 0, max(len(names), 1)
    try:
        for source in chosen:
            try:
                result = pull(engine, source, targets=targets, actor=command_line_actor(), defaults=sources.defaults)
            except MonitorError as exc:
                failed += 1
                log.error("%s", exc)
                continue
            if result.ok:
                ok += 1
                log.info("%s", result.line())
            else:
                failed += 1
                log.error("%s", result.line())
    finally:
        engine.dispose()
    return ok, failed


def run_schedule(
    names: list[str],
    *,
    every: dt.timedelta,
    delay: dt.timedelta,
    rounds: int,
    stop: threading.Event,
    clock: Callable[[], dt.datetime] = dt.datetime.now,
    do_round: Callable[[list[str]], tuple[int, int]] = pull_round,
) -> int:
    """The loop: the first round at once, the next ones on the timetable. Returns the
    number of failed pulls of the last round (the exit status of a one-shot)."""
    done = 0
    failed = 0
    while not stop.is_set():
        started = clock()
        log.info("round %d: %s", done + 1, ", ".join(names) if names else "all sources")
        ok, failed = do_round(names)
        done += 1
        log.info("round %d done in %.1fs: %d succeeded, %d failed", done, (clock() - started).total_seconds(), ok, failed)
        if rounds and done >= rounds:
            break
        wake = next_start(clock(), every, delay)
        log.info("next round at %s", wake.strftime("%Y-%m-%d %H:%M:%S"))
        stop.wait(max((wake - clock()).total_seconds(), 0.0))
    return failed


def run(args: argparse.Namespace) -> int:
    if args.rounds < 0:
        print("python -m monitoring schedule: error: --rounds must be 0 or more", file=sys.stderr)
        return 2
    log_handler = logging.StreamHandler()
    log_handler.setFormatter(PrintableFormatter("%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[log_handler])
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():  # asked twice: stop now (the pull under way stores nothing)
            raise KeyboardInterrupt
        log.info("signal %d: stopping after the current pull (again to stop at once)", signum)
        stop.set()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        failed = run_schedule(args.sources, every=args.every, delay=args.delay, rounds=args.rounds, stop=stop)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 1 if failed and args.rounds == 1 else 0
