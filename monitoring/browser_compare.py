"""``python -m monitoring bench --browser --compare TREE``: this code against another copy of it.

Why: two runs of the whole browser benchmark on the same idle machine have differed by up to
0.5 × on a page (docs/PERFORMANCE.md, "Browser"), more than most changes move it. Here both
codes run at once, under the same load, and take turns: each round opens the one-line page, then
each page from one tree and from the other, the trees' order swapped every round; then sidebar
switches, tree by tree, in the same alternation. The first round (caches empty) is not counted.
The median difference per page is the change's own, to within what the rounds' spread says.

TREE: a directory holding the project at another commit (``git worktree add /tmp/before HEAD~1``),
run with this Python and on the embedded data, both servers on the same database file.
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitoring import config
from monitoring.browser_bench import (
    chromium,
    cold_visit,
    embedded_database,
    reference_page,
    server_env,
    streamlit_server,
    switch_visits,
    users_env,
)
from monitoring.errors import InputError

#: The two codes' keys in a Comparison: the project this command runs from, and TREE.
TREES = ("this", "other")


@dataclass
class Comparison:
    """Settled seconds per tree and page (cold loads and switches), with the one-line page's."""

    roots: tuple[str, str]  # this code's folder, the other tree's
    paths: list[str]
    reference: list[float] = field(default_factory=list)
    cold: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # "this"/"other" → page → seconds
    switch: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def median(self, kind: str, tree: str, path: str) -> float:
        values = getattr(self, kind)[tree][path]
        return statistics.median(values) if values else float("nan")

    def text(self) -> str:
        this, other = TREES
        ref = statistics.median(self.reference) if self.reference else float("nan")
        lines = [
            f"this code: {self.roots[0]}", f"other tree: {self.roots[1]}",
            f"one-line page: cold {ref:.2f} s (median of {len(self.reference)} rounds)", "",
            "| page | cold, this | cold, other | this − other | switch, this | switch, other | this − other |",
            "|---|---|---|---|---|---|---|",
        ]
        for path in self.paths:
            c1, c2 = self.median("cold", this, path), self.median("cold", other, path)
            s1, s2 = self.median("switch", this, path), self.median("switch", other, path)
            lines.append(f"| {path} | {c1:.2f} s ({c1 / ref:.2f} ×) | {c2:.2f} s ({c2 / ref:.2f} ×) | {c1 - c2:+.2f} s "
                         f"| {s1:.2f} s | {s2:.2f} s | {s1 - s2:+.2f} s |")
        lines += ["", "Medians over the measured rounds; negative: this code is faster. Cold: a fresh browser "
                  "context per load, the trees interleaved round by round; switch: a click on the page's "
                  "sidebar link until settled (monitoring/browser_bench.py)."]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"roots": list(self.roots), "paths": self.paths, "reference": self.reference,
                "cold": self.cold, "switch": self.switch}


def _turns(n: int) -> tuple[str, ...]:
    """The trees in round ``n``'s order: swapped every round, so neither always goes first."""
    return TREES if n % 2 == 0 else TREES[::-1]


def compare(other: Path, *, folder: Path, paths: list[str], rounds: int,
            say: Callable[[str], None] | None = None, browser: Any = None) -> Comparison:
    """This code's pages against ``other``'s, interleaved (``rounds`` measured rounds after one unmeasured)."""
    if not (other / "app.py").is_file():
        raise InputError(f"--compare: {other} holds no app.py", hint="give a copy of the project: git worktree add DIR COMMIT")
    tell = say or (lambda _m: None)
    roots = dict(zip(TREES, (config.PROJECT_ROOT, other.resolve()), strict=True))
    result = Comparison((str(roots["this"]), str(roots["other"])), list(paths),
                        cold={t: {p: [] for p in paths} for t in TREES}, switch={t: {p: [] for p in paths} for t in TREES})
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="browser-compare-", dir=folder) as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        extra = users_env(work)
        tell("building the embedded database (init, with the demo year)")
        db_url = f"sqlite:///{embedded_database(work)}"
        ref = stack.enter_context(streamlit_server(reference_page(work), server_env(db_url, roots["this"], extra),
                                                   work / "ref.log"))
        apps = {tree: stack.enter_context(streamlit_server(roots[tree] / "app.py", server_env(db_url, roots[tree], extra),
                                                           work / f"app-{tree}.log", launcher=True, root=roots[tree]))
                for tree in TREES}
        browser = browser or chromium(stack)
        for n in range(rounds + 1):
            tell(f"round {n + 1}/{rounds + 1} of cold loads")
            reference = cold_visit(browser, ref)
            for path in paths:
                for tree in _turns(n):
                    visit = cold_visit(browser, f"{apps[tree]}/{path}")
                    if n:
                        result.cold[tree][path].append(visit.settled_s)
            if n:
                result.reference.append(reference.settled_s)
        tell("sidebar switches")
        start = "overview"  # a switch needs a page to leave: the overview, as the benchmark does
        for n in range(rounds):
            for tree in _turns(n):
                for path, visits in switch_visits(browser, apps[tree], [start, *(p for p in paths if p != start)], 1).items():
                    if path in result.switch[tree]:
                        result.switch[tree][path] += [v.settled_s for v in visits]
    return result
