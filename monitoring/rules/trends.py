"""Trend statistics over yearly values: Theil–Sen slope with its confidence interval and
the Mann–Kendall test (Kendall's tau of value against year), both from SciPy. Series
shorter than ``MIN_POINTS`` are refused rather than tested: a test on so few years
prints noise."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

MIN_POINTS = 6


def trend_statistics(years: list[int], values: list[float], alpha: float = 0.05) -> dict[str, Any]:
    """{"n", "refused", "theil_sen": {slope, intercept, low, high, confidence}, "mann_kendall": {tau, p, trend}}."""
    pairs = [(int(y), float(v)) for y, v in zip(years, values, strict=True) if v is not None and not math.isnan(float(v))]
    n = len(pairs)
    if n < MIN_POINTS:
        return {
            "n": n,
            "refused": f"{n} yearly values: at least {MIN_POINTS} are needed for a trend test",
            "refused_zh": f"只有 {n} 个年度值，至少需要 {MIN_POINTS} 个才能做趋势检验",
            "theil_sen": None,
            "mann_kendall": None,
        }
    # imported here: scipy.stats takes ~1 s to import, which every page (and the CLI) paid
    # at start-up for the one page that draws a trend
    from scipy import stats

    x = np.array([p[0] for p in pairs], dtype="float64")
    y = np.array([p[1] for p in pairs], dtype="float64")
    slope, intercept, low, high = stats.theilslopes(y, x, alpha=1 - alpha)
    tau, p = stats.kendalltau(x, y)
    tau_f = float(tau) if not math.isnan(float(tau)) else 0.0
    p_f = float(p) if not math.isnan(float(p)) else 1.0
    word = "no significant trend"
    if p_f < alpha:
        word = "decreasing" if tau_f < 0 else "increasing"
    return {
        "n": n,
        "refused": None,
        "refused_zh": None,
        "theil_sen": {
            "slope": float(slope),
            "intercept": float(intercept),
            "low": float(low),
            "high": float(high),
            "confidence": 1 - alpha,
        },
        "mann_kendall": {"tau": tau_f, "p": p_f, "trend": word},
    }


def theil_sen_slope(years: list[int], values: list[float]) -> dict[str, float] | None:
    """Theil–Sen slope (per year) with its 95 % interval, without a significance test: the
    size of a change over a few recent years (at least 3 values; None below that)."""
    pairs = [(int(y), float(v)) for y, v in zip(years, values, strict=True) if v is not None and not math.isnan(float(v))]
    if len(pairs) < 3:
        return None
    from scipy import stats

    slope, intercept, low, high = stats.theilslopes([p[1] for p in pairs], [p[0] for p in pairs], alpha=0.95)
    return {"slope": float(slope), "intercept": float(intercept), "low": float(low), "high": float(high)}


def direction_of_change(current: float | None, previous: float | None) -> Literal["down", "up", "flat"] | None:
    """The trend word against the same period of last year (values as rounded and shown);
    None when either is missing."""
    if current is None or previous is None or math.isnan(current) or math.isnan(previous):
        return None
    if current < previous:
        return "down"
    if current > previous:
        return "up"
    return "flat"


def in_series(kind: str, complete: bool, year: int, plan_years: set[int]) -> bool:
    """Whether a year's row enters the trend test: the plan's published table always; a
    measured year only when complete and not already given by the plan's table (one value a
    year, the published one first); generated demo years never."""
    return kind == "plan_table" or (kind == "data" and complete and year not in plan_years)
