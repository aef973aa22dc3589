"""What every rule of the validator shares: ``Reasons`` (rows refused and why), the
file's ``Context`` from targets.yaml, and applying a function once per distinct cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from monitoring import timeutil
from monitoring.targets import Targets, normalise_name, subdistrict_id


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


def merge(*parts: Reasons) -> Reasons:
    """All reasons of several rules (a row may appear more than once)."""
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
