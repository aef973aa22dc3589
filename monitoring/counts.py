"""One counts type: what became of a file's rows, for the run record, the ingest result and a pull.

``rows = accepted + rejected + duplicates + missing + (conflicts - replaced)`` (the
pipeline's counting rule, ingest/result.py). The run record stores these fields as its
columns (``ingestion_runs``); ``IngestResult`` and ``PullResult`` carry one ``Counts``
beside their own fields, and their JSON keeps the flat keys of docs/INTERFACES.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: The fields that add up when two parts of one write are combined.
SUMMED = ("rows", "accepted", "rejected", "duplicates", "conflicts", "replaced", "missing")


@dataclass(frozen=True)
class Counts:
    """What happened to a file's rows (``first_ts`` / ``last_ts``: the readings' label span, UTC seconds)."""

    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    conflicts: int = 0
    replaced: int = 0
    missing: int = 0
    first_ts: int | None = None
    last_ts: int | None = None

    def __add__(self, other: Counts) -> Counts:
        """Two slices of one write together: counts summed, the ts span widened."""
        summed = {name: getattr(self, name) + getattr(other, name) for name in SUMMED}
        return Counts(**summed, first_ts=_pick(min, self.first_ts, other.first_ts), last_ts=_pick(max, self.last_ts, other.last_ts))

    def as_record(self) -> dict[str, Any]:
        """The ``ingestion_runs`` columns these counts fill."""
        return asdict(self)


def _pick(choose: Any, mine: int | None, theirs: int | None) -> int | None:
    if mine is None:
        return theirs
    return mine if theirs is None else int(choose(mine, theirs))

