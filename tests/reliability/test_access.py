"""Issue 13, items 12 and 13: stale sessions keep no rights; logins are throttled.

Real users file, real SQLite database, the real `users` command (cli.main), and the
real login form through Streamlit's AppTest (a real script run, no browser).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from monitoring import auth, config
from monitoring.actors import Actor, require_writer
from monitoring.errors import ConfigError, PermissionDenied
from monitoring.ingest.pipeline import ingest_file
from monitoring.storage.schema import readings
from monitoring.targets import Targets
from tests.cli import run_cli

PASSWORD = "correct horse battery"
FAST = config.LoginThrottle(free_failures=3, delay_s=2, delay_max_s=60, lock_after=10, client_lock_after=20, lock_s=900)


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / ".streamlit" / "users.yaml"
    monkeypatch.setenv("MONITOR_USERS", str(path))
    return path


def users_cli(users_file: Path, *argv: str) -> None:
    done = run_cli("users", *argv, env={"MONITOR_USERS": str(users_file)})
    assert done.returncode == 0, done.stderr


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(readings)).scalar_one())


def _upload(engine: Engine, targets: Targets, actor: Actor, hour: int) -> None:
    body = f"subdistrict,time,pollutant,value\n德胜,2026-01-05 {hour:02d}:00,pm25,30\n".encode()
    ingest_file(engine, body, name=f"h{hour}.csv", targets=targets, actor=actor)


# -- item 12: every write re-checks the role ------------------------------------------------


def test_a_logged_in_session_loses_its_rights_when_demoted_or_removed(
    users_file: Path, make_db: Callable[..., Engine], targets: Targets
) -> None:
    engine = make_db()
    auth.add_user("wang", PASSWORD, "analyst")
    session_actor = auth.authenticate("wang", PASSWORD)  # what the dashboard keeps in the session
    assert session_actor is not None and session_actor.role == "analyst"
    _upload(engine, targets, session_actor, 10)
    assert _count(engine) == 1

    users_cli(users_file, "role", "wang", "viewer")
    with pytest.raises(PermissionDenied, match="analysts only"):
        _upload(engine, targets, session_actor, 11)
    assert _count(engine) == 1

    users_cli(users_file, "role", "wang", "analyst")
    _upload(engine, targets, session_actor, 12)
    assert _count(engine) == 2

    users_cli(users_file, "remove", "wang")
    with pytest.raises(PermissionDenied, match="no longer a user"):
        _upload(engine, targets, session_actor, 13)
    with pytest.raises(PermissionDenied):
        require_writer(session_actor)
    assert _count(engine) == 2


def test_command_line_and_system_actors_are_not_looked_up(users_file: Path) -> None:
    # they never logged in: no users file entry, their role is their own
    assert require_writer(Actor("cli:operator", "analyst")).role == "analyst"


def _login_script() -> None:
    import streamlit as st

    from dashboard.login import login_sidebar

    actor = login_sidebar()
    st.markdown(f"actor={actor.name}:{actor.role}")


def _shown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_the_sidebar_follows_the_users_file(users_file: Path) -> None:
    auth.add_user("li", PASSWORD, "analyst")
    at = AppTest.from_function(_login_script, default_timeout=30).run()
    at.text_input(key="auth_username").input("li")
    at.text_input(key="auth_password").input(PASSWORD)
    at.button[0].click().run()
    assert "actor=li:analyst" in _shown(at)

    users_cli(users_file, "role", "li", "viewer")
    at.run()
    assert "actor=li:viewer" in _shown(at)
    assert any("查看者" in i.value for i in at.info)

    users_cli(users_file, "remove", "li")
    at.run()
    assert "actor=anonymous:viewer" in _shown(at)
    assert any("已被管理员删除" in w.value for w in at.warning)


# -- item 13: login throttling ---------------------------------------------------------------


def test_thirty_wrong_passwords_lock_the_name_and_the_right_one_is_refused(
    users_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    auth.add_user("wang", PASSWORD, "analyst")
    caplog.set_level(logging.WARNING, logger="monitoring.auth")
    started = time.monotonic()
    results = [auth.login("wang", f"guess {i}", client="203.0.113.7") for i in range(30)]
    right = auth.login("wang", PASSWORD, client="203.0.113.7")
    elapsed = time.monotonic() - started

    assert right.actor is None and right.locked and right.wait_s > 14 * 60
    # only the free attempts reached bcrypt: the rest were refused at once
    assert sum(not r.throttled for r in results) == 3
    assert elapsed < 3 * 1.0 + 2.0, elapsed
    # every failure is logged, without the password
    failed = [r.getMessage() for r in caplog.records if r.name == "monitoring.auth"]
    assert len(failed) == 31 and all("wang" in m and "guess" not in m for m in failed)
    assert sum("failed login" in m for m in failed) == 3

    # the lock is in a file, not in a session: another process (or session) sees it
    assert auth.attempts_path(users_file).exists()
    again = auth.login("wang", PASSWORD)
    assert again.actor is None and again.locked


def test_the_lock_is_shown_in_chinese_in_a_new_session(users_file: Path) -> None:
    auth.add_user("zhao", PASSWORD, "analyst")
    start = time.time() - 950
    for i in range(10):  # an attacker patient enough to wait out each delay (100 s apart)
        auth.login("zhao", f"guess {i}", now=start + i * 100, limits=FAST)
    at = AppTest.from_function(_login_script, default_timeout=30).run()  # a fresh session
    at.text_input(key="auth_username").input("zhao")
    at.text_input(key="auth_password").input(PASSWORD)
    at.button[0].click().run()
    assert "actor=anonymous:viewer" in _shown(at)
    assert any("临时锁定" in e.value and "分钟后再试" in e.value for e in at.error)


def test_the_delay_grows_then_the_lock_lasts_its_time(users_file: Path) -> None:
    auth.add_user("chen", PASSWORD, "analyst")
    t = 10_000.0
    waits = []
    for _ in range(9):  # a patient guesser: each attempt exactly when it is allowed
        r = auth.login("chen", "wrong", now=t, limits=FAST)
        assert r.actor is None and not r.throttled
        wait, locked = auth.wait_before_login("chen", path=users_file, now=t, limits=FAST)
        assert not locked
        waits.append(wait)
        t += wait
    # free, free, then doubling from 2 s up to the 60 s cap
    assert waits == [0, 0, 2, 4, 8, 16, 32, 60, 60]
    # a moment too early is refused, even with the right password, without a bcrypt check
    early = auth.login("chen", PASSWORD, now=t - 1, limits=FAST)
    assert early.actor is None and early.throttled and not early.locked
    # that was the tenth failure in a row: locked for 15 minutes
    assert auth.login("chen", PASSWORD, now=t, limits=FAST).locked
    assert auth.login("chen", PASSWORD, now=t + 890, limits=FAST).locked
    # the lock ends on time (knocking does not lengthen it; the last knock's 60 s wait remains)
    ok = auth.login("chen", PASSWORD, now=t + 950, limits=FAST)
    assert ok.actor == Actor("chen", "analyst")
    # a success clears the count
    assert not auth.login("chen", "wrong", now=t + 951, limits=FAST).throttled


def test_one_client_trying_many_names_is_locked_but_others_are_not(users_file: Path) -> None:
    auth.add_user("wu", PASSWORD, "analyst")
    t = 50_000.0
    for i in range(20):  # a different name each time: no name reaches its own limit
        auth.login(f"user{i}", "wrong", client="198.51.100.4", now=t + i * 120, limits=FAST)
    t += 20 * 120
    refused = auth.login("wu", PASSWORD, client="198.51.100.4", now=t, limits=FAST)
    assert refused.actor is None and refused.locked
    assert auth.login("wu", PASSWORD, client="192.0.2.1", now=t, limits=FAST).actor is not None


def test_a_hostile_user_name_is_logged_escaped(users_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="monitoring.auth")
    auth.login("x\nINFO admin logged in\x1b[2J", "wrong", client="203.0.113.9", now=1.0, limits=FAST)
    [message] = [r.getMessage() for r in caplog.records if r.name == "monitoring.auth"]
    assert "\n" not in message and "\x1b" not in message and "\\n" in message


def test_thresholds_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.login_throttle() == config.LoginThrottle()
    monkeypatch.setenv("MONITOR_LOGIN_LOCK_AFTER", "5")
    assert config.login_throttle().lock_after == 5
    monkeypatch.setenv("MONITOR_LOGIN_LOCK_AFTER", "many")
    with pytest.raises(ConfigError, match="MONITOR_LOGIN_LOCK_AFTER='many'"):
        config.login_throttle()
