"""``python -m monitoring bench --quick`` runs end to end and reports every figure.

This checks that the benchmark works (data sets, ingest in a child process, re-ingest,
the to_sql baseline, the page timings through AppTest), not the timings themselves:
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

    bound = rows["bound: executemany, bare table"]
    ingest = rows["ingest 20,000 rows (subprocess)"]
    assert bound["value"] > 0 and ingest["bound"] == bound["value"]
    assert ingest["note"] == "stored 20000"  # every generated row is valid and stored
    assert 0 < rows["ingest peak memory (RSS)"]["value"] < 2000
    reingest = rows["re-ingest of the same file"]
    assert reingest["note"].startswith("added 0 rows, duplicates 20000")
    assert rows["to_sql via SQLAlchemy (usual way)"]["result"] == "info"

    for page in ("overview.py", "rankings.py"):
        cold, warm = rows[f"page {page} cold"], rows[f"page {page} warm"]
        assert cold["value"] > 0 and warm["value"] > 0
        assert not cold["note"].startswith("errors"), cold["note"]
    assert all(r["result"] in {"pass", "FAIL", "info"} for r in report["rows"])
    # the data sets are cached for the next run, keyed by the generator's version
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in {".csv", ".db"}) == [
        "pages-v1-1y.db",
        "readings-v1-20000.csv",
    ]
