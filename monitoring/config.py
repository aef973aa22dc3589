"""Settings, declared as data with their defaults and help, read from the environment.

Every setting of INTERFACES.md is here; nothing else reads ``os.environ`` for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
MONITOR_LOAD_DEMO = Setting(
    "MONITOR_LOAD_DEMO", "1", "1 to load the demo year into an empty database at init, 0 not to"
)

MONITOR_TODAY = Setting(
    "MONITOR_TODAY",
    "",
    "the as-of day (YYYY-MM-DD, Beijing) that decides which periods are over; empty: today in Beijing. "
    "For reproducing a past day's figures and for tests",
)

SETTINGS: tuple[Setting, ...] = (
    DATABASE_URL,
    MONITOR_TARGETS,
    MONITOR_SOURCES,
    MONITOR_USERS,
    MONITOR_LOAD_DEMO,
    MONITOR_TODAY,
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
