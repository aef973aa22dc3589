"""Ranking as Beijing publishes it: ascending by the (rounded) concentration, equal values
share a rank and the next rank skips (1, 2, 2, 4). A subdistrict without a figure has no
rank. Incomplete periods are ranked like the others but flagged (``complete`` False); their
status comes from ``rules.verdict``."""

from __future__ import annotations

import pandas as pd


def competition_rank(values: pd.Series) -> pd.Series:
    """Standard competition ranking ("1224"), ascending; NaN gets no rank (<NA>)."""
    ranks = pd.to_numeric(values, errors="coerce").rank(method="min", ascending=True, na_option="keep")
    return ranks.astype("Int64")


def change_pct(current: float | None, previous: float | None) -> float | None:
    """Change on the same period of last year, in % of last year's value; None without both."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous) or previous == 0:
        return None
    return 100.0 * (float(current) - float(previous)) / float(previous)
