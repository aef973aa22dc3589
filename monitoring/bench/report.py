"""The bench's table: figures, the references they are set against, wall and CPU ratios, verdicts."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, PositiveFloat, ValidationError

from monitoring import settings_file

GOALS_PATH = Path(__file__).with_name("goals.yaml")


class IngestGoals(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cpu_ratio_to_floor: PositiveFloat
    peak_memory_mb: PositiveFloat
    reingest_ratio: PositiveFloat


class PageGoals(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cold_s: PositiveFloat
    warm_s: PositiveFloat


class Goals(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ingest: IngestGoals
    pages: PageGoals


def load_goals(path: Path = GOALS_PATH) -> Goals:
    """goals.yaml, validated; a wrong file is one ConfigError line naming the key."""
    data = settings_file.read_yaml_mapping(path, setting="the bench", what="bench goals file", what_zh="基准目标文件")
    try:
        return Goals.model_validate(data)
    except ValidationError as exc:
        raise settings_file.one_line(
            exc, data, path, label_keys=(), hints={}, default_hint="correct the value following the comment above it"
        ) from None


@dataclass
class Row:
    """One line of the table: a figure, the reference it is set against, and the verdict.

    ``judge`` says which ratio the goal applies to: ``wall`` (seconds on the clock) or
    ``cpu`` (user + system seconds, children included where the work runs in a child).
    """

    figure: str
    value: float
    unit: str
    ref_name: str
    ref: float
    goal: float | None  # the largest judged ratio that passes; None: informational
    note: str = ""
    runs: list[float] = field(default_factory=list)
    failed_check: bool = False  # a condition beside the ratio failed (e.g. re-ingest added rows)
    cpu: float | None = None  # CPU seconds (user + system) of the same measurement
    ref_cpu: float | None = None
    judge: Literal["wall", "cpu"] = "wall"

    @property
    def ratio(self) -> float:
        return self.value / self.ref if self.ref else float("nan")

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu is None or not self.ref_cpu:
            return None
        return self.cpu / self.ref_cpu

    @property
    def judged_ratio(self) -> float | None:
        return self.cpu_ratio if self.judge == "cpu" else self.ratio

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return "info"
        judged = self.judged_ratio
        return "PASS" if judged is not None and judged <= self.goal and not self.failed_check else "FAIL"


@dataclass
class Report:
    machine: dict[str, str]
    command: str
    rows: list[Row]
    started: str
    seconds: float

    def table(self) -> str:
        head = ("figure", "value", "reference (same run)", "wall ratio", "CPU ratio", "goal", "result")
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
        for r in self.rows:
            goal = "—" if r.goal is None else f"{'CPU' if r.judge == 'cpu' else 'wall'} ≤ {r.goal:g}"
            if r.unit == "s":
                value = f"{r.value:.3f} s" + ("" if r.cpu is None else f" (CPU {r.cpu:.2f} s)")
                ref = f"{r.ref_name}: {r.ref:.3f} s" + ("" if r.ref_cpu is None else f" (CPU {r.ref_cpu:.2f} s)")
            else:
                value, ref = f"{r.value:.0f} {r.unit}", f"{r.ref_name}: {r.ref:.0f} {r.unit}"
            cpu = "" if r.cpu_ratio is None else f"{r.cpu_ratio:.2f}"
            result = r.verdict + (f" — {r.note}" if r.note else "")
            lines.append(f"| {r.figure} | {value} | {ref} | {r.ratio:.2f} | {cpu} | {goal} | {result} |")
        return "\n".join(lines)

    def text(self) -> str:
        machine = ", ".join(f"{k}: {v}" for k, v in self.machine.items())
        return (
            f"`{self.command}` — {self.started}, {self.seconds:.0f} s\n\nMachine: {machine}\n\n"
            f"{self.table()}\n\nValues are medians of the repeated runs. Wall ratio: seconds on the clock "
            "÷ the reference's, measured in the same run; CPU ratio: CPU seconds (user + system; the child's, "
            "where the work runs in a child) ÷ the reference's. The goal column says which ratio it judges: "
            "on a shared machine the wall clock measures the queue, CPU time the work."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "command": self.command,
            "started": self.started,
            "seconds": self.seconds,
            "rows": [
                {**asdict(r), "ratio": r.ratio, "cpu_ratio": r.cpu_ratio, "result": r.verdict} for r in self.rows
            ],
        }

    @property
    def passed(self) -> bool:
        return all(r.verdict != "FAIL" for r in self.rows)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "pandas": pd.__version__,
        "load average at start": load,
    }
