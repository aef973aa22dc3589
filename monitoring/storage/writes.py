"""The write side of storage: ingestion runs, readings, daily means, road dust, audit.

Every source (upload, ``ingest``, ``pull``, ``init``) ends here. A file is written in one
transaction that the caller opens (``with engine.begin() as conn``); the run record is
written in its own short transactions before and after, so a refused or failed file
still leaves its audit line and nothing else.

Rows are classified against what is stored before anything is written: new rows are
inserted, identical rows are duplicates, a different value under an existing key is a
conflict (kept, or replaced with ``replace=True``, the old value going to
``reading_revisions`` either way).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, and_, delete, insert, select, update

from monitoring import timeutil
from monitoring.storage.schema import (
    daily_means,
    ingestion_runs,
    reading_revisions,
    readings,
    rejected_rows,
    road_dust,
)

#: Columns of a canonical readings frame, as the validator hands it to ``write_readings``.
READING_COLUMNS = ("subdistrict_id", "pollutant", "ts", "resolution", "station", "value")
KEY_COLUMNS = ("subdistrict_id", "pollutant", "ts", "resolution", "station")
ROAD_DUST_COLUMNS = ("subdistrict_id", "road", "day", "month_only", "load", "grade")



@dataclass(frozen=True)
class DailyRules:
    """The validity thresholds daily-mean maintenance needs (from targets.yaml)."""

    daily_min_hours: int
    o3_8h_min_hours: int

    @classmethod
    def from_targets(cls, targets: Any, day: dt.date | None = None) -> DailyRules:
        validity = targets.validity(day or dt.date.today())
        return cls(daily_min_hours=validity.daily_min_hours, o3_8h_min_hours=validity.o3_8h_min_hours)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- runs -------------------------------------------------------------------------


@dataclass
class RunCounts:
    """What happened to a file's rows."""

    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    conflicts: int = 0
    replaced: int = 0
    missing: int = 0
    first_ts: int | None = None
    last_ts: int | None = None

    def add(self, other: RunCounts) -> None:
        for name in ("rows", "accepted", "rejected", "duplicates", "conflicts", "replaced", "missing"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name, pick in (("first_ts", min), ("last_ts", max)):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, theirs if mine is None else mine if theirs is None else pick(mine, theirs))


@dataclass
class RunInfo:
    """Who is writing what, for the audit record."""

    kind: str  # upload | ingest | pull | init | demo | manual
    source: str  # file name or HTTP source name
    user: str = "system"
    data_kind: str = "readings"
    sha256: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def start_run(engine: Engine, info: RunInfo) -> int:
    """Record a run as ``running`` in its own transaction; return its id."""
    with engine.begin() as conn:
        result = conn.execute(
            insert(ingestion_runs).values(
                kind=info.kind,
                data_kind=info.data_kind,
                source=info.source[:255],
                sha256=info.sha256,
                user=info.user,
                started_at=utcnow(),
                status="running",
                options=info.options,
            )
        )
        run_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    assert run_id is not None
    return int(run_id)


def finish_run(
    engine_or_conn: Engine | Connection,
    run_id: int,
    status: str,
    counts: RunCounts | None = None,
    message: str = "",
) -> None:
    """Close a run with its outcome and counts."""
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "message": message}
    if counts is not None:
        values.update(asdict(counts))
    stmt = update(ingestion_runs).where(ingestion_runs.c.id == run_id).values(**values)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as conn:
            conn.execute(stmt)
    else:
        engine_or_conn.execute(stmt)


#: A run still ``running`` after this long was interrupted (a large file takes seconds).
STALE_RUN_AFTER = dt.timedelta(hours=1)


def mark_interrupted_runs(conn: Connection, older_than: dt.timedelta = STALE_RUN_AFTER) -> int:
    """Runs left ``running`` by a killed process: their data was rolled back; say so."""
    result = conn.execute(
        update(ingestion_runs)
        .where(ingestion_runs.c.status == "running", ingestion_runs.c.started_at < utcnow() - older_than)
        .values(
            status="failed",
            finished_at=utcnow(),
            message="interrupted: the process stopped before the file was committed; nothing was stored, run it again",
        )
    )
    return int(result.rowcount or 0)


def write_rejected(conn: Connection, run_id: int, rows: Iterable[tuple[int, str, str, str]]) -> int:
    """Keep rejected rows: (line, raw text, reason in Chinese, reason in English)."""
    payload = [
        {"run_id": run_id, "line": int(line), "raw": raw[:2000], "reason": reason, "reason_en": reason_en}
        for line, raw, reason, reason_en in rows
    ]
    if payload:
        conn.execute(insert(rejected_rows), payload)
    return len(payload)


# -- readings ---------------------------------------------------------------------


def _placeholders(conn: Connection, n: int) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * n)


def _existing(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """Stored rows that share a key with ``frame`` (read by key range, then matched)."""
    parts = []
    for (sd, pol), group in frame.groupby(["subdistrict_id", "pollutant"], sort=False):
        lo, hi = int(group["ts"].min()), int(group["ts"].max())
        stmt = select(
            readings.c.subdistrict_id,
            readings.c.pollutant,
            readings.c.ts,
            readings.c.resolution,
            readings.c.station,
            readings.c.value.label("old_value"),
            readings.c.run_id.label("old_run_id"),
        ).where(
            readings.c.subdistrict_id == int(sd),
            readings.c.pollutant == str(pol),
            readings.c.ts.between(lo, hi),
        )
        rows = conn.execute(stmt).all()
        if rows:
            parts.append(pd.DataFrame(rows, columns=[*KEY_COLUMNS, "old_value", "old_run_id"]))
    if not parts:
        return pd.DataFrame(columns=[*KEY_COLUMNS, "old_value", "old_run_id"])
    found = pd.concat(parts, ignore_index=True)
    found["subdistrict_id"] = found["subdistrict_id"].astype("int64")
    found["ts"] = found["ts"].astype("int64")
    return found


def _same_value(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Values equal to the precision a file can carry (floats read back from text)."""
    return np.isclose(a.to_numpy(dtype="float64"), b.to_numpy(dtype="float64"), rtol=0.0, atol=1e-9)


def write_readings(
    conn: Connection,
    run_id: int,
    frame: pd.DataFrame,
    *,
    source: str,
    rules: DailyRules,
    replace: bool = False,
) -> RunCounts:
    """Store a canonical readings frame (``READING_COLUMNS``) and refresh its daily means.

    The frame must already be validated and free of in-file duplicates. Returns the counts;
    ``accepted`` counts rows inserted or replaced.
    """
    counts = RunCounts(rows=len(frame))
    if frame.empty:
        return counts
    frame = frame.loc[:, list(READING_COLUMNS)].copy()
    frame["subdistrict_id"] = frame["subdistrict_id"].astype("int64")
    frame["ts"] = frame["ts"].astype("int64")
    counts.first_ts, counts.last_ts = int(frame["ts"].min()), int(frame["ts"].max())

    old = _existing(conn, frame)
    if old.empty:
        new = frame
        clash = frame.iloc[0:0].assign(old_value=[], old_run_id=[])
    else:
        merged = frame.merge(old, on=list(KEY_COLUMNS), how="left", indicator=True)
        is_new = (merged["_merge"] == "left_only").to_numpy()
        new = merged.loc[is_new, list(READING_COLUMNS)]
        present = merged.loc[~is_new]
        same = _same_value(present["value"], present["old_value"])
        counts.duplicates = int(same.sum())
        clash = present.loc[~same]
    counts.conflicts = len(clash)

    if len(new):
        sql = (
            "INSERT INTO readings (subdistrict_id, pollutant, ts, resolution, station, value, source, run_id) "
            f"VALUES ({_placeholders(conn, 8)})"
        )
        payload = list(
            zip(
                new["subdistrict_id"].tolist(),
                new["pollutant"].tolist(),
                new["ts"].tolist(),
                new["resolution"].tolist(),
                new["station"].tolist(),
                new["value"].astype("float64").tolist(),
                [source] * len(new),
                [run_id] * len(new),
                strict=True,
            )
        )
        conn.exec_driver_sql(sql, payload)  # type: ignore[arg-type]
    counts.accepted = len(new)

    if len(clash):
        now = utcnow()
        conn.execute(
            insert(reading_revisions),
            [
                {
                    "run_id": run_id,
                    "subdistrict_id": int(r.subdistrict_id),
                    "pollutant": r.pollutant,
                    "ts": int(r.ts),
                    "resolution": r.resolution,
                    "station": r.station,
                    "old_value": float(r.old_value),
                    "new_value": float(r.value),
                    "old_run_id": None if pd.isna(r.old_run_id) else int(r.old_run_id),
                    "action": "replaced" if replace else "kept",
                    "at": now,
                }
                for r in clash.itertuples(index=False)
            ],
        )
        if replace:
            for r in clash.itertuples(index=False):
                conn.execute(
                    update(readings)
                    .where(
                        and_(
                            readings.c.subdistrict_id == int(r.subdistrict_id),
                            readings.c.pollutant == r.pollutant,
                            readings.c.ts == int(r.ts),
                            readings.c.resolution == r.resolution,
                            readings.c.station == r.station,
                        )
                    )
                    .values(value=float(r.value), run_id=run_id, source=source)
                )
            counts.replaced = len(clash)
            counts.accepted += len(clash)

    key3 = ["subdistrict_id", "pollutant", "ts"]
    changed = pd.concat([new[key3], clash[key3]]) if replace else new[key3]
    if len(changed):
        refresh_daily_means(conn, changed, rules)
    return counts


# -- daily means ------------------------------------------------------------------


def _day_spans(keys: pd.DataFrame) -> pd.DataFrame:
    """(subdistrict_id, pollutant) → first and last Beijing day touched."""
    days = timeutil.day_number(keys["ts"].to_numpy(dtype="int64"))
    spans = (
        keys.assign(day=days)
        .groupby(["subdistrict_id", "pollutant"], sort=False)["day"]
        .agg(["min", "max"])
        .reset_index()
    )
    return spans


def _epoch_day(n: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(n))


def compute_daily(hourly: pd.DataFrame, o3_min_hours: int) -> pd.DataFrame:
    """Daily statistics from hourly subdistrict values.

    ``hourly``: columns subdistrict_id, pollutant, ts, value (one value per hour: stations
    already averaged), demo (bool). Returns one row per (subdistrict_id, pollutant, day)
    with mean, n_hours, and for O3 max8h / n_8h (HJ 663-2013: 8-hour means ending
    08:00–24:00 of the day, each needing ``o3_min_hours`` values) and max1h.
    """
    if hourly.empty:
        return pd.DataFrame(
            columns=["subdistrict_id", "pollutant", "day", "mean", "n_hours", "max8h", "n_8h", "max1h", "demo"]
        )
    ts = hourly["ts"].to_numpy(dtype="int64")
    work = hourly.assign(
        dayn=timeutil.day_number(ts),
        # hour slot 0..23 within the Beijing day: label 01:00 → 0, next day 00:00 → 23.
        slot=((ts + timeutil.BEIJING_OFFSET_S - timeutil.HOUR_S) % timeutil.DAY_S) // timeutil.HOUR_S,
    )
    keys = ["subdistrict_id", "pollutant", "dayn"]
    daily = work.groupby(keys, sort=True).agg(
        mean=("value", "mean"), n_hours=("value", "size"), demo=("demo", "all")
    )
    daily["max8h"] = np.nan
    daily["n_8h"] = pd.array([pd.NA] * len(daily), dtype="Int64")
    daily["max1h"] = np.nan

    o3 = work[work["pollutant"] == "o3"]
    if len(o3):
        grid = o3.pivot_table(index=keys, columns="slot", values="value", aggfunc="mean")
        grid = grid.reindex(columns=range(24))
        values = grid.to_numpy(dtype="float64")
        present = ~np.isnan(values)
        filled = np.where(present, values, 0.0)
        csum = np.concatenate([np.zeros((len(values), 1)), np.cumsum(filled, axis=1)], axis=1)
        ccount = np.concatenate([np.zeros((len(values), 1)), np.cumsum(present, axis=1)], axis=1)
        # windows over slots [e-7, e] for e = 7..23, i.e. labels 01:00–08:00 … 17:00–24:00.
        ends = np.arange(7, 24)
        sums = csum[:, ends + 1] - csum[:, ends - 7]
        cnts = ccount[:, ends + 1] - ccount[:, ends - 7]
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(cnts >= o3_min_hours, sums / np.where(cnts == 0, 1, cnts), np.nan)
        valid_windows = (cnts >= o3_min_hours).sum(axis=1)
        with np.errstate(all="ignore"):
            max8 = np.where(valid_windows > 0, np.nanmax(np.where(np.isnan(means), -np.inf, means), axis=1), np.nan)
        max1 = np.where(present.any(axis=1), np.nanmax(np.where(present, values, -np.inf), axis=1), np.nan)
        o3_stats = pd.DataFrame(
            {"max8h": max8, "n_8h": valid_windows.astype("int64"), "max1h": max1}, index=grid.index
        )
        daily.loc[o3_stats.index, "max8h"] = o3_stats["max8h"]
        daily.loc[o3_stats.index, "n_8h"] = o3_stats["n_8h"].astype("Int64")
        daily.loc[o3_stats.index, "max1h"] = o3_stats["max1h"]

    out = daily.reset_index()
    out["day"] = [_epoch_day(n) for n in out["dayn"].tolist()]
    return out.drop(columns="dayn")


def refresh_daily_means(conn: Connection, keys: pd.DataFrame, rules: DailyRules) -> int:
    """Recompute the daily means of every (subdistrict, pollutant, day) that ``keys`` touch.

    ``keys`` has columns subdistrict_id, pollutant, ts. Hourly values are averaged over
    stations first; a day given as a daily value uses it when its hours are too few.
    Returns the number of daily rows written.
    """
    written = 0
    for span in _day_spans(keys).itertuples(index=False):
        sd, pol = int(span.subdistrict_id), str(span.pollutant)
        first_day, last_day = _epoch_day(span.min), _epoch_day(span.max)
        lo, hi = timeutil.period_bounds(first_day, last_day)
        rows = conn.execute(
            select(
                readings.c.ts,
                readings.c.resolution,
                readings.c.value,
                readings.c.source,
            ).where(
                readings.c.subdistrict_id == sd,
                readings.c.pollutant == pol,
                readings.c.ts.between(lo, hi),
            )
        ).all()
        raw = pd.DataFrame(rows, columns=["ts", "resolution", "value", "source"])
        raw["demo"] = raw["source"] == "demo"
        hourly = (
            raw[raw["resolution"] == "h"]
            .groupby("ts", as_index=False)
            .agg(value=("value", "mean"), demo=("demo", "all"))
            .assign(subdistrict_id=sd, pollutant=pol)
        )
        daily = compute_daily(hourly, rules.o3_8h_min_hours)
        given = raw[raw["resolution"] == "d"]
        if len(given):
            given_daily = (
                given.groupby("ts", as_index=False)
                .agg(mean=("value", "mean"), demo=("demo", "all"))
                .assign(subdistrict_id=sd, pollutant=pol)
            )
            given_daily["day"] = [timeutil.ts_to_day(t) for t in given_daily["ts"].tolist()]
            given_daily = given_daily.drop(columns="ts")
            # a given daily value stands in for a day whose hours are missing or too few
            # (the publisher had the full hours); hourly data wins when it is complete enough.
            complete = set(daily.loc[daily["n_hours"] >= rules.daily_min_hours, "day"]) if len(daily) else set()
            use = given_daily[~given_daily["day"].isin(complete)]
            daily = daily[~daily["day"].isin(set(use["day"]))] if len(daily) else daily
            use = use.assign(n_hours=pd.NA, max8h=np.nan, n_8h=pd.NA, max1h=np.nan)
            daily = pd.concat([daily, use], ignore_index=True) if len(daily) else use
        conn.execute(
            delete(daily_means).where(
                daily_means.c.subdistrict_id == sd,
                daily_means.c.pollutant == pol,
                daily_means.c.day.between(first_day, last_day),
            )
        )
        if len(daily):
            conn.execute(insert(daily_means), _daily_records(daily))
            written += len(daily)
    return written


def _nullable(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _daily_records(daily: pd.DataFrame) -> list[dict[str, Any]]:
    records = []
    for r in daily.itertuples(index=False):
        n_hours = _nullable(r.n_hours)
        n_8h = _nullable(r.n_8h)
        records.append(
            {
                "subdistrict_id": int(r.subdistrict_id),
                "pollutant": r.pollutant,
                "day": r.day,
                "mean": float(r.mean),
                "n_hours": None if n_hours is None else int(n_hours),
                "max8h": _nullable(r.max8h),
                "n_8h": None if n_8h is None else int(n_8h),
                "max1h": _nullable(r.max1h),
                "demo": bool(r.demo),
            }
        )
    return records


# -- road dust ----------------------------------------------------------------------


def write_road_dust(
    conn: Connection, run_id: int, frame: pd.DataFrame, *, source: str, replace: bool = False
) -> RunCounts:
    """Store road-dust rows (``ROAD_DUST_COLUMNS``); same duplicate/conflict rules as readings."""
    counts = RunCounts(rows=len(frame))
    if frame.empty:
        return counts
    stored = conn.execute(
        select(road_dust.c.id, road_dust.c.subdistrict_id, road_dust.c.road, road_dust.c.day, road_dust.c.load, road_dust.c.grade).where(
            road_dust.c.day.between(min(frame["day"]), max(frame["day"]))
        )
    ).all()
    old = {(int(r.subdistrict_id), r.road, r.day): r for r in stored}
    new_rows: list[dict[str, Any]] = []
    for r in frame.itertuples(index=False):
        key = (int(r.subdistrict_id), str(r.road), r.day)
        grade = _nullable(r.grade)
        if key not in old:
            new_rows.append(
                {
                    "subdistrict_id": key[0],
                    "road": key[1],
                    "day": key[2],
                    "month_only": bool(r.month_only),
                    "load": float(r.load),
                    "grade": grade,
                    "source": source,
                    "run_id": run_id,
                }
            )
            continue
        prev = old[key]
        if abs(float(prev.load) - float(r.load)) < 1e-9 and (prev.grade or None) == grade:
            counts.duplicates += 1
            continue
        counts.conflicts += 1
        if replace:
            conn.execute(
                update(road_dust)
                .where(road_dust.c.id == prev.id)
                .values(load=float(r.load), grade=grade, run_id=run_id, source=source)
            )
            counts.replaced += 1
    if new_rows:
        conn.execute(insert(road_dust), new_rows)
    counts.accepted = len(new_rows) + counts.replaced
    return counts


def delete_runs(conn: Connection, run_ids: Sequence[int], rules: DailyRules) -> RunCounts:
    """Remove every row a set of runs stored (used to remove the demo data) and refresh
    the daily means they fed. The runs stay in the audit trail, marked ``removed``."""
    counts = RunCounts()
    if not run_ids:
        return counts
    ids = [int(i) for i in run_ids]
    keys = pd.DataFrame(
        conn.execute(
            select(readings.c.subdistrict_id, readings.c.pollutant, readings.c.ts).where(readings.c.run_id.in_(ids))
        ).all(),
        columns=["subdistrict_id", "pollutant", "ts"],
    )
    counts.rows = len(keys)
    conn.execute(delete(readings).where(readings.c.run_id.in_(ids)))
    dust = conn.execute(delete(road_dust).where(road_dust.c.run_id.in_(ids)))
    counts.rows += int(dust.rowcount or 0)
    if len(keys):
        refresh_daily_means(conn, keys, rules)
    conn.execute(
        update(ingestion_runs)
        .where(ingestion_runs.c.id.in_(ids))
        .values(status="removed", message="rows removed")
    )
    return counts
