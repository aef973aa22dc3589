"""Daily means maintained after each write: rules.daily's HJ 663 arithmetic on storage's integer keys.

Pages and reports read ``daily_means``, never a year of raw hours, so every write
refreshes the days it touched here, in its own transaction: from the rows already in
memory (``refresh_changed``) or, for a removal, from what the store holds
(``refresh_daily_means``). ``compute_daily`` is the same statistics over a frame.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from monitoring import timeutil
from monitoring.rules import daily as daily_rule
from monitoring.storage import bulk, keys
from monitoring.storage.columnar import (
    ReadingRows,
    day_spans,
    is_postgres,
    key_runs,
    param_mark,
    read_stored,
    rows_from_frame,
)


@dataclass(frozen=True)
class DailyRules:
    """The validity thresholds daily-mean maintenance needs (from targets.yaml)."""

    daily_min_hours: int
    o3_8h_min_hours: int

    @classmethod
    def from_targets(cls, targets: Any, day: dt.date | None = None) -> DailyRules:
        validity = targets.validity(day or dt.date.today())
        return cls(daily_min_hours=validity.daily_min_hours, o3_8h_min_hours=validity.o3_8h_min_hours)


def _epoch_day(n: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(n))


def _empty_daily() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "g": np.empty(0, "int64"),
            "dayn": np.empty(0, "int64"),
            "mean": np.empty(0),
            "n_hours": np.empty(0),
            "max8h": np.empty(0),
            "n_8h": np.empty(0),
            "max1h": np.empty(0),
            "demo": np.empty(0, bool),
        }
    )


def _daily_core(
    group: np.ndarray, ts: np.ndarray, value: np.ndarray, demo: np.ndarray, o3_min_hours: int
) -> pd.DataFrame:
    """Daily statistics of hourly values (one per group and hour): rules.daily on storage's keys.

    Columns: g, dayn, mean, n_hours, max8h, n_8h, max1h (NaN where not O3), demo.
    """
    if len(ts) == 0:
        return _empty_daily()
    dayn = np.asarray(timeutil.day_number(ts), dtype="int64")
    day0 = int(dayn.min())
    days = daily_rule.day_means(keys.group_day_key(group, dayn - day0), value, demo)
    # the O3 columns as arrays first: filling them through DataFrame.loc cost more than
    # the windows themselves
    max8h, n_8h, max1h = (np.full(len(days.keys), np.nan) for _ in range(3))
    is_o3 = (group % keys.GROUP_WIDTH) == keys.O3_KEY
    if is_o3.any():
        o3_days, row = daily_rule.unique_inverse(days.inverse[is_o3])
        grid = daily_rule.hour_grid(row, daily_rule.hour_slot(ts[is_o3]), value[is_o3], len(o3_days))
        windows = daily_rule.o3_windows(grid, o3_min_hours)
        max8h[o3_days] = windows.max8h
        n_8h[o3_days] = windows.n_8h
        max1h[o3_days] = windows.max1h
    return pd.DataFrame(
        {
            "g": days.keys >> keys.DAY_BITS,
            "dayn": (days.keys & keys.DAY_MASK) + day0,
            "mean": days.mean,
            "n_hours": days.n_hours.astype("float64"),
            "max8h": max8h,
            "n_8h": n_8h,
            "max1h": max1h,
            "demo": days.demo,
        }
    )


def daily_from_rows(rows: ReadingRows, rules: DailyRules) -> pd.DataFrame:
    """Daily means of every (group, day) the rows cover; the rows must be all the day holds.

    Each hour is first the mean of its stations; a day given as a daily value uses it
    when its hours are too few (the publisher had the full hours), and hourly data wins
    when it is complete enough (``rules.daily``).
    """
    if not len(rows):
        return _empty_daily()
    group, ts = rows.group, rows.ts
    hourly = rows.res == "h"
    ts0 = int(ts.min())
    if hourly.all():  # the usual file: no copies of every column through the mask
        ukey, hmean, hdemo = daily_rule.mean_per_key(keys.group_ts_key(group, ts - ts0), rows.value, rows.demo)
        return _daily_core(ukey >> keys.TS_BITS, (ukey & keys.TS_MASK) + ts0, hmean, hdemo, rules.o3_8h_min_hours)
    daily = _empty_daily()
    if hourly.any():
        ukey, hmean, hdemo = daily_rule.mean_per_key(keys.group_ts_key(group[hourly], ts[hourly] - ts0), rows.value[hourly], rows.demo[hourly])
        daily = _daily_core(ukey >> keys.TS_BITS, (ukey & keys.TS_MASK) + ts0, hmean, hdemo, rules.o3_8h_min_hours)
    given = ~hourly
    if given.any():
        ukey, gmean, gdemo = daily_rule.mean_per_key(keys.group_ts_key(group[given], ts[given] - ts0), rows.value[given], rows.demo[given])
        gday = np.asarray(timeutil.day_number((ukey & keys.TS_MASK) + ts0), dtype="int64")
        gkey = keys.group_day_key(ukey >> keys.TS_BITS, gday - int(gday.min()))
        pick = daily_rule.last_per_key(gkey)
        given_daily = pd.DataFrame(
            {
                "g": (ukey >> keys.TS_BITS)[pick],
                "dayn": gday[pick],
                "mean": gmean[pick],
                "n_hours": np.nan,
                "max8h": np.nan,
                "n_8h": np.nan,
                "max1h": np.nan,
                "demo": gdemo[pick],
            }
        )
        base = int(min(daily["dayn"].min(), given_daily["dayn"].min())) if len(daily) else int(given_daily["dayn"].min())
        daily_key = keys.group_day_key(daily["g"].to_numpy(dtype="int64"), daily["dayn"].to_numpy(dtype="int64") - base)
        given_key = keys.group_day_key(given_daily["g"].to_numpy(dtype="int64"), given_daily["dayn"].to_numpy(dtype="int64") - base)
        keep, use = daily_rule.given_day_wins(daily_key, daily["n_hours"].to_numpy(), given_key, rules.daily_min_hours)
        daily = pd.concat([daily.loc[keep], given_daily.loc[use]], ignore_index=True)
    return daily


def compute_daily(hourly: pd.DataFrame, o3_min_hours: int) -> pd.DataFrame:
    """Daily statistics from hourly subdistrict values.

    ``hourly``: columns subdistrict_id, pollutant, ts, value (one value per hour: stations
    already averaged), demo (bool). Returns one row per (subdistrict_id, pollutant, day)
    with mean, n_hours, and for O3 max8h / n_8h (HJ 663-2013: 8-hour means ending
    08:00–24:00 of the day, each needing ``o3_min_hours`` values) and max1h.
    """
    columns = ["subdistrict_id", "pollutant", "day", "mean", "n_hours", "max8h", "n_8h", "max1h", "demo"]
    if hourly.empty:
        return pd.DataFrame(columns=columns)
    group = keys.group_key(hourly["subdistrict_id"].to_numpy(dtype="int64"), keys.pollutant_codes(hourly["pollutant"]))
    core = _daily_core(
        group,
        hourly["ts"].to_numpy(dtype="int64"),
        hourly["value"].to_numpy(dtype="float64"),
        hourly["demo"].to_numpy(dtype=bool),
        o3_min_hours,
    )
    return pd.DataFrame(
        {
            "subdistrict_id": core["g"] // keys.GROUP_WIDTH,
            "pollutant": list(keys.POLLUTANT_OBJECTS[(core["g"] % keys.GROUP_WIDTH).to_numpy()]),
            "day": [_epoch_day(n) for n in core["dayn"].tolist()],
            "mean": core["mean"],
            "n_hours": core["n_hours"].astype("int64"),
            "max8h": core["max8h"],
            "n_8h": pd.array([None if v != v else int(v) for v in core["n_8h"].tolist()], dtype="Int64"),
            "max1h": core["max1h"],
            "demo": core["demo"],
        }
    )


def _day_params(conn: Connection, dayn: np.ndarray) -> list[Any]:
    """Days as the driver wants them: ISO text on SQLite (SQLAlchemy's Date storage), dates on PostgreSQL."""
    text = np.asarray(dayn, dtype="int64").astype("datetime64[D]").astype(str).tolist()
    if is_postgres(conn):
        return [dt.date.fromisoformat(d) for d in text]
    return text


def _none_for_nan(values: pd.Series, *, as_int: bool = False) -> np.ndarray:
    """Python floats (or ints) with None for NaN, as an object array: what the drivers bind."""
    floats = values.to_numpy(dtype="float64")
    nan = np.isnan(floats)
    out = (np.where(nan, 0.0, floats).astype("int64") if as_int else floats).astype(object)
    out[nan] = None
    return out


def insert_daily(conn: Connection, daily: pd.DataFrame) -> None:
    if daily.empty:
        return
    g, d = daily["g"].to_numpy(dtype="int64"), daily["dayn"].to_numpy(dtype="int64")
    if not bool(((g[1:] > g[:-1]) | ((g[1:] == g[:-1]) & (d[1:] >= d[:-1]))).all()):  # usually in key order already
        daily = daily.sort_values(["g", "dayn"], kind="stable")
    groups = daily["g"].to_numpy(dtype="int64")
    columns: dict[str, Any] = {
        "subdistrict_id": groups // keys.GROUP_WIDTH,
        "pollutant": keys.POLLUTANT_OBJECTS[groups % keys.GROUP_WIDTH],
        "day": np.asarray(_day_params(conn, daily["dayn"].to_numpy()), dtype=object),
        "mean": daily["mean"].to_numpy(dtype="float64"),
        "n_hours": _none_for_nan(daily["n_hours"], as_int=True),
        "max8h": _none_for_nan(daily["max8h"]),
        "n_8h": _none_for_nan(daily["n_8h"], as_int=True),
        "max1h": _none_for_nan(daily["max1h"]),
        "demo": daily["demo"].to_numpy(dtype=bool),
    }
    # one insert per (subdistrict, pollutant), as for readings: the key's first two parts,
    # and a non-O3 pollutant's empty O3 columns, are then bound once a statement
    for start, end in key_runs(groups):
        bulk.insert_columns(conn, "daily_means", {name: values[start:end] for name, values in columns.items()})


def delete_daily_spans(conn: Connection, spans: pd.DataFrame) -> None:
    m = param_mark(conn)
    conn.exec_driver_sql(
        f"DELETE FROM daily_means WHERE subdistrict_id = {m} AND pollutant = {m} AND day BETWEEN {m} AND {m}",
        list(
            zip(
                spans["subdistrict_id"].astype("int64").tolist(),
                [str(p) for p in spans["pollutant"].tolist()],
                _day_params(conn, spans["min"].to_numpy()),
                _day_params(conn, spans["max"].to_numpy()),
                strict=True,
            )
        ),
    )


def _delete_daily_days(conn: Connection, daily: pd.DataFrame) -> None:
    if daily.empty:
        return
    m = param_mark(conn)
    groups = daily["g"].to_numpy(dtype="int64")
    conn.exec_driver_sql(
        f"DELETE FROM daily_means WHERE subdistrict_id = {m} AND pollutant = {m} AND day = {m}",
        list(
            zip(
                (groups // keys.GROUP_WIDTH).tolist(),
                keys.POLLUTANT_OBJECTS[groups % keys.GROUP_WIDTH].tolist(),
                _day_params(conn, daily["dayn"].to_numpy()),
                strict=True,
            )
        ),
    )


def refresh_changed(conn: Connection, stored: ReadingRows, new: ReadingRows, replaced: ReadingRows, rules: DailyRules) -> None:
    """Recompute the daily means of the days that gained or changed a value.

    Everything those days hold is in memory already: the stored rows of their spans
    (read before the write, replaced values applied) and the new rows.
    """
    touched = ReadingRows.concat([new, replaced])
    base = int(min(touched.dayn.min(), stored.dayn.min())) if len(stored) else int(touched.dayn.min())
    touched_days = np.unique((touched.group << keys.DAY_BITS) | (touched.dayn - base))
    in_touched = np.isin((stored.group << keys.DAY_BITS) | (stored.dayn - base), touched_days)
    daily = daily_from_rows(ReadingRows.concat([stored.take(in_touched), new]), rules)
    _delete_daily_days(conn, daily)
    insert_daily(conn, daily)


def refresh_daily_means(conn: Connection, keys: pd.DataFrame, rules: DailyRules) -> int:
    """Recompute the daily means of every (subdistrict, pollutant, day) that ``keys`` touch.

    ``keys`` has columns subdistrict_id, pollutant, ts. Hourly values are averaged over
    stations first; a day given as a daily value uses it when its hours are too few.
    Every day of each (subdistrict, pollutant) span is recomputed from what is stored.
    Returns the number of daily rows written.
    """
    if keys.empty:
        return 0
    spans = day_spans(rows_from_frame(keys))
    stored = read_stored(conn, spans)
    delete_daily_spans(conn, spans)
    daily = daily_from_rows(stored, rules)
    insert_daily(conn, daily)
    return len(daily)
