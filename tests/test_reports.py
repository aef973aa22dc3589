"""monitoring.reports end to end on real databases: the real station history, the demo
year, and small hand-made cases written through the real write path."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine

from monitoring import config, reports, timeutil
from monitoring.actors import ANONYMOUS, Actor
from monitoring.commands.report import jsonable
from monitoring.errors import InputError, PermissionDenied
from monitoring.events import flag_sand_dust_day, unflag_sand_dust_day
from monitoring.storage.daily_refresh import DailyRules
from monitoring.storage.run_records import RunInfo, start_run
from monitoring.storage.writes import write_readings
from monitoring.targets import Targets, subdistrict_id
from tests.factories import canonical

UCI = {
    "白纸坊": config.DATA_DIR / "uci" / "PRSA_Data_Wanshouxigong_20130301-20170228.csv",
    "展览路": config.DATA_DIR / "uci" / "PRSA_Data_Guanyuan_20130301-20170228.csv",
}
ANALYST = Actor("tester", "analyst")


def _half_even(x: float) -> float:
    return float(Decimal(str(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


def _independent_daily(path) -> pd.Series:  # type: ignore[no-untyped-def]
    """Valid PM2.5 daily means from the raw CSV, plain pandas, HJ 663 hour-ending days."""
    raw = pd.read_csv(path, usecols=["year", "month", "day", "hour", "PM2.5"], na_values=["NA"])
    label = pd.to_datetime(raw[["year", "month", "day", "hour"]])
    day = (label - pd.Timedelta(hours=1)).dt.date  # label 00:00 belongs to the day before
    values = raw["PM2.5"]
    grouped = values.groupby(day)
    stats = pd.DataFrame({"mean": grouped.mean(), "n": grouped.count()})
    return stats.loc[stats["n"] >= 20, "mean"]


@pytest.fixture(scope="module")
def independent() -> dict[str, pd.Series]:
    return {name: _independent_daily(path) for name, path in UCI.items()}


@pytest.mark.parametrize("year", [2014, 2015, 2016])
def test_real_history_annual_means(seeded_db: Engine, targets: Targets, independent: dict[str, pd.Series], year: int) -> None:
    rep = reports.ranking(seeded_db, targets, year=year)
    rows = rep.frame.set_index("subdistrict")
    per_day = []
    for name, daily in independent.items():
        in_year = daily[[d.year == year for d in daily.index]]
        assert rows.loc[name, "mean"] == _half_even(float(in_year.mean())), (name, year)
        assert rows.loc[name, "valid_days"] == len(in_year)
        assert rows.loc[name, "days"] == 365 + (year == 2016)
        assert bool(rows.loc[name, "complete"]) is (len(in_year) >= 324)
        per_day.append(in_year.rename(name))
    # the district: the two subdistricts' valid daily means averaged per day, then the mean
    both = pd.concat(per_day, axis=1).mean(axis=1)
    dist = reports.district(seeded_db, targets, year=year).frame.set_index("key")
    assert dist.loc["pm25_annual", "value"] == _half_even(float(both.mean()))
    assert dist.loc["pm25_annual", "valid_days"] == len(both)


def test_known_published_magnitude(seeded_db: Engine, targets: Targets) -> None:
    # 表1 of the 2021–2025 plan gives Xicheng 83 (2015) and 78 (2016); the two national
    # stations agree to within a microgram
    for year, published in ((2015, 83.0), (2016, 78.0)):
        value = reports.district(seeded_db, targets, year=year).frame.set_index("key").loc["pm25_annual", "value"]
        assert abs(value - published) < 1.0


def test_subdistricts_without_data_are_said_so(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.ranking(seeded_db, targets, year=2015)
    assert len(rep.frame) == 15
    ranked = rep.frame.dropna(subset=["rank"])
    assert set(ranked["subdistrict"]) == {"白纸坊", "展览路"}
    missing = rep.frame[rep.frame["rank"].isna()]
    assert (missing["status"] == "incomplete").all() and (missing["valid_days"] == 0).all()
    assert any(n.startswith("Desheng: no valid data") for n in rep.notes_en)  # English names it in pinyin
    assert any("德胜" in n for n in rep.notes)


def test_year_without_data(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.ranking(seeded_db, targets, year=2019)
    assert (rep.frame["status"] == "incomplete").all()
    assert rep.notes_en == ["no PM2.5 data for 2019"]
    text = json.dumps(jsonable(rep.frame), allow_nan=False)  # no NaN leaks into JSON
    assert '"mean": null' in text
    dist = reports.district(seeded_db, targets, year=2019)
    assert set(dist.frame["status"]) == {"incomplete"} and set(dist.frame["outlook"]) == {"unknown"}
    assert "no readings for 2019" in dist.notes_en
    assert not any(v == 0 for v in dist.frame["value"].tolist())
    bud = reports.budget(seeded_db, targets, year=2019)
    assert set(bud.frame["status"]) == {"incomplete"} and set(bud.frame["outlook"]) == {"unknown"}
    prog = reports.progress(seeded_db, targets, year=2019)
    assert set(prog.frame["status"]) == {"incomplete"} and set(prog.frame["month_state"]) == {"over"}


def test_demo_year_ranking_and_method(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.ranking(seeded_db, targets, year=2026)
    f = rep.frame
    assert list(f.columns[:8]) == ["rank", "subdistrict", "mean", "target", "gap", "valid_days", "days", "status"]
    assert f["rank"].is_monotonic_increasing and f["rank"].iloc[0] == 1
    assert f["demo"].all()
    assert rep.method["period_en"].startswith("2026-01-01 – 2026-11-21")
    for key in ("period", "rule", "validity", "rounding", "events", "status_rule"):
        assert rep.method[key] and rep.method[f"{key}_en"]
    for r in f.itertuples():
        assert r.status in {"meets", "exceeds", "incomplete"}
        assert r.gap == _half_even(r.mean - r.target)


def test_district_and_budget_demo(seeded_db: Engine, targets: Targets) -> None:
    dist = reports.district(seeded_db, targets, year=2026).frame.set_index("key")
    assert list(dist.index) == ["pm25_annual", "good_day_ratio", "heavy_pollution_days", "poor_road_share"]
    assert dist.loc["poor_road_share", "status"] == "incomplete"  # no grades and no thresholds: no verdict
    assert dist.loc["poor_road_share", "outlook"] == "unknown"
    assert math.isnan(dist.loc["poor_road_share", "value"])
    assert 0 < dist.loc["good_day_ratio", "value"] <= 100
    bud = reports.budget(seeded_db, targets, year=2026)
    assert len(bud.frame) == 16 and bud.frame["subdistrict"].iloc[-1] == targets.district.name
    assert set(bud.frame["status"]) <= {"meets", "exceeds", "incomplete"}
    assert set(bud.frame["outlook"]) <= {"on_track", "at_risk", "off_track", "unknown"}
    assert bud.extra["profile_years"] == [2014, 2015, 2016]
    assert bud.method["status_rule"] and bud.method["outlook_rule_en"]
    row = bud.frame.iloc[0]
    assert row["remaining_days"] == 40  # after 2026-11-21
    assert row["projection_low"] <= row["projection"] <= row["projection_high"]
    prog = reports.progress(seeded_db, targets, year=2026, subdistrict="Desheng")
    assert prog.frame["month"].tolist() == list(range(1, 13))
    assert prog.frame.loc[11, "status"] == "" and prog.frame.loc[11, "month_state"] == "future"
    assert prog.frame.loc[10, "month_state"] == "in_progress" and not prog.frame.loc[10, "monthly_complete"]
    assert prog.frame.loc[10, "monthly_days"] == 21
    de = bud.frame.set_index("subdistrict").loc["德胜"]
    for col in ("ytd_mean", "status", "outlook", "projection"):
        assert prog.frame.loc[10, col] == de[col]
    with pytest.raises(InputError):
        reports.progress(seeded_db, targets, year=2026, subdistrict="Nowhere")


def test_trend_statistics_on_the_history(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.trend(seeded_db, targets)
    f = rep.frame
    assert (f["kind"] == "plan_table").sum() == 6
    data = f[f["kind"] == "data"].set_index("year")
    assert bool(data.loc[2014, "complete"]) and not bool(data.loc[2013, "complete"])
    assert not f[(f["kind"] == "data_demo")]["in_series"].any()
    assert rep.extra["refused"] is None and rep.extra["n"] == 7
    assert rep.extra["theil_sen"]["slope"] < 0 and rep.extra["mann_kendall"]["trend"] == "decreasing"
    o3 = reports.trend(seeded_db, targets, pollutant="o3")
    assert "90th percentile" in o3.method["statistic_en"]


def test_road_dust_share_unknown_then_graded(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.road_dust(seeded_db, targets, year=2026)
    assert rep.extra["poor_share"] is None and rep.extra["poor_share_status"] == "incomplete"
    assert any("unknown" in n for n in rep.notes_en)
    assert set(rep.frame["grade_source"]) == {"unknown"}
    graded = targets.model_copy(
        update={"road_dust": targets.road_dust.model_copy(update={"grades": {"优": 0.3, "良": 0.5, "中": 0.8}})}
    )
    rep2 = reports.road_dust(seeded_db, graded, year=2026)
    share = rep2.extra["poor_share"]
    expected = 100.0 * (rep2.frame["load"] > 0.8).sum() / len(rep2.frame)
    assert share is not None and abs(share - expected) < 1e-9
    assert not rep2.extra["worst"].empty and not rep2.extra["by_subdistrict_month"].empty
    empty = reports.road_dust(seeded_db, targets, year=2015)
    assert empty.extra["poor_share"] is None and empty.frame.empty and empty.notes_en


def test_missing_target_is_said(seeded_db: Engine, targets: Targets) -> None:
    fewer = targets.model_copy(
        update={"indicators": tuple(i for i in targets.indicators if i.key != "good_day_ratio")}
    )
    dist = reports.district(seeded_db, fewer, year=2026)
    row = dist.frame.set_index("key").loc["good_day_ratio"]
    assert row["status"] == "incomplete" and row["outlook"] == "unknown"
    assert any("good_day_ratio" in n and "missing" in n for n in dist.notes_en)


def test_daily_aqi_report(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.daily_aqi(seeded_db, targets, year=2015, subdistrict="白纸坊")
    f = rep.frame
    assert 300 < len(f) <= 365 and set(f["subdistrict"]) == {"白纸坊"}
    assert f["aqi"].notna().all()
    assert ((f["aqi"] > 50) == (f["primary"] != "")).all()
    dist = reports.daily_aqi(seeded_db, targets, year=2015, district=True)
    assert set(dist.frame["subdistrict"]) == {targets.district.name}


# -- hand-made cases through the real write path ---------------------------------------------


def _write(engine: Engine, targets: Targets, rows: list[tuple[str, str, str, float]], resolution: str = "h") -> None:
    frame = pd.DataFrame(rows, columns=["subdistrict", "time", "pollutant", "value"])
    canon = canonical(targets, frame)
    if resolution == "d":
        days = pd.to_datetime(frame["time"]).dt.date
        canon["ts"] = [timeutil.daily_ts(d) for d in days]
        canon["resolution"] = "d"
    run_id = start_run(engine, RunInfo(kind="ingest", source="test"))
    with engine.begin() as conn:
        write_readings(conn, run_id, canon, source="test", rules=DailyRules.from_targets(targets))


@pytest.fixture
def empty_db(make_db: Callable[..., Engine]) -> Engine:
    return make_db()


def test_nineteen_vs_twenty_hours_and_midnight(empty_db: Engine, targets: Targets) -> None:
    rows = [("德胜", f"2026-01-01 {h:02d}:00", "pm25", 10.0) for h in range(1, 20)]  # 19 hours
    rows += [("德胜", f"2026-01-02 {h:02d}:00", "pm25", 20.0) for h in range(1, 20)]
    rows.append(("德胜", "2026-01-03 00:00", "pm25", 20.0))  # 00:00 ends 2 January: its 20th hour
    _write(empty_db, targets, rows)
    rep = reports.ranking(empty_db, targets, year=2026, through=dt.date(2026, 1, 2))
    row = rep.frame.set_index("subdistrict").loc["德胜"]
    assert row["valid_days"] == 1 and row["days"] == 2 and row["mean"] == 20.0


def test_ties_in_the_report(empty_db: Engine, targets: Targets) -> None:
    values = {"德胜": 28.14, "什刹海": 28.06, "金融街": 28.25, "新街口": 28.35}
    _write(empty_db, targets, [(n, "2026-01-01", "pm25", v) for n, v in values.items()], resolution="d")
    f = reports.ranking(empty_db, targets, year=2026).frame.set_index("subdistrict")
    assert f.loc["德胜", "mean"] == 28.1 and f.loc["什刹海", "mean"] == 28.1
    assert f.loc["德胜", "rank"] == 1 and f.loc["什刹海", "rank"] == 1
    assert f.loc["金融街", "mean"] == 28.2 and f.loc["金融街", "rank"] == 3
    assert f.loc["新街口", "mean"] == 28.4 and f.loc["新街口", "rank"] == 4
    assert pd.isna(f.loc["牛街", "rank"]) and f.loc["牛街", "status"] == "incomplete"


def test_february_month_needs_25_days(empty_db: Engine, targets: Targets) -> None:
    rows = [("德胜", f"2026-02-{d:02d}", "pm25", 30.0) for d in range(1, 26)]
    rows += [("什刹海", f"2026-02-{d:02d}", "pm25", 20.0) for d in range(1, 25)]
    rows.append(("金融街", "2026-03-01", "pm25", 20.0))
    _write(empty_db, targets, rows, resolution="d")
    f = reports.ranking(empty_db, targets, year=2026, month=2).frame.set_index("subdistrict")
    assert f.loc["德胜", "complete"] and f.loc["德胜", "required_days"] == 25 and f.loc["德胜", "status"] == "exceeds"
    assert not f.loc["什刹海", "complete"] and f.loc["什刹海", "status"] == "incomplete"
    assert f.loc["什刹海", "rank"] == 1  # ranked, but flagged


def test_dust_days_with_and_without(empty_db: Engine, targets: Targets) -> None:
    rows = [("德胜", f"2026-03-{d:02d}", "pm25", 30.0) for d in range(1, 11)]
    rows[4] = ("德胜", "2026-03-05", "pm25", 300.0)
    _write(empty_db, targets, rows, resolution="d")
    with pytest.raises(PermissionDenied):
        flag_sand_dust_day(empty_db, dt.date(2026, 3, 5), "沙尘", ANONYMOUS)
    assert flag_sand_dust_day(empty_db, dt.date(2026, 3, 5), "沙尘暴", ANALYST)
    assert reports.event_days(empty_db, 2026) == [dt.date(2026, 3, 5)]
    kw = {"year": 2026, "month": 3, "through": dt.date(2026, 3, 10)}
    with_dust = reports.ranking(empty_db, targets, **kw)
    without = reports.ranking(empty_db, targets, exclude_events=True, **kw)
    assert with_dust.frame.set_index("subdistrict").loc["德胜", "mean"] == 57.0
    assert without.frame.set_index("subdistrict").loc["德胜", "mean"] == 30.0
    assert without.frame.set_index("subdistrict").loc["德胜", "days"] == 9
    assert without.method["events"].startswith("扣除例外事件 1 天（沙尘 2026-03-05）；有效天数要求相应减少 1 天")
    assert with_dust.method["events"] == "含例外事件 1 天（沙尘 2026-03-05），未扣除"
    assert unflag_sand_dust_day(empty_db, dt.date(2026, 3, 5), ANALYST)
    assert reports.event_days(empty_db, 2026) == []


def test_unknown_pollutant_is_refused(empty_db: Engine, targets: Targets) -> None:
    with pytest.raises(InputError):
        reports.ranking(empty_db, targets, year=2026, pollutant="lead")


def test_subdistrict_id_matches() -> None:
    assert subdistrict_id("110102010000") == 10


def test_change_on_last_year_and_its_rank(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.ranking(seeded_db, targets, year=2015)
    f = rep.frame.set_index("subdistrict")
    for name in ("白纸坊", "展览路"):
        now, before = f.loc[name, "mean"], f.loc[name, "last_year_mean"]
        assert f.loc[name, "change_pct"] == _half_even(100 * (now - before) / before)
    order = f.loc[["白纸坊", "展览路"]].sort_values("change_pct")
    assert order["change_rank"].tolist() == [1, 2]


def test_missing_pm25_target_in_budget_and_district(seeded_db: Engine, targets: Targets) -> None:
    fewer = targets.model_copy(update={"indicators": tuple(i for i in targets.indicators if i.key != "pm25_annual")})
    bud = reports.budget(seeded_db, fewer, year=2026)
    district_row = bud.frame.iloc[-1]
    assert district_row["status"] == "incomplete" and district_row["outlook"] == "unknown"
    assert math.isnan(district_row["required_rest_mean"])
    assert any("pm25_annual" in n for n in bud.notes_en)
    # the subdistricts keep their own targets
    assert set(bud.frame.iloc[:-1]["outlook"]) <= {"on_track", "at_risk", "off_track"}
    dist = reports.district(seeded_db, fewer, year=2026).frame.set_index("key")
    assert dist.loc["pm25_annual", "status"] == "incomplete" and not math.isnan(dist.loc["pm25_annual", "value"])


def test_district_status_follows_the_budget_rule(seeded_db: Engine, targets: Targets) -> None:
    dist = reports.district(seeded_db, targets, year=2026).frame.set_index("key")
    bud = reports.budget(seeded_db, targets, year=2026).frame.iloc[-1]
    assert dist.loc["pm25_annual", "status"] == bud["status"] and dist.loc["pm25_annual", "outlook"] == bud["outlook"]
    assert dist.loc["pm25_annual", "value"] == bud["ytd_mean"]


def test_month_ranking_of_the_demo_year(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.ranking(seeded_db, targets, year=2026, month=2)
    assert rep.method["period_en"].startswith("2026-02-01 – 2026-02-28")
    assert (rep.frame["required_days"] == 25).all() and (rep.frame["days"] == 28).all()
    current = reports.ranking(seeded_db, targets, year=2026, month=11)
    assert current.method["period_en"].startswith("2026-11-01 – 2026-11-21")
    assert (current.frame["required_days"] == 19).all()  # ceil(27 × 21 / 30)


def test_default_period_ends_on_the_last_complete_day(empty_db: Engine, targets: Targets) -> None:
    rows = [("德胜", f"2026-01-01 {h:02d}:00", "pm25", 30.0) for h in range(1, 24)]
    rows.append(("德胜", "2026-01-02 00:00", "pm25", 30.0))  # 1 January complete
    rows += [("德胜", f"2026-01-02 {h:02d}:00", "pm25", 90.0) for h in range(1, 3)]  # two hours of 2 January
    _write(empty_db, targets, rows)
    assert reports.last_day_with_data(empty_db, 2026) == dt.date(2026, 1, 2)
    assert reports.default_through(empty_db, targets, 2026) == dt.date(2026, 1, 1)
    rep = reports.ranking(empty_db, targets, year=2026)
    row = rep.frame.set_index("subdistrict").loc["德胜"]
    # one day to date: the mean is shown, but one day is no verdict (min_days_so_far)
    assert (row["days"], row["valid_days"], row["mean"], row["status"]) == (1, 1, 30.0, "incomplete")
    assert reports.default_through(empty_db, targets, 2019) is None


def test_measured_years_alone_are_too_few(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.trend(seeded_db, targets)
    only = rep.extra["data_only"]
    assert only["n"] == 3 and only["refused"] and only["theil_sen"] is None
