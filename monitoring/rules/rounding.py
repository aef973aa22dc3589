"""Rounding of published figures, GB/T 8170-2008 (四舍六入五成双: round half to even).

Rounding acts on the DECIMAL value a person reads, not on the binary float: 28.35 is
stored as 28.349999…, yet GB/T 8170 gives 28.4. So a float is converted through its
shortest repr (``Decimal(repr(x))``) and first brought to 9 decimals, which removes the
noise of float arithmetic (a mean of 28.2 and 28.5 may come out as 28.349999999999998),
before the rule is applied at the published precision.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from monitoring.targets import decimals_key

#: Below this, a float's digits are arithmetic noise, not measurement.
_NOISE = Decimal("1e-9")
_MODES = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}


def is_missing(value: Any) -> bool:
    """None, NaN, NaT and pandas' NA are missing (never read as zero); a list or text is not.

    The one test of a missing value, for rules, reports and the dashboard alike.
    """
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if not pd.api.types.is_scalar(value):  # a list or array is not one missing value
        return False
    return bool(pd.isna(value))


def round_value(value: float | None, decimals: int = 1, rule: str = "half_even") -> float | None:
    """``value`` rounded to ``decimals`` by ``rule`` on its decimal form; None stays None."""
    if is_missing(value):
        return None
    assert value is not None
    if math.isinf(float(value)):
        return float(value)
    exact = Decimal(repr(float(value))).quantize(_NOISE, rounding=ROUND_HALF_EVEN)
    # + 0.0: -0.0 (a tiny negative gap) is printed as 0.0
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=_MODES[rule])) + 0.0


def round_array(values: np.ndarray, decimals: int = 1, rule: str = "half_even") -> np.ndarray:
    """Vectorised ``round_value`` (NaN stays NaN). Scaled by 10**decimals and brought to the
    same 9-decimal precision first, a decimal half (28.15 → 281.5) is exactly representable,
    so numpy's half-to-even rounding then acts on the decimal value; tests hold it equal to
    ``round_value``."""
    x = np.asarray(values, dtype="float64")
    scale = 10.0**decimals
    snapped = np.round(x * scale, max(9 - decimals, 0))
    # half_up: away from zero at the half, as GB/T 8170's 四舍五入 does for negatives
    whole = np.round(snapped) if rule == "half_even" else np.sign(snapped) * np.floor(np.abs(snapped) + 0.5)
    return whole / scale + 0.0


def round_series(values: pd.Series, decimals: int = 1, rule: str = "half_even") -> pd.Series:
    """Element-wise ``round_value``; missing values stay NaN."""
    numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(round_array(numeric, decimals, rule), index=values.index, dtype="float64")


def decimals_for(pollutant: str, targets: Any) -> int:
    """The decimals targets.yaml sets for a pollutant (CO has its own: targets.POLLUTANT_TABLE)."""
    return int(getattr(targets.standards.rounding, decimals_key(pollutant)))


def round_for(value: float | None, pollutant: str, targets: Any) -> float | None:
    """A concentration rounded as targets.yaml says for its pollutant."""
    return round_value(value, decimals_for(pollutant, targets), targets.standards.rounding.rule)


def method_text(targets: Any) -> str:
    r = targets.standards.rounding
    rule = "half to even" if r.rule == "half_even" else "half up"  # English text: no Chinese in it
    return f"{r.standard} {rule}, {r.decimals} decimal(s); CO {r.co_decimals}"
