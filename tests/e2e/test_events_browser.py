"""Rankings in a real browser with an exceptional event flagged: the deducted mean stands in its
own column beside the published one, the bars carry it as markers, and the line under the
figure says which days were deducted. Saved as tests/artifacts/rankings_events.png to look at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitoring import events
from monitoring.actors import Actor
from monitoring.storage.engine import make_engine
from monitoring.targets import load_targets
from tests.e2e.conftest import Server, run_server, seeded_copy
from tests.e2e.test_browser import assert_no_exception, open_path, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def events_server(seeded_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Its own server: the shared one caches figures that a direct write would not clear."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the browser tests run on SQLite only")
    folder = tmp_path_factory.mktemp("e2e-events")
    db_path, users_path = seeded_copy(seeded_template, folder)
    engine = make_engine(f"sqlite:///{db_path}")
    events.flag_event(engine, load_targets(), "2026-03-14", "2026-03-16", "sand_dust", "气象部门沙尘天气通报",
                      Actor("e2e-analyst", "analyst"))
    engine.dispose()
    with run_server(db_path, users_path, folder) as running:
        yield running


def test_rankings_with_an_event_side_by_side(page: Any, events_server: Server, artifacts: Path) -> None:
    open_path(page, events_server, "rankings")
    assert_no_exception(page)
    # waited for, not read once: on a busy machine the page draws after the script run is over
    page.get_by_text("（表中一列、图中◆）扣除了 3 天（沙尘 2026-03-14—03-16）").wait_for()
    page.get_by_text("含例外事件 3 天（沙尘 2026-03-14—03-16），未扣除").wait_for()
    page.locator("svg.monitor-chart text", has_text="扣除例外事件").first.wait_for()  # the markers' legend entry
    path = screenshot(page, artifacts, "rankings_events")
    assert path.stat().st_size > 50_000
