"""The validator: one function per rule, each over a whole chunk at once.

A rule takes the chunk's cells (text) or what an earlier rule parsed, and returns the
rows it refuses with a reason in Chinese and in English (``Reasons``). Rules are
vectorised: they work on the distinct spellings or on whole columns, and build a
sentence only for the rows they refuse, so a clean million-row file never loops in
Python. The reasons carry no line number; the pipeline adds ``第 12 行:`` / ``line 12:``.

Units: a value is µg/m³ (CO mg/m³), as INTERFACES.md says. A cell that carries its unit
(``35μg/m³``, ``0.8 mg/m³``) is read when the unit is the pollutant's own unit and
refused with a reason when it is another one: the monitor never guesses a conversion.
The same holds for a ``unit`` column and for a unit written in a wide header
(``PM2.5(μg/m³)``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from monitoring import timeutil
from monitoring.targets import POLLUTANT_NAMES, POLLUTANT_TABLE, POLLUTANTS, Targets, normalise_name, subdistrict_id

#: The missing-value marks, missing numbers and error codes are data: targets.yaml
#: ``ingest.missing_marks`` / ``missing_values`` / ``error_codes`` (issue 13), in ``Context``.

#: The number grammar (issue 13): optional sign, digits with an optional decimal part (or a
#: decimal part alone), an optional exponent, spaces around. Python's float() also takes
#: ``1_0`` (= 10), ``inf``, ``nan`` and digits of any script, none of which a file means.
NUMBER = re.compile(r"[ \t]*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?[ \t]*")
#: Any character outside the grammar's alphabet (a fast check over a whole column at once).
_OUTSIDE_GRAMMAR = re.compile(r"[^0-9.eE+\- \t]")
#: Flags of the optional sand-dust column that mark the row's day as a dust day.
DUST_TRUE = frozenset({"1", "是", "true", "yes", "y", "沙尘", "√", "✓", "x"})
DUST_FALSE = frozenset({"", "0", "否", "false", "no", "n"})
GRADES = ("优", "良", "中", "差")

UNIT_OF = {p.code: p.unit_key for p in POLLUTANT_TABLE}
UNIT_TEXT = {p.unit_key: p.unit for p in POLLUTANT_TABLE}
POLLUTANT_TEXT = POLLUTANT_NAMES


@dataclass
class Reasons:
    """Rows a rule refuses (positions in the chunk) and why, in Chinese and English."""

    rows: np.ndarray
    zh: list[str]
    en: list[str]

    @classmethod
    def none(cls) -> Reasons:
        return cls(np.empty(0, dtype="int64"), [], [])

    def __len__(self) -> int:
        return len(self.rows)


def _reasons(mask: np.ndarray, zh: Any, en: Any, values: pd.Series | None = None) -> Reasons:
    """Reasons for the rows of ``mask``; ``zh``/``en`` are strings or callables of the cell."""
    rows = np.flatnonzero(mask)
    if not len(rows):
        return Reasons.none()
    if values is None:
        return Reasons(rows, [zh] * len(rows), [en] * len(rows))
    cells = values.to_numpy()[rows]
    return Reasons(rows, [zh(c) for c in cells], [en(c) for c in cells])


def _short(text: Any, limit: int = 40) -> str:
    """A cell as a reason quotes it: control characters escaped (a quoted line break, a CR,
    ESC …), so the reason stays one printable line; cut at ``limit``."""
    s = str(text)
    if not s.isprintable():
        s = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in s)
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass
class Context:
    """What the rules need from targets.yaml and the clock, prepared once per file."""

    resolver: dict[str, int]  # normalised spelling → subdistrict id
    subdistrict_names: list[str]
    subdistrict_pinyin: list[str]
    stations: dict[str, tuple[str, int]]  # normalised code / name / name_en → (code, subdistrict id)
    station_names: list[str]
    ranges: dict[str, tuple[float, float]]
    road_dust_max_load: float
    latest_label: dt.datetime  # labels after this are in the future
    today: dt.date
    hour_beginning: bool = False
    earliest: dt.date = dt.date(2000, 1, 1)  # dates before it are refused (targets.yaml ingest.earliest_date)
    missing_marks: frozenset[str] = frozenset({""})  # folded cell texts meaning "no value"
    missing_values: tuple[float, ...] = ()  # numbers meaning "no value"
    error_codes: tuple[float, ...] = ()  # loggers' failure codes: rejected rows

    @classmethod
    def build(cls, targets: Targets, *, hour_beginning: bool = False, now: dt.datetime | None = None) -> Context:
        now = now or timeutil.now_beijing()
        resolver = {spelling: subdistrict_id(sd.code) for spelling, sd in targets.resolver().items()}
        stations: dict[str, tuple[str, int]] = {}
        for st in targets.stations:
            sid = subdistrict_id(targets.subdistrict(st.subdistrict).code)
            for spelling in (st.code, st.name, st.name_en):
                stations[normalise_name(spelling)] = (st.code, sid)
        return cls(
            resolver=resolver,
            subdistrict_names=[sd.short_name for sd in targets.subdistricts],
            subdistrict_pinyin=[sd.pinyin for sd in targets.subdistricts],
            stations=stations,
            station_names=[f"{st.name} ({st.code})" for st in targets.stations],
            ranges={k: (float(v[0]), float(v[1])) for k, v in targets.ingest.plausible_range.items()},
            road_dust_max_load=float(targets.ingest.road_dust_max_load),
            latest_label=now + dt.timedelta(hours=1),
            today=now.date(),
            hour_beginning=hour_beginning,
            earliest=targets.ingest.earliest_date,
            missing_marks=frozenset({"", *targets.ingest.missing_marks}),
            missing_values=tuple(targets.ingest.missing_values),
            error_codes=tuple(targets.ingest.error_codes),
        )


def per_distinct(cells: pd.Series, func: Any, dtype: Any = object) -> pd.Series:
    """``func`` applied once per distinct cell, spread back to every row (vectorised)."""
    # the Series' own factorize: for Arrow-backed text it dictionary-encodes without
    # building a million Python strings.
    codes, uniques = cells.factorize(use_na_sentinel=False)
    mapped = np.asarray([func(u) for u in uniques], dtype=dtype)
    return pd.Series(mapped[codes] if len(mapped) else np.empty(0, dtype=dtype), index=cells.index)


# -- place -----------------------------------------------------------------------------


def check_subdistrict(cells: pd.Series, ctx: Context) -> tuple[pd.Series, Reasons]:
    """Known subdistrict: name with or without 街道, short form, pinyin, or area code."""
    ids = per_distinct(cells, lambda v: ctx.resolver.get(normalise_name(v), np.nan), dtype="float64")
    bad = ids.isna().to_numpy()
    known_zh = "、".join(ctx.subdistrict_names)
    known_en = ", ".join(ctx.subdistrict_pinyin)
    reasons = _reasons(
        bad,
        lambda c: f'未知街道 "{_short(c)}"；可用：{known_zh}' if str(c).strip() else f"街道为空；可用：{known_zh}",
        lambda c: f'unknown subdistrict "{_short(c)}"; known: {known_en} (or their Chinese names or area codes)'
        if str(c).strip()
        else "subdistrict is empty",
        cells,
    )
    return ids, reasons


def check_station(cells: pd.Series, ctx: Context) -> tuple[pd.Series, pd.Series, Reasons]:
    """Known station (code, Chinese or English name); an empty cell means the whole subdistrict."""
    codes = per_distinct(cells, lambda v: ctx.stations.get(normalise_name(v), ("", 0))[0])
    sids = per_distinct(cells, lambda v: ctx.stations.get(normalise_name(v), ("", np.nan))[1], dtype="float64")
    empty = (cells.str.strip() == "").to_numpy()
    bad = sids.isna().to_numpy() & ~empty
    known = "、".join(ctx.station_names)
    reasons = _reasons(
        bad,
        lambda c: f'未知站点 "{_short(c)}"；可用：{known}',
        lambda c: f'unknown station "{_short(c)}"; known: {known}',
        cells,
    )
    return codes, sids, reasons


def check_station_in_subdistrict(sd_ids: pd.Series, station_sids: pd.Series, stations: pd.Series, subdistricts: pd.Series) -> Reasons:
    """A station named with a subdistrict must stand in that subdistrict."""
    both = sd_ids.notna() & station_sids.notna()
    bad = (both & (sd_ids != station_sids)).to_numpy()
    rows = np.flatnonzero(bad)
    if not len(rows):
        return Reasons.none()
    st, sd = stations.to_numpy()[rows], subdistricts.to_numpy()[rows]
    return Reasons(
        rows,
        [f'站点 "{a}" 不在街道 "{b}"' for a, b in zip(st, sd, strict=True)],
        [f'station "{a}" is not in subdistrict "{b}"' for a, b in zip(st, sd, strict=True)],
    )


# -- time ------------------------------------------------------------------------------

_HOURLY_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H", "%Y%m%d%H")
_DATE_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def _normalise_time_text(cells: pd.Series) -> pd.Series:
    s = cells.str.strip()
    s = s.str.replace("T", " ", regex=False).str.replace("/", "-", regex=False).str.replace(".", "-", regex=False)
    if s.str.contains("年", regex=False).any():
        s = s.str.replace("年", "-", regex=False).str.replace("月", "-", regex=False).str.replace("日", "", regex=False)
        s = s.str.replace(r"\s*时$", ":00", regex=True)
    return s.str.replace(r"\s+", " ", regex=True)


#: A time of day followed by a zone: ``Z``, ``+00:00``, ``+0800``, ``-05`` (issue 13).
_ZONED = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")
_ZONE_SUFFIX = re.compile(r"\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")
#: Seconds with a fraction of zeros (``13:00:00.000``): the fraction says nothing more.
_ZERO_FRACTION = re.compile(r"(\d:\d{2}:\d{2})\.0+(?=\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?$)")
#: The zone of the labels: Beijing time (UTC+8, no daylight saving).
BEIJING_OFFSET = pd.Timedelta(hours=8)


def parse_times(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Labels (naive datetime64) and a daily flag per cell; NaT where nothing fits (see ``parse_times_zoned``)."""
    labels, daily, _zoned = parse_times_zoned(cells)
    return labels, daily


def parse_times_zoned(cells: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Labels (naive datetime64, Beijing time), a daily flag and a converted flag per cell.

    Formats of INTERFACES.md, tried vectorised one after another on what is still
    unparsed: hourly ``2026-01-05 13:00`` (also ``T``, ``/``, seconds, a fraction of zero
    seconds), then a date alone (a daily value). ``24:00`` is read as 00:00 of the next
    day, as hour-ending tables write it. A time with a zone (``…Z``, ``+00:00``) is
    converted to Beijing time and flagged, so the result can say a conversion happened.
    """
    # the common case first, on the cells as they are: one vectorised parse, no rewriting.
    first = pd.to_datetime(cells, format=_HOURLY_FORMATS[0], errors="coerce")
    labels = pd.Series(first, index=cells.index).astype("datetime64[s]")
    daily = np.zeros(len(cells), dtype=bool)
    zoned = np.zeros(len(cells), dtype=bool)
    todo = labels.isna().to_numpy()
    h24 = np.zeros(len(cells), dtype=bool)
    if not todo.any():
        return labels, daily, zoned
    s = cells.copy()
    raw = cells[todo].str.strip().str.replace(_ZERO_FRACTION, r"\1", regex=True)
    has_zone = raw.str.contains(_ZONED).to_numpy()
    if has_zone.any():
        where = np.flatnonzero(todo)[has_zone]
        text = raw[has_zone].str.replace("/", "-", regex=False)
        aware = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
        local = (aware.dt.tz_localize(None) + BEIJING_OFFSET).astype("datetime64[s]")
        labels.iloc[where] = local.to_numpy()
        # flagged when the clock time moved (a +08:00 time is already Beijing time)
        wall = pd.to_datetime(text.str.replace(_ZONE_SUFFIX, "", regex=True), format="ISO8601", errors="coerce")
        zoned[where] = (local.notna() & (local.to_numpy() != wall.astype("datetime64[s]").to_numpy())).to_numpy()
        todo = labels.isna().to_numpy()
        raw = raw.loc[cells.index[todo]]  # a zoned cell that did not parse goes on, to be reported
        if not todo.any():
            return labels, daily, zoned
    s[todo] = _normalise_time_text(raw)
    h24[todo] = s[todo].str.endswith(" 24:00").to_numpy() | s[todo].str.endswith(" 24:00:00").to_numpy()
    if h24.any():
        s[h24] = s[h24].str.replace(r" 24:00(:00)?$", " 00:00", regex=True)
    for fmt in _HOURLY_FORMATS:
        if not todo.any():
            break
        part = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        labels[todo] = part
        todo = labels.isna().to_numpy()
    if todo.any():
        part = pd.to_datetime(s[todo], format="%Y-%m-%d", errors="coerce")
        hit = part.notna().to_numpy()
        idx = np.flatnonzero(todo)[hit]
        labels.iloc[idx] = part[hit].to_numpy()
        daily[idx] = True
    if h24.any():
        labels[h24] = labels[h24] + pd.Timedelta(days=1)
    return labels, daily, zoned


def check_time(cells: pd.Series, labels: pd.Series) -> Reasons:
    """A time that parses; a date that exists (2026-02-30 does not)."""
    bad = labels.isna().to_numpy()
    if not bad.any():
        return Reasons.none()
    shape = _normalise_time_text(cells).str.match(_DATE_SHAPE).to_numpy()

    def zh(c: Any) -> str:
        if not str(c).strip():
            return "时间为空"
        return f'日期或时间不存在 "{_short(c)}"（如 2 月 30 日、25 点）'

    def en(c: Any) -> str:
        if not str(c).strip():
            return "time is empty"
        return f'no such date or time "{_short(c)}" (e.g. 30 February or hour 25)'

    impossible = _reasons(bad & shape, zh, en, cells)
    unparsed = _reasons(
        bad & ~shape,
        lambda c: f'无法识别的时间 "{_short(c)}"；请写成 2026-01-05 13:00 或 2026-01-05' if str(c).strip() else "时间为空",
        lambda c: f'unreadable time "{_short(c)}"; write 2026-01-05 13:00 or 2026-01-05' if str(c).strip() else "time is empty",
        cells,
    )
    return _merge_reasons(impossible, unparsed)


def check_on_the_hour(labels: pd.Series, daily: np.ndarray) -> Reasons:
    """Hourly labels fall on the hour (13:00, not 13:30)."""
    off = labels.notna().to_numpy() & ~daily & ((labels.dt.minute.fillna(0) != 0) | (labels.dt.second.fillna(0) != 0)).to_numpy()
    return _reasons(
        off,
        lambda c: f"时间 {pd.Timestamp(c):%H:%M} 不是整点（小时值按整点结束时刻标注）",
        lambda c: f"time {pd.Timestamp(c):%H:%M} is not on the hour (hourly values are labelled by the hour's end)",
        labels,
    )


def check_not_future(labels: pd.Series, daily: np.ndarray, ctx: Context) -> Reasons:
    """No value from the future: an hour label after now + 1 h, or a day after today."""
    lab = labels.to_numpy()
    valid = ~pd.isna(lab)
    late = valid & ~daily & (lab > np.datetime64(ctx.latest_label))
    late_day = valid & daily & (lab > np.datetime64(dt.datetime.combine(ctx.today, dt.time())))
    return _reasons(
        late | late_day,
        lambda c: f"时间 {pd.Timestamp(c):%Y-%m-%d %H:%M} 在未来",
        lambda c: f"time {pd.Timestamp(c):%Y-%m-%d %H:%M} is in the future",
        labels,
    )


def _too_early_zh(day: dt.date, earliest: dt.date) -> str:
    text = f"日期 {day:%Y-%m-%d} 早于允许的最早日期 {earliest:%Y-%m-%d}"
    if day.year in (1899, 1900):
        return text + "（1899/1900 年通常是 Excel 空白日期单元格的产物，请补上真实日期）"
    return text + "（请核对日期，或修改 targets.yaml 的 ingest.earliest_date）"


def _too_early_en(day: dt.date, earliest: dt.date) -> str:
    text = f"date {day:%Y-%m-%d} is before the earliest date allowed, {earliest:%Y-%m-%d}"
    if day.year in (1899, 1900):
        return text + " (1899/1900 is what Excel shows for an empty date cell: fill in the real date)"
    return text + " (check the date, or change ingest.earliest_date in targets.yaml)"


def check_not_too_early(labels: pd.Series, ctx: Context) -> Reasons:
    """No date before ``ingest.earliest_date`` (Excel writes an empty date as 1899-12-30 / 1900-01-00)."""
    lab = labels.to_numpy()
    early = ~pd.isna(lab) & (lab < np.datetime64(dt.datetime.combine(ctx.earliest, dt.time())))
    return _reasons(
        early,
        lambda c: _too_early_zh(pd.Timestamp(c).date(), ctx.earliest),
        lambda c: _too_early_en(pd.Timestamp(c).date(), ctx.earliest),
        labels,
    )


def to_hour_ending(labels: pd.Series, daily: np.ndarray, ctx: Context) -> pd.Series:
    """``--hour-beginning``: a file labelling 13:00–14:00 as 13:00 → the hour-ending 14:00."""
    if not ctx.hour_beginning:
        return labels
    shifted = labels.copy()
    shifted[~daily] = shifted[~daily] + pd.Timedelta(hours=1)
    return shifted


def labels_to_ts(labels: pd.Series, daily: np.ndarray, ctx: Context) -> np.ndarray:
    """Stored ``ts`` of hour-ending labels; a day → the label ending it (next day 00:00)."""
    shifted = labels.copy()
    shifted[daily] = shifted[daily] + pd.Timedelta(days=1)
    valid = shifted.notna().to_numpy()
    out = np.zeros(len(shifted), dtype="int64")
    if valid.any():
        out[valid] = timeutil.labels_to_ts(pd.DatetimeIndex(shifted[valid]))
    return out


def parse_year_month_day_hour(cells: pd.DataFrame) -> pd.Series:
    """``year, month, day[, hour]`` columns (the UCI and many Excel layouts) → time text."""
    parts = {k: pd.to_numeric(cells[k], errors="coerce") for k in ("year", "month", "day") if k in cells}
    ok = parts["year"].notna() & parts["month"].notna() & parts["day"].notna()
    date = (
        parts["year"].fillna(0).astype("int64").astype(str)
        + "-"
        + parts["month"].fillna(0).astype("int64").astype(str)
        + "-"
        + parts["day"].fillna(0).astype("int64").astype(str)
    )
    if "hour" in cells:
        hour = pd.to_numeric(cells["hour"], errors="coerce")
        has_hour = hour.notna()
        date = date.where(~has_hour, date + " " + hour.fillna(0).astype("int64").astype(str) + ":00")
    return date.where(ok, "")


# -- pollutant, unit, value ----------------------------------------------------------------


def check_pollutant(cells: pd.Series) -> tuple[pd.Series, Reasons]:
    """Known pollutant name (PM2.5 / pm25 / 细颗粒物 …)."""
    from monitoring.ingest.layout import POLLUTANT_NAMES as SPELLINGS
    from monitoring.ingest.layout import norm_header

    index = {p: i for i, p in enumerate(POLLUTANTS)}
    positions = per_distinct(cells, lambda v: index.get(SPELLINGS.get(norm_header(v), ""), -1), dtype="int8")
    codes = pollutant_series(positions.to_numpy(), cells.index)
    known_zh, known_en = "、".join(POLLUTANT_NAMES.values()), ", ".join(POLLUTANT_NAMES.values())
    return codes, _reasons(
        codes.isna().to_numpy(),
        lambda c: f'未知污染物 "{_short(c)}"；可用：{known_zh}',
        lambda c: f'unknown pollutant "{_short(c)}"; known: {known_en}',
        cells,
    )


def pollutant_series(positions: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    """Pollutant codes as a categorical Series from positions in POLLUTANTS (-1: unknown)."""
    return pd.Series(pd.Categorical.from_codes(positions.astype("int8", copy=False), categories=list(POLLUTANTS)), index=index)


def _category_lookup(codes: pd.Series, table: dict[str, float]) -> np.ndarray:
    """A number per row from a per-pollutant table (NaN for an unknown pollutant)."""
    if isinstance(codes.dtype, pd.CategoricalDtype):
        cats = list(codes.cat.categories)
        lookup = np.asarray([table.get(c, np.nan) for c in cats] + [np.nan], dtype="float64")
        positions = codes.cat.codes.to_numpy().astype("int64")
        return lookup[np.where(positions < 0, len(cats), positions)]
    return per_distinct(codes, lambda p: table.get(p, np.nan), dtype="float64").to_numpy()


def norm_unit(text: Any) -> str:
    """``μg/m³``, ``ug/m3``, ``微克/立方米`` → ``ugm3``; ``mg/m³``, ``毫克/立方米`` → ``mgm3``."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = s.replace("μ", "u").replace("µ", "u").replace("微克", "ug").replace("毫克", "mg").replace("立方米", "m3")
    s = re.sub(r"[\s/^·*]", "", s).replace("m-3", "m3")
    return s


def check_unit(units: pd.Series | None, codes: pd.Series) -> Reasons:
    """The unit given (column or header) is the pollutant's unit: µg/m³, CO mg/m³.

    ``units`` None: the file gives no unit.
    """
    if units is None:
        return Reasons.none()
    normal = per_distinct(units, norm_unit)
    if not (normal != "").any():
        return Reasons.none()
    expected = codes.map(UNIT_OF).astype(object)
    bad = ((normal != "") & codes.notna() & (normal != expected)).to_numpy()
    rows = np.flatnonzero(bad)
    if not len(rows):
        return Reasons.none()
    given, want, pol = units.to_numpy()[rows], expected.to_numpy()[rows], codes.to_numpy()[rows]
    zh, en = [], []
    for g, w, p in zip(given, want, pol, strict=True):
        name, unit = POLLUTANT_TEXT[p], UNIT_TEXT[w]
        if norm_unit(g) in UNIT_TEXT:
            zh.append(f"单位 {g} 与 {name} 的单位 {unit} 不符；请换算后再上传")
            en.append(f"unit {g} is not the unit of {name} ({unit}); convert the values first")
        else:
            zh.append(f'未知单位 "{_short(g)}"；{name} 应为 {unit}')
            en.append(f'unknown unit "{_short(g)}"; {name} is in {unit}')
    return Reasons(rows, zh, en)


_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)\s*$")


@dataclass
class Values:
    numbers: np.ndarray  # float64, NaN where missing or refused
    missing: np.ndarray  # bool: a missing-value mark
    reasons: Reasons


def number(text: str) -> float | None:
    """The number a cell writes by the grammar (``NUMBER``), or None."""
    return float(text) if NUMBER.fullmatch(text) else None


def parse_numbers(raw_cells: np.ndarray) -> np.ndarray:
    """float64 per cell by the number grammar; NaN where a cell is not such a number."""
    try:
        # the usual file: every cell a number, converted by Python's float() in one pass
        # (~4× faster than to_numeric). float() is wider than the grammar, so the column
        # is then checked whole: finite, and no character outside the grammar's alphabet
        # (with those, float() accepts exactly the grammar).
        numbers = np.array(raw_cells, dtype="float64")
        if np.isfinite(numbers).all() and not _OUTSIDE_GRAMMAR.search(" ".join(raw_cells)):
            return numbers
    except (ValueError, TypeError):
        pass
    numbers = np.full(len(raw_cells), np.nan, dtype="float64")
    for i, cell in enumerate(raw_cells):
        if isinstance(cell, str) and NUMBER.fullmatch(cell):
            numbers[i] = float(cell)
    return numbers


def parse_values(cells: pd.Series, codes: pd.Series, ctx: Context | None = None) -> Values:
    """Numbers from value cells; missing marks counted; a unit inside a cell checked.

    A unit inside the cell is accepted when it is the pollutant's own unit (stripped),
    refused otherwise. Anything else that is not a number (by ``NUMBER``) is refused, and
    so is a logger's error code (targets.yaml ``ingest.error_codes``).
    """
    marks = ctx.missing_marks if ctx is not None else frozenset({""})
    raw_cells = cells.to_numpy(dtype=object)
    numbers = parse_numbers(raw_cells)
    failed = np.isnan(numbers)
    missing = np.zeros(len(cells), dtype=bool)
    reasons = Reasons.none()
    if failed.any():
        rows = np.flatnonzero(failed)
        raw = np.asarray([str(c).strip() for c in raw_cells[rows]], dtype=object)
        zh: list[str] = []
        en: list[str] = []
        bad_rows: list[int] = []
        pol = codes.to_numpy()[rows]
        for row_np, cell, p in zip(rows, raw, pol, strict=True):
            row = int(row_np)
            folded = unicodedata.normalize("NFKC", str(cell)).strip()
            if folded.lower() in marks:
                missing[row] = True
                continue
            if (parsed := number(folded)) is not None:  # full-width digits, folded by NFKC
                numbers[row] = parsed
                continue
            m = _NUMBER_WITH_UNIT.match(folded)
            if m and isinstance(p, str):
                unit = norm_unit(m.group(2))
                if unit == UNIT_OF[p]:
                    numbers[row] = float(m.group(1))
                    continue
                if unit in UNIT_TEXT:
                    bad_rows.append(row)
                    zh.append(f"值 {_short(cell)} 的单位与 {POLLUTANT_TEXT[p]} 的单位 {UNIT_TEXT[UNIT_OF[p]]} 不符")
                    en.append(f"value {_short(cell)} has a unit other than {POLLUTANT_TEXT[p]}'s {UNIT_TEXT[UNIT_OF[p]]}")
                    continue
            bad_rows.append(row)
            zh.append(f'值 "{_short(cell)}" 不是数字')
            en.append(f'value "{_short(cell)}" is not a number')
        reasons = Reasons(np.asarray(bad_rows, dtype="int64"), zh, en)
    if ctx is not None:
        missing |= np.isin(numbers, ctx.missing_values)
        codes_hit = np.isin(numbers, ctx.error_codes)
        if codes_hit.any():
            reasons = _merge_reasons(reasons, _error_codes(codes_hit, numbers, codes))
    numbers[missing] = np.nan
    if len(reasons):
        numbers[reasons.rows] = np.nan
    return Values(numbers=numbers, missing=missing, reasons=reasons)


def _error_codes(hit: np.ndarray, numbers: np.ndarray, codes: pd.Series) -> Reasons:
    rows = np.flatnonzero(hit)
    pol = codes.to_numpy()[rows]
    return Reasons(
        rows,
        [f"{POLLUTANT_TEXT.get(p, p)} 值 {numbers[r]:g} 是仪器的故障代码，不是测量值（targets.yaml ingest.error_codes）"
         for r, p in zip(rows, pol, strict=True)],
        [f"{POLLUTANT_TEXT.get(p, p)} value {numbers[r]:g} is an instrument error code, not a measurement "
         "(targets.yaml ingest.error_codes)" for r, p in zip(rows, pol, strict=True)],
    )


def check_not_negative(numbers: np.ndarray, codes: pd.Series) -> Reasons:
    """No negative concentration (-999, -99 … are missing values, handled before)."""
    bad = ~np.isnan(numbers) & (numbers < 0)
    rows = np.flatnonzero(bad)
    pol = codes.iloc[rows].to_numpy()
    return Reasons(
        rows,
        [f"{POLLUTANT_TEXT.get(p, p)} 值 {numbers[r]:g} 为负数" for r, p in zip(rows, pol, strict=True)],
        [f"{POLLUTANT_TEXT.get(p, p)} value {numbers[r]:g} is negative" for r, p in zip(rows, pol, strict=True)],
    )


def check_range(numbers: np.ndarray, codes: pd.Series, ctx: Context) -> Reasons:
    """Within the plausible range of targets.yaml (ingest.plausible_range)."""
    low = _category_lookup(codes, {p: r[0] for p, r in ctx.ranges.items()})
    high = _category_lookup(codes, {p: r[1] for p, r in ctx.ranges.items()})
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(numbers) & (numbers >= 0) & ((numbers > high) | (numbers < low))
    rows = np.flatnonzero(bad)
    pol = codes.iloc[rows].to_numpy()
    zh, en = [], []
    for r, p in zip(rows, pol, strict=True):
        lo, hi = ctx.ranges[p]
        unit = UNIT_TEXT[UNIT_OF[p]]
        zh.append(f"{POLLUTANT_TEXT[p]} 值 {numbers[r]:g} 超出合理范围 {lo:g}–{hi:g} {unit}（单位是否有误？）")
        en.append(f"{POLLUTANT_TEXT[p]} value {numbers[r]:g} is outside the plausible range {lo:g}–{hi:g} {unit} (wrong unit?)")
    return Reasons(rows, zh, en)


def dust_flags(cells: pd.Series) -> tuple[np.ndarray, Reasons]:
    """The optional sand-dust column: 1 / 是 / true marks the row's day as a dust day."""
    distinct = pd.unique(cells.to_numpy())
    folded = {v: unicodedata.normalize("NFKC", str(v)).strip().lower() for v in distinct}
    flag = cells.map({v: f in DUST_TRUE for v, f in folded.items()}).to_numpy(dtype=bool)
    unknown = cells.map({v: f not in DUST_TRUE and f not in DUST_FALSE for v, f in folded.items()}).to_numpy(dtype=bool)
    return flag, _reasons(
        unknown,
        lambda c: f'沙尘标记 "{_short(c)}" 无法识别；请填 1/是 或留空',
        lambda c: f'sand-dust flag "{_short(c)}" not understood; use 1/yes or leave it empty',
        cells,
    )


# -- road dust -------------------------------------------------------------------------


def parse_dust_dates(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Measurement dates; a month alone (2026-03) is its first day, flagged month_only."""
    s = _normalise_time_text(cells)
    days = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    month_only = np.zeros(len(s), dtype=bool)
    todo = days.isna().to_numpy()
    if todo.any():
        part = pd.to_datetime(s[todo].str.rstrip("-"), format="%Y-%m", errors="coerce")
        hit = part.notna().to_numpy()
        idx = np.flatnonzero(todo)[hit]
        days.iloc[idx] = part[hit].to_numpy()
        month_only[idx] = True
    todo = days.isna().to_numpy()
    if todo.any():  # a date with a time of day: the day counts
        part = pd.to_datetime(s[todo], format="%Y-%m-%d %H:%M", errors="coerce")
        days[todo] = part.dt.normalize()
    return days, month_only


def check_dust_date(cells: pd.Series, days: pd.Series, ctx: Context) -> Reasons:
    """A date (or month) that exists and is not in the future."""
    bad = days.isna().to_numpy()
    unparsed = _reasons(
        bad,
        lambda c: f'无法识别的日期 "{_short(c)}"；请写成 2026-03-15 或 2026-03' if str(c).strip() else "日期为空",
        lambda c: f'unreadable date "{_short(c)}"; write 2026-03-15 or 2026-03' if str(c).strip() else "date is empty",
        cells,
    )
    lab = days.to_numpy()
    future = ~bad & (lab > np.datetime64(dt.datetime.combine(ctx.today, dt.time())))
    late = _reasons(future, lambda c: f"日期 {_short(c)} 在未来", lambda c: f"date {_short(c)} is in the future", cells)
    return _merge_reasons(unparsed, late, check_not_too_early(days, ctx))


def check_road(cells: pd.Series) -> Reasons:
    """A road name is given and fits the column (100 characters)."""
    text = cells.str.strip()
    empty = (text == "").to_numpy()
    long = (text.str.len() > 100).to_numpy()
    return _merge_reasons(
        _reasons(empty, "道路名称为空", "road name is empty"),
        _reasons(long, "道路名称超过 100 个字符", "road name is longer than 100 characters"),
    )


def check_load(cells: pd.Series, ctx: Context) -> tuple[np.ndarray, np.ndarray, Reasons]:
    """Load in g/m²: a number, not negative, not above ingest.road_dust_max_load."""
    text = cells.str.strip()
    folded = text.str.replace(r"\s*(g/m²|g/m2|克/平方米)$", "", regex=True)
    numbers = parse_numbers(folded.to_numpy(dtype=object))
    missing = text.str.lower().isin(ctx.missing_marks).to_numpy() | np.isin(numbers, ctx.missing_values)
    numbers[missing] = np.nan
    nan = np.isnan(numbers) & ~missing
    neg = ~np.isnan(numbers) & (numbers < 0)
    high = ~np.isnan(numbers) & (numbers > ctx.road_dust_max_load)
    reasons = _merge_reasons(
        _reasons(nan, lambda c: f'尘负荷 "{_short(c)}" 不是数字', lambda c: f'load "{_short(c)}" is not a number', cells),
        _reasons(neg, lambda c: f"尘负荷 {c} 为负数", lambda c: f"load {c} is negative", cells),
        _reasons(
            high,
            lambda c: f"尘负荷 {c} 超出合理范围 0–{ctx.road_dust_max_load:g} g/m²",
            lambda c: f"load {c} is outside the plausible range 0–{ctx.road_dust_max_load:g} g/m²",
            cells,
        ),
    )
    numbers[nan | neg | high] = np.nan
    return numbers, missing, reasons


def check_grade(cells: pd.Series) -> tuple[pd.Series, Reasons]:
    """Grade 优 / 良 / 中 / 差 when given; empty means none given."""
    text = cells.str.strip()
    bad = ~(text.isin(GRADES) | (text == "")).to_numpy()
    return text.where(text != "", None), _reasons(
        bad,
        lambda c: f'等级 "{_short(c)}" 无法识别；应为 优、良、中、差 或留空',
        lambda c: f'grade "{_short(c)}" not understood; use 优, 良, 中, 差 or leave it empty',
        cells,
    )


# -- combining --------------------------------------------------------------------------


def _merge_reasons(*parts: Reasons) -> Reasons:
    parts = tuple(p for p in parts if len(p))
    if not parts:
        return Reasons.none()
    if len(parts) == 1:
        return parts[0]
    return Reasons(
        np.concatenate([p.rows for p in parts]),
        [z for p in parts for z in p.zh],
        [e for p in parts for e in p.en],
    )


def merge(*parts: Reasons) -> Reasons:
    """All reasons of several rules (a row may appear more than once)."""
    return _merge_reasons(*parts)


# -- notes: what the result says beside its counts (issue 13) ----------------------------------

#: Lines a note names at most (the count covers them all).
NOTE_LINES = 5


@dataclass
class Note:
    """Something the result tells beside its counts: a conversion made, or a warning."""

    code: str  # time_zone | pm25_above_pm10
    rows: int
    lines: list[int]  # the first NOTE_LINES lines it concerns
    en: str
    zh: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "rows": self.rows, "lines": self.lines, "message": self.en, "message_zh": self.zh}


def _lines_text(lines: list[int], rows: int) -> str:
    return ", ".join(str(x) for x in lines) + (", …" if rows > len(lines) else "")


def zone_note(lines: np.ndarray) -> Note | None:
    """Times written with another zone, converted to Beijing time."""
    if not len(lines):
        return None
    first = sorted(int(x) for x in np.unique(lines))
    n, shown = len(first), first[:NOTE_LINES]
    return Note(
        "time_zone",
        n,
        shown,
        f"{n} time(s) carried a time zone (Z, +00:00 …) and were converted to Beijing time (UTC+8): line {_lines_text(shown, n)}",
        f"{n} 个时间带有时区（Z、+00:00 等），已换算为北京时间（UTC+8）：第 {_lines_text(shown, n)} 行",
    )


def pm25_above_pm10(frame: pd.DataFrame) -> Note | None:
    """Hours (or days) where a place's PM2.5 is above its PM10: kept, but flagged.

    PM2.5 is part of PM10, so a higher PM2.5 in the same hour and place says one of the
    two values (or their columns) is wrong. Same key: subdistrict, station, time, resolution.
    """
    if frame.empty or "pollutant" not in frame:
        return None
    pol = frame["pollutant"].astype("category").cat.set_categories(list(POLLUTANTS)).cat.codes.to_numpy()
    pm25, pm10 = pol == POLLUTANTS.index("pm25"), pol == POLLUTANTS.index("pm10")
    if not pm25.any() or not pm10.any():
        return None
    station = frame["station"].astype("category").cat.codes.to_numpy().astype("int64")
    res = frame["resolution"].astype("category").cat.codes.to_numpy().astype("int64")
    # one int64 per key (ts < 2^35, 2 resolutions, subdistrict < 1024, station codes < 2^16)
    key = ((frame["ts"].to_numpy().astype("int64") * 2 + res) * 1024 + frame["subdistrict_id"].to_numpy().astype("int64")) * 65536 + station
    _common, i25, i10 = np.intersect1d(key[pm25], key[pm10], assume_unique=False, return_indices=True)
    if not len(i25):
        return None
    values = frame["value"].to_numpy(dtype="float64")
    above = values[pm25][i25] > values[pm10][i10]
    if not above.any():
        return None
    lines = np.sort(frame["line"].to_numpy()[pm25][i25][above])
    n, shown = len(lines), [int(x) for x in lines[:NOTE_LINES]]
    return Note(
        "pm25_above_pm10",
        n,
        shown,
        f"plausibility: PM2.5 above PM10 in the same hour and place {n} time(s), kept, check the values: line {_lines_text(shown, n)}",
        f"合理性提示：{n} 处同一时间同一地点 PM2.5 高于 PM10（已保存，请核对数值）：第 {_lines_text(shown, n)} 行",
    )

