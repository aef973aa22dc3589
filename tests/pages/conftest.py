"""AppTest fixtures: the real app.py router on a private copy of the seeded database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
#: Cold runs compute every report once; generous so a slow CI machine does not flake.
TIMEOUT = 60


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_db(seeded_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The seeded database, made the app's DATABASE_URL; caches cleared before and after."""
    monkeypatch.setenv("DATABASE_URL", seeded_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MONITOR_LOAD_DEMO", "0")
    _clear_caches()
    yield seeded_db
    _clear_caches()


@pytest.fixture
def open_page(app_db: Engine) -> Callable[..., AppTest]:
    """Run app.py, set the sidebar state, switch to ``pages/<name>.py`` and run it."""

    def opener(name: str, *, run: bool = True, **state: object) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state["year"] = 2026
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        if name != "overview":
            at.switch_page(f"pages/{name}.py")
            if run:
                at.run()
        return at

    return opener
