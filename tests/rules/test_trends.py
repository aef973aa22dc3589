"""Trend statistics: refused below six points, Theil–Sen and Mann–Kendall otherwise."""

from __future__ import annotations

from monitoring.rules.evaluation import hj663_percentile
from monitoring.rules.trends import MIN_POINTS, trend_statistics


def test_refuses_short_series() -> None:
    res = trend_statistics([2015, 2016, 2017, 2018, 2019], [83, 78, 60, 52, 44])
    assert MIN_POINTS == 6
    assert res["refused"] and res["theil_sen"] is None and res["mann_kendall"] is None and res["n"] == 5


def test_missing_values_do_not_count() -> None:
    res = trend_statistics([2015, 2016, 2017, 2018, 2019, 2020], [83, 78, float("nan"), 52, 44, 40])
    assert res["refused"] and res["n"] == 5


def test_straight_line() -> None:
    years = list(range(2015, 2021))
    res = trend_statistics(years, [100 - 5 * (y - 2015) for y in years])
    assert res["refused"] is None
    assert res["theil_sen"]["slope"] == -5.0
    assert res["theil_sen"]["low"] <= -5.0 <= res["theil_sen"]["high"]
    assert abs(res["mann_kendall"]["tau"] + 1.0) < 1e-12
    assert res["mann_kendall"]["p"] < 0.05 and res["mann_kendall"]["trend"] == "decreasing"


def test_flat_noise_is_not_a_trend() -> None:
    res = trend_statistics(list(range(2015, 2023)), [40, 42, 39, 41, 40, 42, 39, 41])
    assert res["mann_kendall"]["trend"] == "no significant trend"


def test_percentile_90_hj663() -> None:
    # k = 1 + (10 − 1)·0.9 = 9.1 → x9 + 0.1·(x10 − x9) = 9.1
    assert abs(hj663_percentile([float(i) for i in range(1, 11)], 90) - 9.1) < 1e-12  # type: ignore[operator]
    assert hj663_percentile([], 90) is None


def test_direction_of_change() -> None:
    from monitoring.rules.trends import direction_of_change

    assert direction_of_change(30.0, 32.0) == "down"
    assert direction_of_change(32.0, 30.0) == "up"
    assert direction_of_change(30.0, 30.0) == "flat"
    assert direction_of_change(None, 30.0) is None
    assert direction_of_change(30.0, float("nan")) is None


def test_in_series_one_value_a_year_the_published_first() -> None:
    from monitoring.rules.trends import in_series

    assert in_series("plan_table", False, 2020, {2020})
    assert in_series("data", True, 2024, {2020})
    assert not in_series("data", True, 2020, {2020})  # the plan's table already gives 2020
    assert not in_series("data", False, 2024, set())  # incomplete year
    assert not in_series("data_demo", True, 2024, set())  # generated, never a trend
