"""Road-dust grades: the file wins, else thresholds, else unknown; the share is never a fake 0."""

from __future__ import annotations

import pandas as pd

from monitoring.rules.road_dust import grade_frame, grade_from_load, poor_share

ROWS = pd.DataFrame({"load": [0.2, 0.45, 0.7, 0.9], "grade": [None, None, "优", None]})
THRESHOLDS = {"优": 0.3, "良": 0.5, "中": 0.8}


def test_grade_from_load_edges() -> None:
    assert grade_from_load(0.3, THRESHOLDS) == "优"
    assert grade_from_load(0.31, THRESHOLDS) == "良"
    assert grade_from_load(0.8, THRESHOLDS) == "中"
    assert grade_from_load(0.81, THRESHOLDS) == "差"
    assert grade_from_load(0.5, {}) is None


def test_file_grade_wins_then_thresholds() -> None:
    out = grade_frame(ROWS, THRESHOLDS)
    assert out["grade"].tolist() == ["优", "良", "优", "差"]
    assert out["grade_source"].tolist() == ["thresholds", "thresholds", "file", "thresholds"]
    share, graded, total = poor_share(out)
    assert (share, graded, total) == (25.0, 4, 4)


def test_without_thresholds_or_grades_the_share_is_unknown() -> None:
    out = grade_frame(ROWS.assign(grade=None), {})
    assert out["grade_source"].tolist() == ["unknown"] * 4
    share, graded, total = poor_share(out)
    assert share is None and graded == 0 and total == 4


def test_share_counts_only_graded_rows() -> None:
    out = grade_frame(ROWS, {})
    share, graded, total = poor_share(out)
    assert (share, graded, total) == (0.0, 1, 4)
