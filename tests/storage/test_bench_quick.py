"""``python -m monitoring bench --quick`` runs end to end and reports every figure.

This checks that the benchmark works (data sets, the floor and the reference loader, ingest
in a child process with its wall and CPU ratios to both, re-ingest, the to_sql baseline, the page timings through AppTest), not the timings themselves:
the test machine's speed is not the point here, docs/PERFORMANCE.md holds the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.config import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_bench_quick_reports_every_figure(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "monitoring", "bench", "--quick", "--format", "json", "--data-dir", str(tmp_path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    rows = {r["figure"]: r for r in report["rows"]}
    assert report["command"] == "python -m monitoring bench --quick"
    assert {"cpu", "cores", "sqlite"} <= set(report["machine"])

    # both references, each measured in the same run, each named for what it is
    reference = rows["reference loader: one-row executemany, bare table"]
    floors = [r for name, r in rows.items() if name.startswith("floor: ")]
    assert len(floors) == 2 and all(f["note"].startswith("stored 20000") for f in floors)  # the same rows stored
    (floor,) = [f for f in floors if "the floor" in f["note"]]
    assert floor["cpu"] == min(f["cpu"] for f in floors)  # the floor is the faster loader, by CPU
    assert reference["value"] > 0 and floor["value"] > 0

    # the ingest against both, wall and CPU; the goal judges CPU against the floor
    vs_floor = rows["ingest 20,000 rows (child process) ÷ floor"]
    vs_reference = rows["ingest 20,000 rows (child process) ÷ reference loader"]
    assert vs_floor["ref"] == floor["value"] and vs_floor["ref_cpu"] == floor["cpu"]
    assert vs_reference["ref"] == reference["value"] and vs_reference["ref_cpu"] == reference["cpu"]
    for row in (vs_floor, vs_reference):
        assert row["ratio"] == pytest.approx(row["value"] / row["ref"])
        assert row["cpu_ratio"] == pytest.approx(row["cpu"] / row["ref_cpu"])
    assert vs_floor["judge"] == "cpu" and vs_floor["goal"] == 1.3 and vs_floor["result"] in {"PASS", "FAIL"}
    assert vs_reference["result"] == "info"
    assert vs_floor["note"] == "stored 20000"  # every generated row is valid and stored

    assert 0 < rows["ingest peak memory (RSS)"]["value"] < 2000
    reingest = rows["re-ingest of the same file"]
    assert reingest["note"].startswith("added 0 rows, duplicates 20000")
    assert rows["to_sql via SQLAlchemy (usual way)"]["result"] == "info"

    for page in ("overview.py", "rankings.py"):
        cold, warm = rows[f"page {page} cold"], rows[f"page {page} warm"]
        assert cold["value"] > 0 and warm["value"] > 0
        assert not cold["note"].startswith("errors"), cold["note"]
    assert all(r["result"] in {"PASS", "FAIL", "info"} for r in report["rows"])
    # the data sets are cached for the next run, keyed by the generator's version
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in {".csv", ".db"}) == [
        "pages-v1-1y.db",
        "readings-v1-20000.csv",
    ]
