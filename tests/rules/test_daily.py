"""HJ 663-2013 daily statistics, tested on the pure functions storage calls."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from monitoring import timeutil
from monitoring.rules import daily

DAY = dt.date(2026, 7, 1)


def _ts(*hours: int) -> np.ndarray:
    """Hour-ending labels of DAY (24 → the next day's 00:00, which belongs to DAY)."""
    labels = [dt.datetime.combine(DAY, dt.time(0)) + dt.timedelta(hours=h) for h in hours]
    return np.asarray(timeutil.labels_to_ts(pd.Series(labels)), dtype="int64")


def test_hour_slot_puts_midnight_at_the_end_of_its_day() -> None:
    assert daily.hour_slot(_ts(1, 2, 13, 24)).tolist() == [0, 1, 12, 23]


def test_station_mean_per_hour_and_demo_only_when_all_demo() -> None:
    keys = np.array([5, 3, 5], dtype="int64")
    uniq, mean, demo = daily.mean_per_key(keys, np.array([10.0, 7.0, 20.0]), np.array([True, False, False]))
    assert uniq.tolist() == [3, 5] and mean.tolist() == [7.0, 15.0] and demo.tolist() == [False, False]
    # one row per key: values as they are, in key order
    uniq, mean, demo = daily.mean_per_key(np.array([9, 2]), np.array([1.0, 2.0]), np.array([True, True]))
    assert uniq.tolist() == [2, 9] and mean.tolist() == [2.0, 1.0] and demo.tolist() == [True, True]


def test_day_means_count_the_hours() -> None:
    days = daily.day_means(np.array([1, 1, 1, 2]), np.array([10.0, 20.0, 30.0, 5.0]), np.array([True, True, True, False]))
    assert days.keys.tolist() == [1, 2]
    assert days.mean.tolist() == [20.0, 5.0]
    assert days.n_hours.tolist() == [3, 1]
    assert days.demo.tolist() == [True, False]
    assert days.inverse.tolist() == [0, 0, 0, 1]


def _o3(hours: dict[int, float], min_hours: int = 6) -> daily.O3Windows:
    slots = np.array([h - 1 for h in hours], dtype="int64")
    grid = daily.hour_grid(np.zeros(len(slots), dtype="int64"), slots, np.array(list(hours.values())), 1)
    return daily.o3_windows(grid, min_hours)


def test_an_eight_hour_window_needs_six_hours() -> None:
    five = _o3({h: 100.0 for h in range(1, 6)})
    assert five.n_8h.tolist() == [0] and np.isnan(five.max8h[0]) and five.max1h.tolist() == [100.0]
    six = _o3({h: 100.0 for h in range(1, 7)})
    assert six.n_8h.tolist() == [1] and six.max8h.tolist() == [100.0]


def test_windows_end_at_0800_to_2400_and_average_the_hours_present() -> None:
    full = _o3({h: float(h) for h in range(1, 25)})
    assert full.n_8h.tolist() == [17]  # windows ending 08:00 … 24:00
    assert full.max8h.tolist() == [np.mean(range(17, 25))]  # the last window, 17:00 … 24:00
    assert full.max1h.tolist() == [24.0]
    # a window with a gap is the mean of the hours it has, not of eight: 17:00–24:00
    # without 20:00 has 7 hours; the window ending 23:00 has 6 (valid, mean 80)
    gap = _o3({h: (80.0 if h != 24 else 160.0) for h in range(17, 25) if h != 20})
    assert gap.n_8h.tolist() == [2]
    assert gap.max8h[0] == (80.0 * 6 + 160.0) / 7
    # hours 01:00–07:00 alone make no window: the first window ends at 08:00
    early = _o3({h: 50.0 for h in range(1, 8)}, min_hours=6)
    assert early.n_8h.tolist() == [2]  # ending 08:00 (7 hours) and 09:00 (6 hours)


def test_the_last_given_value_of_a_day_wins() -> None:
    assert daily.last_per_key(np.array([4, 7, 4, 7, 9])).tolist() == [2, 3, 4]


def test_a_given_daily_value_is_used_only_when_hours_are_too_few() -> None:
    hourly_keys = np.array([1, 2, 3])
    n_hours = np.array([24.0, 19.0, 20.0])
    given_keys = np.array([1, 2, 4])
    keep, use = daily.given_day_wins(hourly_keys, n_hours, given_keys, 20)
    assert use.tolist() == [False, True, True]  # day 1 complete; day 2 short; day 4 no hours
    assert keep.tolist() == [True, False, True]  # day 2's 19 hours give way to the given value


@pytest.mark.parametrize("keys", [[], [5], [1, 1, 2, 7, 7, 7], [3, 1, 2, 1], [1, 2, 3], [2, 2, 1]])
def test_unique_inverse_is_numpys_with_or_without_the_sort(keys: list[int]) -> None:
    # issue 15: ascending keys (a file in key order) skip the sort; the answer is numpy's
    array = np.array(keys, dtype="int64")
    uniq, inverse = daily.unique_inverse(array)
    want_uniq, want_inverse = np.unique(array, return_inverse=True)
    assert uniq.tolist() == want_uniq.tolist()
    assert inverse.tolist() == want_inverse.tolist()


def test_mean_per_key_in_key_order_and_shuffled_agree() -> None:
    rng = np.random.default_rng(15)
    keys = np.sort(rng.integers(0, 50, 400))
    values, demo = rng.normal(50, 10, 400), rng.random(400) < 0.1
    shuffled = rng.permutation(400)
    for unique_keys in (keys, np.unique(keys)):
        n = len(unique_keys)
        got = daily.mean_per_key(unique_keys, values[:n], demo[:n])
        again = daily.mean_per_key(unique_keys[shuffled[shuffled < n]], values[:n][shuffled[shuffled < n]],
                                   demo[:n][shuffled[shuffled < n]])
        for a, b in zip(got, again, strict=True):
            assert np.allclose(np.asarray(a, "float64"), np.asarray(b, "float64"))
