"""The store's integer keys: pollutant keys, (subdistrict, pollutant) groups and their day keys.

Writes classify and aggregate rows by composite integer keys instead of tuples (numpy
sorts and matches int64 in milliseconds). The encoding is storage's own: the ingest
pipeline and the daily-mean maintenance call these functions rather than repeating it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from monitoring.targets import POLLUTANTS

#: Pollutant codes in the database's (binary) order; the index is a small integer key.
POLLUTANT_ORDER: tuple[str, ...] = tuple(sorted(POLLUTANTS))  # co no2 o3 pm10 pm25 so2
POLLUTANT_OBJECTS = np.array(POLLUTANT_ORDER, dtype=object)
O3_KEY = POLLUTANT_ORDER.index("o3")
#: A group is subdistrict × GROUP_WIDTH + pollutant key (6 pollutants fit in 8).
GROUP_WIDTH = 8
#: Bits of composite keys: group | ts or day offset.
TS_BITS = 35  # > 1,000 years of seconds
DAY_BITS = 20  # > 2,800 years of days
TS_MASK = (1 << TS_BITS) - 1
DAY_MASK = (1 << DAY_BITS) - 1


def pollutant_keys(names: Sequence[str]) -> np.ndarray:
    """The storage's small-integer key (``ReadingRows.pcode``) of each pollutant code."""
    return np.array([POLLUTANT_ORDER.index(n) for n in names], dtype="int64")


def pollutant_codes(pollutants: pd.Series | np.ndarray) -> np.ndarray:
    """The key of each pollutant code of a column; an unknown code is a programming error."""
    # get_indexer gives -1 for an unknown code (pd.Categorical warns of that in pandas 3, Pandas4Warning)
    codes = np.asarray(pd.Index(list(POLLUTANT_ORDER)).get_indexer(pollutants), dtype="int64")
    if (codes < 0).any():
        bad = sorted({str(p) for p in np.asarray(pollutants, dtype=object)[codes < 0]})
        raise ValueError(f"unknown pollutant code(s) {bad}: the validator must map them first")
    return codes


def group_key(subdistrict: np.ndarray, pkey: np.ndarray) -> np.ndarray:
    """The (subdistrict, pollutant) group of each row."""
    return subdistrict * GROUP_WIDTH + pkey


def group_subdistrict(group: np.ndarray) -> np.ndarray:
    return group // GROUP_WIDTH


def group_pollutant_key(group: np.ndarray) -> np.ndarray:
    return group % GROUP_WIDTH


def group_pollutant(group: np.ndarray) -> np.ndarray:
    """The pollutant code (text, as an object array) of each group."""
    return POLLUTANT_OBJECTS[group % GROUP_WIDTH]


def group_day_key(group: np.ndarray, day_offset: np.ndarray) -> np.ndarray:
    """One int64 per (group, day): ``day_offset`` is days since a base day (≥ 0)."""
    return (group << DAY_BITS) | day_offset


def group_ts_key(group: np.ndarray, ts_offset: np.ndarray) -> np.ndarray:
    """One int64 per (group, ts): ``ts_offset`` is seconds since a base ts (≥ 0)."""
    return (group << TS_BITS) | ts_offset
