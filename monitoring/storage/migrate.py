"""Create or upgrade the schema with Alembic, from the first table on.

Alembic is imported only to migrate: checking that a database is current is one query
(commands that write, like ``ingest``, check it on every run and should not pay
Alembic's import, ~0.1 s, for it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from monitoring.errors import StorageError
from monitoring.storage.engine import describe

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: The newest migration: the schema that storage/schema.py declares. A test holds it
#: equal to Alembic's head, so a new migration cannot be forgotten here.
SCHEMA_REVISION = "0004"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: not initialised); Alembic's own table, read directly."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == SCHEMA_REVISION


def ensure_current(engine: Engine) -> None:
    """Migrate only when the database is behind (the check is one query, no Alembic)."""
    if not is_current(engine):
        upgrade(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest); a no-op when it is there."""
    from alembic import command

    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise StorageError(
            f"cannot migrate the database {describe(engine)}: {exc.orig}",
            message_zh=f"无法升级数据库 {describe(engine)}：{exc.orig}",
            hint="check DATABASE_URL, that the server is running and the folder is writable",
            hint_zh="请检查 DATABASE_URL、数据库服务器是否启动、目录是否可写",
        ) from None
    except SQLAlchemyError as exc:
        raise StorageError(
            f"migration of {describe(engine)} failed: {exc}",
            message_zh="数据库升级失败",
            hint="restore the last backup (python -m monitoring restore) and report the message",
            hint_zh="请用最近的备份恢复（python -m monitoring restore），并报告此消息",
        ) from None
