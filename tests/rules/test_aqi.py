"""HJ 633-2012 AQI: every breakpoint, rounding up, categories, primary pollutant, O3 rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from monitoring import timeutil
from monitoring.rules import aqi
from monitoring.storage.daily_refresh import compute_daily

DAY = dt.date(2025, 6, 1)  # an HJ 633-2012 day (HJ 633—2026 from 2026-03-01: tests/test_standards.py)


@pytest.fixture
def std(targets):  # type: ignore[no-untyped-def]
    return targets.aqi_standard(DAY)


def test_every_breakpoint_maps_to_its_iaqi(std) -> None:  # type: ignore[no-untyped-def]
    levels = tuple(std.iaqi)
    for table, bps in std.breakpoints.items():
        for bp, level in zip(bps, levels, strict=False):
            assert aqi.iaqi(bp, tuple(bps), levels) == level, (table, bp)
            if 0 < level < levels[-1]:
                # just above a breakpoint is the next integer (rounded up), never the same IAQI
                above = aqi.iaqi(bp + 0.01, tuple(bps), levels)
                if above is not None:
                    assert above > level, (table, bp)


@pytest.mark.parametrize(
    ("table", "value", "expected"),
    [
        ("pm25_24h", 35.0, 50),
        ("pm25_24h", 35.1, 51),  # 50 + 50/40·0.1 = 50.125 → rounded up
        ("pm25_24h", 75.5, 101),  # 100.625 → 101
        ("pm25_24h", 150.0, 200),
        ("pm25_24h", 150.1, 201),
        ("pm25_24h", 600.0, 500),  # above the table: the top IAQI
        ("pm10_24h", 150.0, 100),
        ("co_24h", 2.0, 50),
        ("co_24h", 2.1, 53),  # 52.5 → 53
        ("o3_8h", 800.0, 300),
        ("o3_8h", 801.0, None),  # no 8-h IAQI above 800: the 1-h value is used
        ("o3_1h", 1200.0, 500),
        ("so2_24h", 0.0, 0),
    ],
)
def test_hand_computed_iaqi(std, table: str, value: float, expected: int | None) -> None:  # type: ignore[no-untyped-def]
    assert aqi.iaqi(value, tuple(std.breakpoints[table]), tuple(std.iaqi)) == expected


@pytest.mark.parametrize(
    ("value", "name", "level"),
    [(0, "优", 1), (50, "优", 1), (51, "良", 2), (100, "良", 2), (101, "轻度污染", 3), (150, "轻度污染", 3),
     (151, "中度污染", 4), (200, "中度污染", 4), (201, "重度污染", 5), (300, "重度污染", 5), (301, "严重污染", 6),
     (500, "严重污染", 6)],
)
def test_categories_by_integer_aqi(std, value: int, name: str, level: int) -> None:  # type: ignore[no-untyped-def]
    cat = aqi.category(value, std)
    assert cat is not None and cat.name == name and cat.level == level


def test_primary_only_above_50_and_ties(std) -> None:  # type: ignore[no-untyped-def]
    low = aqi.day_aqi({"pm25": 35.0}, std)
    assert low.aqi == 50 and low.primary == ""
    up = aqi.day_aqi({"pm25": 35.1}, std)
    assert up.aqi == 51 and up.primary == "PM2.5"
    tie = aqi.day_aqi({"pm25": 75.0, "pm10": 150.0, "no2": 10.0}, std)
    assert tie.aqi == 100 and tie.primary == "PM10,PM2.5"


def test_o3_above_800_uses_one_hour(std) -> None:  # type: ignore[no-untyped-def]
    res = aqi.day_aqi({"pm25": 20.0, "o3_8h": 850.0, "o3_1h": 900.0}, std)
    assert res.iaqis.get("O3_8h") is None
    assert res.aqi == 350 and res.primary == "O3"  # 1-h table: 800→300 … 1000→400


def test_missing_pollutants_are_named(std) -> None:  # type: ignore[no-untyped-def]
    res = aqi.day_aqi({"pm25": 80.0}, std)
    assert res.used == ("pm25",)
    assert set(res.missing) == {"pm10", "so2", "no2", "co", "o3"}
    none = aqi.day_aqi({}, std)
    assert none.aqi is None


def test_aqi_frame_good_and_heavy(targets) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({"day": [DAY] * 4, "pm25": [75.0, 75.1, 150.0, 150.1]})
    out = aqi.aqi_frame(frame, targets.aqi_standard)
    assert out["aqi"].tolist() == [100, 101, 200, 201]
    assert out["good"].tolist() == [True, False, False, False]
    assert out["heavy"].tolist() == [False, False, False, True]
    assert out["color"].tolist() == ["#FFFF00", "#FF7E00", "#FF0000", "#99004C"]
    ratio, good, days = aqi.good_day_ratio(out["good"])
    assert (ratio, good, days) == (25.0, 1, 4)
    assert aqi.good_day_ratio(pd.Series([], dtype="boolean"))[0] is None


def _o3_hours(n: int) -> pd.DataFrame:
    labels = [dt.datetime.combine(DAY, dt.time(h)) for h in range(1, n + 1)]
    return pd.DataFrame(
        {"subdistrict_id": 10, "pollutant": "o3", "ts": timeutil.labels_to_ts(pd.Series(labels)),
         "value": 100.0, "demo": False}
    )


def test_o3_eight_hour_window_needs_six_hours(targets) -> None:  # type: ignore[no-untyped-def]
    need = targets.validity(DAY).o3_8h_min_hours
    assert need == 6
    five = compute_daily(_o3_hours(5), need).iloc[0]
    assert int(five["n_8h"]) == 0 and np.isnan(five["max8h"])
    six = compute_daily(_o3_hours(6), need).iloc[0]
    assert int(six["n_8h"]) == 1 and six["max8h"] == 100.0


def test_vectorised_iaqi_agrees_with_the_exact_one(std) -> None:  # type: ignore[no-untyped-def]
    import random

    rng = random.Random(42)
    levels = tuple(std.iaqi)
    for table, bps in std.breakpoints.items():
        top = bps[-1] * 1.1
        values = [round(rng.uniform(0, top), 1) for _ in range(400)] + [float(b) for b in bps]
        got = aqi.iaqi_array(np.array(values), tuple(bps), levels)
        for v, g in zip(values, got, strict=True):
            exact = aqi.iaqi(v, tuple(bps), levels)
            assert (exact is None and np.isnan(g)) or exact == g, (table, v, exact, g)


def test_frame_rows_agree_with_day_aqi(targets) -> None:  # type: ignore[no-untyped-def]
    import random

    rng = random.Random(42)
    cols = ["pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h"]
    scale = {"pm25": 300, "pm10": 400, "so2": 100, "no2": 150, "co": 5, "o3_8h": 900, "o3_1h": 1000}
    recs = []
    for _ in range(200):
        recs.append({"day": DAY, **{c: (None if rng.random() < 0.2 else round(rng.uniform(0, scale[c]), 1)) for c in cols}})
    frame = pd.DataFrame(recs)
    out = aqi.aqi_frame(frame, targets.aqi_standard)
    std = targets.aqi_standard(DAY)
    for rec, row in zip(recs, out.itertuples(), strict=True):
        ref = aqi.day_aqi({k: v for k, v in rec.items() if k != "day"}, std)
        assert (pd.isna(row.aqi) and ref.aqi is None) or row.aqi == ref.aqi
        assert row.primary == ref.primary
        assert row.missing == ",".join(ref.missing)
