"""Load and validate targets.yaml: the subdistricts, the targets and the dated standards.

The file is checked strictly (unknown keys, wrong types, the subdistrict list against the
official code register) so a typo stops the program with one line naming the key and the
fix, instead of silently computing with a default. Rules never hold thresholds of their
own: they take them from the ``Targets`` object this module returns.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from monitoring import config, settings_file
from monitoring.errors import ConfigError

#: The official register of Xicheng's subdistricts (code, name, indicative point).
REGISTER_PATH = config.DATA_DIR / "reference" / "xicheng_15_subdistrict_codes_points.csv"

POLLUTANTS: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "o3", "co")


def subdistrict_id(code: str) -> int:
    """The stable id of a subdistrict: the street number inside its 12-digit area code
    (110102|010|000 → 10), the same in every database."""
    return int(code[6:9])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class District(_Strict):
    code: str
    name: str
    name_en: str


class Subdistrict(_Strict):
    code: str = Field(pattern=r"^\d{12}$")
    name: str
    short_name: str
    pinyin: str
    aliases: tuple[str, ...] = ()
    pm25_target: float = Field(gt=0, lt=200)
    tile: tuple[int, int]


class Station(_Strict):
    code: str
    name: str
    name_en: str
    subdistrict: str
    lng: float
    lat: float
    kind: Literal["national", "municipal", "traffic", "local"]


class Indicator(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_en: str
    unit: str
    direction: Literal["at_most", "at_least", "none"]
    target: float | None = None
    target_text: str = ""
    year: int
    measured: bool
    source: str

    @model_validator(mode="after")
    def _target_or_text(self) -> Indicator:
        if self.target is None and not self.target_text:
            raise ValueError("give a number in 'target' or the plan's words in 'target_text'")
        return self


class AqiCategory(_Strict):
    max_aqi: int | None = None
    level: int
    name: str
    name_en: str
    color: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class AqiStandard(_Strict):
    standard: str
    effective_from: dt.date
    iaqi: tuple[int, ...]
    breakpoints: dict[str, tuple[float, ...]]
    categories: tuple[AqiCategory, ...]
    primary_pollutant_above: int
    good_day_max_aqi: int
    heavy_day_above_aqi: int

    @model_validator(mode="after")
    def _check_tables(self) -> AqiStandard:
        for key, values in self.breakpoints.items():
            if len(values) > len(self.iaqi):
                raise ValueError(f"breakpoints.{key} has more values than iaqi")
            if list(values) != sorted(values):
                raise ValueError(f"breakpoints.{key} must increase")
        if self.categories[-1].max_aqi is not None:
            raise ValueError("the last category must have no max_aqi (it is open-ended)")
        return self


class Validity(_Strict):
    standard: str
    effective_from: dt.date
    daily_min_hours: int = Field(ge=1, le=24)
    monthly_min_days: int = Field(ge=1, le=31)
    february_min_days: int = Field(ge=1, le=29)
    annual_min_days: int = Field(ge=1, le=366)
    o3_8h_min_hours: int = Field(ge=1, le=8)
    o3_daily_min_windows: int = Field(ge=1, le=17)


class Limit(_Strict):
    standard: str
    status: Literal["in_force", "draft"]
    effective_from: dt.date
    effective_to: dt.date | None = None
    values: dict[str, float]


class Rounding(_Strict):
    standard: str
    rule: Literal["half_even", "half_up"]
    decimals: int = Field(ge=0, le=3)
    co_decimals: int = Field(ge=0, le=3)


class Standards(_Strict):
    aqi: tuple[AqiStandard, ...]
    validity: tuple[Validity, ...]
    limits: tuple[Limit, ...]
    rounding: Rounding


class StatusRules(_Strict):
    at_risk_margin: float = Field(ge=0)
    min_days_for_projection: int = Field(ge=1)
    seasonal_profile_years: int = Field(ge=1)
    #: A period in progress (year or month to date) gets a so-far verdict only with this many valid days.
    min_days_so_far: int = Field(default=10, ge=1)


class RoadDust(_Strict):
    unit: str
    grades: dict[Literal["优", "良", "中"], float] = Field(default_factory=dict)
    grades_source: str = ""

    @field_validator("grades")
    @classmethod
    def _increasing(cls, grades: dict[str, float]) -> dict[str, float]:
        order = [grades[g] for g in ("优", "良", "中") if g in grades]
        if order != sorted(order):
            raise ValueError("the bounds must increase from 优 to 良 to 中")
        return grades


class IngestRules(_Strict):
    """What an incoming value must satisfy (``ingest`` in targets.yaml)."""

    plausible_range: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {"pm25": (0.0, 1500.0), "pm10": (0.0, 10000.0), "so2": (0.0, 2000.0), "no2": (0.0, 1000.0), "o3": (0.0, 1200.0), "co": (0.0, 60.0)}
    )
    road_dust_max_load: float = Field(default=50.0, gt=0)
    #: Readings and road-dust dates before this day are refused (1899/1900: Excel's empty date).
    earliest_date: dt.date = dt.date(2000, 1, 1)

    @field_validator("plausible_range")
    @classmethod
    def _every_pollutant(cls, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        unknown = sorted(set(ranges) - set(POLLUTANTS))
        if unknown:
            raise ValueError(f"unknown pollutant {unknown[0]!r}; use {', '.join(POLLUTANTS)}")
        missing = [p for p in POLLUTANTS if p not in ranges]
        if missing:
            raise ValueError(f"give a range for {', '.join(missing)}")
        for key, (low, high) in ranges.items():
            if not low < high:
                raise ValueError(f"{key}: the lowest value must be below the highest")
        return ranges


class TrendRow(_Strict):
    year: int
    so2: float | None = None
    no2: float | None = None
    pm10: float | None = None
    pm25: float | None = None
    o3: float | None = None
    good_days: int | None = None


class TrendTable(_Strict):
    source: str
    note: str
    rows: tuple[TrendRow, ...]


class ScorecardRow(_Strict):
    indicator: str
    unit: str
    actual: float
    target: str
    outcome: str


class Scorecard(_Strict):
    source: str
    rows: tuple[ScorecardRow, ...]


class PlanTarget(_Strict):
    period: str
    year: int
    pm25: float
    source: str


class PublishedFigure(_Strict):
    scope: Literal["beijing", "xicheng"]
    period: str
    pm25: float | None = None
    pm10: float | None = None
    no2: float | None = None
    so2: float | None = None
    o3: float | None = None
    co: float | None = None
    good_days: int | None = None
    source: str
    # The publisher's own page (the city or district bureau's, or the government portal's)
    # when it is known; cited before ``source``, which may be a reprint. Empty: only a reprint was found.
    primary_source: str = ""


class History(_Strict):
    trend_table: TrendTable
    scorecard_2020: Scorecard
    plan_targets: tuple[PlanTarget, ...]
    published: tuple[PublishedFigure, ...]


class Targets(_Strict):
    """The whole of targets.yaml, validated."""

    version: Literal[1]
    year: int
    plan: str
    district: District
    subdistricts: tuple[Subdistrict, ...]
    stations: tuple[Station, ...]
    indicators: tuple[Indicator, ...]
    standards: Standards
    status_rules: StatusRules
    road_dust: RoadDust
    history: History
    ingest: IngestRules = Field(default_factory=IngestRules)

    _resolver: dict[str, Subdistrict] | None = PrivateAttr(default=None)

    # -- look-ups -----------------------------------------------------------------
    def subdistrict(self, name_or_code: str) -> Subdistrict:
        """The subdistrict a name, alias, pinyin or area code refers to (see ``resolve``)."""
        found = self.resolver().get(normalise_name(name_or_code))
        if found is None:
            raise KeyError(name_or_code)
        return found

    def resolver(self) -> dict[str, Subdistrict]:
        """Every accepted spelling (normalised) → its subdistrict."""
        if self._resolver is None:
            table: dict[str, Subdistrict] = {}
            for sd in self.subdistricts:
                for spelling in (sd.code, sd.name, sd.short_name, sd.pinyin, *sd.aliases):
                    table[normalise_name(spelling)] = sd
            object.__setattr__(self, "_resolver", table)
        assert self._resolver is not None
        return self._resolver

    def indicator(self, key: str) -> Indicator:
        for item in self.indicators:
            if item.key == key:
                return item
        raise KeyError(key)

    def aqi_standard(self, day: dt.date) -> AqiStandard:
        return _in_force(self.standards.aqi, day)

    def validity(self, day: dt.date) -> Validity:
        return _in_force(self.standards.validity, day)

    def limits(self, day: dt.date) -> Limit:
        for limit in self.standards.limits:
            if limit.effective_from <= day and (limit.effective_to is None or day <= limit.effective_to):
                return limit
        raise KeyError(f"no limit in force on {day}")

    def station(self, code: str) -> Station | None:
        for st in self.stations:
            if st.code == code:
                return st
        return None


def _in_force(items: tuple[Any, ...], day: dt.date) -> Any:
    chosen = None
    for item in sorted(items, key=lambda i: i.effective_from):
        if item.effective_from <= day:
            chosen = item
    if chosen is None:
        return min(items, key=lambda i: i.effective_from)
    return chosen


_SUFFIXES = ("街道办事处", "街道", "办事处")


def normalise_name(text: str) -> str:
    """A spelling reduced to what matters: NFKC, no spaces or apostrophes, lower case,
    without a trailing 街道 / 街道办事处 (so 德胜, 德胜街道 and Desheng all match)."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = re.sub(r"[\s'’`·\-_]", "", s)
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    for suffix in ("jiedao", "subdistrict"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return s


# -- loading --------------------------------------------------------------------

_HINTS = {
    "extra_forbidden": "remove it or correct its spelling (see the comments in targets.yaml)",
    "missing": "add it (see the comments in targets.yaml for its meaning)",
    "literal_error": "use one of the values listed",
}


def read_register(path: Path = REGISTER_PATH) -> list[dict[str, str]]:
    """The official list of Xicheng's subdistricts (area code, name, short name, pinyin, point)."""
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _check_register(targets: Targets, path: Path) -> None:
    official = {row["area_code"]: row["short_name"] for row in read_register()}
    seen: set[str] = set()
    for i, sd in enumerate(targets.subdistricts):
        if sd.code not in official:
            raise ConfigError(
                f"{path.name}: subdistricts[{i} {sd.short_name}].code: {sd.code} is not a Xicheng subdistrict",
                message_zh=f"{path.name} 有误：第 {i + 1} 个街道的代码 {sd.code} 不是西城区的街道代码",
                hint="use one of the 15 official 12-digit codes in data/reference/xicheng_15_subdistrict_codes_points.csv",
                hint_zh="请使用 data/reference/xicheng_15_subdistrict_codes_points.csv 中的 15 个官方 12 位代码之一",
            )
        if sd.code in seen:
            raise ConfigError(
                f"{path.name}: subdistricts[{i} {sd.short_name}].code: {sd.code} is listed twice",
                message_zh=f"{path.name} 有误：街道代码 {sd.code} 重复",
                hint="keep one entry per subdistrict",
                hint_zh="每个街道只保留一条",
            )
        seen.add(sd.code)
    missing = [f"{official[c]} ({c})" for c in official if c not in seen]
    if missing:
        raise ConfigError(
            f"{path.name}: subdistricts: missing {', '.join(missing)}",
            message_zh=f"{path.name} 有误：缺少街道 {'、'.join(missing)}",
            hint="add an entry for each of the 15 subdistricts with its pm25_target",
            hint_zh="请为 15 个街道各写一条，并给出 pm25_target",
        )
    short = {sd.short_name for sd in targets.subdistricts}
    for i, st in enumerate(targets.stations):
        if st.subdistrict not in short:
            raise ConfigError(
                f"{path.name}: stations[{i} {st.code}].subdistrict: unknown subdistrict {st.subdistrict!r}",
                message_zh=f"{path.name} 有误：站点 {st.name} 所在街道 {st.subdistrict} 不存在",
                hint=f"use a short name: {', '.join(sorted(short))}",
                hint_zh=f"请使用街道简称：{'、'.join(sorted(short))}",
            )
    keys = [ind.key for ind in targets.indicators]
    if len(keys) != len(set(keys)):
        raise ConfigError(f"{path.name}: indicators: a key is listed twice", hint="keep each key once")


def load_targets(path: Path | str | None = None) -> Targets:
    """Read and validate the targets file; raise ``ConfigError`` with one line if it is wrong."""
    path = Path(path) if path is not None else config.targets_path()
    return _load_cached(str(path.resolve()), _mtime(path))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1.0


@lru_cache(maxsize=4)
def _load_cached(path_text: str, mtime: float) -> Targets:
    path = Path(path_text)
    data = settings_file.read_yaml_mapping(path, what="targets file", setting="MONITOR_TARGETS", what_zh="目标文件")
    try:
        targets = Targets.model_validate(data)
    except ValidationError as exc:
        raise settings_file.one_line(
            exc,
            data,
            path,
            label_keys=("short_name", "key", "code"),
            hints=_HINTS,
            default_hint="correct the value",
        ) from None
    _check_register(targets, path)
    return targets
