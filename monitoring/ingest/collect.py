"""Chunk collection: a table's chunks → validated good rows in compact columns, refusals, counts.

Each chunk of text cells goes through the validator (ingest/validate.py); good readings
wait in preallocated compact arrays (``Columns``) until the file has been read, refused
rows keep their line numbers and reasons. A clean long-form CSV is read by ingest/fast.py
instead (``read_clean``). Nothing here writes.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from monitoring import timeutil
from monitoring.ingest import fast
from monitoring.ingest import validate as v
from monitoring.ingest.readers import Chunk, Table
from monitoring.ingest.result import RejectedRow
from monitoring.targets import POLLUTANTS

Progress = Callable[[float, str], None]


_READING_DTYPES = {
    "subdistrict_id": "int16",
    "pollutant": "int8",
    "ts": "int64",
    "resolution": "int8",
    "station": "int32",
    "value": "float64",
    "line": "int32",
}


class Columns:
    """Good readings, kept in preallocated compact arrays (≈28 bytes a row).

    The capacity is estimated from the first chunk and the share of the file it was, so
    the arrays are filled in place instead of joined at the end (joining would hold the
    data twice); an estimate that falls short grows by half.
    """

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {k: np.empty(0, dtype=d) for k, d in _READING_DTYPES.items()}
        self.size = 0

    def append(self, part: dict[str, np.ndarray], done: float) -> None:
        n = len(part["ts"])
        need = self.size + n
        capacity = len(self.arrays["ts"])
        if need > capacity:
            estimate = int(need / done * 1.05) + 1024 if 0 < done < 1 and self.size == 0 else int(need * 1.5) + 1024
            new_capacity = max(need, estimate)
            for key, array in self.arrays.items():
                grown = np.empty(new_capacity, dtype=array.dtype)
                grown[: self.size] = array[: self.size]
                self.arrays[key] = grown
        for key, array in self.arrays.items():
            array[self.size : need] = part[key]
        self.size = need

    def take(self) -> dict[str, np.ndarray]:
        """The filled part of every column (views), releasing the accumulator."""
        out = {k: a[: self.size] for k, a in self.arrays.items()}
        self.arrays = {}
        return out


@dataclass
class Collected:
    """What the chunks left: good rows (canonical), refusals, counts."""

    parts: list[Any] = field(default_factory=list)  # road dust: one frame per chunk
    columns: Columns = field(default_factory=Columns)  # readings
    stations: dict[str, int] = field(default_factory=lambda: {"": 0})  # station code → small int
    rejected_lines: list[np.ndarray] = field(default_factory=list)
    rejected_zh: list[str] = field(default_factory=list)
    rejected_en: list[str] = field(default_factory=list)
    missing: int = 0
    data_rows: int = 0
    rejected_readings: int = 0  # a wide line refused as a whole: one per pollutant column
    maybe_short: list[np.ndarray] = field(default_factory=list)
    dust_days: set[dt.date] = field(default_factory=set)
    zoned_lines: list[np.ndarray] = field(default_factory=list)  # times converted to Beijing time

    def reject(self, lines: np.ndarray, reasons: v.Reasons) -> None:
        if len(reasons):
            self.rejected_lines.append(lines[reasons.rows])
            self.rejected_zh.extend(reasons.zh)
            self.rejected_en.extend(reasons.en)


def _rows_refused(n: int, *reasons: v.Reasons) -> np.ndarray:
    bad = np.zeros(n, dtype=bool)
    for r in reasons:
        bad[r.rows] = True
    return bad


def _blank_rows(cells: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty (blank lines): skipped, not counted."""
    blank = np.ones(len(cells), dtype=bool)
    for col in cells.columns:
        blank &= cells[col].to_numpy() == ""
        if not blank.any():
            break
    return blank


def _data_rows(chunk: Chunk, out: Collected) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A chunk's non-blank rows and their line numbers (counted in ``out``); None if none."""
    cells = chunk.cells
    lines = np.asarray(chunk.lines)
    blank = _blank_rows(cells)
    if blank.any():
        cells = cells.loc[~blank].reset_index(drop=True)
        lines = lines[~blank]
    out.data_rows += len(cells)
    if chunk.maybe_short is not None and len(chunk.maybe_short):
        out.maybe_short.append(np.asarray(chunk.maybe_short))
    return (cells, lines) if len(cells) else None


def readings_chunk(chunk: Chunk, table: Table, ctx: v.Context, out: Collected) -> None:
    rows = _data_rows(chunk, out)
    if rows is None:
        return
    cells, lines = rows
    n = len(cells)
    layout = table.layout

    # place: subdistrict and/or station
    row_reasons: list[v.Reasons] = []
    sd_ids = pd.Series(np.nan, index=cells.index)
    if "subdistrict" in cells:
        sd_ids, r = v.check_subdistrict(cells["subdistrict"], ctx)
        row_reasons.append(r)
    station = pd.Series("", index=cells.index)
    if "station" in cells:
        station, st_sids, r = v.check_station(cells["station"], ctx)
        row_reasons.append(r)
        if "subdistrict" in cells:
            row_reasons.append(v.check_station_in_subdistrict(sd_ids, st_sids, cells["station"], cells["subdistrict"]))
        else:
            sd_ids = st_sids
            empty = (cells["station"].str.strip() == "").to_numpy()
            row_reasons.append(
                v._reasons(empty, "站点为空（文件没有街道列时必须给出站点）", "station is empty (the file has no subdistrict column)")
            )

    # time
    time_text = cells["time"] if "time" in cells else v.parse_year_month_day_hour(cells)
    labels, daily, zoned = v.parse_times_zoned(time_text)
    if zoned.any():
        out.zoned_lines.append(lines[zoned])
    labels = v.to_hour_ending(labels, daily, ctx)
    row_reasons += [
        v.check_time(time_text, labels),
        v.check_on_the_hour(labels, daily),
        v.check_not_future(labels, daily, ctx),
        v.check_not_too_early(labels, ctx),
    ]
    if "dust" in cells:
        flags, r = v.dust_flags(cells["dust"])
        row_reasons.append(r)
    row_bad = _rows_refused(n, *row_reasons)
    for r in row_reasons:
        out.reject(lines, r)
    ts = v.labels_to_ts(labels, daily, ctx)
    if "dust" in cells:
        hit = flags & ~row_bad
        if hit.any():
            for d in np.unique(timeutil.day_number(ts[hit])):
                out.dust_days.add(dt.date(1970, 1, 1) + dt.timedelta(days=int(d)))

    good = ~row_bad
    if layout.form == "long":
        codes, r_pol = v.check_pollutant(cells["pollutant"])
        units = cells["unit"].reset_index(drop=True) if "unit" in cells else None
        value_cells = cells["value"]
        idx = np.arange(n)
    else:
        value_cols = [c for c in cells.columns if c.startswith("v:")]
        keep = np.flatnonzero(good)
        k = len(value_cols)
        idx = np.tile(keep, k)
        code_list = [POLLUTANTS.index(c[2:]) for c in value_cols]
        codes = v.pollutant_series(np.repeat(np.asarray(code_list, dtype="int8"), len(keep)))
        value_cells = pd.Series(np.concatenate([cells[c].to_numpy()[keep] for c in value_cols]) if k else [], dtype=str)
        pos_of = {f"v:{code}": pos for pos, code in layout.pollutants.items()}
        unit_list = [layout.header_units.get(pos_of[c], "") for c in value_cols]
        units = pd.Series(np.repeat(unit_list, len(keep)), dtype=str) if any(unit_list) else None
        r_pol = v.Reasons.none()
        good = np.ones(len(idx), dtype=bool)
    value_lines = lines[idx]
    values = v.parse_values(value_cells.reset_index(drop=True), codes.reset_index(drop=True), ctx)
    codes = codes.reset_index(drop=True)
    value_reasons = [
        r_pol,
        v.check_unit(units, codes),
        values.reasons,
        v.check_not_negative(values.numbers, codes),
        v.check_range(values.numbers, codes, ctx),
    ]
    if layout.form == "long":
        # a long row refused for its place or time is reported once, with every reason.
        for r in value_reasons:
            out.reject(value_lines, r)
        bad = row_bad | _rows_refused(len(idx), *value_reasons)
        out.rejected_readings += int(bad.sum())
    else:
        for r in value_reasons:
            out.reject(value_lines, r)
        bad = _rows_refused(len(idx), *value_reasons)
        out.rejected_readings += int(row_bad.sum()) * k + int(bad.sum())
    missing = values.missing & ~bad & good
    out.missing += int(missing.sum())
    take = good & ~bad & ~missing
    if not take.any():
        return
    rows = idx[take]
    # compact columns: a million good rows wait here until the file has been read.
    if "station" in cells:
        station_codes, station_names = pd.factorize(np.asarray(station.to_numpy()[rows], dtype=object))
        lookup = np.asarray([out.stations.setdefault(str(n), len(out.stations)) for n in station_names], dtype="int32")
        station_ids = lookup[station_codes] if len(lookup) else np.zeros(len(rows), dtype="int32")
    else:
        station_ids = np.zeros(len(rows), dtype="int32")
    out.columns.append(
        {
            "subdistrict_id": sd_ids.to_numpy()[rows].astype("int16"),
            "pollutant": codes.cat.codes.to_numpy()[take].astype("int8"),
            "ts": ts[rows],
            "resolution": daily[rows].astype("int8"),
            "station": station_ids,
            "value": values.numbers[take],
            "line": value_lines[take].astype("int32"),
        },
        chunk.done,
    )


def read_clean(table: Table, ctx: v.Context, say: Progress) -> Collected | None:
    """A clean long-form CSV through the fast reader (ingest/fast.py); None when the file
    is not of that shape or not plainly valid: the general reader then reads it."""
    if not fast.eligible(table):
        return None
    out = Collected()
    try:
        for part, done in fast.clean_long_parts(table, ctx):
            out.columns.append(part, done)
            out.data_rows += len(part["ts"])
            say(0.6 * done, f"read {out.data_rows:,} rows")
    except fast.NotClean:
        return None
    return out


def road_dust_chunk(chunk: Chunk, ctx: v.Context, out: Collected) -> None:
    rows = _data_rows(chunk, out)
    if rows is None:
        return
    cells, lines = rows
    n = len(cells)
    sd_ids, r_sd = v.check_subdistrict(cells["subdistrict"], ctx)
    days, month_only = v.parse_dust_dates(cells["date"])
    loads, missing, r_load = v.check_load(cells["load"], ctx)
    grades, r_grade = v.check_grade(cells["grade"]) if "grade" in cells else (pd.Series([None] * n), v.Reasons.none())
    reasons = [r_sd, v.check_road(cells["road"]), v.check_dust_date(cells["date"], days, ctx), r_load, r_grade]
    for r in reasons:
        out.reject(lines, r)
    bad = _rows_refused(n, *reasons)
    out.rejected_readings += int(bad.sum())
    miss = missing & ~bad
    out.missing += int(miss.sum())
    take = ~bad & ~miss
    if not take.any():
        return
    out.parts.append(
        pd.DataFrame(
            {
                "subdistrict_id": sd_ids.to_numpy()[take].astype("int64"),
                "road": cells["road"].str.strip().to_numpy()[take],
                "day": [d.date() for d in days[take]],
                "month_only": month_only[take],
                "load": loads[take],
                "grade": grades.to_numpy()[take],
                "line": lines[take],
            }
        )
    )


def short_rows(table: Table, out: Collected) -> tuple[np.ndarray, list[str], list[str]]:
    """Rows that really have too few fields, among those whose last field was empty."""
    if not out.maybe_short or table.n_fields <= 1 or table.delimiter is None:
        return np.empty(0, dtype="int64"), [], []
    candidates = np.concatenate(out.maybe_short)
    if not len(candidates):
        return np.empty(0, dtype="int64"), [], []
    raw = table.raw_lines({int(x) for x in candidates})
    lines: list[int] = []
    zh: list[str] = []
    en: list[str] = []
    for number in sorted(raw):
        text = raw[number]
        if not text.strip():
            continue
        fields = next(csv.reader([text], delimiter=table.delimiter), [])
        if len(fields) < table.n_fields:
            lines.append(number)
            zh.append(f"字段数不对：应有 {table.n_fields} 个，实际 {len(fields)} 个（分隔符是否一致？）")
            en.append(f"wrong number of fields: expected {table.n_fields}, found {len(fields)} (mixed delimiters?)")
    return np.asarray(lines, dtype="int64"), zh, en


def readings_frame(columns: Columns, stations: dict[str, int]) -> pd.DataFrame:
    """The accumulated readings as a frame (categoricals over the compact codes, no copy)."""
    joined = columns.take()
    names = [""] * len(stations)
    for name, i in stations.items():
        names[i] = name
    return pd.DataFrame(
        {
            "subdistrict_id": joined["subdistrict_id"].astype("int16", copy=False),
            "pollutant": pd.Categorical.from_codes(joined["pollutant"].astype("int8", copy=False), categories=POLLUTANTS),
            "ts": joined["ts"].astype("int64", copy=False),
            "resolution": pd.Categorical.from_codes(joined["resolution"].astype("int8", copy=False), categories=["h", "d"]),
            "station": pd.Categorical.from_codes(joined["station"].astype("int32", copy=False), categories=pd.Index(names, dtype=object)),
            "value": joined["value"].astype("float64", copy=False),
            "line": joined["line"].astype("int32", copy=False),
        },
        copy=False,
    )


def add_split_rows(table: Table, out: Collected) -> np.ndarray:
    """Refuse the rows the parser could not split right: too many fields (skipped by the
    parser) or too few; returns the lines of the latter, whose cells are to be dropped."""
    for bad in table.bad_lines:
        out.data_rows += 1
        out.rejected_readings += 1  # split wrongly: which cells hold readings is unknown
        out.rejected_lines.append(np.asarray([bad.line], dtype="int64"))
        out.rejected_zh.append(f"字段数不对：应有 {bad.expected} 个，实际 {bad.fields} 个（分隔符是否一致？）")
        out.rejected_en.append(f"wrong number of fields: expected {bad.expected}, found {bad.fields} (mixed delimiters?)")
    short_lines, short_zh, short_en = short_rows(table, out)
    if len(short_lines):
        out.rejected_readings += len(short_lines)  # as the rows rule: the line counts once
        out.rejected_lines.append(short_lines)
        out.rejected_zh.extend(short_zh)
        out.rejected_en.extend(short_en)
    return short_lines


def rejected_rows(table: Table, out: Collected) -> list[RejectedRow]:
    if not out.rejected_lines:
        return []
    lines = np.concatenate(out.rejected_lines)
    order = np.argsort(lines, kind="stable")
    raw = table.raw_lines({int(x) for x in np.unique(lines)})
    # one entry per line (wide files: per line and pollutant column, reasons kept apart).
    merged: dict[int, tuple[list[str], list[str]]] = {}
    # a row split wrongly (too many or too few fields) gets that reason alone: its other
    # cells are in the wrong columns, so their complaints would only mislead.
    split_wrong = {int(lines[i]) for i in order if out.rejected_en[i].startswith("wrong number of fields")}
    for i in order:
        line = int(lines[i])
        if line in split_wrong and not out.rejected_en[i].startswith("wrong number of fields"):
            continue
        zh, en = merged.setdefault(line, ([], []))
        if out.rejected_zh[i] not in zh:
            zh.append(out.rejected_zh[i])
            en.append(out.rejected_en[i])
    return [
        RejectedRow(
            line=line,
            raw=raw.get(line, ""),
            reason=f"第 {line} 行: " + "；".join(zh),
            reason_en=f"line {line}: " + "; ".join(en),
        )
        for line, (zh, en) in merged.items()
    ]
