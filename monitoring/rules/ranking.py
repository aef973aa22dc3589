"""Ranking as Beijing publishes it: ascending by the (rounded) concentration, equal values
share a rank and the next rank skips (1, 2, 2, 4). A subdistrict without a figure has no
rank. Incomplete periods are ranked like the others but flagged (``complete`` False, status
"incomplete"), as the published rankings of a year in progress are."""

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


def status_for(mean: float | None, target: float | None, complete: bool) -> str:
    """meets / exceeds / incomplete / no_data (no_target when the pollutant has no limit)."""
    if mean is None or pd.isna(mean):
        return "no_data"
    if not complete:
        return "incomplete"
    if target is None or pd.isna(target):
        return "no_target"
    return "meets" if float(mean) <= float(target) else "exceeds"
