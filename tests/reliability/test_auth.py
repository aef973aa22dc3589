"""Users file: bcrypt hashes only, roles, atomic updates, the users command, the guard on writes."""

from __future__ import annotations

import io
import stat
import sys
import threading
from pathlib import Path

import pytest
import yaml

from monitoring import auth
from monitoring.actors import ANONYMOUS, Actor, require_writer
from monitoring.cli import main
from monitoring.errors import ConfigError, InputError, PermissionDenied

PASSWORD = "correct horse battery"


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / ".streamlit" / "users.yaml"
    monkeypatch.setenv("MONITOR_USERS", str(path))
    return path


def test_add_user_stores_only_a_bcrypt_hash(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the product's work factor: the suite's conftest lowers it for its other tests
    monkeypatch.delenv("MONITOR_BCRYPT_ROUNDS", raising=False)
    auth.add_user("wang", PASSWORD, "analyst", "王分析")
    text = users_file.read_text(encoding="utf-8")
    assert PASSWORD not in text
    data = yaml.safe_load(text)
    assert data["wang"]["role"] == "analyst"
    assert data["wang"]["name"] == "王分析"
    assert data["wang"]["password_hash"].startswith("$2b$12$")
    # The file holds hashes: readable by its owner only.
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600


def test_the_work_factor_is_a_setting(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_BCRYPT_ROUNDS", "5")
    auth.add_user("wang", PASSWORD, "analyst")
    assert yaml.safe_load(users_file.read_text(encoding="utf-8"))["wang"]["password_hash"].startswith("$2b$05$")
    assert auth.authenticate("wang", PASSWORD) == Actor("wang", "analyst")
    # below bcrypt's floor of 4, above its 31, or not a whole number: one line naming the setting
    for bad in ("3", "32", "5.5", "many"):
        monkeypatch.setenv("MONITOR_BCRYPT_ROUNDS", bad)
        with pytest.raises(ConfigError) as err:
            auth.hash_password(PASSWORD)
        assert "MONITOR_BCRYPT_ROUNDS" in str(err.value) and "\n" not in str(err.value)


def test_authenticate_gives_the_actor_with_its_role(users_file: Path) -> None:
    auth.add_user("li", PASSWORD, "viewer")
    assert auth.authenticate("li", PASSWORD) == Actor("li", "viewer")
    assert auth.authenticate("li", PASSWORD + "x") is None
    assert auth.authenticate("nobody", PASSWORD) is None
    assert auth.authenticate("li", "") is None
    # more than bcrypt's 72 bytes must not match by truncation
    assert auth.authenticate("li", PASSWORD + "y" * 80) is None


def test_roles_decide_who_may_write(users_file: Path) -> None:
    auth.add_user("viewer1", PASSWORD, "viewer")
    auth.add_user("analyst1", PASSWORD, "analyst")
    viewer = auth.authenticate("viewer1", PASSWORD)
    analyst = auth.authenticate("analyst1", PASSWORD)
    assert viewer is not None and analyst is not None
    with pytest.raises(PermissionDenied):
        require_writer(viewer)
    with pytest.raises(PermissionDenied):
        require_writer(ANONYMOUS)
    assert require_writer(analyst) is analyst


def test_set_role_password_and_remove(users_file: Path) -> None:
    auth.add_user("zhao", PASSWORD, "viewer")
    auth.set_role("zhao", "admin")
    assert auth.load_users()["zhao"].role == "admin"
    auth.set_password("zhao", "another password")
    assert auth.authenticate("zhao", PASSWORD) is None
    assert auth.authenticate("zhao", "another password") == Actor("zhao", "admin")
    auth.remove_user("zhao")
    assert auth.load_users() == {}
    with pytest.raises(InputError, match="no user"):
        auth.remove_user("zhao")


@pytest.mark.parametrize(
    ("username", "password", "role", "reason"),
    [
        ("ok_name", "short", "analyst", "too short"),
        ("ok_name", "長" * 30, "analyst", "too long"),  # 90 bytes in UTF-8
        ("bad name", PASSWORD, "analyst", "not allowed"),
        ("../etc", PASSWORD, "analyst", "not allowed"),
        ("ok_name", PASSWORD, "root", "unknown role"),
    ],
)
def test_bad_users_are_refused(users_file: Path, username: str, password: str, role: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        auth.add_user(username, password, role)
    assert not users_file.exists()


def test_duplicate_user_is_refused(users_file: Path) -> None:
    auth.add_user("sun", PASSWORD, "viewer")
    with pytest.raises(InputError, match="already exists"):
        auth.add_user("sun", PASSWORD, "admin")
    assert auth.load_users()["sun"].role == "viewer"


@pytest.mark.parametrize(
    "content",
    [
        "[1, 2, 3]\n",
        "wang: {role: analyst, password_hash: plaintext}\n",
        "wang: {role: superuser, password_hash: '$2b$12$abc'}\n",
        "wang: [unclosed\n",
    ],
)
def test_a_broken_users_file_is_a_config_error(users_file: Path, content: str) -> None:
    users_file.parent.mkdir(parents=True)
    users_file.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="users file"):
        auth.load_users()


def test_concurrent_adds_lose_no_user(users_file: Path) -> None:
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            auth.add_user(f"user{i}", PASSWORD, "viewer")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert sorted(auth.load_users()) == sorted(f"user{i}" for i in range(6))


def test_users_command(users_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "chen", "--role", "analyst", "--name", "陈", "--password-stdin"]) == 0
    assert "added chen (analyst)" in capsys.readouterr().out
    assert auth.authenticate("chen", PASSWORD) == Actor("chen", "analyst")

    assert main(["users", "role", "chen", "admin"]) == 0
    assert main(["users", "list"]) == 0
    assert "chen\tadmin\t陈" in capsys.readouterr().out

    # a wrong role is a usage error (argparse), a duplicate is a refusal: one line, exit 1
    with pytest.raises(SystemExit) as usage:
        main(["users", "add", "x", "--role", "root", "--password-stdin"])
    assert usage.value.code == 2
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "chen", "--role", "viewer", "--password-stdin"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: user 'chen' already exists") and err.count("\n") == 1

    assert main(["users", "remove", "chen"]) == 0
    assert auth.load_users() == {}


def test_users_add_without_a_terminal_asks_for_password_stdin(
    users_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["users", "add", "zhou", "--role", "viewer"]) == 1
    assert "--password-stdin" in capsys.readouterr().err
    assert not users_file.exists()


def test_the_users_file_is_never_committed() -> None:
    import subprocess

    from monitoring import config

    if not (config.PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = [".streamlit/users.yaml", ".streamlit/secrets.toml"]
    done = subprocess.run(["git", "check-ignore", *names], cwd=config.PROJECT_ROOT, capture_output=True, text=True)
    assert done.stdout.split() == names, "both must be listed in .gitignore"
