"""Users and passwords: a YAML file of bcrypt hashes, never committed.

The file (``MONITOR_USERS``, default ``.streamlit/users.yaml``, git-ignored) maps each
username to ``{name, role, password_hash}``. Only bcrypt hashes are stored; a password
never reaches the disk or a log. The dashboard's login form calls :func:`authenticate`;
``python -m monitoring users`` manages the file. This module never imports streamlit.

Writes are atomic (a temporary file in the same folder, fsync, rename) and serialised by
an advisory lock, so two ``users add`` at once cannot lose a user or leave half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import bcrypt
import yaml

from monitoring import config
from monitoring.actors import ROLES, Actor, Role
from monitoring.errors import ConfigError, InputError

#: bcrypt work factor: about 0.2 s per check on a small server, slow for a guesser.
BCRYPT_ROUNDS = 12
#: bcrypt reads at most 72 bytes of a password; longer ones are refused, not truncated.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_CHARS = 8
#: runs.user is 64 characters; usernames are ASCII so they print the same everywhere.
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the username is unknown, so a wrong name costs the same time as a wrong
    password and the response time does not tell which usernames exist."""
    return bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode("ascii")


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: Role
    password_hash: str

    def actor(self) -> Actor:
        # The username, not the display name, goes into the audit: it is unique and stable.
        return Actor(self.username, self.role)


def _path(path: Path | None) -> Path:
    return path if path is not None else config.users_path()


def _check_role(role: str) -> Role:
    if role not in ROLES:
        raise InputError(
            f"unknown role {role!r}",
            message_zh=f"未知角色 {role!r}",
            hint=f"use one of: {', '.join(ROLES)}",
        )
    return cast(Role, role)


def check_username(username: str) -> str:
    if not USERNAME_RE.match(username):
        raise InputError(
            f"username {username!r} is not allowed",
            message_zh=f"用户名 {username!r} 不可用",
            hint="use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return username


def check_password(password: str) -> bytes:
    raw = password.encode("utf-8")
    if len(password) < MIN_PASSWORD_CHARS:
        raise InputError(
            f"password too short ({len(password)} characters)",
            message_zh="密码太短",
            hint=f"use at least {MIN_PASSWORD_CHARS} characters",
        )
    if len(raw) > MAX_PASSWORD_BYTES:
        raise InputError(
            f"password too long ({len(raw)} bytes)",
            message_zh="密码太长",
            hint=f"use at most {MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest)",
        )
    return raw


def hash_password(password: str) -> str:
    return bcrypt.hashpw(check_password(password), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode("ascii")


def _bad_file(path: Path, what: str) -> ConfigError:
    return ConfigError(
        f"users file {path}: {what}",
        message_zh=f"用户文件 {path} 有误：{what}",
        hint="fix it, or move it away and add users again with: python -m monitoring users add NAME --role admin",
    )


def load_users(path: Path | None = None) -> dict[str, User]:
    """Every user in the file; an absent file means no users yet."""
    path = _path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad_file(path, f"cannot be read ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _bad_file(path, f"not valid YAML ({str(exc).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _bad_file(path, "expected a mapping of username → {name, role, password_hash}")
    users: dict[str, User] = {}
    for username, entry in data.items():
        if not isinstance(username, str) or not USERNAME_RE.match(username) or not isinstance(entry, dict):
            raise _bad_file(path, f"entry {username!r} is not a user")
        role, digest = entry.get("role"), entry.get("password_hash")
        if role not in ROLES:
            raise _bad_file(path, f"user {username!r} has an unknown role {role!r}")
        if not isinstance(digest, str) or not digest.startswith("$2"):
            raise _bad_file(path, f"user {username!r} has no bcrypt password_hash")
        users[username] = User(username, str(entry.get("name") or username), cast(Role, role), digest)
    return users


def _dump(users: dict[str, User]) -> str:
    body: dict[str, Any] = {
        u.username: {"name": u.name, "role": u.role, "password_hash": u.password_hash}
        for u in sorted(users.values(), key=lambda u: u.username)
    }
    header = "# Monitor users: bcrypt hashes only. Never commit this file. Manage with `python -m monitoring users`.\n"
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=True)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the users file's folder (no lock file left behind to commit)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError as exc:
        raise _bad_file(path, f"cannot be written ({exc.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _save(path: Path, users: dict[str, User]) -> None:
    """Replace the file atomically; readable by its owner only (it holds hashes)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(_dump(users))
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise _bad_file(path, f"cannot be written ({exc.strerror})") from None


def add_user(username: str, password: str, role: str, name: str = "", *, path: Path | None = None,
             replace: bool = False) -> User:
    """Add a user (or, with ``replace``, set a new password and role for an existing one)."""
    path = _path(path)
    check_username(username)
    user = User(username, name or username, _check_role(role), hash_password(password))
    with _locked(path):
        users = load_users(path)
        if username in users and not replace:
            raise InputError(
                f"user {username!r} already exists",
                message_zh=f"用户 {username!r} 已存在",
                hint="use `users passwd` to change the password or `users role` to change the role",
            )
        users[username] = user
        _save(path, users)
    return user


def _existing(users: dict[str, User], username: str) -> User:
    if username not in users:
        raise InputError(
            f"no user {username!r}",
            message_zh=f"没有用户 {username!r}",
            hint="see `python -m monitoring users list`",
        )
    return users[username]


def set_role(username: str, role: str, *, path: Path | None = None) -> User:
    path = _path(path)
    new_role = _check_role(role)
    with _locked(path):
        users = load_users(path)
        old = _existing(users, username)
        users[username] = User(old.username, old.name, new_role, old.password_hash)
        _save(path, users)
    return users[username]


def set_password(username: str, password: str, *, path: Path | None = None) -> User:
    path = _path(path)
    digest = hash_password(password)
    with _locked(path):
        users = load_users(path)
        old = _existing(users, username)
        users[username] = User(old.username, old.name, old.role, digest)
        _save(path, users)
    return users[username]


def remove_user(username: str, *, path: Path | None = None) -> User:
    path = _path(path)
    with _locked(path):
        users = load_users(path)
        gone = _existing(users, username)
        del users[username]
        _save(path, users)
    return gone


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches the bcrypt hash (constant time inside bcrypt)."""
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bool(bcrypt.checkpw(raw, password_hash.encode("ascii")))
    except ValueError:  # a malformed hash: no password matches it
        return False


def authenticate(username: str, password: str, *, path: Path | None = None) -> Actor | None:
    """The actor for a correct username and password, else None (the same time either way)."""
    user = load_users(path).get(username.strip())
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    return user.actor() if verify_password(password, user.password_hash) else None
