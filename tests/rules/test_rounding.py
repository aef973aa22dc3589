"""GB/T 8170 half-to-even rounding on the decimal value, not the binary float."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from monitoring.rules.rounding import decimals_for, round_series, round_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (28.25, 28.2),  # 5 after an even digit: stays
        (28.35, 28.4),  # 5 after an odd digit: up (though 28.35 is 28.3499… in binary)
        (28.45, 28.4),
        (28.55, 28.6),
        (28.251, 28.3),  # more than half
        (28.349, 28.3),
        (28.36, 28.4),
        (0.05, 0.0),
        (0.15, 0.2),
        (-0.05, 0.0),
        (29.0, 29.0),
    ],
)
def test_half_even_one_decimal(value: float, expected: float) -> None:
    assert round_value(value, 1) == expected


def test_binary_floats_that_are_not_what_they_print() -> None:
    # the float 28.15 is below 28.15, so Python's round() says 28.1; GB/T 8170 reads the
    # decimal 28.15 (1 is odd) and gives 28.2. Same for 28.95 and 0.15.
    from decimal import Decimal

    assert Decimal(28.15) < Decimal("28.15")
    assert round(28.15, 1) == 28.1
    assert round_value(28.15, 1) == 28.2
    assert round_value(28.95, 1) == 29.0
    assert round_value(0.15, 1) == 0.2
    assert round_value(28.35, 1) == 28.4
    # a computed mean: (28.2 + 28.5) / 2 printed 28.35, and float noise around the half
    assert round_value((28.2 + 28.5) / 2, 1) == 28.4
    assert round_value(28.349999999999998, 1) == 28.4
    assert round_value(28.250000000000004, 1) == 28.2
    # both spellings of the input agree
    assert round_value(float("28.25"), 1) == round_value(28.25, 1) == 28.2


def test_zero_decimals_and_half_up() -> None:
    assert round_value(28.5, 0) == 28.0
    assert round_value(29.5, 0) == 30.0
    assert round_value(28.25, 1, "half_up") == 28.3


def test_missing_stays_missing() -> None:
    assert round_value(None, 1) is None
    assert round_value(float("nan"), 1) is None
    s = round_series(pd.Series([28.25, float("nan"), 28.35]), 1)
    assert s.iloc[0] == 28.2 and math.isnan(s.iloc[1]) and s.iloc[2] == 28.4


def test_decimals_come_from_targets(targets) -> None:  # type: ignore[no-untyped-def]
    assert decimals_for("pm25", targets) == targets.standards.rounding.decimals
    assert decimals_for("co", targets) == targets.standards.rounding.co_decimals


def test_vectorised_rounding_agrees_with_the_decimal_one() -> None:
    import random

    import numpy as np

    from monitoring.rules.rounding import round_array

    rng = random.Random(42)
    values = [rng.uniform(-50, 500) for _ in range(2000)]
    values += [round(rng.uniform(0, 200), 2) for _ in range(2000)]  # many exact halves at 1 decimal
    values += [k / 100 + 0.005 for k in range(0, 5000, 7)]  # halves at 2 decimals
    values += [(a + b) / 2 for a, b in zip(values[:500], values[500:1000], strict=True)]
    for decimals in (0, 1, 2):
        for rule in ("half_even", "half_up"):
            got = round_array(np.array(values), decimals, rule)
            want = [round_value(v, decimals, rule) for v in values]
            assert got.tolist() == want, (decimals, rule)
