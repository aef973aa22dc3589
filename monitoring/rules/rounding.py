"""Rounding of published figures, GB/T 8170-2008 (四舍六入五成双: round half to even).

Rounding acts on the DECIMAL value a person reads, not on the binary float: 28.35 is
stored as 28.349999…, yet GB/T 8170 gives 28.4. So a float is converted through its
shortest repr (``Decimal(repr(x))``) before it is rounded.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

_MODES = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' NA are missing (never read as zero)."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:
        return False


def round_value(value: float | None, decimals: int = 1, rule: str = "half_even") -> float | None:
    """``value`` rounded to ``decimals`` by ``rule`` on its decimal form; None stays None."""
    if is_missing(value):
        return None
    assert value is not None
    if math.isinf(float(value)):
        return float(value)
    exponent = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(exponent, rounding=_MODES[rule]))


def round_series(values: pd.Series, decimals: int = 1, rule: str = "half_even") -> pd.Series:
    """Element-wise ``round_value``; missing values stay NaN."""
    out = [round_value(v, decimals, rule) for v in values.tolist()]
    return pd.Series([np.nan if v is None else v for v in out], index=values.index, dtype="float64")


def decimals_for(pollutant: str, targets: Any) -> int:
    """The decimals targets.yaml sets for a pollutant (CO has its own)."""
    rounding = targets.standards.rounding
    return int(rounding.co_decimals if pollutant == "co" else rounding.decimals)


def round_for(value: float | None, pollutant: str, targets: Any) -> float | None:
    """A concentration rounded as targets.yaml says for its pollutant."""
    return round_value(value, decimals_for(pollutant, targets), targets.standards.rounding.rule)


def method_text(targets: Any) -> str:
    r = targets.standards.rounding
    rule = "half to even (四舍六入五成双)" if r.rule == "half_even" else "half up"
    return f"{r.standard} {rule}, {r.decimals} decimal(s); CO {r.co_decimals}"
