"""What every source kind hands the pipeline: a long-form readings table, exactly like a
readings file's rows (``subdistrict, time, pollutant, value, station, unit``, all text), so
the same validator (monitoring.ingest.pipeline.ingest_frame) judges them."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from monitoring.errors import SourceError

if TYPE_CHECKING:
    from monitoring.ingest.sources.http import Fetched

FRAME_COLUMNS = ("subdistrict", "time", "pollutant", "value", "station", "unit")


@dataclass(frozen=True)
class Row:
    subdistrict: str
    time: str  # Beijing local, hour-ending: "2026-01-05 13:00"
    pollutant: str
    value: str  # as published; "" for a missing value (counted, not rejected)
    station: str = ""
    unit: str = ""


def frame_of(rows: list[Row]) -> pd.DataFrame:
    return pd.DataFrame([astuple(r) for r in rows], columns=list(FRAME_COLUMNS), dtype=object)


@dataclass
class FetchOutcome:
    """A source's whole answer for one pull, gathered before anything is stored."""

    frame: pd.DataFrame = field(default_factory=lambda: frame_of([]))
    #: hours (cnemc) the source answered 404 for: not published (yet).
    not_published: list[dt.datetime] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    _digest: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)

    def add_body(self, fetched: Fetched) -> None:
        self.requests += 1
        self.bytes += len(fetched.body)
        self._digest.update(fetched.body)

    @property
    def sha256(self) -> str | None:
        """The hash of every body received, in order (the audit's "what file")."""
        return self._digest.hexdigest() if self.requests else None


def decode_text(body: bytes, *, url: str, source: str) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK), as the feeds use."""
    if b"\x00" in body[:4096]:
        raise SourceError(
            f"source {source}: {url}: the response is binary, not CSV text",
            message_zh=f"数据源 {source} 返回的是二进制内容，不是 CSV 文本",
            hint="check the url in sources.yaml",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(
        f"source {source}: {url}: the text is neither UTF-8 nor GBK",
        message_zh=f"数据源 {source} 的文本编码无法识别（不是 UTF-8 或 GBK）",
        hint="ask the publisher for UTF-8",
    )


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN is missing


def merge_subdistrict_rows(rows: list[Row]) -> list[Row]:
    """Rows mapped to a whole subdistrict (station "") from several of the source's
    stations become one row per subdistrict, pollutant and hour: the mean of the stations
    that have a value (INTERFACES.md: a subdistrict's hour is the mean of its stations).
    A cell that is not a number is passed on as it is, for the validator to reject."""
    kept: list[Row] = []
    groups: dict[tuple[str, str, str], list[Row]] = {}
    for row in rows:
        if row.station:
            kept.append(row)
        else:
            groups.setdefault((row.subdistrict, row.time, row.pollutant), []).append(row)
    for (subdistrict, time, pollutant), members in groups.items():
        if len(members) == 1:
            kept.append(members[0])
            continue
        numbers = [_number(m.value) for m in members if m.value.strip()]
        if any(n is None for n in numbers):
            kept.extend(members)  # let the validator say what is wrong
            continue
        present = [n for n in numbers if n is not None]
        value = repr(round(sum(present) / len(present), 4)) if present else ""
        kept.append(Row(subdistrict, time, pollutant, value, "", members[0].unit))
    return kept
