"""The one path in: read → validate → write, with its audit record.

Every source ends here: the upload page and ``python -m monitoring ingest`` call
``ingest_file``; an HTTP pull converts its payload to a readings table and calls
``ingest_frame``. The file is read in chunks (bounded memory) and validated completely
before anything is written; then the good rows are written in ONE transaction that holds
the write lock from its start (storage.engine.write_transaction, storage.writes), and the
run record says who, what file (sha256), and what became of each row: opened by
start_run before, closed by finish_run inside that same transaction, so the record and
the data commit together. A dry run (the upload preview) is the writer's own
classification with the writes left out. A refused file leaves its audit line and its
rejected rows, nothing else.

Counting (one rule for every layout): ``rows = accepted + rejected + duplicates +
missing + (conflicts - replaced)``. A wide row holds one reading per pollutant column;
a row refused as a whole (unknown subdistrict, bad time) counts once. In readings (what the
upload preview shows): ``readings = accepted + rejected_readings + duplicates + missing +
(conflicts - replaced)``, where a wide row refused as a whole counts all its readings.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, ParamSpec

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring import timeutil
from monitoring.actors import Actor, require_writer
from monitoring.errors import InputError, MonitorError
from monitoring.ingest import fast
from monitoring.ingest import validate as v
from monitoring.ingest.readers import Blob, Chunk, Table, frame_table, load_blob, read_table
from monitoring.targets import POLLUTANTS, Targets

Progress = Callable[[float, str], None]
P = ParamSpec("P")

#: Rows per write inside the one transaction, about (slices end where a day ends).
#: Measured on a million rows: 50,000 → 2.6 s and 259 MB peak; 100,000 → 2.45 s, 257 MB;
#: 200,000 → 2.3 s but 290 MB (each slice's Python objects are held while it is written).
WRITE_SLICE = 100_000
#: readings.source for each run kind (a pull uses its HTTP source's name).
SOURCE_OF_KIND = {"upload": "upload", "ingest": "cli"}


@dataclass
class RejectedRow:
    line: int
    raw: str
    reason: str  # e.g. '第 12 行: 未知街道 "德胜门外"; 可用: 德胜, …'
    reason_en: str


@dataclass
class IngestResult:
    file: str
    kind: str  # readings | road_dust
    rows: int = 0  # readings: a wide line holds one per pollutant column
    lines: int = 0  # the file's data lines (header and blank lines excluded)
    #: the readings the file holds, and those refused: ``rejected`` counts lines, and a wide
    #: line refused as a whole holds one reading per pollutant column. readings = accepted +
    #: rejected_readings + duplicates + missing + (conflicts - replaced)
    readings: int = 0
    rejected_readings: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    conflicts: int = 0
    replaced: int = 0
    missing: int = 0
    run_id: int | None = None
    status: str = "dry_run"  # succeeded | refused | failed | dry_run
    first_label: dt.datetime | None = None
    last_label: dt.datetime | None = None
    by_subdistrict_pollutant: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    conflict_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: readings already present with the same value (in the store or earlier in the file):
    #: line, subdistrict_id, pollutant, time, station, value; readings only, first DUP_ROWS_KEPT
    duplicate_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    message: str = ""
    message_zh: str = ""
    sha256: str | None = None
    dust_days: list[dt.date] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    conversions: list[v.Note] = field(default_factory=list)  # e.g. zoned times → Beijing time
    warnings: list[v.Note] = field(default_factory=list)  # plausibility: kept, but to check

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "rows": self.rows,
            "lines": self.lines,
            "readings": self.readings,
            "rejected_readings": self.rejected_readings,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "replaced": self.replaced,
            "missing": self.missing,
            "run_id": self.run_id,
            "status": self.status,
            "sha256": self.sha256,
            "first_label": self.first_label.isoformat(sep=" ", timespec="minutes") if self.first_label else None,
            "last_label": self.last_label.isoformat(sep=" ", timespec="minutes") if self.last_label else None,
            "dust_days": [d.isoformat() for d in self.dust_days],
            "message": self.message,
            "ignored_columns": self.ignored_columns,
            "conversions": [n.to_json() for n in self.conversions],
            "warnings": [n.to_json() for n in self.warnings],
            "rejected_rows": [
                {"line": r.line, "raw": r.raw, "reason": r.reason_en, "reason_zh": r.reason} for r in self.rejected_rows
            ],
        }

    @property
    def refused(self) -> bool:
        return self.status in ("refused", "failed")


# -- entry points ------------------------------------------------------------------------


def _storage_faults(ingest: Callable[P, IngestResult]) -> Callable[P, IngestResult]:
    """A database fault anywhere in an ingest (a writer holding the lock past the timeout,
    a full disk, a read-only volume) becomes one StorageError line (English and Chinese)
    for the command line and the page; anything else keeps its traceback (a bug)."""

    @functools.wraps(ingest)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> IngestResult:
        try:
            return ingest(*args, **kwargs)
        except MonitorError:
            raise
        except Exception as exc:
            from monitoring.storage.faults import storage_error

            if (clear := storage_error(exc, str(kwargs.get("name", "")))) is not None:
                raise clear from exc
            raise

    return guarded


@_storage_faults
def ingest_file(
    engine: Engine,
    source: Path | bytes | BinaryIO,
    *,
    name: str,
    targets: Targets,
    actor: Actor,
    run_kind: str = "ingest",
    dry_run: bool = False,
    strict: bool = False,
    replace: bool = False,
    hour_beginning: bool = False,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> IngestResult:
    """Read, validate and (unless ``dry_run``) store one readings or road-dust file
    (``sheet``: the workbook's sheet to read, when it has several)."""
    require_writer(actor, "load data")
    options = _options(dry_run, strict, replace, hour_beginning)
    blob: Blob | None = None
    try:
        blob = load_blob(source, name)
        table = read_table(source, name=name, blob=blob, sheet=sheet, bounds=targets.ingest.workbook)
    except InputError as exc:
        if not dry_run:
            _record_refused(engine, name, run_kind, actor, blob.sha256 if blob else None, options, exc)
        raise
    return _ingest(
        engine,
        table,
        targets=targets,
        actor=actor,
        run_kind=run_kind,
        source_label=SOURCE_OF_KIND.get(run_kind, run_kind),
        options=options,
        progress=progress,
    )


@_storage_faults
def ingest_frame(
    engine: Engine,
    frame: pd.DataFrame,
    *,
    name: str,
    targets: Targets,
    actor: Actor,
    run_kind: str = "pull",
    source_label: str,
    dry_run: bool = False,
    strict: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
    sha256: str | None = None,
    extra_options: dict[str, Any] | None = None,
) -> IngestResult:
    """Validate and store a long-form readings table (an HTTP source's payload);
    ``extra_options`` go into the run's options (a pull's window)."""
    require_writer(actor, "load data")
    options: dict[str, Any] = {**_options(dry_run, strict, replace, False), **(extra_options or {})}
    try:
        table = frame_table(frame, name=name, sha256=sha256)
    except InputError as exc:
        if not dry_run:
            _record_refused(engine, name, run_kind, actor, sha256, options, exc)
        raise
    return _ingest(
        engine, table, targets=targets, actor=actor, run_kind=run_kind, source_label=source_label, options=options, progress=progress
    )


def _options(dry_run: bool, strict: bool, replace: bool, hour_beginning: bool) -> dict[str, bool]:
    return {"dry_run": dry_run, "strict": strict, "replace": replace, "hour_beginning": hour_beginning}


def _record_refused(
    engine: Engine, name: str, run_kind: str, actor: Actor, sha256: str | None, options: dict[str, Any], exc: InputError
) -> None:
    from monitoring.storage.run_records import RunInfo, finish_run, start_run, write_rejected

    run_id = start_run(engine, RunInfo(kind=run_kind, source=name, user=actor.name, sha256=sha256, options=options))
    with engine.begin() as conn:  # the reason and the closed record together
        write_rejected(conn, run_id, [(0, "", exc.message_zh, exc.message)])
        finish_run(conn, run_id, "refused", message=exc.message[:2000])


# -- reading and validating -------------------------------------------------------------------


_READING_DTYPES = {
    "subdistrict_id": "int16",
    "pollutant": "int8",
    "ts": "int64",
    "resolution": "int8",
    "station": "int32",
    "value": "float64",
    "line": "int32",
}


class _Columns:
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
class _Collected:
    """What the chunks left: good rows (canonical), refusals, counts."""

    parts: list[Any] = field(default_factory=list)  # road dust: one frame per chunk
    columns: _Columns = field(default_factory=_Columns)  # readings
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


def _data_rows(chunk: Chunk, out: _Collected) -> tuple[pd.DataFrame, np.ndarray] | None:
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


def _readings_chunk(chunk: Chunk, table: Table, ctx: v.Context, out: _Collected) -> None:
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


def _read_clean(table: Table, ctx: v.Context, say: Progress) -> _Collected | None:
    """A clean long-form CSV through the fast reader (ingest/fast.py); None when the file
    is not of that shape or not plainly valid: the general reader then reads it."""
    if not fast.eligible(table):
        return None
    out = _Collected()
    try:
        for part, done in fast.clean_long_parts(table, ctx):
            out.columns.append(part, done)
            out.data_rows += len(part["ts"])
            say(0.6 * done, f"read {out.data_rows:,} rows")
    except fast.NotClean:
        return None
    return out


def _road_dust_chunk(chunk: Chunk, ctx: v.Context, out: _Collected) -> None:
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


def _short_rows(table: Table, out: _Collected) -> tuple[np.ndarray, list[str], list[str]]:
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


def _readings_frame(columns: _Columns, stations: dict[str, int]) -> pd.DataFrame:
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


def _key_codes(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """One int64 per row standing for its key, for a cheap duplicate search."""
    if "ts" not in key:
        return frame.groupby(key, sort=False, dropna=False).ngroup().to_numpy(dtype="int64", copy=True)
    # ts < 2^35, pollutant < 8, resolution < 2, subdistrict < 1024, station < 256 distinct:
    # packed in one int64, computed in place (a million rows: one 8 MB array).
    station = frame["station"]
    if not isinstance(station.dtype, pd.CategoricalDtype):
        station = station.astype("category")
    if len(station.cat.categories) > 255:
        return frame.groupby(key, sort=False, dropna=False, observed=True).ngroup().to_numpy(dtype="int64", copy=True)
    pollutant = frame["pollutant"]
    if not (isinstance(pollutant.dtype, pd.CategoricalDtype) and list(pollutant.cat.categories) == list(POLLUTANTS)):
        pollutant = pd.Series(pd.Categorical(pollutant, categories=POLLUTANTS), index=frame.index)
    resolution = frame["resolution"]
    if not (isinstance(resolution.dtype, pd.CategoricalDtype) and list(resolution.cat.categories) == ["h", "d"]):
        resolution = pd.Series(pd.Categorical(resolution, categories=["h", "d"]), index=frame.index)
    code = frame["ts"].to_numpy(dtype="int64").copy()
    for part, width in (
        (pollutant.cat.codes.to_numpy(), 8),
        (resolution.cat.codes.to_numpy(), 2),
        (frame["subdistrict_id"].to_numpy(), 1024),
        (station.cat.codes.to_numpy(), 256),
    ):
        code *= width
        code += part
    return code


def _infile_duplicates(
    frame: pd.DataFrame, key: list[str], value_cols: list[str]
) -> tuple[pd.DataFrame, int, np.ndarray, list[str], list[str], pd.DataFrame]:
    """Repeated keys inside one file: identical rows are duplicates (also returned, to be
    listed), a different value is refused (the first occurrence wins)."""
    none = frame.iloc[:0]
    if frame.empty:
        return frame, 0, np.empty(0, dtype="int64"), [], [], none
    # sorted in place first, to learn cheaply whether any key repeats (usually none does).
    probe = _key_codes(frame, key)
    probe.sort()
    has_repeats = bool((probe[1:] == probe[:-1]).any())
    del probe
    if not has_repeats:
        return frame, 0, np.empty(0, dtype="int64"), [], [], none
    values = _key_codes(frame, key)
    codes = pd.Series(values, index=frame.index)
    # sort-based (less memory than a hash table): a stable sort keeps the first occurrence first.
    order = np.argsort(values, kind="stable")
    same_as_previous = values[order[1:]] == values[order[:-1]]
    if not same_as_previous.any():
        return frame, 0, np.empty(0, dtype="int64"), [], [], none
    repeated = np.zeros(len(values), dtype=bool)
    repeated[order[1:][same_as_previous]] = True
    involved = repeated.copy()
    involved[order[:-1][same_as_previous]] = True
    del order, same_as_previous
    sub = frame.loc[involved, [*value_cols, "line"]].assign(_k=codes[involved])
    firsts = sub.groupby("_k", sort=False)[[*value_cols, "line"]].transform("first")
    rep = frame.loc[repeated]
    first_of = firsts.loc[rep.index]
    same = np.ones(len(rep), dtype=bool)
    for col in value_cols:
        a, b = rep[col].to_numpy(), first_of[col].to_numpy()
        if col in ("value", "load"):
            same &= np.isclose(a.astype("float64"), b.astype("float64"), rtol=0.0, atol=1e-9)
        else:
            same &= np.asarray([x == y or (pd.isna(x) and pd.isna(y)) for x, y in zip(a, b, strict=True)], dtype=bool)
    conflict = rep.loc[~same]
    col = value_cols[0]
    zh = [
        f"与第 {int(fl)} 行同一街道、站点、污染物、时间的值不同（{old:g} ≠ {new:g}），保留第 {int(fl)} 行"
        for fl, old, new in zip(first_of.loc[~same, "line"], first_of.loc[~same, col], conflict[col], strict=True)
    ]
    en = [
        f"same key as line {int(fl)} with a different value ({old:g} ≠ {new:g}); line {int(fl)} is kept"
        for fl, old, new in zip(first_of.loc[~same, "line"], first_of.loc[~same, col], conflict[col], strict=True)
    ]
    kept = frame.loc[~repeated]
    return kept, int(same.sum()), conflict["line"].to_numpy(dtype="int64"), zh, en, rep.loc[same]


# -- the whole file -------------------------------------------------------------------------


def _ingest(
    engine: Engine,
    table: Table,
    *,
    targets: Targets,
    actor: Actor,
    run_kind: str,
    source_label: str,
    options: dict[str, bool],
    progress: Progress | None,
) -> IngestResult:
    say = progress or (lambda _f, _m: None)
    name = table.blob.name
    kind = table.layout.kind
    dry_run, strict, replace = options["dry_run"], options["strict"], options["replace"]
    ctx = v.Context.build(targets, hour_beginning=options["hour_beginning"])
    say(0.0, f"reading {name}")
    out = _read_clean(table, ctx, say)
    try:
        if out is None:
            out = _Collected()
            for chunk in table.chunks:
                if kind == "road_dust":
                    _road_dust_chunk(chunk, ctx, out)
                else:
                    _readings_chunk(chunk, table, ctx, out)
                say(0.6 * chunk.done, f"read {out.data_rows:,} rows")
    except InputError as exc:
        if not dry_run:
            _record_refused(engine, name, run_kind, actor, table.blob.sha256, options, exc)
        raise

    # rows the parser could not split right: too many fields (skipped) or too few.
    for bad in table.bad_lines:
        out.data_rows += 1
        out.rejected_readings += 1  # split wrongly: which cells hold readings is unknown
        out.rejected_lines.append(np.asarray([bad.line], dtype="int64"))
        out.rejected_zh.append(f"字段数不对：应有 {bad.expected} 个，实际 {bad.fields} 个（分隔符是否一致？）")
        out.rejected_en.append(f"wrong number of fields: expected {bad.expected}, found {bad.fields} (mixed delimiters?)")
    short_lines, short_zh, short_en = _short_rows(table, out)
    if len(short_lines):
        out.rejected_readings += len(short_lines)  # as the rows rule: the line counts once
        out.rejected_lines.append(short_lines)
        out.rejected_zh.extend(short_zh)
        out.rejected_en.extend(short_en)

    if out.data_rows == 0:
        header_only = InputError(
            f"{name}: only a header, no data rows",
            message_zh=f"{name}：只有表头，没有数据行",
            hint="add the readings below the header line",
        )
        if not dry_run:
            _record_refused(engine, name, run_kind, actor, table.blob.sha256, options, header_only)
        raise header_only

    if kind == "road_dust":
        key, value_cols = ["subdistrict_id", "road", "day"], ["load", "grade"]
    else:
        key, value_cols = ["subdistrict_id", "pollutant", "ts", "resolution", "station"], ["value"]
    if kind == "road_dust":
        frame = pd.concat(out.parts, ignore_index=True) if out.parts else pd.DataFrame(columns=[*key, *value_cols, "line"])
        out.parts.clear()
    else:
        frame = _readings_frame(out.columns, out.stations)
    if len(short_lines):
        frame = frame.loc[~frame["line"].isin(short_lines)]
    # chunks arrive in file order, so the frame is in line order: the first occurrence wins.
    frame, dup_in_file, dup_lines, dup_zh, dup_en, dup_same = _infile_duplicates(frame, key, value_cols)
    if len(dup_lines):
        out.rejected_readings += len(dup_lines)  # one per refused reading
        out.rejected_lines.append(dup_lines)
        out.rejected_zh.extend(dup_zh)
        out.rejected_en.extend(dup_en)

    say(0.65, "checking rejected rows")
    rejected = _rejected_rows(table, out)
    result = IngestResult(
        file=name,
        kind=kind,
        rejected=len(rejected),
        duplicates=dup_in_file,
        missing=out.missing,
        rejected_rows=rejected,
        lines=out.data_rows,
        rejected_readings=out.rejected_readings,
        sha256=table.blob.sha256,
        ignored_columns=list(table.layout.ignored),
        dust_days=sorted(out.dust_days),
    )
    result.conversions = [n for n in [v.zone_note(np.concatenate(out.zoned_lines) if out.zoned_lines else np.empty(0))] if n]
    result.warnings = [n for n in [v.pm25_above_pm10(frame) if kind == "readings" else None] if n]
    _preview(result, frame, targets, kind)

    # A whole file refused (--strict with rejected rows), or nothing left to store: no
    # classification, the good rows are counted but not stored.
    refuse_all = bool((strict and rejected) or frame.empty)
    whole_status = "refused" if rejected else ("dry_run" if dry_run else "succeeded")
    conflicts: list[pd.DataFrame] = []
    duplicates_in_file = result.duplicates
    dup_parts: list[pd.DataFrame] = [dup_same] if kind == "readings" and len(dup_same) else []

    def settle(counts: Any, status: str) -> None:
        """The result's counts and messages from the writer's counts (None: refused whole)."""
        result.duplicates = duplicates_in_file
        if counts is not None:
            result.accepted = counts.accepted
            result.duplicates += counts.duplicates
            result.conflicts = counts.conflicts
            result.replaced = counts.replaced
        result.status = status
        _finish_counts(result)
        if counts is None:
            result.rows += len(frame)  # good rows of a refused file: counted, not stored
            result.readings += len(frame)
        _messages(result, strict)

    if dry_run:
        # the preview is the writer's own classification with the writes left out
        # (storage.writes, dry_run=True), read-only: what it says is what the write does.
        counts = None
        if not refuse_all:
            with engine.connect() as conn:
                counts = _write(conn, 0, frame, kind, source_label, replace, targets, say, dry_run=True, conflicts=conflicts,
                                duplicates=dup_parts)
        settle(counts, whole_status if refuse_all else "dry_run")
        result.conflict_rows = _conflict_table(conflicts)
        result.duplicate_rows = _duplicate_table(dup_parts)
        return result

    from monitoring.storage.engine import write_transaction
    from monitoring.storage.run_records import RunInfo, finish_run, start_run, write_rejected

    info = RunInfo(kind=run_kind, source=name, user=actor.name, data_kind=kind, sha256=table.blob.sha256, options=options)
    run_id = start_run(engine, info)
    result.run_id = run_id
    reject_payload = [(r.line, r.raw, r.reason, r.reason_en) for r in rejected]
    if not refuse_all:
        say(0.7, f"writing {len(frame):,} rows")
    try:
        # the write lock first, then the reads that classify the rows (see write_transaction)
        with write_transaction(engine) as conn:
            counts = None
            if not refuse_all:
                counts = _write(conn, run_id, frame, kind, source_label, replace, targets, say)
                if result.dust_days:  # in the same transaction: the flags stand or fall with the rows
                    from monitoring.storage.events import flag_days

                    flag_days(conn, result.dust_days, f"flagged by {name}", actor.name, run_id)
            write_rejected(conn, run_id, reject_payload)
            settle(counts, whole_status if refuse_all else "succeeded")
            # closed in the data's own transaction: a process killed at any instant leaves
            # both (succeeded, rows stored) or neither (running, nothing stored).
            finish_run(conn, run_id, result.status, _counts(result), message=result.message[:2000])
    except Exception as exc:
        result.status = "failed"
        result.accepted = result.replaced = result.conflicts = 0
        result.duplicates = duplicates_in_file
        result.message = f"{name}: the write failed, nothing was stored: {type(exc).__name__}: {str(exc)[:300]}"
        result.message_zh = f"{name}：写入失败，未保存任何数据"
        # the store may be unusable (full, locked): the run then stays "running" and is
        # later marked interrupted, "nothing stored", which is true
        with contextlib.suppress(Exception):
            finish_run(engine, run_id, "failed", _counts(result), message=result.message)
        raise
    if result.conflicts and kind == "readings":
        from monitoring.storage.audit import run_revisions

        result.conflict_rows = run_revisions(engine, run_id)
    say(1.0, "done")
    return result


def _write(
    conn: Any,
    run_id: int,
    frame: pd.DataFrame,
    kind: str,
    source: str,
    replace: bool,
    targets: Targets,
    say: Progress,
    *,
    dry_run: bool = False,
    conflicts: list[pd.DataFrame] | None = None,
    duplicates: list[pd.DataFrame] | None = None,
) -> Any:
    """Store the good rows (or, ``dry_run``, classify them exactly as storing would)."""
    if kind == "road_dust":
        return _write_road_dust(conn, run_id, frame, source, replace, dry_run=dry_run)
    return _write_readings(conn, run_id, frame, source, replace, targets, say, dry_run=dry_run, conflicts=conflicts,
                           duplicates=duplicates)


#: Duplicate readings kept in a preview's list (the count is always whole).
DUP_ROWS_KEPT = 1000


def _duplicate_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """A dry run's duplicate readings (file rows), in line order, as the preview lists them."""
    if not parts:
        return pd.DataFrame(columns=["line", "subdistrict_id", "pollutant", "time", "station", "value"])
    dup = pd.concat(parts, ignore_index=True).sort_values("line", kind="stable").head(DUP_ROWS_KEPT)
    return pd.DataFrame(
        {
            "line": dup["line"].to_numpy(dtype="int64"),
            "subdistrict_id": dup["subdistrict_id"].to_numpy(),
            "pollutant": dup["pollutant"].astype(str).to_numpy(),
            "time": timeutil.ts_to_labels(dup["ts"].to_numpy()),
            "station": dup["station"].astype(str).to_numpy(),
            "value": dup["value"].to_numpy(dtype="float64"),
        }
    )


def _conflict_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """A dry run's conflicts as the preview shows them (the write's come from the audit)."""
    if not parts:
        return pd.DataFrame()
    clash = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(
        {
            "subdistrict_id": clash["subdistrict_id"].to_numpy(),
            "pollutant": clash["pollutant"].to_numpy(),
            "time": timeutil.ts_to_labels(clash["ts"].to_numpy()),
            "station": clash["station"].to_numpy(),
            "old_value": clash["old_value"].to_numpy(),
            "new_value": clash["new_value"].to_numpy(),
        }
    )


def _write_readings(
    conn: Any,
    run_id: int,
    frame: pd.DataFrame,
    source: str,
    replace: bool,
    targets: Targets,
    say: Progress,
    *,
    dry_run: bool = False,
    conflicts: list[pd.DataFrame] | None = None,
    duplicates: list[pd.DataFrame] | None = None,
) -> Any:
    from monitoring.storage import keys
    from monitoring.storage.columnar import ReadingRows
    from monitoring.storage.daily_refresh import DailyRules
    from monitoring.storage.run_records import RunCounts
    from monitoring.storage.writes import write_rows

    rules = DailyRules.from_targets(targets)
    # key order: each slice is a run of the table's key, inserted in order; and slices
    # end where a (subdistrict, pollutant, day) ends, so no day is split between two
    # slices (each slice's days are new to the store, and their means computed once).
    # An order array, not a sorted copy: only one slice at a time is materialised.
    pkey = keys.pollutant_keys(POLLUTANTS)[frame["pollutant"].cat.codes.to_numpy()]  # the store's pollutant order
    subdistrict = frame["subdistrict_id"].to_numpy().astype("int64")
    ts = frame["ts"].to_numpy()
    group = keys.group_key(subdistrict, pkey).astype("int16")
    # files come in time order: a stable sort by (subdistrict, pollutant) alone, a radix
    # sort for 16-bit keys (~10 ms a million rows), is then the key order; else lexsort
    order = np.argsort(group, kind="stable")
    if not _ascending_within(group[order], ts[order]):
        order = np.lexsort((ts, pkey, subdistrict))
    day = np.asarray(timeutil.day_number(ts[order]), dtype="int64")
    group_day = keys.group_day_key(group[order].astype("int64"), day - day.min())
    bounds = _slice_bounds(group_day, WRITE_SLICE)
    del day, group_day
    # the text of the small codes; with one resolution and one station, the order above
    # is the table's whole key order and the writer need not check it
    res_codes = frame["resolution"].cat.codes.to_numpy()
    resolution = np.asarray(frame["resolution"].cat.categories, dtype=object)[res_codes]
    station_names = np.asarray(frame["station"].cat.categories, dtype=object)
    station = frame["station"].cat.codes.to_numpy()
    in_key_order = bool((res_codes == res_codes[0]).all() and (station == station[0]).all())
    value = frame["value"].to_numpy(dtype="float64")
    total = RunCounts()
    for start, end in itertools.pairwise(bounds):
        at = order[start:end]
        rows = ReadingRows(
            sd=subdistrict[at],
            pcode=pkey[at],
            ts=ts[at].astype("int64"),
            res=resolution[at],
            station=station_names[station[at]],
            value=value[at],
            demo=np.full(len(at), source == "demo"),
            run_id=np.zeros(len(at), dtype="int64"),
        )
        found: list[np.ndarray] | None = [] if duplicates is not None else None
        total.add(write_rows(conn, run_id, rows, source=source[:32], rules=rules, replace=replace, in_key_order=in_key_order,
                             dry_run=dry_run, conflicts=conflicts, duplicates=found))
        if duplicates is not None and found:  # the writer's positions → the file's rows
            duplicates.append(frame.iloc[at[np.concatenate(found)]])
        if not dry_run:
            say(0.7 + 0.3 * end / len(frame), f"wrote {end:,} of {len(frame):,} rows")
    return total


def _ascending_within(groups: np.ndarray, values: np.ndarray) -> bool:
    """Do ``values`` strictly increase inside each run of equal ``groups``?"""
    same = groups[1:] == groups[:-1]
    return bool((values[1:][same] > values[:-1][same]).all())


def _slice_bounds(sorted_keys: np.ndarray, size: int) -> list[int]:
    """Cut points of about ``size`` rows each, only where ``sorted_keys`` changes."""
    starts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    at = np.searchsorted(starts, np.arange(size, len(sorted_keys), size))
    cuts = np.unique(starts[at[at < len(starts)]])
    return [0, *cuts.tolist(), len(sorted_keys)]


def _write_road_dust(conn: Any, run_id: int, frame: pd.DataFrame, source: str, replace: bool, *, dry_run: bool = False) -> Any:
    from monitoring.storage.road_dust_writes import write_road_dust

    return write_road_dust(conn, run_id, frame.drop(columns="line"), source=source[:32], replace=replace, dry_run=dry_run)


def _rejected_rows(table: Table, out: _Collected) -> list[RejectedRow]:
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


def _preview(result: IngestResult, frame: pd.DataFrame, targets: Targets, kind: str) -> None:
    from monitoring.targets import subdistrict_id

    names = {subdistrict_id(sd.code): sd.short_name for sd in targets.subdistricts}
    if frame.empty:
        result.by_subdistrict_pollutant = pd.DataFrame(columns=["subdistrict", "pollutant", "rows", "first", "last"])
        return
    if kind == "road_dust":
        grouped = frame.groupby("subdistrict_id").agg(rows=("load", "size"), first=("day", "min"), last=("day", "max")).reset_index()
        grouped.insert(1, "pollutant", "road_dust")
        result.first_label = dt.datetime.combine(min(frame["day"]), dt.time())
        result.last_label = dt.datetime.combine(max(frame["day"]), dt.time())
    else:
        # one small group code per row and ufunc reductions: no large temporaries.
        pol = pd.Categorical(frame["pollutant"], categories=POLLUTANTS).codes.astype("int64")
        group = frame["subdistrict_id"].to_numpy().astype("int64") * len(POLLUTANTS) + pol
        ts = frame["ts"].to_numpy()
        size = np.bincount(group)
        first = np.full(len(size), np.iinfo("int64").max, dtype="int64")
        last = np.full(len(size), np.iinfo("int64").min, dtype="int64")
        np.minimum.at(first, group, ts)
        np.maximum.at(last, group, ts)
        present = np.flatnonzero(size)
        grouped = pd.DataFrame(
            {
                "subdistrict_id": present // len(POLLUTANTS),
                "pollutant": [POLLUTANTS[i] for i in present % len(POLLUTANTS)],
                "rows": size[present],
                "first": timeutil.ts_to_labels(first[present]),
                "last": timeutil.ts_to_labels(last[present]),
            }
        )
        result.first_label = timeutil.ts_to_label(int(first[present].min()))
        result.last_label = timeutil.ts_to_label(int(last[present].max()))
    grouped.insert(0, "subdistrict", grouped["subdistrict_id"].map(names))
    result.by_subdistrict_pollutant = grouped.drop(columns="subdistrict_id")


def _finish_counts(result: IngestResult) -> None:
    result.rows = result.accepted + result.rejected + result.duplicates + result.missing + (result.conflicts - result.replaced)
    result.readings = result.rows - result.rejected + result.rejected_readings


def _counts(result: IngestResult) -> Any:
    from monitoring.storage.run_records import RunCounts

    return RunCounts(
        rows=result.rows,
        accepted=result.accepted,
        rejected=result.rejected,
        duplicates=result.duplicates,
        conflicts=result.conflicts,
        replaced=result.replaced,
        missing=result.missing,
        first_ts=timeutil.label_to_ts(result.first_label) if result.first_label and result.kind == "readings" else None,
        last_ts=timeutil.label_to_ts(result.last_label) if result.last_label and result.kind == "readings" else None,
    )


def _messages(result: IngestResult, strict: bool) -> None:
    name = result.file
    if result.status == "refused" and strict and result.rejected:
        result.message = (
            f"{name}: refused (--strict): {result.rejected} rejected row(s), nothing stored; "
            f"first: {result.rejected_rows[0].reason_en}"
        )
        result.message_zh = f"{name}：严格模式下有 {result.rejected} 行被拒绝，整个文件未保存；首个问题：{result.rejected_rows[0].reason}"
        return
    if result.status == "refused":
        first = result.rejected_rows[0].reason_en if result.rejected_rows else ""
        first_zh = result.rejected_rows[0].reason if result.rejected_rows else ""
        result.message = f"{name}: refused: every row was rejected ({result.rejected}), nothing stored; first: {first}"
        result.message_zh = f"{name}：所有数据行都被拒绝（{result.rejected} 行），未保存任何数据；首个问题：{first_zh}"
        return
    verb = "would store" if result.status == "dry_run" else "stored"
    verb_zh = "将保存" if result.status == "dry_run" else "已保存"
    span = ""
    if result.first_label and result.last_label:
        span = f", {result.first_label:%Y-%m-%d %H:%M} … {result.last_label:%Y-%m-%d %H:%M}"
    result.message = (
        f"{name}: {verb} {result.accepted:,} of {result.rows:,} {result.kind.replace('_', '-')} rows{span}; "
        f"{result.rejected} rejected, {result.duplicates} duplicates, {result.conflicts} conflicts"
        f"{' (replaced)' if result.replaced else ' (kept the stored values)' if result.conflicts else ''}, {result.missing} missing"
    )
    if result.ignored_columns:
        result.message += f"; ignored columns: {', '.join(result.ignored_columns[:8])}"
    result.message_zh = (
        f"{name}：{verb_zh} {result.accepted:,} / {result.rows:,} 行；拒绝 {result.rejected} 行，重复 {result.duplicates} 行，"
        f"冲突 {result.conflicts} 行{'（已替换）' if result.replaced else '（保留原值）' if result.conflicts else ''}，缺测 {result.missing} 个"
    )
    if result.ignored_columns:
        result.message_zh += f"；忽略的列：{'、'.join(result.ignored_columns[:8])}"
    for note in [*result.conversions, *result.warnings]:
        result.message += f"; {note.en}"
        result.message_zh += f"；{note.zh}"
