"""A page that cannot go on says why in one Chinese line and a hint, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP, ROOT, TIMEOUT, clear_caches


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    clear_caches()


def _run(monkeypatch: pytest.MonkeyPatch, **env: str) -> AppTest:
    monkeypatch.setenv("MONITOR_USERS", str(ROOT / "tests" / "pages" / "no-users.yaml"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    return at


def test_a_broken_targets_file_is_named_on_the_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "targets.yaml"
    bad.write_text((ROOT / "targets.yaml").read_text(encoding="utf-8").replace("  at_risk_margin: 1.0", "  at_risk_margin: 1.0\n  at_risk_margn: 2"),
                   encoding="utf-8")
    at = _run(monkeypatch, MONITOR_TARGETS=str(bad), DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    assert not at.exception
    assert [e.value for e in at.error] == ["targets.yaml 有误：status_rules.at_risk_margn：unknown key"]
    assert any("按该键上方的注释改正" in c.value for c in at.caption)


def test_an_unwritable_database_location_is_named_on_the_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    at = _run(monkeypatch, DATABASE_URL=f"sqlite:///{blocker / 'data' / 'x.db'}")
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("无法创建数据库目录")
    assert any("DATABASE_URL" in c.value for c in at.caption)


def test_an_unreachable_server_is_named_in_english_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_USERS", str(ROOT / "tests" / "pages" / "no-users.yaml"))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("cannot open the database")
