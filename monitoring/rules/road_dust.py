"""Road-dust load (道路尘负荷, g/m²): grades and the share of poor-grade roads.

A road's grade is the one given in the file (优/良/中/差); else, when the bureau has set
thresholds in targets.yaml (``road_dust.grades``: the upper bound of 优, 良, 中, above
the last is 差), the grade from its load; else unknown. The share of poor-grade roads is
差 roads over graded roads, per measurement (road × month); with no grade at all it is
unknown (None), never 0.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

GRADE_ORDER = ("优", "良", "中", "差")


def grade_from_load(load: float, thresholds: dict[str, float]) -> str | None:
    """The grade of a load under the thresholds (upper bounds, inclusive); None without thresholds."""
    if not thresholds:
        return None
    for grade in ("优", "良", "中"):
        bound = thresholds.get(grade)
        if bound is not None and load <= bound:
            return grade
    if "中" not in thresholds:
        return None  # bounds stop short: above them the grade is not defined
    return "差"


def grade_frame(rows: pd.DataFrame, thresholds: dict[str, Any]) -> pd.DataFrame:
    """Add ``grade`` and ``grade_source`` (file / thresholds / unknown) to road-dust rows."""
    out = rows.copy()
    grades: list[str | None] = []
    sources: list[str] = []
    for given, load in zip(out["grade"].tolist(), out["load"].tolist(), strict=True):
        if isinstance(given, str) and given in GRADE_ORDER:
            grades.append(given)
            sources.append("file")
            continue
        computed = grade_from_load(float(load), {k: float(v) for k, v in thresholds.items()})
        grades.append(computed)
        sources.append("thresholds" if computed is not None else "unknown")
    out["grade"] = grades
    out["grade_source"] = sources
    return out


def poor_share(graded: pd.DataFrame) -> tuple[float | None, int, int]:
    """(share of 差 in %, graded measurements, all measurements); None when none is graded."""
    known = graded["grade"].dropna()
    if len(known) == 0:
        return None, 0, len(graded)
    return 100.0 * float((known == "差").sum()) / len(known), int(len(known)), len(graded)
