"""Are the scheduled pulls working? One line per HTTP source, for the data-quality page.

For each source of sources.yaml: its last pull (when, how it ended, why it failed, what it
stored), its last successful pull, and the newest hour its successful pulls received.
Everything comes from the ingestion audit (``ingestion_runs``), never from ``readings``,
so the answer costs the same on a store of eight million readings as on an empty one.
Sources that still have pull runs but are no longer in sources.yaml are listed after the
configured ones, marked as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from monitoring import config, timeutil

if TYPE_CHECKING:
    from monitoring.ingest.sources.config import AnySource
    from monitoring.targets import Targets

#: A last pull in one of these states stored nothing; the panel shows its reason.
FAILED_STATUSES = frozenset({"failed", "refused"})


@dataclass(frozen=True)
class PullStatus:
    """One source's pulls as the panel shows them. Times are naive Beijing local times:
    ``*_started`` the instant a pull began, ``newest_reading`` an hour-ending label."""

    source: str
    #: csv-url | cnemc-hourly | openaq-v3; None for a source no longer in sources.yaml
    kind: str | None
    configured: bool
    last_run_id: int | None = None
    last_started: dt.datetime | None = None
    #: running | succeeded | up_to_date | failed | refused; None: never pulled
    last_status: str | None = None
    #: the run's message (for a failed pull: the reason)
    last_message: str = ""
    last_accepted: int = 0
    last_duplicates: int = 0
    last_rejected: int = 0
    last_success_started: dt.datetime | None = None
    newest_reading: dt.datetime | None = None

    @property
    def never_pulled(self) -> bool:
        return self.last_run_id is None

    @property
    def failed(self) -> bool:
        return self.last_status in FAILED_STATUSES

    @property
    def failure_reason(self) -> str:
        """Why the last pull failed ("" when it did not)."""
        return self.last_message if self.failed else ""


def _beijing(value: Any) -> dt.datetime | None:
    """A stored UTC instant (aware on PostgreSQL, naive or text on SQLite) → naive Beijing time."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(timeutil.BEIJING).replace(tzinfo=None)


def _status(run: Mapping[str, Any]) -> str:
    """The stored status, except ``up_to_date`` for a succeeded pull that asked for no hour."""
    status = str(run["status"])
    options = run.get("options")
    if status == "succeeded" and isinstance(options, dict):
        start, end = options.get("from"), options.get("to")
        # run.pull records "nothing new" as a succeeded run whose window is empty;
        # both ends are "%Y-%m-%d %H:%M" labels, so text order is time order.
        if isinstance(start, str) and isinstance(end, str) and start > end:
            return "up_to_date"
    return status


def _line(name: str, kind: str | None, configured: bool, found: Mapping[str, Any] | None) -> PullStatus:
    if found is None:
        return PullStatus(source=name, kind=kind, configured=configured)
    last, ok = found["last"], found["last_success"]
    newest = found["newest_ts"]
    return PullStatus(
        source=name,
        kind=kind,
        configured=configured,
        last_run_id=int(last["id"]),
        last_started=_beijing(last["started_at"]),
        last_status=_status(last),
        last_message=str(last["message"] or ""),
        last_accepted=int(last["accepted"] or 0),
        last_duplicates=int(last["duplicates"] or 0),
        last_rejected=int(last["rejected"] or 0),
        last_success_started=_beijing(ok["started_at"]) if ok is not None else None,
        newest_reading=timeutil.ts_to_label(int(newest)) if newest is not None else None,
    )


def pull_status(engine: Engine, sources: Sequence[AnySource], *, include_unconfigured: bool = True) -> list[PullStatus]:
    """One ``PullStatus`` per configured source (in sources.yaml's order), then, with
    ``include_unconfigured``, one per source that has pull runs but is no longer configured
    (by name). Reads the ingestion audit only (``storage.audit_queries.last_pull_runs``)."""
    from monitoring.storage.audit_queries import last_pull_runs

    found = last_pull_runs(engine)
    lines = [_line(src.name, src.kind, True, found.get(src.name)) for src in sources]
    if include_unconfigured:
        configured = {src.name for src in sources}
        lines += [_line(name, None, False, found[name]) for name in sorted(set(found) - configured)]
    return lines


def configured_sources(path: Path | str | None = None, targets: Targets | None = None) -> tuple[AnySource, ...]:
    """The sources of sources.yaml (``MONITOR_SOURCES``), checked as a pull checks them
    (``ConfigError`` with one line when the file is wrong); none when the file is absent."""
    from monitoring.ingest.sources.config import load_sources

    path = Path(path) if path is not None else config.sources_path()
    if not path.exists():
        return ()
    return load_sources(path, targets=targets).sources
