"""Annual evaluation statistics (HJ 663): the statistic a pollutant's annual figure is, the
HJ 663 percentile, and the three-year moving average (HJ 663—2026).

Which pollutants are percentiles, of what, and whether a moving average exists, are data
(``standards.evaluation`` in targets.yaml); this module only does the arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def hj663_percentile(values: Sequence[float] | np.ndarray, p: float) -> float | None:
    """The p-th percentile (p in %) by HJ 663: sort ascending, k = 1 + (n−1)·p/100, then
    X[s] + (X[s+1] − X[s])·(k − s) with s the integer part of k (1-based order statistics)."""
    x = np.sort(np.asarray(values, dtype="float64")[~np.isnan(np.asarray(values, dtype="float64"))])
    n = len(x)
    if n == 0:
        return None
    k = 1 + (n - 1) * p / 100.0
    s = int(math.floor(k))
    if s >= n:
        return float(x[-1])
    return float(x[s - 1] + (x[s] - x[s - 1]) * (k - s))


def annual_statistic(values: Sequence[float] | np.ndarray, pollutant: str, rule: Any) -> float | None:
    """A period's figure from its valid daily values: the percentile the evaluation rule names
    for the pollutant (CO 95th of daily means, O3 90th of daily max 8-h means), else the mean."""
    v = np.asarray(values, dtype="float64")
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return None
    p = rule.annual_percentile.get(pollutant)
    if p is not None:
        return hj663_percentile(v, float(p))
    return float(v.mean())


def statistic_name(pollutant: str, rule: Any) -> tuple[str, str]:
    """The statistic's name (zh, en), naming the evaluation standard."""
    p = rule.annual_percentile.get(pollutant)
    tag = f"（{rule.standard}{'，暂定' if rule.provisional else ''}）"
    tag_en = f" ({rule.standard}{', provisional' if rule.provisional else ''})"
    if p is None:
        return "有效日均值的算术平均" + tag, "mean of valid daily means" + tag_en
    pct = f"{float(p):g}"
    method_zh = f"，百分位数 k = 1 + (n−1)·{pct}%，相邻序数值线性内插"
    method_en = f"; percentile k = 1 + (n−1)·{pct}%, linear between order statistics"
    if pollutant == "o3":
        return (f"日最大8小时滑动平均第{pct}百分位数{method_zh}{tag}",
                f"{pct}th percentile of daily maximum 8-hour means{method_en}{tag_en}")
    return (f"24小时平均第{pct}百分位数{method_zh}{tag}", f"{pct}th percentile of 24-hour means{method_en}{tag_en}")


def moving_average(annual_values: Sequence[float | None]) -> float | None:
    """The mean of the annual values (unrounded; the caller rounds once), None when any is missing."""
    if not annual_values or any(v is None or (isinstance(v, float) and math.isnan(v)) for v in annual_values):
        return None
    return float(sum(float(v) for v in annual_values if v is not None) / len(annual_values))
