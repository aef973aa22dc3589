"""``python -m monitoring bench --browser`` in its smallest form, so that it does not rot.

One page, one measured round, one sidebar switch, on a copy of the seeded database: it
checks that the servers start, that every load settles by the documented rule and that
the report carries the figures, not how fast they are (that is the benchmark's job).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from monitoring import auth, browser_bench

# slow: it starts its own servers and browsers for a whole (minimal) bench round
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_browser_bench_minimal(seeded_template: str, tmp_path: Path, browser: Any) -> None:
    db = tmp_path / "bench.db"
    shutil.copyfile(seeded_template, db)
    users = tmp_path / "users.yaml"
    auth.add_user("bench-analyst", "bench-password-1", "analyst", "Bench", path=users)
    messages: list[str] = []
    result = browser_bench.measure(
        "seeded", f"sqlite:///{db}", tmp_path, paths=["overview", "rankings"], rounds=1, switch_rounds=1,
        say=messages.append, extra_env={"MONITOR_USERS": str(users)}, browser=browser,
    )
    assert result.reference.first is not None and len(result.reference.cold) == 1
    assert result.chart is not None and result.chart.cold_s > 0
    for path in ("overview", "rankings"):
        page = result.pages[path]
        assert len(page.cold) == 1 and len(page.switch) == 1
        visits = [page.first, *page.cold, *page.switch]
        assert all(v is not None and v.runs >= 1 and v.settled_s > 0 and not v.error for v in visits)
        # the charts open as static SVG: the page loads less than the one-chart page (no Plotly bundle)
        assert page.cold[0].http_kb < result.chart.cold[0].http_kb
        assert len(page.warm) == 1 and page.warm[0].settled_s > 0 and math.isfinite(result.warm_ratio(path))
        assert math.isfinite(result.ratio(path))
    report = browser_bench.BrowserReport("now", 1.0, {"cpu": "test"}, "bench --browser", [result])
    text = report.text()
    assert "| rankings |" in text and "ratio to one-line" in text and "warm ratio" in text
    assert report.to_json()["data_sets"][0]["pages"]["rankings"]["ratio"] == result.ratio("rankings")


def test_browser_compare_minimal(tmp_path: Path, browser: Any) -> None:
    """``bench --browser --compare TREE`` in its smallest form: the project against itself, one page,
    one measured round: both trees' loads and switches settle and the table carries them."""
    from monitoring import browser_compare, config

    messages: list[str] = []
    result = browser_compare.compare(config.PROJECT_ROOT, folder=tmp_path, paths=["upload"], rounds=1,
                                     say=messages.append, browser=browser)
    assert len(result.reference) == 1 and result.reference[0] > 0
    for tree in browser_compare.TREES:
        assert len(result.cold[tree]["upload"]) == 1 and result.cold[tree]["upload"][0] > 0
        assert len(result.switch[tree]["upload"]) == 1 and result.switch[tree]["upload"][0] > 0
    text = result.text()
    assert "| upload |" in text and "this − other" in text
    assert result.to_json()["cold"]["this"]["upload"] == result.cold["this"]["upload"]
