"""Time rules: a row's time as written → a Beijing hour-ending label (or a day), refused
when it is not a time, not on the hour, in the future or before the earliest date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from monitoring import timeutil
from monitoring.ingest.validate.common import Context, Reasons, _reasons, _short, merge

_HOURLY_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H", "%Y%m%d%H")


_DATE_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def normalise_time_text(cells: pd.Series) -> pd.Series:
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
    s[todo] = normalise_time_text(raw)
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
    shape = normalise_time_text(cells).str.match(_DATE_SHAPE).to_numpy()

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
    return merge(impossible, unparsed)


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
