"""The database as the screens see it: open it ready to read, and which years it holds.

The dashboard asks the domain, never ``monitoring.storage`` (tests/pages/test_layering.py):
this is the one door for the two things it needs of the store itself.
"""

from __future__ import annotations

from sqlalchemy import Engine

from monitoring.bootstrap import init_database
from monitoring.storage import queries
from monitoring.storage.engine import make_engine


def open_engine(url: str) -> Engine:
    """An engine on ``url``, migrated to the current schema and seeded when empty (``init``)."""
    engine = make_engine(url)
    init_database(engine)
    return engine


def available_years(engine: Engine) -> list[int]:
    """Years with at least one daily mean, newest first."""
    return list(queries.available_years(engine))


def demo_years(engine: Engine) -> list[int]:
    """Years that hold generated demo daily means (the pages' demo banner), oldest first."""
    return list(queries.demo_years(engine))
