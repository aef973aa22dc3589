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
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import bcrypt
import yaml

from monitoring import config
from monitoring.actors import ROLES, Actor, Role
from monitoring.errors import ConfigError, InputError
from monitoring.printable import printable

#: bcrypt reads at most 72 bytes of a password; longer ones are refused, not truncated.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_CHARS = 8
#: runs.user is 64 characters; usernames are ASCII so they print the same everywhere.
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _salt() -> bytes:
    # the work factor (config.MONITOR_BCRYPT_ROUNDS, default 12: about 0.2 s per check on a
    # small server, slow for a guesser) is stored in each hash, so a check costs what the hash says
    return bcrypt.gensalt(rounds=config.bcrypt_rounds())


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the username is unknown, so a wrong name costs the same time as a wrong
    password and the response time does not tell which usernames exist."""
    return bcrypt.hashpw(b"not-a-password", _salt()).decode("ascii")


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: Role
    password_hash: str

    def actor(self, users_file: Path | None = None) -> Actor:
        # The username, not the display name, goes into the audit: it is unique and stable.
        # The file is kept so that a write re-reads the role from it (actors.current).
        return Actor(self.username, self.role, None if users_file is None else str(users_file))


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
    return bcrypt.hashpw(check_password(password), _salt()).decode("ascii")


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
    path = _path(path)
    user = load_users(path).get(username.strip())
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    return user.actor(path.absolute()) if verify_password(password, user.password_hash) else None


# -- login throttling ---------------------------------------------------------------------

#: Where failed attempts are counted: next to the users file (git-ignored with it), so the
#: count is the same for every Streamlit session, rerun and process.
ATTEMPTS_FILE = "login_attempts.json"
log = logging.getLogger("monitoring.auth")


@dataclass(frozen=True)
class LoginResult:
    """A login attempt: the actor, or why not. ``wait_s`` > 0: refused without checking the
    password, because the name or the client must wait (``locked``: the long lock)."""

    actor: Actor | None
    wait_s: float = 0.0
    locked: bool = False

    @property
    def throttled(self) -> bool:
        return self.wait_s > 0


def attempts_path(path: Path | None = None) -> Path:
    return _path(path).parent / ATTEMPTS_FILE


def _read_attempts(path: Path) -> dict[str, dict[str, float]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        # a damaged count must not open the door nor lock everyone out: start again
        log.warning("login attempts file %s is unreadable; counting from zero", path)
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, dict)}


def _write_attempts(path: Path, state: dict[str, dict[str, float]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state, fh)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _keys(username: str, client: str | None) -> list[tuple[str, bool]]:
    """(key, is_client): a user name is counted case-folded, so Wang and wang share a count."""
    keys = [("user:" + username.strip().lower()[:64], False)]
    if client:
        keys.append(("client:" + client[:64], True))
    return keys


def _blocked_until(entry: dict[str, float], limits: config.LoginThrottle) -> tuple[float, bool]:
    """When the next attempt may come for one key, and whether that is the lock."""
    until = float(entry.get("until", 0.0))
    failures = int(entry.get("failures", 0))
    extra = failures - limits.free_failures
    delay = 0.0 if extra < 0 else min(limits.delay_s * 2.0**extra, limits.delay_max_s)
    wait_until = float(entry.get("last", 0.0)) + delay
    return (until, True) if until >= wait_until else (wait_until, False)


def _fresh(state: dict[str, dict[str, float]], clock: float, limits: config.LoginThrottle) -> dict[str, dict[str, float]]:
    """The counts still in force: failures are forgotten a lock's length after the last one
    (the file stays small whatever an attacker sends)."""
    keep = max(limits.lock_s, limits.delay_max_s)
    return {k: v for k, v in state.items()
            if clock - float(v.get("last", 0.0)) < keep or float(v.get("until", 0.0)) > clock}


def wait_before_login(
    username: str,
    *,
    client: str | None = None,
    path: Path | None = None,
    now: float | None = None,
    limits: config.LoginThrottle | None = None,
) -> tuple[float, bool]:
    """Seconds until ``username`` may try again from ``client`` (0: now), and whether that
    is the lock. Reads the count only."""
    path = _path(path)
    limits = limits or config.login_throttle()
    clock = time.time() if now is None else now
    state = _fresh(_read_attempts(attempts_path(path)), clock, limits)
    until, locked = max(_blocked_until(state.get(k, {}), limits) for k, _ in _keys(username, client))
    return max(until - clock, 0.0), locked and until > clock


def login(
    username: str,
    password: str,
    *,
    client: str | None = None,
    path: Path | None = None,
    now: float | None = None,
    limits: config.LoginThrottle | None = None,
) -> LoginResult:
    """Check a login, throttled per user name and per client (an IP address; None when
    unknown). After ``free_failures`` failures each attempt waits longer (doubling up to
    ``delay_max_s``); ``lock_after`` failures in a row lock the name (``client_lock_after``
    the client) for ``lock_s``. A throttled attempt is refused without a bcrypt check and
    counts as a failure. Failures are logged (never the password); a success clears them.
    The count is held under the users file's lock for the whole check, so parallel
    attempts cannot all slip in before the first failure is written."""
    path = _path(path)
    limits = limits or config.login_throttle()
    clock = time.time() if now is None else now
    shown_user, shown_client = printable(username.strip()[:64]), printable(client or "unknown")
    keys = _keys(username, client)
    state_path = attempts_path(path)
    with _locked(path):
        state = _fresh(_read_attempts(state_path), clock, limits)
        waits = [_blocked_until(state.get(k, {}), limits) for k, _ in keys]
        until, locked = max(waits)
        actor = None if until > clock else authenticate(username, password, path=path)
        if actor is not None:
            for key, _ in keys:
                state.pop(key, None)
        else:
            for key, is_client in keys:
                entry = state.setdefault(key, {"failures": 0, "last": 0.0, "until": 0.0})
                entry["failures"] = int(entry.get("failures", 0)) + 1
                entry["last"] = clock
                locked_now = float(entry.get("until", 0.0)) > clock  # a lock is not lengthened by knocking
                if not locked_now and entry["failures"] >= (limits.client_lock_after if is_client else limits.lock_after):
                    entry["until"] = clock + limits.lock_s
        try:
            _write_attempts(state_path, state)
        except OSError as exc:
            raise _bad_file(state_path, f"cannot be written ({exc.strerror})") from None
    if actor is not None:
        return LoginResult(actor)
    if until > clock:
        log.warning("login refused for user '%s' from %s: %s, %.0f s left",
                    shown_user, shown_client, "locked" if locked else "too many failures", until - clock)
        return LoginResult(None, wait_s=until - clock, locked=locked)
    log.warning("failed login for user '%s' from %s", shown_user, shown_client)
    return LoginResult(None)
