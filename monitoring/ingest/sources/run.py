"""One pull: work out the window, fetch everything, then hand it to the pipeline in one go.

All-or-nothing per pull: every request of the run is made and every response checked
before anything is written, and the write is the pipeline's single transaction. A failure
at any point (network, status, HTML page, cut body, malformed JSON, a missing API key)
leaves no reading behind and is recorded as a ``failed`` ingestion run with its reason;
as the next pull resumes at the oldest hour still missing (storage.queries.pull_resume_point),
it fetches the same window again and catches up. Every fetch shares the pull's deadline
(``limits.deadline``) and each body is bounded by ``limits.max_response_mb``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.actors import Actor, require_writer
from monitoring.counts import Counts
from monitoring.errors import InputError, MonitorError, SourceError
from monitoring.ingest.sources.config import AnySource, HttpSettings
from monitoring.ingest.sources.frames import FetchOutcome
from monitoring.ingest.sources.http import make_session, pull_deadline
from monitoring.storage import queries
from monitoring.storage.run_records import RunInfo, finish_run, start_run
from monitoring.targets import Targets

Progress = Callable[[float, str], None]
HOUR = dt.timedelta(hours=1)
#: A first pull with no ``start`` in sources.yaml fetches this much.
FIRST_PULL = dt.timedelta(hours=24)


class PullFailed(SourceError):
    """A pull that failed and was recorded as a failed run (``run_id``)."""

    def __init__(self, cause: MonitorError, run_id: int | None) -> None:
        self.cause = cause
        self.run_id = run_id
        tail = f" (run {run_id} recorded as failed; nothing was stored)" if run_id is not None else ""
        tail_zh = f"（已记录为失败的导入批次 {run_id}，未写入任何数据）" if run_id is not None else ""
        super().__init__(cause.message + tail, message_zh=cause.message_zh + tail_zh, hint=cause.hint)


@dataclass
class PullResult:
    source: str
    kind: str
    start: dt.datetime | None
    end: dt.datetime | None
    status: str  # succeeded | up_to_date | dry_run | refused | failed
    run_id: int | None
    requests: int = 0
    bytes: int = 0
    not_published: list[dt.datetime] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)  # the pipeline's (a pull never replaces)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("succeeded", "up_to_date", "dry_run")

    def window(self) -> str:
        if self.start is None or self.end is None:
            return "-"
        return f"{self.start:%Y-%m-%d %H:%M} … {self.end:%Y-%m-%d %H:%M}"

    def line(self) -> str:
        """One line for the command line and the scheduler's log."""
        if self.status == "up_to_date":
            return f"{self.source}: up to date (next hour {self.start:%Y-%m-%d %H:%M} not due yet), run {self.run_id}"
        c = self.counts
        parts = [
            f"{self.source}: {self.status}",
            self.window(),
            f"{self.requests} request(s)",
            f"rows {c.rows}: accepted {c.accepted}, duplicates {c.duplicates}, "
            f"conflicts {c.conflicts}, rejected {c.rejected}, missing {c.missing}",
        ]
        if self.not_published:
            parts.append(f"{len(self.not_published)} hour(s) not published")
        parts.append(f"run {self.run_id}" if self.run_id is not None else "no run (dry run)")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        c = self.counts  # flat keys: docs/INTERFACES.md
        return {
            "source": self.source,
            "kind": self.kind,
            "from": None if self.start is None else self.start.strftime("%Y-%m-%d %H:%M"),
            "to": None if self.end is None else self.end.strftime("%Y-%m-%d %H:%M"),
            "status": self.status,
            "run_id": self.run_id,
            "requests": self.requests,
            "bytes": self.bytes,
            "not_published": [t.strftime("%Y-%m-%d %H:%M") for t in self.not_published],
            "rows": c.rows,
            "accepted": c.accepted,
            "rejected": c.rejected,
            "duplicates": c.duplicates,
            "conflicts": c.conflicts,
            "missing": c.missing,
            "message": self.message,
        }


def last_complete_hour(now: dt.datetime) -> dt.datetime:
    """The label of the newest hour that has ended (13:20 → 13:00, the hour 12–13)."""
    return now.replace(minute=0, second=0, microsecond=0)


def window(
    engine: Engine,
    source: AnySource,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    now: dt.datetime | None = None,
) -> tuple[dt.datetime, dt.datetime]:
    """The hour-ending labels [start, end] a pull asks for (defaults: incremental, up to now)."""
    latest = last_complete_hour(now or timeutil.now_beijing())
    # an hour that has not ended has no value yet: a --to in the future means "up to now"
    end = latest if end is None else min(end, latest)
    if start is None:
        point = queries.pull_resume_point(
            engine, source.name, end_ts=timeutil.label_to_ts(end), lookback_hours=source.lookback_hours
        )
        if point.next_ts is not None:
            start = timeutil.ts_to_label(point.next_ts)
        elif point.first_asked is not None:  # earlier pulls failed: catch up from where they began
            start = dt.datetime.strptime(point.first_asked, "%Y-%m-%d %H:%M")
        elif source.start is not None:
            start = dt.datetime.combine(source.start, dt.time(1))
        else:
            start = end - FIRST_PULL + HOUR
    return start, end


def _fetch(
    source: AnySource,
    session: requests.Session,
    settings: HttpSettings,
    *,
    targets: Targets,
    start: dt.datetime,
    end: dt.datetime,
    progress: Progress | None,
) -> FetchOutcome:
    from monitoring.ingest.sources import FETCHERS

    fetcher = FETCHERS[source.kind]
    return fetcher(source, session, settings, targets=targets, start=start, end=end, progress=progress)


def _record(engine: Engine, source: AnySource, actor: Actor, status: str, message: str, options: dict[str, Any]) -> int:
    """A run the pipeline did not write (a failed fetch, nothing new): its audit line."""
    run_id = start_run(engine, RunInfo(kind="pull", source=source.name, user=actor.name, options=options))
    finish_run(engine, run_id, status, Counts(), message=message[:2000])
    return run_id


def pull(
    engine: Engine,
    source: AnySource,
    *,
    targets: Targets,
    actor: Actor,
    defaults: HttpSettings | None = None,
    session: requests.Session | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> PullResult:
    """Pull one source into the database; raise ``PullFailed`` (run recorded) on failure."""
    require_writer(actor, "pull data")
    settings = source.http_settings(defaults or HttpSettings())
    start, end = window(engine, source, start=start, end=end, now=now)
    options: dict[str, Any] = {
        "kind": source.kind,
        "from": start.strftime("%Y-%m-%d %H:%M"),
        "to": end.strftime("%Y-%m-%d %H:%M"),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    result = PullResult(source=source.name, kind=source.kind, start=start, end=end, status="succeeded", run_id=None)
    if start > end:
        result.status = "up_to_date"
        result.message = f"up to date: the next hour ({start:%Y-%m-%d %H:%M}) has not ended yet"
        if not dry_run:
            result.run_id = _record(engine, source, actor, "succeeded", result.message, options)
        return result

    own_session = session is None
    session = session or make_session(settings)
    try:
        with pull_deadline(settings.limits.deadline):
            outcome = _fetch(source, session, settings, targets=targets, start=start, end=end, progress=progress)
    except MonitorError as exc:
        run_id = None if dry_run else _record(engine, source, actor, "failed", str(exc), options)
        raise PullFailed(exc, run_id) from None
    except KeyboardInterrupt:
        if not dry_run:
            _record(engine, source, actor, "failed", "interrupted by the operator while fetching; nothing was stored", options)
        raise
    except Exception as exc:  # a bug: keep its traceback, but the audit still shows the failed pull
        if not dry_run:
            _record(engine, source, actor, "failed", f"internal error while fetching: {type(exc).__name__}: {exc}", options)
        raise
    finally:
        if own_session:
            session.close()

    result.requests, result.bytes = outcome.requests, outcome.bytes
    result.not_published = list(outcome.not_published)
    skipped = (
        f"; {len(outcome.not_published)} hour(s) not published: "
        + ", ".join(f"{t:%Y-%m-%d %H:%M}" for t in outcome.not_published[:5])
        + (" …" if len(outcome.not_published) > 5 else "")
        if outcome.not_published
        else ""
    )
    if outcome.frame.empty:
        result.message = f"no readings published for {result.window()}{skipped}"
        if dry_run:
            result.status = "dry_run"
        else:
            result.run_id = _record(engine, source, actor, "succeeded", result.message, options)
        return result

    from monitoring.ingest.pipeline import ingest_frame

    try:
        ingested = ingest_frame(
            engine,
            outcome.frame,
            name=source.name,
            targets=targets,
            actor=actor,
            run_kind="pull",
            source_label=source.name,
            dry_run=dry_run,
            sha256=outcome.sha256,
            progress=progress,
            # the window asked: where the next pull resumes is worked out from it
            extra_options={"kind": source.kind, "from": options["from"], "to": options["to"]},
        )
    except InputError as exc:
        # the pipeline recorded the run as refused; say which
        raise PullFailed(exc, None) from None
    result.run_id = ingested.run_id
    result.status = ingested.status
    result.counts = ingested.counts
    result.message = (ingested.message or "") + skipped
    if skipped and ingested.run_id is not None:
        # the pipeline's message says what was stored; the audit also keeps what was not there
        finish_run(engine, ingested.run_id, ingested.status, message=result.message[:2000])
    if ingested.status in ("failed", "refused"):
        raise PullFailed(
            SourceError(
                f"source {source.name}: {ingested.message}",
                message_zh=f"数据源 {source.name}：{ingested.message_zh}",
                hint=f"see `python -m monitoring runs show {ingested.run_id}` for the rejected rows",
            ),
            ingested.run_id,
        )
    return result
