"""Create or upgrade the schema with Alembic, from the first table on."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from monitoring.errors import StorageError
from monitoring.storage.engine import describe

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest); a no-op when it is there."""
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
