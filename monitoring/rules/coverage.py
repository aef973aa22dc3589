"""Road-dust monitoring coverage as the 2026 plan requires it (附1, lines 483 and 497).

* "每月对上月监测发现差等级道路全覆盖监测1次": every road graded 差 last month is measured
  again this month;
* "每季度对各街道道路全覆盖监测1次": every road of every subdistrict is measured each
  quarter (a subdistrict's roads = every road ever measured there in the frame given);
* "实现连续两个月差等级道路动态清零": the number of consecutive months, ending at the month
  looked at, with no 差 road.

Grades: the grade in the file wins; else the bounds in targets.yaml ``road_dust.grades``;
with neither the grade is unknown. Unknown is never counted as "not poor": a month whose
measurements are not all graded cannot be called clear, and the result says so.

Pure functions: a frame in, frames and small results out; no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from monitoring.rules import road_dust as road_dust_rules

POOR = "差"

#: State of a scope (district or one subdistrict) in a month.
CLEAR = "clear"  # measured, every grade known, none 差
CLEAR_UNMEASURED = "clear_unmeasured"  # not measured, nothing was 差 the month before
POOR_FOUND = "poor"  # a 差 measurement
POOR_UNCHECKED = "poor_unchecked"  # not measured although a road was 差 the month before
UNKNOWN = "unknown"  # no 差 found but some grades unknown
NO_DATA = "no_data"  # the district measured nothing that month
CLEAR_STATES = (CLEAR, CLEAR_UNMEASURED)


def grade_of(load: float | None, given: str | None, thresholds: Mapping[str, float]) -> str | None:
    """The grade of one measurement: given wins, else the bounds (rules.road_dust), else None."""
    if isinstance(given, str) and given.strip() in road_dust_rules.GRADE_ORDER:
        return given.strip()
    if load is None or pd.isna(load):
        return None
    return road_dust_rules.grade_from_load(float(load), {str(k): float(v) for k, v in thresholds.items()})


def month_of(value: object) -> pd.Period:
    """A month from a date, a ``YYYY-MM`` text or a Period."""
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    if isinstance(value, dt.date):
        return pd.Period(year=value.year, month=value.month, freq="M")
    return pd.Period(str(value)[:7], freq="M")


def graded(frame: pd.DataFrame, thresholds: Mapping[str, float]) -> pd.DataFrame:
    """The frame (subdistrict, road, month or day, load, grade) with month and grade resolved.

    Adds ``month`` (Period), ``grade`` (str or None) and ``poor`` (True / False / None).
    """
    out = frame.copy()
    source = out["month"] if "month" in out.columns else out["day"]
    out["month"] = [month_of(v) for v in source.tolist()]
    loads = out["load"].tolist() if "load" in out.columns else [None] * len(out)
    given = out["grade"].tolist() if "grade" in out.columns else [None] * len(out)
    grades = [grade_of(ld, gv if isinstance(gv, str) else None, thresholds) for ld, gv in zip(loads, given, strict=True)]
    out["grade"] = pd.Series(grades, index=out.index, dtype="object")
    out["poor"] = pd.Series([None if g is None else g == POOR for g in grades], index=out.index, dtype="object")
    return out


def _road_months(g: pd.DataFrame) -> pd.DataFrame:
    """One row per (subdistrict, road, month): poor if any measurement was 差, None if undecided."""

    def worst(values: pd.Series) -> object:
        items = values.tolist()
        if any(v is True for v in items):
            return True
        if any(v is None for v in items):
            return None
        return False

    if g.empty:
        return pd.DataFrame(columns=["subdistrict", "road", "month", "poor"])
    return g.groupby(["subdistrict", "road", "month"], sort=True)["poor"].agg(worst).reset_index()


@dataclass(frozen=True)
class Streak:
    """Consecutive clear months ending at ``month`` for one scope."""

    scope: str  # "district" or a subdistrict's short name
    months: int
    stopped_by: str | None  # the state of the month that ended the streak, None if it ran to the first month
    stopped_at: str | None  # that month, YYYY-MM

    @property
    def cleared_two_months(self) -> bool:
        return self.months >= 2


@dataclass(frozen=True)
class Coverage:
    """Everything the road-dust page and the brief show about monitoring coverage."""

    month: str  # YYYY-MM the checks end at
    grades_known: bool  # every measurement has a grade
    recheck_required: int  # roads graded 差 the month before
    recheck_missing: pd.DataFrame  # subdistrict, road, poor_month: not measured again in ``month``
    recheck_undecided: int  # roads measured the month before whose grade is unknown
    quarters: pd.DataFrame  # subdistrict, quarter, roads, measured, missing, complete, finished
    quarter_missing: pd.DataFrame  # subdistrict, quarter, road
    streaks: pd.DataFrame  # scope, months, cleared_two_months, stopped_by, stopped_at
    district_streak: Streak
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)


def _scope_states(
    rm: pd.DataFrame, months: list[pd.Period], measured_months: set[pd.Period]
) -> list[tuple[pd.Period, str]]:
    """The state of one scope in each month (``rm``: its road-months)."""
    states: list[tuple[pd.Period, str]] = []
    previous = None
    for m in months:
        here = rm[rm["month"] == m]["poor"].tolist()
        if m not in measured_months:
            state = NO_DATA
        elif any(v is True for v in here):
            state = POOR_FOUND
        elif any(v is None for v in here):
            state = UNKNOWN
        elif here:
            state = CLEAR
        elif previous in (POOR_FOUND, POOR_UNCHECKED):
            state = POOR_UNCHECKED
        elif previous == UNKNOWN:
            state = UNKNOWN
        else:
            state = CLEAR_UNMEASURED
        states.append((m, state))
        previous = state
    return states


def _streak(scope: str, states: list[tuple[pd.Period, str]]) -> Streak:
    count = 0
    for m, state in reversed(states):
        if state not in CLEAR_STATES:
            return Streak(scope, count, state, str(m))
        count += 1
    return Streak(scope, count, None, None)


def coverage(
    frame: pd.DataFrame,
    *,
    month: object,
    thresholds: Mapping[str, float],
    year: int | None = None,
    subdistricts: list[str] | None = None,
) -> Coverage:
    """The plan's coverage checks, ending at ``month``.

    ``frame``: subdistrict, road, and ``month`` or ``day``, with ``load`` and/or ``grade``.
    Pass the months before ``month`` too (at least the previous month for the re-check, the
    whole year for the quarters and the streak). ``year`` limits the quarters (default: the
    year of ``month``); ``subdistricts`` lists every scope to report (default: those in the frame).
    """
    end = month_of(month)
    year = year or end.year
    g = graded(frame, thresholds)
    g = g[g["month"] <= end]
    rm = _road_months(g)
    notes: list[str] = []
    notes_en: list[str] = []
    grades_known = bool(g["poor"].map(lambda v: v is not None).all()) if len(g) else True
    if not grades_known:
        notes.append("部分测量没有等级（文件未给出，targets.yaml 也未设定分级界值），无法判断是否为差等级；不计为非差。")
        notes_en.append(
            "Some measurements have no grade (none in the file, no bounds in targets.yaml): "
            "whether they are poor cannot be decided, and they are not counted as not poor."
        )

    # (a) last month's poor roads measured again this month.
    prev = end - 1
    last = rm[rm["month"] == prev]
    poor_last = last[last["poor"].map(lambda v: v is True)]
    this_roads = set(zip(rm[rm["month"] == end]["subdistrict"], rm[rm["month"] == end]["road"], strict=True))
    missing_rows = [
        (r.subdistrict, r.road, str(prev))
        for r in poor_last.itertuples(index=False)
        if (r.subdistrict, r.road) not in this_roads
    ]
    recheck_missing = pd.DataFrame(missing_rows, columns=["subdistrict", "road", "poor_month"])
    recheck_undecided = int(last["poor"].map(lambda v: v is None).sum())

    # (b) quarterly coverage of each subdistrict's roads.
    roads_by_sd = {sd: set(grp["road"]) for sd, grp in g.groupby("subdistrict")}
    scopes = list(subdistricts) if subdistricts is not None else sorted(roads_by_sd)
    q_rows = []
    miss_rows: list[tuple[str, str, str]] = []
    last_quarter = end.quarter if end.year == year else 4
    for q in range(1, last_quarter + 1):
        in_q = g[[m.year == year and m.quarter == q for m in g["month"]]]
        finished = not (end.year == year and q == end.quarter and end.month % 3 != 0)
        for sd in scopes:
            roads = roads_by_sd.get(sd, set())
            measured = set(in_q[in_q["subdistrict"] == sd]["road"])
            missing = sorted(roads - measured)
            q_rows.append((sd, f"{year}Q{q}", len(roads), len(measured & roads), len(missing), not missing, finished))
            miss_rows.extend((sd, f"{year}Q{q}", road) for road in missing)
    quarters = pd.DataFrame(
        q_rows, columns=["subdistrict", "quarter", "roads", "measured", "missing", "complete", "finished"]
    )
    quarter_missing = pd.DataFrame(miss_rows, columns=["subdistrict", "quarter", "road"])

    # (c) consecutive months with no poor road, district and per subdistrict.
    if len(g):
        first = min(g["month"])
        months = list(pd.period_range(first, end, freq="M"))
    else:
        months = [end]
    measured_months = set(g["month"])
    district = _streak("district", _scope_states(rm, months, measured_months))
    streak_list = [district]
    for sd in scopes:
        streak_list.append(_streak(sd, _scope_states(rm[rm["subdistrict"] == sd], months, measured_months)))
    streaks = pd.DataFrame(
        [(s.scope, s.months, s.cleared_two_months, s.stopped_by, s.stopped_at) for s in streak_list],
        columns=["scope", "months", "cleared_two_months", "stopped_by", "stopped_at"],
    )
    return Coverage(
        month=str(end),
        grades_known=grades_known,
        recheck_required=len(poor_last),
        recheck_missing=recheck_missing,
        recheck_undecided=recheck_undecided,
        quarters=quarters,
        quarter_missing=quarter_missing,
        streaks=streaks,
        district_streak=district,
        notes=notes,
        notes_en=notes_en,
    )
