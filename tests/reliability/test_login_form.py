"""The sidebar login form, driven through Streamlit's AppTest (a real script run, no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitoring import auth

PASSWORD = "correct horse battery"


def _login_script() -> None:
    import streamlit as st

    from dashboard.auth import login_sidebar

    actor = login_sidebar()
    st.markdown(f"actor={actor.name}:{actor.role}")


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.yaml"
    monkeypatch.setenv("MONITOR_USERS", str(path))
    return path


def _shown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_login_logout_sets_and_clears_the_actor(users_file: Path) -> None:
    auth.add_user("wang", PASSWORD, "analyst", "王分析")
    at = AppTest.from_function(_login_script, default_timeout=30).run()
    assert "actor=anonymous:viewer" in _shown(at)

    at.text_input(key="auth_username").input("wang")
    at.text_input(key="auth_password").input("wrong password")
    at.button[0].click().run()
    assert "actor=anonymous:viewer" in _shown(at)
    assert any("用户名或密码错误" in e.value for e in at.error)

    at.text_input(key="auth_username").input("wang")
    at.text_input(key="auth_password").input(PASSWORD)
    at.button[0].click().run()
    assert "actor=wang:analyst" in _shown(at)
    assert at.session_state["actor"].role == "analyst"
    assert any("王分析" in c.value for c in at.caption)

    at.button(key="auth_logout").click().run()
    assert "actor=anonymous:viewer" in _shown(at)
    assert "actor" not in at.session_state


def test_without_users_the_form_says_how_to_add_one(users_file: Path) -> None:
    at = AppTest.from_function(_login_script, default_timeout=30).run()
    assert not at.exception
    assert any("users add" in c.value for c in at.caption)
    assert len(at.text_input) == 0
