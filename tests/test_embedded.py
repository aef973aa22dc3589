"""The embedded data: the UCI history is read faithfully and the demo year behaves."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitoring import config, embedded
from monitoring.targets import POLLUTANTS, Targets, load_targets

UCI_DIR = config.DATA_DIR / "uci"
FILES = {
    "1006A": UCI_DIR / "PRSA_Data_Guanyuan_20130301-20170228.csv",
    "1001A": UCI_DIR / "PRSA_Data_Wanshouxigong_20130301-20170228.csv",
}
COLUMNS = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}
THROUGH = dt.datetime(2026, 11, 21, 23, 40)


@pytest.fixture(scope="module")
def targets() -> Targets:
    return load_targets()


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return embedded.read_station_history()


@pytest.fixture(scope="module")
def demo(targets: Targets, history: pd.DataFrame) -> pd.DataFrame:
    return embedded.demo_readings(targets, 2026, THROUGH, history=history)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# -- history ----------------------------------------------------------------------------


def test_history_counts_match_an_independent_csv_count(history: pd.DataFrame) -> None:
    got = history.groupby(["station", "pollutant"]).size().to_dict()
    for station, path in FILES.items():
        rows = _csv_rows(path)
        assert len(rows) == 35_064
        expected = Counter(COLUMNS[col] for row in rows for col in COLUMNS if row[col] not in ("", "NA"))
        for pollutant in POLLUTANTS:
            assert got[(station, pollutant)] == expected[pollutant], (station, pollutant)
    assert history["value"].notna().all()
    assert list(history.columns) == ["station", "pollutant", "label", "value"]
    assert pd.api.types.is_datetime64_dtype(history["label"])


def test_history_first_rows_and_co_in_mg(history: pd.DataFrame) -> None:
    first = pd.Timestamp(2013, 3, 1, 0)
    at = history[history["label"] == first].set_index(["station", "pollutant"])["value"]
    # Guanyuan: 4,4,14,20,300,69 ; Wanshouxigong: 9,9,6,17,200,62 (CO in µg/m³ in the file)
    assert at[("1006A", "pm25")] == 4 and at[("1006A", "pm10")] == 4
    assert at[("1006A", "so2")] == 14 and at[("1006A", "no2")] == 20
    assert at[("1006A", "co")] == pytest.approx(0.3) and at[("1006A", "o3")] == 69
    assert at[("1001A", "pm25")] == 9 and at[("1001A", "no2")] == 17
    assert at[("1001A", "co")] == pytest.approx(0.2) and at[("1001A", "o3")] == 62
    assert history.loc[history["pollutant"] == "co", "value"].max() < 20  # mg/m³, not µg/m³
    assert history["label"].max() == pd.Timestamp(2017, 2, 28, 23)


def test_attribution_names_source_and_paper() -> None:
    for part in ("CC BY 4.0", "UCI", "Zhang", "Chen", "Cautionary tales", "20170457"):
        assert part in embedded.UCI_ATTRIBUTION
    assert embedded.DEMO_SOURCE == "demo" and embedded.HISTORY_SOURCE == "uci-prsa"


# -- demo readings ------------------------------------------------------------------------


def test_demo_is_deterministic_and_a_prefix_of_a_longer_run(
    targets: Targets, history: pd.DataFrame, demo: pd.DataFrame
) -> None:
    again = embedded.demo_readings(targets, 2026, THROUGH, history=history)
    pd.testing.assert_frame_equal(demo, again)
    short = embedded.demo_readings(targets, 2026, dt.datetime(2026, 3, 1), history=history)
    head = demo[demo["label"] <= pd.Timestamp(2026, 3, 1)].reset_index(drop=True)
    pd.testing.assert_frame_equal(short.reset_index(drop=True), head)


def test_demo_covers_every_series_from_the_first_hour_to_through(targets: Targets, demo: pd.DataFrame) -> None:
    assert list(demo.columns) == ["subdistrict_code", "pollutant", "label", "value"]
    pairs = set(zip(demo["subdistrict_code"], demo["pollutant"], strict=True))
    assert pairs == {(sd.code, p) for sd in targets.subdistricts for p in POLLUTANTS}
    assert demo["label"].min() == pd.Timestamp(2026, 1, 1, 1)
    assert demo["label"].max() == pd.Timestamp(2026, 11, 21, 23)
    assert (demo["value"] >= 0).all() and demo["value"].notna().all()
    assert not demo.duplicated(["subdistrict_code", "pollutant", "label"]).any()
    hours = len(pd.date_range("2026-01-01 01:00", "2026-11-21 23:00", freq="h"))
    missing = 1 - len(demo) / (15 * 6 * hours)
    assert 0.01 <= missing <= 0.025


def test_demo_values_are_rounded(demo: pd.DataFrame) -> None:
    co = demo["pollutant"] == "co"
    assert np.allclose(demo.loc[co, "value"], demo.loc[co, "value"].round(2))
    assert np.allclose(demo.loc[~co, "value"], demo.loc[~co, "value"].round(1))


def test_demo_level_spread_and_episodes(targets: Targets, demo: pd.DataFrame) -> None:
    pm = demo[demo["pollutant"] == "pm25"]
    assert 29 <= pm["value"].mean() <= 31
    per_sub = pm.groupby("subdistrict_code")["value"].mean()
    assert per_sub.min() < 28 and per_sub.max() > 30  # some below, some above target
    assert per_sub.min() >= 25 and per_sub.max() <= 34
    day = (pm["label"] - pd.Timedelta(hours=1)).dt.normalize()
    daily = pm.groupby(["subdistrict_code", day])["value"].agg(["mean", "count"])
    district = daily["mean"].groupby(level=1).mean()
    assert 1 <= int((district > 150).sum()) <= 4  # heavy-pollution days (PM2.5 IAQI > 200)
    short = daily[daily["count"] < 20]
    assert len(short) >= 1
    assert short.index.get_level_values(0).nunique() <= 2


def test_demo_pm10_never_below_pm25(demo: pd.DataFrame) -> None:
    wide = demo.pivot_table(index=["subdistrict_code", "label"], columns="pollutant", values="value").dropna(
        subset=["pm10", "pm25"]
    )
    assert (wide["pm10"] >= wide["pm25"]).all()


# -- road dust -----------------------------------------------------------------------------


def test_road_dust_covers_every_subdistrict_with_gaps_and_highs(targets: Targets) -> None:
    dust = embedded.demo_road_dust(targets, 2026, 11)
    pd.testing.assert_frame_equal(dust, embedded.demo_road_dust(targets, 2026, 11))
    assert list(dust.columns) == ["subdistrict_code", "road", "month", "load"]
    assert set(dust["subdistrict_code"]) == {sd.code for sd in targets.subdistricts}
    roads = dust.groupby("subdistrict_code")["road"].nunique()
    assert roads.between(3, 5).all()
    assert set(dust["month"]) == {dt.date(2026, m, 1) for m in range(1, 12)}
    assert dust["load"].between(0.05, 1.5).all()
    assert dust["load"].median() < 0.6
    assert (dust["load"] >= 0.9).any()
    assert np.allclose(dust["load"], dust["load"].round(2))
    full = dust.groupby("subdistrict_code").apply(
        lambda g: g["road"].nunique() * g["month"].nunique() - len(g), include_groups=False
    )
    assert (full > 0).sum() == 1  # one subdistrict skipped a road in some months
