"""The bench's goals are data (monitoring/bench/goals.yaml): read, and refused in one line when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitoring.bench.report import GOALS_PATH, Row, load_goals
from monitoring.errors import ConfigError


def test_the_shipped_goals_are_the_issues() -> None:
    goals = load_goals()
    assert goals.ingest.cpu_ratio_to_floor == 1.3
    assert goals.ingest.peak_memory_mb == 300
    assert (goals.pages.cold_s, goals.pages.warm_s) == (1.0, 0.2)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("cpu_ratio_to_floor: 1.3", "cpu_ratio_to_floor: -1", "ingest.cpu_ratio_to_floor"),
        ("cpu_ratio_to_floor: 1.3", "cpu_ratio_to_flor: 1.3", "ingest.cpu_ratio_to_floor: Field required"),  # a typo
        ("warm_s: 0.2", "warm_s: fast", "pages.warm_s"),
    ],
)
def test_a_wrong_goal_is_one_line_naming_the_key(tmp_path: Path, old: str, new: str, where: str) -> None:
    text = GOALS_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "goals.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_goals(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"goals.yaml: {where}")


def test_the_ingest_goal_judges_cpu_not_the_wall_clock() -> None:
    # 1.5 × on the clock (a busy machine), 1.2 × in CPU: passes a CPU goal of 1.3
    row = Row("ingest", 3.0, "s", "floor", 2.0, 1.3, cpu=2.4, ref_cpu=2.0, judge="cpu")
    assert row.ratio == pytest.approx(1.5) and row.cpu_ratio == pytest.approx(1.2)
    assert row.verdict == "PASS"
    row.cpu = 2.8  # 1.4 × in CPU
    assert row.verdict == "FAIL"
    assert Row("reference", 1.0, "s", "itself", 1.0, None).verdict == "info"
