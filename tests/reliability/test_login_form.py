"""The sidebar login form, driven through Streamlit's AppTest (a real script run, no browser)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitoring import auth

PASSWORD = "correct horse battery"


def _login_script() -> None:
    import streamlit as st

    from dashboard.login import login_sidebar

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
    # leaders get no command line, only who to ask and where it is written down
    assert any("尚未设置用户" in c.value and "用户与角色" in c.value for c in at.caption)
    assert not any("python -m" in c.value for c in at.caption)
    assert len(at.text_input) == 0


APP_CHILD = r"""
import json, sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
from monitoring import auth
from monitoring.actors import Actor

root = Path(sys.argv[1])
at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
at.switch_page(str(root / "pages" / "upload.py")).run()
seen = {"exception": [str(e.value) for e in at.exception],
        "login_form": [t.key for t in at.text_input if t.key in ("auth_username", "auth_password")],
        "anonymous": len(at.get("file_uploader"))}
at.session_state["actor"] = Actor("leader", "viewer")
at.run()
seen["viewer"] = len(at.get("file_uploader"))
at.session_state["actor"] = auth.authenticate("wang", sys.argv[2])
at.run()
seen["analyst"] = len(at.get("file_uploader"))
seen["exception"] += [str(e.value) for e in at.exception]
print(json.dumps(seen))
"""


def test_upload_controls_appear_only_for_a_writer(users_file: Path, seeded_db) -> None:  # type: ignore[no-untyped-def]
    """The real app (in its own process, as Streamlit runs it): anonymous and a viewer see
    no uploader; the actor the login form sets for an analyst does."""
    auth.add_user("wang", PASSWORD, "analyst")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": seeded_db.url.render_as_string(hide_password=False),
           "MONITOR_USERS": str(users_file), "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", APP_CHILD, str(root), PASSWORD], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"exception": [], "login_form": ["auth_username", "auth_password"],
                    "anonymous": 0, "viewer": 0, "analyst": 1}


def test_an_admin_manages_users_in_the_sidebar(users_file: Path) -> None:
    auth.add_user("boss", PASSWORD, "admin")
    auth.add_user("li", PASSWORD, "viewer")
    at = AppTest.from_function(_login_script, default_timeout=30).run()
    assert not [e for e in at.expander if "用户管理" in e.label], "no admin panel before an admin logs in"
    at.text_input(key="auth_username").input("boss")
    at.text_input(key="auth_password").input(PASSWORD)
    at.button[0].click().run()
    assert "actor=boss:admin" in _shown(at)

    at.text_input(key="auth_admin_username").input("zhang")
    at.text_input(key="auth_admin_name").input("张")
    at.selectbox(key="auth_admin_role").select("analyst")
    at.text_input(key="auth_admin_password").input("another password")
    next(b for b in at.button if "auth_admin_add" in str(b.id)).click().run()
    assert not at.exception
    assert auth.authenticate("zhang", "another password") == auth.User("zhang", "张", "analyst", "").actor()

    at.selectbox(key="auth_admin_who").select("li")
    at.selectbox(key="auth_admin_new_role").select("analyst")
    at.button(key="auth_admin_set_role").click().run()
    assert auth.load_users()["li"].role == "analyst"

    at.selectbox(key="auth_admin_who").select("boss")
    at.button(key="auth_admin_remove").click().run()
    assert "boss" in auth.load_users(), "the last admin cannot be removed"
    assert any("至少要保留一名管理员" in e.value for e in at.error)

    at.selectbox(key="auth_admin_who").select("li")
    at.button(key="auth_admin_remove").click().run()
    assert "li" not in auth.load_users()


def test_a_viewer_sees_no_admin_panel(users_file: Path) -> None:
    auth.add_user("li", PASSWORD, "viewer")
    at = AppTest.from_function(_login_script, default_timeout=30).run()
    at.text_input(key="auth_username").input("li")
    at.text_input(key="auth_password").input(PASSWORD)
    at.button[0].click().run()
    assert "actor=li:viewer" in _shown(at)
    assert not [t for t in at.text_input if t.key == "auth_admin_username"]
