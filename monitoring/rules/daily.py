"""Daily statistics of hourly values (HJ 663-2013): daily mean, O3 8-hour windows, given days.

Pure arithmetic over numpy arrays: a row is one value and an integer key naming what it
belongs to (an hour, a day); how keys are built is the caller's business (storage
encodes subdistrict, pollutant and day in one int64). The thresholds come from
targets.yaml (``validity.daily_min_hours``, ``validity.o3_8h_min_hours``).

- Each hour is the mean of its stations, a day's mean the mean of its hours (``n_hours``
  of them); a daily value given by its publisher is used only when the day's hours are
  too few, since the publisher had them all.
- O3's daily maximum 8-hour mean takes the windows over hour slots ``[e-7, e]`` for
  ``e = 7..23`` — the windows ending 08:00 … 24:00 of the day — each valid with at least
  ``o3_8h_min_hours`` hours; ``n_8h`` counts the valid windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monitoring import timeutil

#: Hours in a day's grid and in an O3 window; windows end at slots 7..23 (08:00 … 24:00).
HOURS_PER_DAY = 24
O3_WINDOW_HOURS = 8
O3_WINDOW_ENDS = np.arange(O3_WINDOW_HOURS - 1, HOURS_PER_DAY)


def unique_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)``, without its sort when ``keys`` already
    ascend — as they do when a file's rows arrive in the store's key order (issue 15:
    two sorts of every row per slice were a third of the daily means' CPU)."""
    if len(keys) < 2 or not bool((keys[1:] >= keys[:-1]).all()):
        uniq, inverse = np.unique(keys, return_inverse=True)
        return uniq, inverse.reshape(-1)
    change = keys[1:] != keys[:-1]
    return keys[np.flatnonzero(np.concatenate(([True], change)))], np.concatenate(([0], np.cumsum(change)))


def mean_per_key(keys: np.ndarray, values: np.ndarray, demo: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct keys, mean value, all-demo): the mean over stations of one hour or day.

    A key with one row keeps its value as it is (no division, so no rounding drift).
    """
    uniq, inverse = unique_inverse(keys)
    if len(uniq) == len(keys):
        if len(keys) < 2 or bool((keys[1:] > keys[:-1]).all()):
            return keys, values, demo  # already in key order, one row a key
        order = np.argsort(keys, kind="stable")
        return keys[order], values[order], demo[order]
    n = np.bincount(inverse)
    mean = np.bincount(inverse, weights=values) / n
    not_demo = np.bincount(inverse, weights=(~demo).astype("float64"))
    return uniq, mean, not_demo == 0


@dataclass(frozen=True)
class DayMeans:
    """One entry per distinct day key; ``inverse`` maps each input row to its day."""

    keys: np.ndarray  # int64, sorted
    inverse: np.ndarray  # int64, row → index into keys
    mean: np.ndarray  # float64
    n_hours: np.ndarray  # int64
    demo: np.ndarray  # bool: every hour of the day came from the demo generator


def day_means(day_keys: np.ndarray, values: np.ndarray, demo: np.ndarray) -> DayMeans:
    """The mean and hour count of each day, from one value per hour (stations averaged)."""
    uniq, inverse = unique_inverse(day_keys)
    n = np.bincount(inverse)
    return DayMeans(
        keys=uniq,
        inverse=inverse,
        mean=np.bincount(inverse, weights=values) / n,
        n_hours=n,
        demo=np.bincount(inverse, weights=(~demo).astype("float64")) == 0,
    )


def hour_slot(ts: np.ndarray) -> np.ndarray:
    """Hour slot 0..23 within the Beijing day: label 01:00 → 0, the next day's 00:00 → 23."""
    return ((ts + timeutil.BEIJING_OFFSET_S - timeutil.HOUR_S) % timeutil.DAY_S) // timeutil.HOUR_S


def hour_grid(day: np.ndarray, slot: np.ndarray, values: np.ndarray, n_days: int) -> np.ndarray:
    """A (days × 24) grid of hourly values, NaN where an hour is missing."""
    grid = np.full((n_days, HOURS_PER_DAY), np.nan)
    grid[day, slot] = values
    return grid


@dataclass(frozen=True)
class O3Windows:
    """Per day: the maximum valid 8-hour mean (NaN if none), valid windows, maximum hour."""

    max8h: np.ndarray
    n_8h: np.ndarray  # int64
    max1h: np.ndarray


def o3_windows(grid: np.ndarray, min_hours: int) -> O3Windows:
    """HJ 663-2013 8-hour windows of each day of ``grid`` (from ``hour_grid``).

    A window is valid with at least ``min_hours`` hours; its mean is over the hours present.
    """
    present = ~np.isnan(grid)
    filled = np.where(present, grid, 0.0)
    csum = np.concatenate([np.zeros((len(grid), 1)), np.cumsum(filled, axis=1)], axis=1)
    ccount = np.concatenate([np.zeros((len(grid), 1)), np.cumsum(present, axis=1)], axis=1)
    ends = O3_WINDOW_ENDS
    first = ends - (O3_WINDOW_HOURS - 1)
    sums = csum[:, ends + 1] - csum[:, first]
    cnts = ccount[:, ends + 1] - ccount[:, first]
    valid = cnts >= min_hours
    means = np.where(valid, sums / np.where(cnts == 0, 1, cnts), -np.inf)
    n_valid = valid.sum(axis=1)
    return O3Windows(
        max8h=np.where(n_valid > 0, means.max(axis=1), np.nan),
        n_8h=n_valid,
        max1h=np.where(present, grid, -np.inf).max(axis=1),
    )


def last_per_key(keys: np.ndarray) -> np.ndarray:
    """Index of the last row of each distinct key (a day given twice: the last label wins)."""
    _, last = np.unique(keys[::-1], return_index=True)
    return len(keys) - 1 - last


def given_day_wins(
    hourly_keys: np.ndarray, n_hours: np.ndarray, given_keys: np.ndarray, daily_min_hours: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which days keep their hourly mean and which take the publisher's daily value.

    Returns (keep: mask over the hourly days, use: mask over the given days). A given day
    is used unless its hours are complete enough (≥ ``daily_min_hours``); an hourly day
    with a used given value is dropped.
    """
    complete = hourly_keys[n_hours >= daily_min_hours]
    use = ~np.isin(given_keys, complete)
    keep = ~np.isin(hourly_keys, given_keys[use])
    return keep, use
