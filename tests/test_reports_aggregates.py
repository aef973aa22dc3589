"""The SQL aggregates behind the reports (issue 6: pages on ten years of data) give what
the daily rows give: the seasonal profile from monthly sums, the district's daily values
averaged in the database, and the brief's plan section without a second district report."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from monitoring import plan, reports
from monitoring.actors import Actor
from monitoring.events import flag_sand_dust_day
from monitoring.reports import common
from monitoring.rules import budget as budget_rules
from monitoring.storage import queries
from monitoring.targets import Targets

ANALYST = Actor("tester", "analyst")
ALL = ("pm25", "pm10", "so2", "no2", "co", "o3")


def _profile_from_rows(engine: Engine, targets: Targets, year: int, exclude_events: bool) -> budget_rules.Profile:
    """The profile as it was computed before: every daily row of every past year in Python."""
    years = [y for y in queries.years_with_data(engine) if y < year]
    first, last = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    excluded = set(queries.event_days(engine, first, last)) if exclude_events else set()
    valid = common._valid_daily(engine, targets, first, last, ("pm25",), excluded)
    valid = valid[~valid["demo"].astype(bool)]
    dd = common._district_daily(valid)
    dd = dd[dd["pollutant"] == "pm25"][["day", "value"]]
    return budget_rules.seasonal_profile(dd, targets.status_rules.seasonal_profile_years, year, min_days_per_month=15)


@pytest.mark.parametrize("exclude_events", [False, True])
def test_profile_from_sql_equals_profile_from_daily_rows(seeded_db: Engine, targets: Targets, exclude_events: bool) -> None:
    # dust days in winter and spring move the monthly means when they are excluded
    for day in (dt.date(2015, 1, 15), dt.date(2015, 4, 2), dt.date(2016, 3, 10)):
        assert flag_sand_dust_day(seeded_db, day, "沙尘", ANALYST)
    for year in (2026, 2017, 2016):
        expected = _profile_from_rows(seeded_db, targets, year, exclude_events)
        got = reports.seasonal_profile(seeded_db, targets, year, exclude_events)
        assert got.years == expected.years, year
        assert got.factors.shape == expected.factors.shape
        np.testing.assert_allclose(got.factors, expected.factors, rtol=1e-12, atol=0)
    # the profile years of the seeded history, the demo year 2026 left out
    assert reports.seasonal_profile(seeded_db, targets, 2026, exclude_events).years == (2014, 2015, 2016)
    with_dust = reports.seasonal_profile(seeded_db, targets, 2026, False)
    without = reports.seasonal_profile(seeded_db, targets, 2026, True)
    assert not np.allclose(with_dust.factors, without.factors)  # the dust days do count


def test_profile_reads_older_years_when_the_recent_ones_fall_short(seeded_db: Engine, targets: Targets) -> None:
    # 2030: the window of recent years (2024–2029) holds nothing; the seeded years still form the profile
    assert reports.seasonal_profile(seeded_db, targets, 2030).years == (2014, 2015, 2016)
    assert reports.seasonal_profile(seeded_db, targets, 2014).empty


def test_reports_take_a_given_profile(seeded_db: Engine, targets: Targets) -> None:
    calls: list[int] = []
    flat = budget_rules.Profile((2000,), np.ones((1, 12)))

    def source() -> budget_rules.Profile:
        calls.append(1)
        return flat

    bud = reports.budget(seeded_db, targets, year=2026, profile=source)
    prog = reports.progress(seeded_db, targets, year=2026, profile=source)
    assert bud.extra["profile_years"] == [2000] and prog.extra["profile_years"] == [2000]
    assert len(calls) == 2
    # and without one they compute the same as the shared one
    shared = reports.seasonal_profile(seeded_db, targets, 2026)
    a = reports.budget(seeded_db, targets, year=2026).frame
    b = reports.budget(seeded_db, targets, year=2026, profile=lambda: shared).frame
    pd.testing.assert_frame_equal(a, b)


def _monthly(daily: pd.DataFrame) -> pd.DataFrame:
    d = daily.assign(year=[x.year for x in daily["day"]], month=[x.month for x in daily["day"]])
    return d.groupby(["year", "month"], as_index=False)["value"].agg(total="sum", n="size")


def test_profile_from_monthly_matches_seasonal_profile() -> None:
    rng = np.random.default_rng(6)
    days = [dt.date(2015, 1, 1) + dt.timedelta(days=i) for i in range(365 * 6 + 1)]
    daily = pd.DataFrame({"day": days, "value": rng.gamma(4.0, 12.0, len(days))})
    # 2016: a June with only 10 days (below 15: the year drops out); 2018: one month thin but kept
    gone = [(d.year == 2016 and d.month == 6 and d.day > 10) or (d.year == 2018 and d.month == 2 and d.day > 16) for d in days]
    daily = daily[~np.array(gone)].reset_index(drop=True)
    for max_years, before in ((5, 2026), (2, 2026), (5, 2019), (3, 2017)):
        expected = budget_rules.seasonal_profile(daily, max_years, before, min_days_per_month=15)
        got = budget_rules.profile_from_monthly(_monthly(daily), max_years, before, min_days_per_month=15)
        assert got.years == expected.years
        np.testing.assert_allclose(got.factors, expected.factors, rtol=1e-12)
    assert 2016 not in budget_rules.profile_from_monthly(_monthly(daily), 9, 2026, 15).years
    assert budget_rules.profile_from_monthly(_monthly(daily.iloc[:0]), 5, 2026).empty


@pytest.mark.parametrize(("year", "exclude_events"), [(2015, False), (2015, True), (2026, False)])
def test_district_daily_from_sql_equals_daily_rows(seeded_db: Engine, targets: Targets, year: int, exclude_events: bool) -> None:
    for day in (dt.date(2015, 3, 3), dt.date(2015, 3, 4), dt.date(2026, 5, 1)):
        flag_sand_dust_day(seeded_db, day, "沙尘", ANALYST)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    excluded = set(queries.event_days(seeded_db, first, last)) if exclude_events else set()
    valid = common._valid_daily(seeded_db, targets, first, last, ALL, excluded)
    expected = common._district_daily(valid)
    got = common._district_daily_db(seeded_db, targets, first, last, ALL, exclude_events)
    assert len(expected) > 300
    assert got["pollutant"].tolist() == expected["pollutant"].tolist()
    assert got["day"].tolist() == expected["day"].tolist()
    assert got["n_subdistricts"].tolist() == expected["n_subdistricts"].tolist()
    np.testing.assert_allclose(got["value"].to_numpy(), expected["value"].to_numpy(dtype=float), rtol=1e-12)
    demo_days = valid.groupby(["pollutant", "day"])["demo"].all()
    assert got.set_index(["pollutant", "day"])["demo"].sort_index().tolist() == demo_days.sort_index().tolist()
    assert {"o3", "o3_1h", "pm25"} <= set(got["pollutant"])


def test_validity_segments() -> None:
    rules = SimpleNamespace(standards=SimpleNamespace(validity=[
        SimpleNamespace(effective_from=dt.date(2016, 1, 1)), SimpleNamespace(effective_from=dt.date(2020, 7, 1)),
    ]))
    cut = common._validity_segments(rules, dt.date(2019, 1, 1), dt.date(2021, 12, 31))  # type: ignore[arg-type]
    assert cut == [(dt.date(2019, 1, 1), dt.date(2020, 6, 30)), (dt.date(2020, 7, 1), dt.date(2021, 12, 31))]
    whole = common._validity_segments(rules, dt.date(2021, 1, 1), dt.date(2021, 12, 31))  # type: ignore[arg-type]
    assert whole == [(dt.date(2021, 1, 1), dt.date(2021, 12, 31))]


def test_brief_plan_section_without_the_measured_indicators(seeded_db: Engine, targets: Targets) -> None:
    as_of = dt.date(2026, 11, 21)
    full = plan.indicators_table(seeded_db, targets, as_of=as_of)
    bare = plan.indicators_table(seeded_db, targets, as_of=as_of, include_measured=False)
    entered = full[full["source"] != "measured"].reset_index(drop=True)
    # the same rows (an all-empty column stays None instead of NaN: printed alike, "—")
    def same(frame: pd.DataFrame) -> list[dict[str, object]]:
        return frame.astype(object).where(frame.notna(), None).to_dict("records")

    assert same(bare[bare["source"] != "measured"].reset_index(drop=True)) == same(entered)
    assert (full.loc[full["source"] == "measured", "status"] != "unavailable").all()
    sections = plan.brief_sections(seeded_db, targets, as_of, include_measured=False)
    assert len(sections[0][1]) == len(entered)
    assert sections[0][1].iloc[:, 1].tolist() == [plan.value_text(r) for r in entered.to_dict("records")]
