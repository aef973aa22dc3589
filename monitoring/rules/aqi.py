"""The Air Quality Index, HJ 633-2012, from daily statistics.

- IAQI by linear interpolation between the breakpoints of 表1 (targets.yaml), and
  "计算结果应全部进位取整数" (HJ 633 §5): every IAQI is rounded UP to an integer; the
  interpolation is done in exact fractions of the decimal concentration, so 35.0 µg/m³
  PM2.5 is IAQI 50 and 35.1 is 51.
- Daily AQI (日报, HJ 633 §4–5): 24-h means of SO2, NO2, PM10, PM2.5, CO, the daily
  maximum 1-hour O3 and the daily maximum 8-hour O3. Above 800 µg/m³ the 8-hour O3 has
  no IAQI; the 1-hour O3 IAQI is reported for it (表1 note 3).
- Above the highest breakpoint no IAQI is computed by the standard; the monitor reports
  the top IAQI (500) and names the pollutant, so the day still counts as severe.
- AQI = the largest IAQI; primary pollutant(s) = those whose IAQI equals it, only when
  AQI > ``primary_pollutant_above``; category by the integer AQI.
- A pollutant that is missing or not valid that day is left out, and the day says which:
  the AQI then rests on fewer pollutants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from monitoring.targets import POLLUTANTS

#: The daily AQI's items: (column in the daily frame, breakpoint table key, label).
DAILY_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("so2", "so2_24h", "SO2"),
    ("no2", "no2_24h", "NO2"),
    ("pm10", "pm10_24h", "PM10"),
    ("pm25", "pm25_24h", "PM2.5"),
    ("co", "co_24h", "CO"),
    ("o3_1h", "o3_1h", "O3_1h"),
    ("o3_8h", "o3_8h", "O3_8h"),
)
#: The pollutants a daily AQI normally rests on (o3 stands for its two statistics):
#: targets.POLLUTANTS with O3 last (its 1-h and 8-h statistics close the daily table).
FULL_SET: tuple[str, ...] = tuple(sorted(POLLUTANTS, key=lambda p: p == "o3"))


def _exact(value: float) -> Fraction:
    return Fraction(repr(float(value)))


def iaqi(value: float | None, breakpoints: tuple[float, ...], levels: tuple[int, ...]) -> int | None:
    """The IAQI of one concentration (rounded up to an integer); None when missing or when
    the value lies above the table's last breakpoint and the table stops short of the top
    IAQI (O3 8-h above 800 µg/m³). A value above the top of a full table gives the top IAQI."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    c = _exact(value)
    if c < 0:
        return None
    bps = [Fraction(repr(float(b))) for b in breakpoints]
    lv = list(levels)[: len(bps)]
    for i in range(1, len(bps)):
        if c <= bps[i]:
            lo, hi = bps[i - 1], bps[i]
            raw = Fraction(lv[i] - lv[i - 1]) / (hi - lo) * (c - lo) + lv[i - 1]
            return math.ceil(raw)
    if len(bps) < len(levels):
        return None  # O3 8-h above its last breakpoint: the 1-h value is used instead
    return int(lv[-1])


@dataclass(frozen=True)
class Category:
    level: int
    name: str
    name_en: str
    color: str


def category(aqi: int | None, standard: Any) -> Category | None:
    """The category (表2) of an integer AQI."""
    if aqi is None:
        return None
    for cat in standard.categories:
        if cat.max_aqi is None or aqi <= cat.max_aqi:
            return Category(cat.level, cat.name, cat.name_en, cat.color)
    return None  # pragma: no cover - the last category is open-ended (validated)


@dataclass(frozen=True)
class DayAqi:
    aqi: int | None
    primary: str
    iaqis: dict[str, int]
    used: tuple[str, ...]
    missing: tuple[str, ...]


def day_aqi(values: dict[str, float | None], standard: Any) -> DayAqi:
    """The AQI of one day from its statistics (keys as in ``DAILY_ITEMS``; missing = None)."""
    levels = tuple(standard.iaqi)
    sub: dict[str, int] = {}
    for column, table, label in DAILY_ITEMS:
        if table not in standard.breakpoints:
            continue
        v = values.get(column)
        result = iaqi(v, tuple(standard.breakpoints[table]), levels)
        if result is not None:
            sub[label] = result
    # 表1 note 3: O3 8-h above 800 has no IAQI (iaqi() gives None); the 1-h IAQI, already
    # in ``sub``, stands for it.
    used = tuple(p for p in FULL_SET if _present(values, p))
    missing = tuple(p for p in FULL_SET if p not in used)
    if not sub:
        return DayAqi(None, "", {}, used, missing)
    aqi_value = max(sub.values())
    primary = ""
    if aqi_value > standard.primary_pollutant_above:
        primary = ",".join(sorted({_pollutant_label(k) for k, v in sub.items() if v == aqi_value}))
    return DayAqi(aqi_value, primary, sub, used, missing)


def _pollutant_label(item: str) -> str:
    return "O3" if item.startswith("O3") else item


def _present(values: dict[str, float | None], pollutant: str) -> bool:
    keys = ("o3_8h", "o3_1h") if pollutant == "o3" else (pollutant,)
    for k in keys:
        v = values.get(k)
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            return True
    return False


def iaqi_array(values: np.ndarray, breakpoints: tuple[float, ...], levels: tuple[int, ...]) -> np.ndarray:
    """Vectorised ``iaqi`` (NaN where it gives None). Floats, then the same rounding up:
    the raw IAQI is first brought to 9 decimals so float noise at a breakpoint (35 µg/m³ →
    50.000000000000007) does not push it to the next integer; ``iaqi`` is the exact reference."""
    v = np.asarray(values, dtype="float64")
    bps = np.asarray(breakpoints, dtype="float64")
    lv = np.asarray(levels[: len(bps)], dtype="float64")
    i = np.clip(np.searchsorted(bps, v, side="left"), 1, len(bps) - 1)
    lo, hi = bps[i - 1], bps[i]
    with np.errstate(invalid="ignore"):
        raw = (lv[i] - lv[i - 1]) / (hi - lo) * (v - lo) + lv[i - 1]
        out = np.ceil(np.round(raw, 9))
        above = v > bps[-1]
        out = np.where(above, np.nan if len(bps) < len(levels) else float(levels[-1]), out)
        out = np.where(np.isnan(v) | (v < 0), np.nan, out)
    return out


def aqi_frame(daily: pd.DataFrame, standard_for: Any) -> pd.DataFrame:
    """AQI per row of a wide daily frame (columns ``day`` and any of pm25 pm10 so2 no2 co
    o3_8h o3_1h, NaN where missing or not valid). ``standard_for(day)`` gives the table in
    force. Adds aqi, category, category_en, level, color, primary, pollutants_used,
    missing, good, heavy."""
    out = daily.copy().reset_index(drop=True)
    n = len(out)
    aqi_values = np.full(n, np.nan)
    primary = np.array([""] * n, dtype=object)
    cat_name = np.array([None] * n, dtype=object)
    cat_en = np.array([None] * n, dtype=object)
    cat_color = np.array([None] * n, dtype=object)
    level = np.full(n, np.nan)
    good = np.array([None] * n, dtype=object)
    heavy = np.array([None] * n, dtype=object)
    standards: dict[int, Any] = {}
    keys = np.zeros(n, dtype="int64")
    for j, day in enumerate(out["day"].tolist() if n else []):
        std = standard_for(day)
        standards.setdefault(id(std), std)
        keys[j] = id(std)
    for key, std in standards.items():
        rows = np.flatnonzero(keys == key)
        levels = tuple(std.iaqi)
        subs: dict[str, np.ndarray] = {}
        for column, table, label in DAILY_ITEMS:
            if column in out.columns and table in std.breakpoints:
                vals = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype="float64")[rows]
                subs[label] = iaqi_array(vals, tuple(std.breakpoints[table]), levels)
        if not subs:
            continue
        stack = np.vstack(list(subs.values()))
        with np.errstate(all="ignore"):
            best = np.where(np.isnan(stack).all(axis=0), np.nan, np.nanmax(np.where(np.isnan(stack), -1, stack), axis=0))
        aqi_values[rows] = best
        labels = list(subs)
        for k, r in enumerate(rows):
            a = best[k]
            if np.isnan(a):
                continue
            if a > std.primary_pollutant_above:
                primary[r] = ",".join(sorted({_pollutant_label(lab) for lab, col in zip(labels, stack[:, k], strict=True) if col == a}))
            cat = category(int(a), std)
            if cat is not None:
                cat_name[r], cat_en[r], cat_color[r], level[r] = cat.name, cat.name_en, cat.color, cat.level
            good[r] = bool(a <= std.good_day_max_aqi)
            heavy[r] = bool(a > std.heavy_day_above_aqi)
    present = {}
    for pol in FULL_SET:
        cols = ["o3_8h", "o3_1h"] if pol == "o3" else [pol]
        have = np.zeros(n, dtype=bool)
        for c in cols:
            if c in out.columns:
                have |= pd.to_numeric(out[c], errors="coerce").notna().to_numpy()
        present[pol] = have
    used = [",".join(p for p in FULL_SET if present[p][r]) for r in range(n)]
    missing = [",".join(p for p in FULL_SET if not present[p][r]) for r in range(n)]
    out["aqi"] = pd.array([None if np.isnan(a) else int(a) for a in aqi_values], dtype="Int64")
    out["category"] = cat_name
    out["category_en"] = cat_en
    out["level"] = pd.array([None if np.isnan(v) else int(v) for v in level], dtype="Int64")
    out["color"] = cat_color
    out["primary"] = primary.astype(str) if n else pd.Series([], dtype=object)
    out["pollutants_used"] = used
    out["missing"] = missing
    out["good"] = pd.array(list(good), dtype="boolean")
    out["heavy"] = pd.array(list(heavy), dtype="boolean")
    return out


def good_day_ratio(good: pd.Series) -> tuple[float | None, int, int]:
    """(ratio in %, good days, days with an AQI); None when no day has an AQI."""
    known = good.dropna()
    if len(known) == 0:
        return None, 0, 0
    n_good = int(known.astype(bool).sum())
    return 100.0 * n_good / len(known), n_good, int(len(known))


def method_text(standard: Any) -> str:
    return (
        f"{standard.standard}: IAQI by linear interpolation, rounded up to an integer; daily AQI = max IAQI of the "
        "24-h SO2, NO2, PM10, PM2.5, CO and the daily max 1-h and 8-h O3 (8-h above 800 µg/m³: 1-h IAQI); "
        f"primary pollutant when AQI > {standard.primary_pollutant_above}; good day AQI ≤ {standard.good_day_max_aqi}; "
        f"heavy-pollution day AQI > {standard.heavy_day_above_aqi}"
    )
