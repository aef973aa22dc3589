"""The rule sets by date (issue 12 §1): GB 3095—2026, HJ 633—2026 and HJ 663—2026 from
2026-03-01 beside the 2012 rules; ``--standards``; HJ 663 percentiles; the three-year moving
average; the side-by-side comparison. Real SQLite files, real station data (data/uci)."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from monitoring import config, reports
from monitoring.cli import main
from monitoring.errors import InputError
from monitoring.rules import evaluation as evaluation_rules
from monitoring.storage.daily_refresh import DailyRules
from monitoring.storage.run_records import RunInfo, start_run
from monitoring.storage.writes import write_readings
from monitoring.targets import Targets, load_targets
from tests.factories import canonical, hourly_labels

UCI = {
    "白纸坊": config.DATA_DIR / "uci" / "PRSA_Data_Wanshouxigong_20130301-20170228.csv",
    "展览路": config.DATA_DIR / "uci" / "PRSA_Data_Guanyuan_20130301-20170228.csv",
}
_UCI_COLUMNS = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}


def _write(engine: Engine, targets: Targets, frame: pd.DataFrame) -> None:
    run_id = start_run(engine, RunInfo(kind="ingest", source="test"))
    with engine.begin() as conn:
        write_readings(conn, run_id, canonical(targets, frame), source="test", rules=DailyRules.from_targets(targets))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def _uci_hours(path: Path) -> pd.DataFrame:
    """Real hourly readings of one station: label (hour-ending, Beijing), pollutant, value (CO mg/m³)."""
    raw = pd.read_csv(path, usecols=["year", "month", "day", "hour", *_UCI_COLUMNS], na_values=["NA"])
    raw["label"] = pd.to_datetime(raw[["year", "month", "day", "hour"]])
    long = raw.melt(id_vars="label", value_vars=list(_UCI_COLUMNS), var_name="pollutant", value_name="value").dropna()
    long["pollutant"] = long["pollutant"].map(_UCI_COLUMNS)
    long.loc[long["pollutant"] == "co", "value"] /= 1000.0
    return long


# -- targets.yaml: dated rule sets ---------------------------------------------------------------


def test_rule_sets_are_dated_data(targets: Targets) -> None:
    assert targets.standards.families() == ["2012", "2026"]
    before, after = dt.date(2026, 2, 28), dt.date(2026, 3, 1)
    assert targets.aqi_standard(before).standard == "HJ 633-2012" and not targets.aqi_standard(before).provisional
    new = targets.aqi_standard(after)
    assert new.family == "2026" and new.provisional and "aqi-hub 0.3.3" in new.source
    assert new.breakpoints["pm25_24h"][:4] == (0, 35, 60, 115)
    assert new.breakpoints["pm10_24h"][:6] == (0, 50, 120, 250, 350, 420)
    assert targets.limits(before).values["pm25_annual"] == 35
    assert targets.limits(after).values["pm25_annual"] == 30 and targets.limits(after).values["pm10_annual"] == 60
    assert targets.limits(dt.date(2031, 1, 1)).values["pm25_24h"] == 50
    assert "so2_annual" in targets.limits(after).note  # the unconfirmed values are named
    assert targets.evaluation(before).standard == "HJ 663-2013"
    # an annual figure by the rules in force on 31 December: 2026 is an HJ 663—2026 year
    assert targets.evaluation_for_year(2026).standard == "HJ 663—2026"
    assert targets.evaluation_for_year(2026).moving_average_years == 3
    assert targets.validity(after).provisional and targets.validity(after).daily_min_hours == 20


def test_under_keeps_one_rule_set_over_all_days(targets: Targets) -> None:
    old, new = targets.under("2012"), targets.under("2026")
    assert targets.under("in-force") is targets and targets.rule_set == "in-force"
    assert old.rule_set == "2012" and new.rule_set == "2026"
    assert {e.family for e in (*old.standards.aqi, *old.standards.limits, *old.standards.validity,
                               *old.standards.evaluation)} == {"2012"}
    assert old.aqi_standard(dt.date(2030, 6, 1)).standard == "HJ 633-2012"
    assert old.limits(dt.date(2031, 6, 1)).values["pm25_annual"] == 35
    assert new.aqi_standard(dt.date(2014, 6, 1)).standard == "HJ 633—2026"
    assert new.limits(dt.date(2014, 6, 1)).values["pm25_annual"] == 30  # first entry from the earliest day
    assert new.limits(dt.date(2031, 6, 1)).values["pm25_annual"] == 25  # the last open-ended
    assert targets.aqi_standard(dt.date(2026, 6, 1)).standard == "HJ 633—2026"  # the original is untouched
    with pytest.raises(InputError, match="2019"):
        targets.under("2019")


def test_confirming_a_value_is_one_line(tmp_path: Path) -> None:
    text = (config.PROJECT_ROOT / "targets.yaml").read_text(encoding="utf-8")
    marker = "      family: \"2026\"\n      effective_from: 2026-03-01\n      source: \"secondary reporting"
    assert text.count(marker) == 1
    i = text.index("provisional: true", text.index(marker))
    edited = tmp_path / "targets.yaml"
    edited.write_text(text[:i] + "provisional: false" + text[i + len("provisional: true"):], encoding="utf-8")
    assert sum(a != b for a, b in zip(text.splitlines(), edited.read_text(encoding="utf-8").splitlines(), strict=True)) == 1
    assert not load_targets(edited).aqi_standard(dt.date(2026, 3, 1)).provisional


# -- each day by the AQI table in force that day ---------------------------------------------------


def test_the_same_concentration_across_the_switch(make_db: Callable[..., Engine], targets: Targets,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_db()
    rows = [("德胜", label.strftime("%Y-%m-%d %H:%M"), "pm25", 70.0) for label in hourly_labels(dt.date(2026, 2, 28), 2)]
    _write(engine, targets, pd.DataFrame(rows, columns=["subdistrict", "time", "pollutant", "value"]))
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    args = ("report", "aqi", "--year", "2026", "--subdistrict", "德胜", "--from", "2026-02-28", "--to", "2026-03-01",
            "--format", "json")
    by_rule = {}
    for rule in ("in-force", "2012", "2026"):
        out = _run(capsys, *args, "--standards", rule)
        by_rule[rule] = [(r["day"], r["pm25"], r["aqi"], r["category"]) for r in out["rows"]]
        assert ("provisional" in out["method"]["standards_en"]) == (rule != "2012")
    # 70 µg/m³: HJ 633-2012 50 + 35/40·50 = 93.75 → 94 良; HJ 633—2026 100 + 10/55·50 = 109.1 → 110 轻度污染
    assert by_rule["in-force"] == [("2026-02-28", 70.0, 94, "良"), ("2026-03-01", 70.0, 110, "轻度污染")]
    assert by_rule["2012"] == [("2026-02-28", 70.0, 94, "良"), ("2026-03-01", 70.0, 94, "良")]
    assert by_rule["2026"] == [("2026-02-28", 70.0, 110, "轻度污染"), ("2026-03-01", 70.0, 110, "轻度污染")]
    rep = reports.daily_aqi(engine, targets, year=2026, start=dt.date(2026, 2, 28), end=dt.date(2026, 3, 1))
    assert "HJ 633-2012" in rep.method["standards"] and "HJ 633—2026" in rep.method["standards"]
    assert "暂定" in rep.method["standards"] and "2026-03-01–2026-03-01" in rep.method["standards"]


# -- real station data, relabelled into 2026 ---------------------------------------------------------


@pytest.fixture(scope="module")
def real_2026(tmp_path_factory: pytest.TempPathFactory, targets: Targets) -> str:
    """A SQLite file of the real hours of both stations from 2016-01-01 to 2016-06-30, moved
    ten years on (29 February dropped), so the data crosses 2026-03-01."""
    from monitoring.bootstrap import init_database
    from monitoring.storage.engine import make_engine

    parts = []
    for name, path in UCI.items():
        hours = _uci_hours(path)
        hours = hours[(hours["label"] > "2016-01-01 00:00") & (hours["label"] <= "2016-07-01 00:00")]
        hours = hours[~((hours["label"].dt.month == 2) & (hours["label"].dt.day == 29))
                      & ~((hours["label"].dt.month == 3) & (hours["label"].dt.day == 1) & (hours["label"].dt.hour == 0))]
        moved = hours["label"].apply(lambda ts: ts.replace(year=ts.year + 10))
        parts.append(pd.DataFrame({"subdistrict": name, "time": moved.dt.strftime("%Y-%m-%d %H:%M"),
                                   "pollutant": hours["pollutant"], "value": hours["value"]}))
    path = tmp_path_factory.mktemp("real2026") / "real2026.db"
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine, targets, load_data=False)
    _write(engine, targets, pd.concat(parts, ignore_index=True))
    engine.dispose()
    return f"sqlite:///{path}"


def test_ranking_standards_on_real_data(real_2026: str, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", real_2026)
    base = ("report", "ranking", "--year", "2026", "--pollutant", "pm10", "--format", "json")
    default = _run(capsys, *base)
    old = _run(capsys, *base, "--standards", "2012")
    new = _run(capsys, *base, "--standards", "2026")

    def rows(out: dict) -> dict:  # type: ignore[type-arg]
        return {r["subdistrict"]: r for r in out["rows"] if r["mean"] is not None}

    assert set(rows(default)) == {"白纸坊", "展览路"}
    for name in ("白纸坊", "展览路"):
        # the same real data, the same annual statistic: only the limit it is judged by differs
        assert rows(default)[name]["mean"] == rows(old)[name]["mean"] == rows(new)[name]["mean"]
        assert rows(default)[name]["target"] == 60.0  # GB 3095—2026 transition: 2026 is judged by its year-end rules
        assert rows(new)[name]["target"] == 60.0
        assert rows(old)[name]["target"] == 70.0  # GB 3095-2012
    assert "in force on each day" in default["method"]["standards_en"]
    assert "2012 rule set throughout" in old["method"]["standards_en"] and "provisional" not in old["method"]["standards_en"]
    assert "2026 rule set throughout" in new["method"]["standards_en"] and "provisional" in new["method"]["standards_en"]
    # the year is not over: no three-year average, and a note says why
    assert all(r["mean_3y"] is None for r in default["rows"])
    assert any("three-year" in n for n in default["notes"])


def test_comparison_on_real_data(real_2026: str, targets: Targets) -> None:
    from monitoring.storage.engine import make_engine

    engine = make_engine(real_2026)
    rep = reports.standards_comparison(engine, targets, year=2026)
    f = rep.frame.set_index("indicator")
    good, heavy, pm = f.loc["good_day_ratio"], f.loc["heavy_pollution_days"], f.loc["pm25_annual_vs_limit"]
    # recomputed independently: the district's daily AQI under each rule set
    aq_new = reports.daily_aqi(engine, targets, year=2026, district=True).frame
    aq_old = reports.daily_aqi(engine, targets.under("2012"), year=2026, district=True).frame
    ratio = lambda aq: round(100.0 * aq["good"].dropna().astype(bool).mean(), 1)  # noqa: E731
    assert good["in_force_value"] == ratio(aq_new) and good["rule2012_value"] == ratio(aq_old)
    assert good["in_force_value"] < good["rule2012_value"]  # tighter bands from March: fewer good days
    assert good["difference"] == round(good["in_force_value"] - good["rule2012_value"], 1)
    assert heavy["in_force_value"] == int(aq_new["heavy"].dropna().astype(bool).sum())
    assert pm["in_force_value"] == pm["rule2012_value"] and pm["in_force_target"] == 30 and pm["rule2012_target"] == 35
    assert good["in_force_status"] in ("meets", "exceeds", "incomplete")
    assert bool(good["provisional"]) and "HJ 633—2026" in good["in_force_rule"] and good["rule2012_rule"] == "HJ 633-2012"
    assert "暂定" in rep.method["standards"] and "2012" in rep.method["standards_2012"]


# -- HJ 663 statistics --------------------------------------------------------------------------------


def test_hj663_percentile_by_hand() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0, 7.0]  # sorted: 1 2 3 4 5 7 10, n = 7
    # p = 95: k = 1 + 6·0.95 = 6.7 → X6 + 0.7·(X7 − X6) = 7 + 0.7·3 = 9.1
    assert evaluation_rules.hj663_percentile(values, 95) == pytest.approx(9.1)
    # p = 90: k = 1 + 6·0.9 = 6.4 → 7 + 0.4·3 = 8.2
    assert evaluation_rules.hj663_percentile(values, 90) == pytest.approx(8.2)
    assert evaluation_rules.hj663_percentile([4.0], 95) == 4.0
    assert evaluation_rules.hj663_percentile([], 95) is None


def test_ranking_co_is_the_95th_percentile(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.ranking(seeded_db, targets, year=2015, pollutant="co")
    row = rep.frame.set_index("subdistrict").loc["白纸坊"]
    # by hand from the raw file: valid daily means (≥ 20 hours, label 00:00 ends the day before)
    hours = _uci_hours(UCI["白纸坊"])
    co = hours[hours["pollutant"] == "co"]
    day = (co["label"] - pd.Timedelta(hours=1)).dt.date
    stats = co.groupby(day)["value"].agg(["mean", "count"])
    in_2015 = pd.Series([d.year == 2015 for d in stats.index], index=stats.index)
    daily = sorted(stats.loc[(stats["count"] >= 20) & in_2015, "mean"])
    n = len(daily)
    k = 1 + (n - 1) * 0.95
    s = int(k)
    p95 = daily[s - 1] + (daily[s] - daily[s - 1]) * (k - s)
    assert row["mean"] == round(p95, 1) and row["valid_days"] == n
    assert abs(row["mean"] - sum(daily) / n) > 0.3  # not the mean
    assert "95th percentile of 24-hour means" in rep.method["rule_en"]
    assert row["target"] == 4.0  # judged against the 24-h limit (HJ 663)


def _valid_daily_means(pollutant: str, year: int) -> dict[str, pd.Series]:
    """Valid daily means (≥ 20 hours; label 00:00 ends the day before) of each station, by hand."""
    out = {}
    for name, path in UCI.items():
        h = _uci_hours(path)
        h = h[h["pollutant"] == pollutant]
        day = (h["label"] - pd.Timedelta(hours=1)).dt.date
        stats = h.groupby(day)["value"].agg(["mean", "count"])
        valid = stats.loc[stats["count"] >= 20, "mean"]
        out[name] = valid[[d.year == year for d in valid.index]]
    return out


def test_trend_co_is_the_percentile_of_district_days(seeded_db: Engine, targets: Targets) -> None:
    trend = reports.trend(seeded_db, targets, pollutant="co").frame
    row = trend[(trend["year"] == 2015) & (trend["kind"] == "data")]
    # the district day = mean of the subdistricts' valid daily means; the year = their 95th percentile
    district = pd.concat(_valid_daily_means("co", 2015).values(), axis=1).mean(axis=1)
    expected = evaluation_rules.hj663_percentile(district.to_numpy(), 95)
    assert expected is not None and float(row["value"].iloc[0]) == _half_even(expected)
    assert float(row["value"].iloc[0]) != _half_even(float(district.mean()))


def _half_even(x: float) -> float:
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


# -- the three-year moving average ---------------------------------------------------------------------


def test_three_year_average_of_2014_to_2016(seeded_db: Engine, targets: Targets) -> None:
    new = targets.under("2026")  # HJ 663—2026: the moving-average evaluation
    rep = reports.ranking(seeded_db, new, year=2016)
    rows = rep.frame.set_index("subdistrict")
    annual = {y: _valid_daily_means("pm25", y) for y in (2014, 2015, 2016)}
    for name in UCI:
        # the mean of the three unrounded annual means, rounded once (GB/T 8170)
        by_hand = sum(float(annual[y][name].mean()) for y in annual) / 3
        assert len(annual[2014][name]) >= 324 and len(annual[2016][name]) >= 324
        assert rows.loc[name, "mean_3y"] == _half_even(by_hand), name
    others = rows.drop(index=list(UCI))
    assert others["mean_3y"].isna().all()
    assert "HJ 663—2026" in rep.method["moving_average"] and "暂定" in rep.method["moving_average"]
    assert "rounded once" in rep.method["moving_average_en"]
    # 2015 has no complete 2013 (the data begin in March 2013): no average, with a note
    early = reports.ranking(seeded_db, new, year=2015)
    assert early.frame["mean_3y"].isna().all() and any("fewer than 3 complete years" in n for n in early.notes_en)
    # HJ 663-2013 (the rules in force for 2016) has none: NaN, and the method says so
    plain = reports.ranking(seeded_db, targets, year=2016)
    assert plain.frame["mean_3y"].isna().all() and "no moving-average" in plain.method["moving_average_en"]
    # the district PM2.5 row
    dist = reports.district(seeded_db, new, year=2016).frame.set_index("key")
    district_annual = [float(pd.concat(annual[y].values(), axis=1).mean(axis=1).mean()) for y in annual]
    assert dist.loc["pm25_annual", "value_3y"] == _half_even(sum(district_annual) / 3)
    assert math.isnan(dist.loc["good_day_ratio", "value_3y"])


def test_unknown_rule_set_is_one_line(real_2026: str, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", real_2026)
    code = main(["report", "ranking", "--year", "2026", "--standards", "2019"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.strip().count("\n") == 0 and "2019" in err and "in-force, 2012, 2026" in err


def test_a_rule_set_missing_a_kind_is_refused(tmp_path: Path) -> None:
    from monitoring.errors import ConfigError

    text = (config.PROJECT_ROOT / "targets.yaml").read_text(encoding="utf-8")
    start = text.index("    - standard: HJ 663—2026\n")
    end = text.index("# -- end of rule sets")
    edited = tmp_path / "targets.yaml"
    edited.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError, match="evaluation: no entry of rule set 2026"):
        load_targets(edited)
