"""The browser benchmark's results (``monitoring.browser_bench``): each visit, each page's
cold loads, warm loads and switches, the ratios to the one-line page and the report table.

Each ratio is given as the median over the rounds and as its range round by round (each
round's page against the same round's one-line page, visited just before it): two runs of the
same code on the same idle machine have differed by up to 0.5 × on a page (docs/PERFORMANCE.md,
"Browser"), and the range shows how far one run can be trusted.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

#: The goals: each page's cold load ≤ 1.5 × the one-line page (2 × at most), a switch ≤ 0.5 s.
COLD_RATIO_GOAL = 1.5
COLD_RATIO_LIMIT = 2.0
SWITCH_GOAL_S = 0.5


@dataclass
class Visit:
    """One measured load or switch."""

    settled_s: float  # page clock: navigation start (or click) → settled
    wall_s: float  # the driver's clock: goto (or click) → settled seen
    runs: int  # script runs it took
    http_kb: float = 0.0
    ws_kb: float = 0.0
    error: str = ""


@dataclass
class PageResult:
    path: str
    first: Visit | None = None  # the first visit since the server started
    cold: list[Visit] = field(default_factory=list)
    warm: list[Visit] = field(default_factory=list)  # a new session with the HTTP cache of a first visit
    switch: list[Visit] = field(default_factory=list)

    @property
    def cold_s(self) -> float:
        return statistics.median(v.settled_s for v in self.cold) if self.cold else float("nan")

    @property
    def warm_s(self) -> float:
        return statistics.median(v.settled_s for v in self.warm) if self.warm else float("nan")

    @property
    def switch_s(self) -> float:
        return statistics.median(v.settled_s for v in self.switch) if self.switch else float("nan")


@dataclass
class DataSetResult:
    name: str
    reference: PageResult
    pages: dict[str, PageResult]
    chart: PageResult | None = None  # the one-chart floor (informational)

    def ratio(self, path: str) -> float:
        return self.pages[path].cold_s / self.reference.cold_s

    def round_ratios(self, path: str) -> list[float]:
        """Each measured round's cold load ÷ the one-line page's in the same round."""
        return [p.settled_s / r.settled_s for p, r in zip(self.pages[path].cold, self.reference.cold, strict=False)]

    def warm_ratio(self, path: str) -> float:
        return self.pages[path].warm_s / self.reference.warm_s if self.reference.warm else float("nan")

    def passed(self) -> bool:
        return all(self.ratio(p) <= COLD_RATIO_LIMIT and not self.pages[p].switch_s > SWITCH_GOAL_S for p in self.pages)


@dataclass
class BrowserReport:
    started: str
    seconds: float
    machine: dict[str, str]
    command: str
    data_sets: list[DataSetResult]

    def text(self) -> str:
        machine = ", ".join(f"{k}: {v}" for k, v in self.machine.items())
        out = [f"`{self.command}` — {self.started}, {self.seconds:.0f} s", "", f"Machine: {machine}", ""]
        for ds in self.data_sets:
            ref = ds.reference
            out += [
                f"**{ds.name}** — one-line page: cold {ref.cold_s:.2f} s, warm {ref.warm_s:.2f} s "
                f"(first visit {_fmt(ref.first)})"
                + (f"; one-chart page: cold {ds.chart.cold_s:.2f} s, ratio {ds.chart.cold_s / ref.cold_s:.2f}"
                   f" (warm {ds.chart.warm_s / ref.warm_s:.2f})" if ds.chart else ""),
                "",
                "| page | cold (median) | ratio to one-line | by round | ratio to one-chart | warm (median) | warm ratio "
                "| wall | first visit | switch (median) | KB http / ws | result |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|",
            ]
            for path, r in ds.pages.items():
                ratio = ds.ratio(path)
                verdict = "pass" if ratio <= COLD_RATIO_GOAL else ("pass (≤ 2×)" if ratio <= COLD_RATIO_LIMIT else "FAIL")
                if r.switch and r.switch_s > SWITCH_GOAL_S:
                    verdict += ", switch FAIL"
                errors = {v.error for v in [*r.cold, *r.switch] if v.error}
                if errors:
                    verdict += " — " + "; ".join(sorted(errors))[:200]
                wall = statistics.median(v.wall_s for v in r.cold) if r.cold else float("nan")
                kb = (f"{statistics.median(v.http_kb for v in r.cold):.0f} / {statistics.median(v.ws_kb for v in r.cold):.0f}"
                      if r.cold else "")
                switch = f"{r.switch_s:.2f} s" if r.switch else "—"
                floor = f"{r.cold_s / ds.chart.cold_s:.2f}" if ds.chart else "—"
                by_round = ds.round_ratios(path)
                spread = f"{min(by_round):.2f}–{max(by_round):.2f}" if by_round else "—"
                out.append(f"| {path} | {r.cold_s:.2f} s | {ratio:.2f} | {spread} | {floor} | {r.warm_s:.2f} s | "
                           f"{ds.warm_ratio(path):.2f} | {wall:.2f} s | {_fmt(r.first)} | {switch} | {kb} | {verdict} |")
            out.append("")
        out.append(
            f"Cold: a fresh browser context per load, median of the rounds after the first; warm: the same context "
            f"opening the page again (Streamlit's static files cached); ratio = page / one-line page in the same run (goal ≤ {COLD_RATIO_GOAL:g}, at most {COLD_RATIO_LIMIT:g}); "
            f"by round: the lowest and highest of each round's page ÷ that round's one-line page. Switch: click on the "
            f"page's sidebar link until settled (goal ≤ {SWITCH_GOAL_S:g} s). Settled: see monitoring/browser_bench.py."
        )
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "started": self.started, "seconds": self.seconds, "machine": self.machine, "command": self.command,
            "data_sets": [
                {
                    "name": ds.name,
                    "reference": asdict(ds.reference),
                    "chart": asdict(ds.chart) if ds.chart else None,
                    "pages": {p: {**asdict(r), "cold_s": r.cold_s, "ratio": ds.ratio(p), "round_ratios": ds.round_ratios(p),
                                  "warm_s": r.warm_s,
                                  "warm_ratio": ds.warm_ratio(p), "switch_s": r.switch_s}
                              for p, r in ds.pages.items()},
                }
                for ds in self.data_sets
            ],
        }

    @property
    def passed(self) -> bool:
        return all(ds.passed() for ds in self.data_sets)


def _fmt(v: Visit | None) -> str:
    return "—" if v is None else f"{v.settled_s:.2f} s"


# -- servers ------------------------------------------------------------------------------
