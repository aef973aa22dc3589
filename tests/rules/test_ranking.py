"""Ranking as Beijing publishes it: ascending, ties share a rank, the next one skips."""

from __future__ import annotations

import pandas as pd

from monitoring.rules.ranking import change_pct, competition_rank
from monitoring.rules.rounding import round_series


def test_ties_share_and_skip() -> None:
    ranks = competition_rank(pd.Series([28.1, 28.2, 28.2, 28.3]))
    assert ranks.tolist() == [1, 2, 2, 4]


def test_ties_are_on_the_rounded_value() -> None:
    raw = pd.Series([28.14, 28.06, 28.16])
    assert competition_rank(raw).tolist() == [2, 1, 3]
    assert competition_rank(round_series(raw, 1)).tolist() == [1, 1, 3]  # 28.1, 28.1, 28.2


def test_missing_has_no_rank() -> None:
    ranks = competition_rank(pd.Series([30.0, float("nan"), 29.0]))
    assert ranks.iloc[0] == 2 and ranks.iloc[2] == 1 and pd.isna(ranks.iloc[1])


def test_change() -> None:  # the status is rules.verdict's (tests/rules/test_verdict.py)
    assert change_pct(45.0, 50.0) == -10.0
    assert change_pct(45.0, None) is None
