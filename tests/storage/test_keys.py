"""The store's key encoding: what the ingest pipeline and the writes both rely on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from monitoring.storage import keys


def test_pollutant_keys_follow_the_store_order() -> None:
    assert keys.pollutant_keys(["co", "pm25", "o3"]).tolist() == [0, 4, 2]
    assert keys.O3_KEY == 2
    assert keys.pollutant_codes(pd.Series(["so2", "no2"])).tolist() == [5, 1]
    with pytest.raises(ValueError, match="unknown pollutant"):
        keys.pollutant_codes(pd.Series(["pm2.5"]))


def test_group_and_day_keys_round_trip() -> None:
    sd = np.array([1, 10, 15], dtype="int64")
    pkey = keys.pollutant_keys(["pm25", "o3", "co"])
    group = keys.group_key(sd, pkey)
    assert keys.group_subdistrict(group).tolist() == [1, 10, 15]
    assert keys.group_pollutant(group).tolist() == ["pm25", "o3", "co"]
    day = np.array([0, 365, 10_000], dtype="int64")
    key = keys.group_day_key(group, day)
    assert ((key >> keys.DAY_BITS) == group).all() and ((key & keys.DAY_MASK) == day).all()
    # a later (group, day) always sorts after: the pipeline cuts slices on these keys
    assert (np.diff(keys.group_day_key(np.array([8, 8, 9]), np.array([0, 1, 0]))) > 0).all()
    ts = np.array([0, 3600, 2**34], dtype="int64")
    tkey = keys.group_ts_key(group, ts)
    assert ((tkey >> keys.TS_BITS) == group).all() and ((tkey & keys.TS_MASK) == ts).all()
