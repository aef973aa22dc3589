"""Storage: the engine, the schema and its migrations, and the queries every caller uses.

Nothing outside this package writes SQL text.
"""

from monitoring.storage.engine import make_engine
from monitoring.storage.schema import metadata

__all__ = ["make_engine", "metadata"]
