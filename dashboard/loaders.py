"""One cached loader per report: pages call these, never ``monitoring.reports`` directly.

Each loader is keyed on its arguments plus ``ctx.cache_key()`` (database URL and the
targets file's version), so two databases or an edited targets.yaml never share a cache
entry. The engine is passed as ``_engine`` (leading underscore: Streamlit does not hash
it). ``ctx.clear_data_caches()`` empties them all after an upload, a pull or a flag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import context as ctx
from monitoring import database, reports
from monitoring.ingest import audit
from monitoring.reports import Report
from monitoring.rules import budget as budget_rules

# A few filter combinations per page stay warm; older ones are dropped.
_MAX = 64


@st.cache_data(show_spinner=False, max_entries=_MAX)
def ranking(_engine: Engine, key: str, year: int, month: int | None, pollutant: str, exclude_events: bool) -> Report:
    return reports.ranking(_engine, ctx.targets(), year=year, month=month, pollutant=pollutant,
                           exclude_events=exclude_events, profile=_profile(_engine, key, year, exclude_events))


@st.cache_data(show_spinner=False, max_entries=_MAX)
def seasonal_profile(_engine: Engine, key: str, year: int, exclude_events: bool) -> budget_rules.Profile:
    """The budget's seasonal PM2.5 profile: computed once per year and events setting, shared
    by progress, budget, district and overview (each asked for it on its own before)."""
    return reports.seasonal_profile(_engine, ctx.targets(), year, exclude_events)


def _profile(engine: Engine, key: str, year: int, exclude_events: bool) -> reports.ProfileSource:
    return lambda: seasonal_profile(engine, key, year, exclude_events)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def district(_engine: Engine, key: str, year: int, through: dt.date | None, exclude_events: bool) -> Report:
    return reports.district(_engine, ctx.targets(), year=year, through=through, exclude_events=exclude_events,
                            profile=_profile(_engine, key, year, exclude_events))


@st.cache_data(show_spinner=False, max_entries=_MAX)
def overview(_engine: Engine, key: str, year: int, through: dt.date | None, exclude_events: bool) -> Report:
    return reports.overview(_engine, ctx.targets(), year=year, through=through, exclude_events=exclude_events,
                            profile=_profile(_engine, key, year, exclude_events))


@st.cache_data(show_spinner=False, max_entries=_MAX)
def progress(_engine: Engine, key: str, year: int, subdistrict: str | None, exclude_events: bool) -> Report:
    return reports.progress(_engine, ctx.targets(), year=year, subdistrict=subdistrict, exclude_events=exclude_events,
                            profile=_profile(_engine, key, year, exclude_events))


@st.cache_data(show_spinner=False, max_entries=_MAX)
def budget(_engine: Engine, key: str, year: int, through: dt.date | None, exclude_events: bool) -> Report:
    return reports.budget(_engine, ctx.targets(), year=year, through=through, exclude_events=exclude_events,
                          profile=_profile(_engine, key, year, exclude_events))


@st.cache_data(show_spinner=False, max_entries=_MAX)
def trend(_engine: Engine, key: str, pollutant: str) -> Report:
    return reports.trend(_engine, ctx.targets(), pollutant=pollutant)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def daily_aqi(
    _engine: Engine, key: str, year: int, start: dt.date | None, end: dt.date | None, exclude_events: bool
) -> Report:
    return reports.daily_aqi(_engine, ctx.targets(), year=year, start=start, end=end, exclude_events=exclude_events)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def district_daily_aqi(
    _engine: Engine, key: str, year: int, start: dt.date | None, end: dt.date | None, exclude_events: bool
) -> Report:
    """The district's daily AQI (the subdistricts' valid daily values averaged, day by day)."""
    return reports.daily_aqi(_engine, ctx.targets(), year=year, start=start, end=end, exclude_events=exclude_events,
                             district=True)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def road_dust(_engine: Engine, key: str, year: int, month: int | None) -> Report:
    return reports.road_dust(_engine, ctx.targets(), year=year, month=month)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def years_with_data(_engine: Engine, key: str) -> list[int]:
    return list(reports.years_with_data(_engine))


@st.cache_data(show_spinner=False, max_entries=_MAX)
def last_day_with_data(_engine: Engine, key: str, year: int) -> dt.date | None:
    return reports.last_day_with_data(_engine, year)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def default_through(_engine: Engine, key: str, year: int) -> dt.date | None:
    """The last day with a valid daily mean: what a year-to-date report runs through."""
    return reports.default_through(_engine, ctx.targets(), year)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def road_dust_coverage(_engine: Engine, key: str, year: int, month: int | None) -> Any:
    """The plan's road-dust coverage checks (0.5–0.8 s of pandas per call: every session paid it)."""
    from monitoring import plan

    return plan.road_dust_coverage(_engine, ctx.targets(), year=year, month=month)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def pm25_above_pm10(_engine: Engine, key: str, run_id: int, runs_state: str) -> pd.DataFrame:
    """A run's plausibility list (PM2.5 above PM10): a join over the run's whole span, over a
    second on a ten-year run, so it is kept. ``runs_state`` lists the shown runs and their
    states: a later run may overwrite either value, and a pull by another process cannot
    clear this server's caches, so a new or finished run makes a new key."""
    return audit.pm25_above_pm10(_engine, run_id)


# -- the plan: indicators and key tasks (cleared by ctx.clear_data_caches() after an entry) --------


@st.cache_data(show_spinner=False, max_entries=16)
def indicators_table(_engine: Engine, key: str, day: dt.date) -> pd.DataFrame:
    """Every 附4 indicator as of ``day``: the measured four cost a district computation."""
    from monitoring import plan

    return plan.indicators_table(_engine, ctx.targets(), as_of=day)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def indicator_history(_engine: Engine, key: str) -> pd.DataFrame:
    from monitoring import plan

    return plan.indicator_history(_engine, ctx.targets())


@st.cache_data(show_spinner=False, max_entries=_MAX)
def tasks_table(
    _engine: Engine, key: str, day: dt.date, annex: int | None = None, unit: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """The plan's work measures with their status as of ``day``, filtered (None: all)."""
    from monitoring import plan

    return plan.tasks_table(_engine, ctx.targets(), as_of=day, annex=annex, unit=unit, status=status)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def task_history(_engine: Engine, key: str) -> pd.DataFrame:
    from monitoring import plan

    return plan.task_history(_engine)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def demo_years(_engine: Engine, key: str) -> list[int]:
    return database.demo_years(_engine)


@st.cache_data(show_spinner=False, max_entries=_MAX)
def available_years(_engine: Engine, key: str) -> list[int]:
    return database.available_years(_engine)


def as_of() -> dt.date:
    """The as-of day every page shows: today in Beijing (``MONITOR_TODAY`` when set)."""
    from monitoring import timeutil

    return timeutil.today_beijing()


def data_end(year: int) -> dt.date | None:
    """The last day of ``year`` a page may claim its period runs to: the last day with data,
    never after the as-of day; None when the year has no data (yet)."""
    last = call(last_day_with_data, year)
    if last is None:
        return None
    return min(last, as_of())


def call(loader: Any, *args: Any) -> Any:
    """Run a loader with the session's engine and cache key; a MonitorError stops the page politely."""
    from monitoring.errors import MonitorError

    try:
        return loader(ctx.engine(), ctx.cache_key(), *args)
    except MonitorError as exc:
        ctx.stop_with(exc)
