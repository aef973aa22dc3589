"""The validated shape of targets.yaml: subdistricts, indicators, dated standards, rules.

Long (about 460 lines) because it is one pydantic schema: every section of targets.yaml is a
model here, with its validators beside it; splitting it would scatter one file's schema.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from monitoring.errors import InputError
from monitoring.targets.names import normalise_name
from monitoring.targets.pollutants import POLLUTANTS


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


#: A rule set's name: "2012" (GB 3095-2012, HJ 633-2012, HJ 663-2013), "2026" (the 2026 standards).
Family = Annotated[str, Field(pattern=r"^\d{4}$")]


class _Dated(_Strict):
    """What every dated standards entry carries: its rule set, start, source and whether a
    value is still provisional (taken from secondary reporting, not the standard's text)."""

    standard: str
    family: Family
    effective_from: dt.date
    source: str
    provisional: bool
    #: What is unconfirmed (shown beside a provisional entry).
    note: str = ""


class AqiStandard(_Dated):
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


class Validity(_Dated):
    daily_min_hours: int = Field(ge=1, le=24)
    monthly_min_days: int = Field(ge=1, le=31)
    february_min_days: int = Field(ge=1, le=29)
    annual_min_days: int = Field(ge=1, le=366)
    o3_8h_min_hours: int = Field(ge=1, le=8)
    o3_daily_min_windows: int = Field(ge=1, le=17)


class Limit(_Dated):
    values: dict[str, float]


class Evaluation(_Dated):
    """How an annual figure is computed (HJ 663): the percentile pollutants, the percentile
    method and the moving-average years (None when the standard has none)."""

    annual_percentile: dict[str, float]
    percentile_method: Literal["hj663_linear"]
    moving_average_years: int | None = Field(default=None, ge=2, le=10)

    @field_validator("annual_percentile")
    @classmethod
    def _known(cls, values: dict[str, float]) -> dict[str, float]:
        for key, p in values.items():
            if key not in POLLUTANTS:
                raise ValueError(f"unknown pollutant {key!r}; use {', '.join(POLLUTANTS)}")
            if not 0 < p < 100:
                raise ValueError(f"{key}: a percentile is between 0 and 100")
        return values


class Rounding(_Strict):
    standard: str
    rule: Literal["half_even", "half_up"]
    decimals: int = Field(ge=0, le=3)
    co_decimals: int = Field(ge=0, le=3)


class Standards(_Strict):
    aqi: tuple[AqiStandard, ...]
    validity: tuple[Validity, ...]
    limits: tuple[Limit, ...]
    evaluation: tuple[Evaluation, ...]
    rounding: Rounding

    @model_validator(mode="after")
    def _every_family_complete(self) -> Standards:
        lists = {"aqi": self.aqi, "validity": self.validity, "limits": self.limits, "evaluation": self.evaluation}
        families = {e.family for items in lists.values() for e in items}
        for name, items in lists.items():
            if not items:
                raise ValueError(f"{name}: give at least one entry")
            missing = sorted(families - {e.family for e in items})
            if missing:
                raise ValueError(f"{name}: no entry of rule set {', '.join(missing)} (every rule set needs one of each)")
        return self

    def families(self) -> list[str]:
        """The rule sets named in the file, oldest first."""
        return sorted({e.family for e in (*self.aqi, *self.validity, *self.limits, *self.evaluation)})


class StatusRules(_Strict):
    at_risk_margin: float = Field(ge=0)
    min_days_for_projection: int = Field(ge=1)
    seasonal_profile_years: int = Field(ge=1)
    #: A profile whose newest year is more than this many years before the target year is called dated.
    profile_dated_after_years: int = Field(default=3, ge=0)
    #: A period in progress (year or month to date) gets a so-far verdict only with this many valid days.
    min_days_so_far: int = Field(default=10, ge=1)
    #: Relative error of the projected rest-of-year mean with one month left (None: the spread of past years' profiles).
    projection_spread: float | None = Field(default=None, gt=0)
    #: The share of backtest cases whose actual annual mean fell inside the interval (stated with it).
    projection_coverage: float | None = Field(default=None, gt=0, le=1)
    #: Where the calibration comes from (shown in the projection's method line).
    projection_calibration: str = ""
    #: The same in English (an English screen shows it; without it the English line leaves it out).
    projection_calibration_en: str = ""


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


class EventKind(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)
    name: str
    name_en: str
    source: str
    provisional: bool = False


class ExceptionalEvents(_Strict):
    """``exceptional_events`` in targets.yaml: the kinds of day range that may be deducted."""

    standard: str
    standard_en: str = ""  # the same rule for English screens; empty: ``standard`` as written
    kinds: tuple[EventKind, ...] = Field(min_length=1)

    def standard_in(self, lang: str) -> str:
        """The rule's citation in the reader's language."""
        return self.standard_en if lang == "en" and self.standard_en else self.standard

    @field_validator("kinds")
    @classmethod
    def _unique_with_sand_dust(cls, kinds: tuple[EventKind, ...]) -> tuple[EventKind, ...]:
        keys = [k.key for k in kinds]
        if len(set(keys)) != len(keys):
            raise ValueError("each kind key must appear once")
        # the ingest's dust-flag column and the migrated dust days are stored as sand_dust
        if "sand_dust" not in keys:
            raise ValueError("the kind sand_dust must be listed")
        return kinds

    def kind(self, key: str) -> EventKind:
        for k in self.kinds:
            if k.key == key:
                return k
        raise KeyError(key)
class WorkbookBounds(_Strict):
    """Bounds of an XLSX workbook read as a stream (``ingest.workbook``); past one, refused."""

    max_rows: int = Field(default=1_048_576, gt=0)
    max_columns: int = Field(default=256, gt=0)
    max_cells: int = Field(default=5_000_000, gt=0)
    max_uncompressed_mb: float = Field(default=200.0, gt=0)
    max_shared_strings: int = Field(default=100_000, gt=0)


_MISSING_MARKS = ("na", "n/a", "nan", "null", "none", "—", "——", "-", "--", "–", "/", "缺测", "无")


class IngestRules(_Strict):
    """What an incoming value must satisfy (``ingest`` in targets.yaml)."""

    plausible_range: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {"pm25": (0.0, 1500.0), "pm10": (0.0, 10000.0), "so2": (0.0, 2000.0), "no2": (0.0, 1000.0), "o3": (0.0, 1200.0), "co": (0.0, 60.0)}
    )
    road_dust_max_load: float = Field(default=50.0, gt=0)
    #: Readings and road-dust dates before this day are refused (1899/1900: Excel's empty date).
    earliest_date: dt.date = dt.date(2000, 1, 1)
    #: Texts and numbers meaning "no value" (counted as missing), and loggers' error codes (rejected).
    missing_marks: tuple[str, ...] = _MISSING_MARKS
    missing_values: tuple[float, ...] = (-999.0, -99.0, -9999.0, -99999.0)
    error_codes: tuple[float, ...] = (9999.0, 99999.0, 999999.0)
    workbook: WorkbookBounds = Field(default_factory=WorkbookBounds)

    @field_validator("missing_marks")
    @classmethod
    def _marks_folded(cls, marks: tuple[str, ...]) -> tuple[str, ...]:
        # compared with cells folded the same way: a mark written otherwise would never match.
        for mark in marks:
            if unicodedata.normalize("NFKC", mark).strip().lower() != mark:
                raise ValueError(f"write {mark!r} in lower case without surrounding spaces")
        return marks

    @model_validator(mode="after")
    def _codes_are_not_missing(self) -> IngestRules:
        both = sorted(set(self.missing_values) & set(self.error_codes))
        if both:
            raise ValueError(f"{both[0]:g} is both a missing value and an error code; keep it in one list")
        positive = [x for x in self.missing_values if x >= 0]
        if positive:
            raise ValueError(f"missing_values: {positive[0]:g} could be a concentration; list it under error_codes")
        return self

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
    plan_en: str = ""  # the plan's name on English screens; empty: ``plan`` as written
    district: District
    subdistricts: tuple[Subdistrict, ...]
    stations: tuple[Station, ...]
    indicators: tuple[Indicator, ...]
    standards: Standards
    status_rules: StatusRules
    road_dust: RoadDust
    history: History
    ingest: IngestRules = Field(default_factory=IngestRules)
    exceptional_events: ExceptionalEvents

    _resolver: dict[str, Subdistrict] | None = PrivateAttr(default=None)
    _rule_set: str = PrivateAttr(default="in-force")

    # -- look-ups -----------------------------------------------------------------

    def plan_in(self, lang: str) -> str:
        """The plan's name in the reader's language."""
        return self.plan_en if lang == "en" and self.plan_en else self.plan

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
        return _in_force(self.standards.limits, day)

    def evaluation(self, day: dt.date) -> Evaluation:
        """The evaluation rules in force on ``day``."""
        return _in_force(self.standards.evaluation, day)

    def evaluation_for_year(self, year: int) -> Evaluation:
        """An annual figure is computed by the rules in force at the end of its year (2026:
        HJ 663—2026, in force from 1 March)."""
        return self.evaluation(dt.date(year, 12, 31))

    # -- rule sets -------------------------------------------------------------------------
    @property
    def rule_set(self) -> str:
        """``in-force`` (each day by the entry in force), or the one family ``under`` kept."""
        return self._rule_set

    def under(self, rule_set: str) -> Targets:
        """A copy whose standards hold only the entries of one rule set ("2012", "2026"), its
        first entry taking effect from the earliest day and its last open-ended, so every
        report computes the same figures under that rule set. ``in-force`` returns self."""
        if rule_set == "in-force":
            return self
        families = self.standards.families()
        if rule_set not in families:
            raise InputError(
                f"--standards {rule_set}: no such rule set in targets.yaml",
                message_zh=f"标准体系 {rule_set} 不存在",
                hint=f"use in-force, {', '.join(families)}",
            )

        def only(items: tuple[Any, ...]) -> tuple[Any, ...]:
            kept = sorted((i for i in items if i.family == rule_set), key=lambda i: i.effective_from)
            return (kept[0].model_copy(update={"effective_from": dt.date.min}), *kept[1:])

        std = self.standards
        standards = std.model_copy(
            update={"aqi": only(std.aqi), "validity": only(std.validity), "limits": only(std.limits),
                    "evaluation": only(std.evaluation)}
        )
        copy = self.model_copy(update={"standards": standards})
        object.__setattr__(copy, "_rule_set", rule_set)
        return copy

    def rule_sets_in(self, first: dt.date, last: dt.date) -> list[tuple[str, Any, dt.date, dt.date]]:
        """Each standards entry in force on some day of first … last, with the days it covers:
        (kind, entry, from, to); kind is aqi, limits, validity or evaluation (the evaluation
        for an annual figure: the one in force on 31 December of ``last``'s year)."""
        out: list[tuple[str, Any, dt.date, dt.date]] = []
        for kind, items in (("aqi", self.standards.aqi), ("limits", self.standards.limits),
                            ("validity", self.standards.validity)):
            starts = sorted({first, *(i.effective_from for i in items if first < i.effective_from <= last)})
            ends = [s - dt.timedelta(days=1) for s in starts[1:]] + [last]
            for s, e in zip(starts, ends, strict=True):
                out.append((kind, _in_force(items, s), s, e))
        out.append(("evaluation", self.evaluation_for_year(last.year), first, last))
        return out

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
