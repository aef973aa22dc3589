"""In-file duplicates: a key repeated inside one file is a duplicate (same value) or refused (different).

The first occurrence wins (chunks arrive in file order). Matching against what the store
holds is the writer's (storage/writes.py), not this.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from monitoring.targets import POLLUTANTS


class InFile(NamedTuple):
    """A file's rows with their in-file repeats taken out, and what became of the repeats."""

    kept: pd.DataFrame  # every key once: its first occurrence
    same: int  # repeats with the same value: duplicates
    refused_lines: np.ndarray  # repeats with a different value: refused, one reason each
    refused_zh: list[str]
    refused_en: list[str]
    same_rows: pd.DataFrame  # the duplicate rows, for the preview's list


def _key_codes(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """One int64 per row standing for its key, for a cheap duplicate search."""
    if "ts" not in key:
        return frame.groupby(key, sort=False, dropna=False).ngroup().to_numpy(dtype="int64", copy=True)
    # ts < 2^35, pollutant < 8, resolution < 2, subdistrict < 1024, station < 256 distinct:
    # packed in one int64, computed in place (a million rows: one 8 MB array).
    station = frame["station"]
    if not isinstance(station.dtype, pd.CategoricalDtype):
        station = station.astype("category")
    if len(station.cat.categories) > 255:
        return frame.groupby(key, sort=False, dropna=False, observed=True).ngroup().to_numpy(dtype="int64", copy=True)
    pollutant = frame["pollutant"]
    if not (isinstance(pollutant.dtype, pd.CategoricalDtype) and list(pollutant.cat.categories) == list(POLLUTANTS)):
        pollutant = pd.Series(pd.Categorical(pollutant, categories=POLLUTANTS), index=frame.index)
    resolution = frame["resolution"]
    if not (isinstance(resolution.dtype, pd.CategoricalDtype) and list(resolution.cat.categories) == ["h", "d"]):
        resolution = pd.Series(pd.Categorical(resolution, categories=["h", "d"]), index=frame.index)
    code = frame["ts"].to_numpy(dtype="int64").copy()
    for part, width in (
        (pollutant.cat.codes.to_numpy(), 8),
        (resolution.cat.codes.to_numpy(), 2),
        (frame["subdistrict_id"].to_numpy(), 1024),
        (station.cat.codes.to_numpy(), 256),
    ):
        code *= width
        code += part
    return code


def infile_duplicates(frame: pd.DataFrame, key: list[str], value_cols: list[str]) -> InFile:
    """Repeated keys inside one file: identical rows are duplicates (also returned, to be
    listed), a different value is refused (the first occurrence wins)."""
    none = frame.iloc[:0]
    if frame.empty:
        return InFile(frame, 0, np.empty(0, dtype="int64"), [], [], none)
    # sorted in place first, to learn cheaply whether any key repeats (usually none does).
    probe = _key_codes(frame, key)
    probe.sort()
    has_repeats = bool((probe[1:] == probe[:-1]).any())
    del probe
    if not has_repeats:
        return InFile(frame, 0, np.empty(0, dtype="int64"), [], [], none)
    values = _key_codes(frame, key)
    codes = pd.Series(values, index=frame.index)
    # sort-based (less memory than a hash table): a stable sort keeps the first occurrence first.
    order = np.argsort(values, kind="stable")
    same_as_previous = values[order[1:]] == values[order[:-1]]
    if not same_as_previous.any():
        return InFile(frame, 0, np.empty(0, dtype="int64"), [], [], none)
    repeated = np.zeros(len(values), dtype=bool)
    repeated[order[1:][same_as_previous]] = True
    involved = repeated.copy()
    involved[order[:-1][same_as_previous]] = True
    del order, same_as_previous
    sub = frame.loc[involved, [*value_cols, "line"]].assign(_k=codes[involved])
    firsts = sub.groupby("_k", sort=False)[[*value_cols, "line"]].transform("first")
    rep = frame.loc[repeated]
    first_of = firsts.loc[rep.index]
    same = np.ones(len(rep), dtype=bool)
    for col in value_cols:
        a, b = rep[col].to_numpy(), first_of[col].to_numpy()
        if col in ("value", "load"):
            same &= np.isclose(a.astype("float64"), b.astype("float64"), rtol=0.0, atol=1e-9)
        else:
            same &= np.asarray([x == y or (pd.isna(x) and pd.isna(y)) for x, y in zip(a, b, strict=True)], dtype=bool)
    conflict = rep.loc[~same]
    col = value_cols[0]
    same_key = "同一街道、道路、日期" if "road" in key else "同一街道、站点、污染物、时间"
    zh = [
        f"与第 {int(fl)} 行{same_key}的值不同（{old:g} ≠ {new:g}），保留第 {int(fl)} 行"
        for fl, old, new in zip(first_of.loc[~same, "line"], first_of.loc[~same, col], conflict[col], strict=True)
    ]
    en = [
        f"same key as line {int(fl)} with a different value ({old:g} ≠ {new:g}); line {int(fl)} is kept"
        for fl, old, new in zip(first_of.loc[~same, "line"], first_of.loc[~same, col], conflict[col], strict=True)
    ]
    kept = frame.loc[~repeated]
    return InFile(kept, int(same.sum()), conflict["line"].to_numpy(dtype="int64"), zh, en, rep.loc[same])
