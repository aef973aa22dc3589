"""``cnemc-hourly``: the national monitoring network's hourly station feed, one CSV per hour.

Layout (see tests/fixtures/cnemc/): ``timepoint,stationcode,longitude,latitude,area,
positionname,primarypollutant,aqi,pm10,pm10_24h,pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,...``.
Only the hourly columns are read (pm2_5, pm10, o3, no2, so2, co): the archives'
``o3_24h`` column holds the latest 1-hour value, and the rolling means are recomputed
from the hours anyway. ``timepoint`` is the hour-ending Beijing label the network
publishes (``2025-12-31T2300`` or ``2022-01-04T12:00:00``), i.e. the monitor's own label.
Rows of stations outside the mapping (the rest of the country) are skipped, not rejected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

import requests

from monitoring.errors import SourceError
from monitoring.ingest.sources.config import CnemcSource, HttpSettings, Place, render_url, resolve_place
from monitoring.ingest.sources.frames import FetchOutcome, Row, decode_text, frame_of, merge_subdistrict_rows
from monitoring.ingest.sources.http import NotPublished, fetch
from monitoring.targets import Targets, unit_of

#: Feed column → pollutant code. The ``*_24h`` / ``*_8h`` columns are rolling means.
HOURLY_COLUMNS: dict[str, str] = {"pm2_5": "pm25", "pm10": "pm10", "so2": "so2", "no2": "no2", "o3": "o3", "co": "co"}
REQUIRED = ("timepoint", "stationcode", *HOURLY_COLUMNS)

_TIMEPOINT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):?(\d{2})(?::?(\d{2}))?$")


def station_map(source: CnemcSource, targets: Targets) -> dict[str, Place]:
    """Feed station code → where its values go: targets.yaml's stations map to themselves;
    the source's ``stations`` add to and override them."""
    mapping = {st.code: resolve_place(targets, st.code) for st in targets.stations}
    for code, target in source.stations.items():
        mapping[code] = resolve_place(targets, target)
    return mapping


def parse_timepoint(text: str) -> dt.datetime:
    m = _TIMEPOINT.match(text.strip())
    if not m:
        raise ValueError(text)
    y, mo, d, h, mi, _s = m.groups()
    if int(mi) != 0:
        raise ValueError(text)
    hour = int(h)
    base = dt.datetime(int(y), int(mo), int(d))
    return base + dt.timedelta(hours=hour)  # 24:00 is allowed: the next day's 00:00


def parse_hour(body: bytes, *, url: str, source: str, stations: dict[str, Place]) -> list[Row]:
    """The readings of the mapped stations in one hourly file (missing values kept empty)."""
    text = decode_text(body, url=url, source=source)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise SourceError(
            f"source {source}: {url}: the file is empty", message_zh=f"数据源 {source} 的文件为空", hint="try later"
        ) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourceError(
            f"source {source}: {url}: not the CNEMC station layout (no column {', '.join(missing)})",
            message_zh=f"数据源 {source} 的文件不是国控站点小时数据格式（缺少列 {'、'.join(missing)}）",
            hint="check the url in sources.yaml, or use kind csv-url for a readings file",
        )
    col = {name: header.index(name) for name in REQUIRED}
    rows: list[Row] = []
    lines = list(reader)
    for n, fields in enumerate(lines, start=2):
        if not fields or fields == [""]:
            continue
        if len(fields) != len(header):
            last = n == len(lines) + 1
            raise SourceError(
                f"source {source}: {url}: line {n} has {len(fields)} of {len(header)} fields"
                + (" (the file was cut short)" if last else ""),
                message_zh=f"数据源 {source} 的文件第 {n} 行字段数不对（{len(fields)}/{len(header)}）"
                + ("，文件不完整" if last else ""),
                hint="the download was incomplete or the file is damaged; the next pull will try again",
            )
        code = fields[col["stationcode"]].strip()
        place = stations.get(code)
        if place is None:
            continue
        raw_time = fields[col["timepoint"]]
        try:
            label = parse_timepoint(raw_time)
        except ValueError:
            raise SourceError(
                f"source {source}: {url}: line {n}: timepoint {raw_time!r} is not a date and hour",
                message_zh=f"数据源 {source} 的文件第 {n} 行时间 {raw_time} 无法识别",
                hint="the feed's layout changed; check the file",
            ) from None
        time_text = label.strftime("%Y-%m-%d %H:%M")
        for column, pollutant in HOURLY_COLUMNS.items():
            rows.append(
                Row(
                    subdistrict=place.subdistrict,
                    time=time_text,
                    pollutant=pollutant,
                    value=fields[col[column]].strip(),
                    station=place.station,
                    unit=unit_of(pollutant),
                )
            )
    return rows


def hour_labels(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Hour-ending labels from ``start`` through ``end`` inclusive."""
    labels = []
    t = start
    while t <= end:
        labels.append(t)
        t += dt.timedelta(hours=1)
    return labels


def fetch_frame(
    source: CnemcSource,
    session: requests.Session,
    settings: HttpSettings,
    *,
    targets: Targets,
    start: dt.datetime,
    end: dt.datetime,
    progress: Callable[[float, str], None] | None = None,
) -> FetchOutcome:
    """Fetch every hour file of [start, end]; a 404 hour is noted as not published.

    Everything is fetched before anything is stored (the pull is all-or-nothing), so a
    failure part-way raises and leaves the database untouched.
    """
    stations = station_map(source, targets)
    outcome = FetchOutcome()
    labels = hour_labels(start, end)
    rows: list[Row] = []
    for i, label in enumerate(labels):
        url = render_url(source.url, timepoint=label, timepoint_utc=label - dt.timedelta(hours=8))
        if progress is not None:
            progress(i / max(len(labels), 1), f"{label:%Y-%m-%d %H:%M} ({i + 1}/{len(labels)})")
        try:
            fetched = fetch(session, url, source=source.name, settings=settings, expect="csv")
        except NotPublished:
            outcome.not_published.append(label)
            continue
        outcome.add_body(fetched)
        rows.extend(parse_hour(fetched.body, url=url, source=source.name, stations=stations))
    if progress is not None:
        progress(1.0, f"{len(labels)} hour(s) fetched")
    outcome.frame = frame_of(merge_subdistrict_rows(rows))
    return outcome
