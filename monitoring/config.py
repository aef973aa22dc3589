"""Settings, declared as data with their defaults and help, read from the environment.

Every setting of INTERFACES.md is here; nothing else reads ``os.environ`` for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from monitoring.errors import ConfigError

#: The project root: the folder holding app.py, targets.yaml and data/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


@dataclass(frozen=True)
class Setting:
    """One environment setting: its name, default and what it means."""

    name: str
    default: str
    help: str

    def value(self) -> str:
        raw = os.environ.get(self.name, "").strip()
        return raw or self.default


DATABASE_URL = Setting(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'xicheng_air.db'}",
    "any SQLAlchemy URL; PostgreSQL: postgresql+psycopg://user@host:port/db",
)
MONITOR_TARGETS = Setting(
    "MONITOR_TARGETS", str(PROJECT_ROOT / "targets.yaml"), "the targets file"
)
MONITOR_SOURCES = Setting(
    "MONITOR_SOURCES", str(PROJECT_ROOT / "sources.yaml"), "the HTTP sources file"
)
MONITOR_USERS = Setting(
    "MONITOR_USERS",
    str(PROJECT_ROOT / ".streamlit" / "users.yaml"),
    "the users file (bcrypt hashes; never committed)",
)
MONITOR_BCRYPT_ROUNDS = Setting(
    "MONITOR_BCRYPT_ROUNDS", "12",
    "bcrypt work factor of new password hashes (4 to 31; each step doubles the cost). Existing hashes keep "
    "their own; the test suite lowers it so its logins are quick",
)
MONITOR_LOAD_DEMO = Setting(
    "MONITOR_LOAD_DEMO", "1", "1 to load the demo year into an empty database at init, 0 not to"
)

MONITOR_TODAY = Setting(
    "MONITOR_TODAY",
    "",
    "the as-of day (YYYY-MM-DD, Beijing) that decides which periods are over; empty: today in Beijing. "
    "For reproducing a past day's figures and for tests",
)

# Login throttling (monitoring/auth.py): failures are counted per user name and per
# client, in a file next to the users file, so the count holds across sessions and reruns.
MONITOR_LOGIN_FREE_FAILURES = Setting(
    "MONITOR_LOGIN_FREE_FAILURES", "3", "wrong passwords allowed before the login form makes one wait"
)
MONITOR_LOGIN_DELAY = Setting(
    "MONITOR_LOGIN_DELAY", "2", "seconds to wait after the first failure past the free ones; doubled after each further one"
)
MONITOR_LOGIN_DELAY_MAX = Setting("MONITOR_LOGIN_DELAY_MAX", "60", "the longest wait between two attempts, in seconds")
MONITOR_LOGIN_LOCK_AFTER = Setting(
    "MONITOR_LOGIN_LOCK_AFTER", "10", "failed attempts on one user name in a row that lock it for a while"
)
MONITOR_LOGIN_CLIENT_LOCK_AFTER = Setting(
    "MONITOR_LOGIN_CLIENT_LOCK_AFTER", "20", "failed attempts from one client (IP address), any user names, that lock it"
)
MONITOR_LOGIN_LOCK_MINUTES = Setting(
    "MONITOR_LOGIN_LOCK_MINUTES", "15", "how long a lock lasts; failures older than this are forgotten"
)

SETTINGS: tuple[Setting, ...] = (
    DATABASE_URL,
    MONITOR_TARGETS,
    MONITOR_SOURCES,
    MONITOR_USERS,
    MONITOR_BCRYPT_ROUNDS,
    MONITOR_LOAD_DEMO,
    MONITOR_TODAY,
    MONITOR_LOGIN_FREE_FAILURES,
    MONITOR_LOGIN_DELAY,
    MONITOR_LOGIN_DELAY_MAX,
    MONITOR_LOGIN_LOCK_AFTER,
    MONITOR_LOGIN_CLIENT_LOCK_AFTER,
    MONITOR_LOGIN_LOCK_MINUTES,
)


def database_url() -> str:
    return DATABASE_URL.value()


def targets_path() -> Path:
    return Path(MONITOR_TARGETS.value())


def sources_path() -> Path:
    return Path(MONITOR_SOURCES.value())


def users_path() -> Path:
    return Path(MONITOR_USERS.value())


def load_demo() -> bool:
    return MONITOR_LOAD_DEMO.value() not in {"0", "false", "no"}


@dataclass(frozen=True)
class LoginThrottle:
    """The login throttle's thresholds (see the MONITOR_LOGIN_* settings)."""

    free_failures: int = 3
    delay_s: float = 2.0
    delay_max_s: float = 60.0
    lock_after: int = 10
    client_lock_after: int = 20
    lock_s: float = 15 * 60.0


def _number(setting: Setting, low: float, high: float) -> float:
    raw = setting.value()
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise ConfigError(
            f"setting {setting.name}={raw!r}: expected a number from {low:g} to {high:g} ({setting.help})",
            message_zh=f"设置 {setting.name} 的值 {raw!r} 无效，应为 {low:g} 至 {high:g} 之间的数",
            hint=f"set {setting.name} to a number or unset it (default {setting.default})",
        )
    return value


def bcrypt_rounds() -> int:
    """The work factor for new hashes; bcrypt itself accepts 4 to 31."""
    value = _number(MONITOR_BCRYPT_ROUNDS, 4, 31)
    if value != int(value):
        raise ConfigError(
            f"setting {MONITOR_BCRYPT_ROUNDS.name}={MONITOR_BCRYPT_ROUNDS.value()!r}: expected a whole number",
            message_zh=f"设置 {MONITOR_BCRYPT_ROUNDS.name} 应为整数",
            hint=f"set it to a whole number from 4 to 31 or unset it (default {MONITOR_BCRYPT_ROUNDS.default})",
        )
    return int(value)


def login_throttle() -> LoginThrottle:
    """The thresholds from the environment, each checked (one line naming the setting)."""
    return LoginThrottle(
        free_failures=int(_number(MONITOR_LOGIN_FREE_FAILURES, 0, 1000)),
        delay_s=_number(MONITOR_LOGIN_DELAY, 0, 3600),
        delay_max_s=_number(MONITOR_LOGIN_DELAY_MAX, 0, 86400),
        lock_after=int(_number(MONITOR_LOGIN_LOCK_AFTER, 1, 100000)),
        client_lock_after=int(_number(MONITOR_LOGIN_CLIENT_LOCK_AFTER, 1, 100000)),
        lock_s=_number(MONITOR_LOGIN_LOCK_MINUTES, 0, 7 * 24 * 60) * 60,
    )
