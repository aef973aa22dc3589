"""``csv-url``: a URL that returns a readings file (long or wide form, CSV or XLSX, any
of the headers and encodings INTERFACES.md accepts).

The body is read by the same reader as an uploaded file (monitoring.ingest.readers), the
source's ``names`` / ``stations`` mappings are applied to its cells, and the result goes
to the same validator as a long-form frame. When the URL has ``{from}`` / ``{to}``
placeholders the pull asks for its window only; otherwise the whole file is fetched each
time and the rows already stored count as duplicates (the same file twice adds nothing).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pandas as pd
import requests

from monitoring.errors import InputError, SourceError
from monitoring.ingest.sources.config import CsvUrlSource, HttpSettings, render_url, resolve_place
from monitoring.ingest.sources.frames import FetchOutcome, decode_text
from monitoring.ingest.sources.http import fetch
from monitoring.targets import Targets, normalise_name


def _check_last_line(body: bytes, *, delimiter: str | None, n_headers: int, url: str, source: str) -> None:
    """A CSV whose last line has fewer fields than the header was cut in transit."""
    if delimiter is None:
        return
    text = decode_text(body, url=url, source=source).rstrip("\r\n")
    if not text:
        return
    last = text.rsplit("\n", 1)[-1]
    fields = next(csv.reader(io.StringIO(last), delimiter=delimiter), [])
    if 0 < len(fields) < n_headers and not body.endswith((b"\n", b"\r")):
        raise SourceError(
            f"source {source}: {url}: the last line has {len(fields)} of {n_headers} fields and no line end "
            "(the file was cut short)",
            message_zh=f"数据源 {source} 的文件最后一行不完整（{len(fields)}/{n_headers} 个字段），文件被截断",
            hint="the download was incomplete; the next pull will try again",
        )


def to_frame(body: bytes, *, source: CsvUrlSource, targets: Targets, url: str) -> pd.DataFrame:
    """A readings file's bytes → a frame with headers the validator recognises, mapped."""
    from monitoring.ingest.readers import read_table  # the uploads' reader, shared

    name = f"{source.name}:{url.rsplit('/', 1)[-1][:80] or 'response'}"
    try:
        table = read_table(body, name=name)
        cells = [chunk.cells for chunk in table.chunks]
    except InputError as exc:
        raise SourceError(
            f"source {source.name}: {exc.message}",
            message_zh=f"数据源 {source.name}：{exc.message_zh}",
            hint=exc.hint or "check what the url returns",
        ) from None
    if table.layout.kind != "readings":
        raise SourceError(
            f"source {source.name}: {url}: the file holds {table.layout.kind.replace('_', '-')} data, not readings",
            message_zh=f"数据源 {source.name} 返回的不是监测数据文件",
            hint="csv-url sources carry readings; upload road-dust files on the Upload page",
        )
    _check_last_line(body, delimiter=table.delimiter, n_headers=len(table.layout.headers), url=url, source=source.name)
    frame = pd.concat(cells, ignore_index=True) if cells else pd.DataFrame(columns=table.layout.columns())
    # wide columns come as "v:<code>"; give them back a header the layout detector knows,
    # with the unit the file's header carried.
    renames = {}
    for pos, code in table.layout.pollutants.items():
        unit = table.layout.header_units.get(pos)
        renames[f"v:{code}"] = f"{code}({unit})" if unit else code
    frame = frame.rename(columns=renames)
    if source.names and "subdistrict" in frame.columns:
        spelled = {normalise_name(k): targets.subdistrict(v).short_name for k, v in source.names.items()}
        mapped = frame["subdistrict"].map(lambda s: spelled.get(normalise_name(s), s) if isinstance(s, str) else s)
        frame["subdistrict"] = mapped
    if source.stations and "station" in frame.columns:
        places = {normalise_name(k): resolve_place(targets, v) for k, v in source.stations.items()}
        found = frame["station"].map(lambda s: places.get(normalise_name(s)) if isinstance(s, str) and s.strip() else None)
        hit = found.notna()
        if hit.any():
            if "subdistrict" not in frame.columns:
                # the other rows keep their station; give them its subdistrict (an unknown
                # station is then rejected by the validator with both reasons)
                known = {normalise_name(st.code): st.subdistrict for st in targets.stations}
                known |= {normalise_name(st.name): st.subdistrict for st in targets.stations}
                frame.insert(0, "subdistrict", frame["station"].map(lambda s: known.get(normalise_name(s), "")))
            frame.loc[hit, "subdistrict"] = found[hit].map(lambda p: p.subdistrict)
            frame.loc[hit, "station"] = found[hit].map(lambda p: p.station)
    return frame


def fetch_frame(
    source: CsvUrlSource,
    session: requests.Session,
    settings: HttpSettings,
    *,
    targets: Targets,
    start: dt.datetime,
    end: dt.datetime,
    progress: Callable[[float, str], None] | None = None,
) -> FetchOutcome:
    utc = dt.timedelta(hours=8)
    url = render_url(source.url, **{"from": start, "to": end, "from_utc": start - utc, "to_utc": end - utc})
    if progress is not None:
        progress(0.0, f"GET {url}")
    fetched = fetch(session, url, source=source.name, settings=settings, expect="csv")
    outcome = FetchOutcome()
    outcome.add_body(fetched)
    outcome.frame = to_frame(fetched.body, source=source, targets=targets, url=url)
    if progress is not None:
        progress(1.0, f"{len(outcome.frame)} row(s) read")
    return outcome
