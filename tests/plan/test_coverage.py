"""Road-dust coverage rules on hand-made frames: re-check, quarterly coverage, months clear."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring.rules import coverage as cov

NO_BOUNDS: dict[str, float] = {}


def frame(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """(subdistrict, road, month YYYY-MM, grade)"""
    return pd.DataFrame(
        [(s, r, dt.date.fromisoformat(m + "-01"), 0.5, g) for s, r, m, g in rows],
        columns=["subdistrict", "road", "day", "load", "grade"],
    )


def test_poor_road_not_measured_again_is_listed() -> None:
    data = frame([
        ("德胜", "A路", "2026-03", "差"), ("德胜", "B路", "2026-03", "良"), ("月坛", "C路", "2026-03", "差"),
        ("月坛", "C路", "2026-04", "良"), ("德胜", "B路", "2026-04", "良"),
    ])
    result = cov.coverage(data, month="2026-04", thresholds=NO_BOUNDS)
    assert result.recheck_required == 2
    assert result.recheck_missing.values.tolist() == [["德胜", "A路", "2026-03"]]


def test_quarter_lists_roads_never_measured_in_it() -> None:
    data = frame([
        ("德胜", "A路", "2026-01", "良"), ("德胜", "B路", "2026-02", "良"),
        ("德胜", "A路", "2026-04", "良"),  # B路 not measured in Q2
        ("月坛", "C路", "2026-05", "优"),  # C路 not measured in Q1
    ])
    result = cov.coverage(data, month="2026-06", thresholds=NO_BOUNDS)
    assert sorted(result.quarter_missing.values.tolist()) == [["德胜", "2026Q2", "B路"], ["月坛", "2026Q1", "C路"]]
    q = result.quarters.set_index(["subdistrict", "quarter"])
    assert bool(q.loc[("德胜", "2026Q1"), "complete"]) and not bool(q.loc[("德胜", "2026Q2"), "complete"])
    assert bool(q.loc[("德胜", "2026Q2"), "finished"])
    open_q = cov.coverage(data, month="2026-05", thresholds=NO_BOUNDS).quarters
    assert not open_q[open_q["quarter"] == "2026Q2"]["finished"].any()  # May: Q2 still running


def test_months_running_with_no_poor_road() -> None:
    data = frame([
        ("德胜", "A路", "2026-01", "差"), ("月坛", "C路", "2026-01", "良"),
        ("德胜", "A路", "2026-02", "中"), ("月坛", "C路", "2026-02", "良"),
        ("德胜", "A路", "2026-03", "良"),  # 月坛 not measured, nothing poor there before
        ("月坛", "C路", "2026-04", "差"), ("德胜", "A路", "2026-04", "良"),
    ])
    at_march = cov.coverage(data, month="2026-03", thresholds=NO_BOUNDS)
    assert at_march.district_streak.months == 2 and at_march.district_streak.cleared_two_months
    streaks = at_march.streaks.set_index("scope")
    assert streaks.loc["德胜", "months"] == 2 and streaks.loc["德胜", "stopped_by"] == cov.POOR_FOUND
    assert streaks.loc["月坛", "months"] == 3  # clear all along; March unmeasured with nothing to re-check
    at_april = cov.coverage(data, month="2026-04", thresholds=NO_BOUNDS)
    assert at_april.district_streak.months == 0 and not at_april.district_streak.cleared_two_months
    assert at_april.streaks.set_index("scope").loc["德胜", "months"] == 4 - 1  # Feb, Mar, Apr


def test_a_month_without_measurements_breaks_the_district_streak() -> None:
    data = frame([("德胜", "A路", "2026-01", "良"), ("德胜", "A路", "2026-03", "良")])
    result = cov.coverage(data, month="2026-03", thresholds=NO_BOUNDS)
    assert result.district_streak.months == 1
    assert result.district_streak.stopped_by == cov.NO_DATA and result.district_streak.stopped_at == "2026-02"


def test_unknown_grade_is_never_counted_as_not_poor() -> None:
    data = pd.DataFrame(
        [("德胜", "A路", dt.date(2026, m, 1), 0.9, None) for m in (1, 2, 3)],
        columns=["subdistrict", "road", "day", "load", "grade"],
    )
    result = cov.coverage(data, month="2026-03", thresholds=NO_BOUNDS)
    assert not result.grades_known and result.notes
    assert result.district_streak.months == 0 and result.district_streak.stopped_by == cov.UNKNOWN
    # with the bureau's bounds set, the same loads are graded
    graded = cov.coverage(data, month="2026-03", thresholds={"优": 0.3, "良": 0.5, "中": 0.8})
    assert graded.grades_known and graded.district_streak.months == 0
    assert graded.district_streak.stopped_by == cov.POOR_FOUND
    assert cov.coverage(data, month="2026-02", thresholds={"优": 0.3, "良": 0.5, "中": 1.0}).district_streak.months == 2


def test_poor_road_left_unmeasured_is_not_clear() -> None:
    data = frame([
        ("德胜", "A路", "2026-01", "差"), ("月坛", "C路", "2026-01", "良"),
        ("月坛", "C路", "2026-02", "良"),  # 德胜's poor road not re-checked
    ])
    result = cov.coverage(data, month="2026-02", thresholds=NO_BOUNDS)
    assert result.streaks.set_index("scope").loc["德胜", "stopped_by"] == cov.POOR_UNCHECKED
    assert result.recheck_missing.values.tolist() == [["德胜", "A路", "2026-01"]]
