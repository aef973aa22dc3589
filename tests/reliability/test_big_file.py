"""A 100 MB readings file: streamed with progress, memory within a stated budget, all stored.

About 3 million rows and 90 s on a 2-core machine, so it runs only when asked:
``MONITOR_BIG_TESTS=1 .venv/bin/python -m pytest tests/reliability/test_big_file.py``.
The ingest runs in a child process so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring import config
from tests.conftest import POSTGRES_URL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus"))
import make_corpus

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("MONITOR_BIG_TESTS") != "1", reason="set MONITOR_BIG_TESTS=1 (100 MB, ~90 s)"),
    pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite file"),
]

#: The memory budget for one 100 MB file (the pipeline keeps the validated rows of a file
#: in compact columns until its one transaction commits).
MEMORY_BUDGET_MB = 1024

CHILD = r"""
import json, resource, sys
from pathlib import Path
from monitoring.actors import Actor
from monitoring.bootstrap import init_database
from monitoring.ingest.pipeline import ingest_file
from monitoring.storage.engine import make_engine
from monitoring.targets import load_targets

url, path = sys.argv[1], Path(sys.argv[2])
targets = load_targets()
engine = make_engine(url)
init_database(engine, targets, load_data=False)
seen = []
result = ingest_file(engine, path, name=path.name, targets=targets, actor=Actor("big-test", "analyst"),
                     progress=lambda f, m: seen.append(f))
print(json.dumps({"status": result.status, "accepted": result.counts.accepted, "rejected": result.counts.rejected,
                  "progress": seen, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def test_hundred_megabytes_streamed_with_progress(tmp_path: Path) -> None:
    path = tmp_path / "big100.csv"
    rows = make_corpus.big_readings(path)
    assert path.stat().st_size >= 100 * 1024 * 1024
    done = subprocess.run([sys.executable, "-c", CHILD, f"sqlite:///{tmp_path / 'big.db'}", str(path)],
                          cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=1200,
                          env={**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert (report["status"], report["accepted"], report["rejected"]) == ("succeeded", rows, 0)
    progress = report["progress"]
    assert len(progress) >= 10, "progress is reported while the file is read and written"
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert report["maxrss_mb"] < MEMORY_BUDGET_MB, report["maxrss_mb"]
