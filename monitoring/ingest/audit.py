"""The ingestion audit as the command line and the data-quality page show it.

Runs (who, when, what file and its sha256, counts), a run's rejected rows and
conflicts, each subdistrict's share of hours with data, and removing the demo data
(the one write here, analysts only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.actors import Actor, require_writer
from monitoring.targets import Targets


def _utc(value: Any) -> dt.datetime | None:
    """A stored instant as an aware UTC datetime; None when there is none.

    A run not finished (running, or killed) has no ``finished_at``: None from the row,
    NaT once it is in a frame column of datetimes (NaT has no ``astimezone``).
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:  # SQLite returns naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _beijing(value: Any) -> str:
    """A stored UTC instant as Beijing local time text ("" when there is none)."""
    instant = _utc(value)
    return "" if instant is None else instant.astimezone(timeutil.BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def run_state(status: Any, started_at: Any, finished_at: Any, now: dt.datetime | None = None) -> str:
    """The state a run is shown with: its status, except ``interrupted`` for a run whose
    process was killed: still ``running`` long after it started, or marked failed by
    ``init`` (``mark_interrupted_runs``: failed, no finish time). Nothing of such a run
    was stored: a run is closed in the transaction that commits its data."""
    from monitoring.storage.run_records import STALE_RUN_AFTER

    started = _utc(started_at)
    now = now or dt.datetime.now(dt.UTC)
    if status == "running" and started is not None and now - started > STALE_RUN_AFTER:
        return "interrupted"
    if status == "failed" and _utc(finished_at) is None:
        return "interrupted"
    return str(status)


def _label(ts: Any) -> str:
    if ts is None or pd.isna(ts):
        return ""
    return f"{timeutil.ts_to_label(int(ts)):%Y-%m-%d %H:%M}"


def runs_table(engine: Engine, limit: int = 50) -> pd.DataFrame:
    """The newest runs, times in Beijing local time ("" for a run not finished), the data
    span as labels, the status as ``run_state`` tells it."""
    from monitoring.storage.audit_queries import list_runs

    runs = list_runs(engine, limit=limit)
    if runs.empty:
        return runs
    runs["status"] = [run_state(*r) for r in zip(runs["status"], runs["started_at"], runs["finished_at"], strict=True)]
    runs["started_at"] = runs["started_at"].map(_beijing)
    runs["finished_at"] = runs["finished_at"].map(_beijing)
    runs["first"] = runs["first_ts"].map(_label)
    runs["last"] = runs["last_ts"].map(_label)
    return runs.drop(columns=["first_ts", "last_ts"])


@dataclass
class RunDetail:
    run: dict[str, Any]
    rejected: pd.DataFrame  # line, raw, reason, reason_en
    conflicts: pd.DataFrame  # subdistrict_id, pollutant, time, station, old_value, new_value, action
    stored: int  # readings this run still holds (-1: not counted)


#: Runs larger than this skip the "still stored" count on a page (it reads their span).
STORED_COUNT_MAX_ROWS = 200_000


def run_detail(engine: Engine, run_id: int, *, count_stored: bool = True) -> RunDetail | None:
    from monitoring.storage.audit_queries import get_run, run_rejected, run_revisions, run_rows_stored

    run = get_run(engine, run_id)
    if run is None:
        return None
    run["status"] = run_state(run["status"], run["started_at"], run["finished_at"])
    run["started_at"] = _beijing(run["started_at"])
    run["finished_at"] = _beijing(run["finished_at"])
    run["first"] = _label(run.pop("first_ts"))
    run["last"] = _label(run.pop("last_ts"))
    return RunDetail(
        run=run,
        rejected=run_rejected(engine, run_id),
        conflicts=run_revisions(engine, run_id),
        stored=run_rows_stored(engine, run_id) if count_stored and run["data_kind"] == "readings" else -1,
    )


def hours_share(engine: Engine, targets: Targets, year: int, *, pollutant: str = "pm25", now: dt.datetime | None = None) -> pd.DataFrame:
    """Per subdistrict: hours of ``year`` with a value, hours elapsed, and the share.

    Hours elapsed run from 1 January to now (Beijing) for the current year, the whole
    year for a past one. Columns subdistrict, pinyin, hours, elapsed, share (0..1).
    """
    from monitoring.storage.queries import hours_with_data
    from monitoring.targets import subdistrict_id

    now = now or timeutil.now_beijing()
    start = dt.datetime(year, 1, 1)
    end = min(dt.datetime(year + 1, 1, 1), now.replace(minute=0, second=0, microsecond=0))
    elapsed = max(0, int((end - start).total_seconds() // 3600))
    found = hours_with_data(engine, year, pollutant).set_index("subdistrict_id")["hours"].to_dict()
    rows = []
    for sd in targets.subdistricts:
        hours = int(found.get(subdistrict_id(sd.code), 0) or 0)
        rows.append(
            {
                "subdistrict": sd.short_name,
                "pinyin": sd.pinyin,
                "hours": hours,
                "elapsed": elapsed,
                "share": (min(1.0, hours / elapsed) if elapsed else 0.0),
            }
        )
    return pd.DataFrame(rows)


def pm25_above_pm10(engine: Engine, run_id: int) -> pd.DataFrame:
    """Stored places and times where PM2.5 is above PM10, one of the two from this run
    (issue 13: kept, flagged as a plausibility warning). Columns subdistrict_id, station,
    time, resolution, pm25, pm10."""
    from monitoring.storage.audit_queries import run_pm25_above_pm10

    return run_pm25_above_pm10(engine, run_id)


def demo_runs(engine: Engine) -> list[int]:
    """Ids of the demo runs whose rows are still stored (what ``remove_demo_data`` removes)."""
    from monitoring.storage.queries import demo_runs as stored_demo_runs

    return stored_demo_runs(engine)


def named_conflicts(conflicts: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """Conflict rows with the subdistrict's short name instead of its id, for a table:
    columns subdistrict, pollutant, time, station, old_value, new_value (and action if known)."""
    from monitoring.targets import subdistrict_id

    names = {subdistrict_id(sd.code): sd.short_name for sd in targets.subdistricts}
    keep = [c for c in ("pollutant", "time", "station", "old_value", "new_value", "action") if c in conflicts.columns]
    out = conflicts.loc[:, keep].copy()
    out.insert(0, "subdistrict", conflicts["subdistrict_id"].map(names) if len(conflicts) else pd.Series(dtype=object))
    return out


def rejected_csv(rejected: pd.DataFrame | list[Any]) -> bytes:
    """Rejected rows as CSV that Excel opens correctly: UTF-8 with BOM, formulas defused."""
    if isinstance(rejected, list):
        frame = pd.DataFrame(
            [{"line": r.line, "raw": r.raw, "reason": r.reason, "reason_en": r.reason_en} for r in rejected],
            columns=["line", "raw", "reason", "reason_en"],
        )
    else:
        frame = rejected.loc[:, ["line", "raw", "reason", "reason_en"]].copy()
    frame.columns = ["行号 line", "原始内容 raw", "原因", "reason"]
    for col in frame.columns[1:]:
        # a cell starting with = + - @ would be run as a formula by Excel: quote it.
        frame[col] = frame[col].astype(str).map(lambda s: "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s)
    return frame.to_csv(index=False).encode("utf-8-sig")


def remove_demo_data(engine: Engine, targets: Targets, actor: Actor) -> tuple[int, int]:
    """Delete every row the demo runs stored; return (runs, rows removed). Analysts only."""
    require_writer(actor, "remove the demo data")
    from monitoring.storage.daily_refresh import DailyRules
    from monitoring.storage.engine import write_transaction
    from monitoring.storage.run_records import delete_runs

    ids = demo_runs(engine)
    if not ids:
        return 0, 0
    with write_transaction(engine) as conn:  # reads the days it refreshes: no writer in between
        counts = delete_runs(conn, ids, DailyRules.from_targets(targets))
    return len(ids), counts.rows
