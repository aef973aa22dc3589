"""Road-dust loads into the store: new, duplicate or conflict per (subdistrict, road, day), with their audit.

The same rules as readings (storage/writes.py): a different value under a stored key is
a conflict, kept or (``replace``) replaced, the old value going to
``road_dust_revisions`` either way; ``dry_run`` classifies and writes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, select, update

from monitoring.counts import Counts
from monitoring.storage.run_records import utcnow
from monitoring.storage.schema import road_dust, road_dust_revisions

ROAD_DUST_COLUMNS = ("subdistrict_id", "road", "day", "month_only", "load", "grade")


def _nullable(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def write_road_dust(
    conn: Connection, run_id: int, frame: pd.DataFrame, *, source: str, replace: bool = False, dry_run: bool = False,
    duplicates: list[int] | None = None,
) -> Counts:
    """Store road-dust rows (``ROAD_DUST_COLUMNS``); same duplicate/conflict rules as readings.
    ``dry_run``: the same classification and counts, nothing written. ``duplicates``: a list
    that receives the positions (in ``frame``) of the rows already stored with the same value."""
    if frame.empty:
        return Counts()
    stored = conn.execute(
        select(
            road_dust.c.id,
            road_dust.c.subdistrict_id,
            road_dust.c.road,
            road_dust.c.day,
            road_dust.c.load,
            road_dust.c.grade,
            road_dust.c.run_id,
        ).where(road_dust.c.day.between(min(frame["day"]), max(frame["day"])))
    ).all()
    old = {(int(r.subdistrict_id), r.road, r.day): r for r in stored}
    new_rows: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    same = conflicts = 0
    now = utcnow()
    for position, r in enumerate(frame.itertuples(index=False)):
        key = (int(r.subdistrict_id), str(r.road), r.day)
        grade = _nullable(r.grade)
        if key not in old:
            new_rows.append(
                {
                    "subdistrict_id": key[0],
                    "road": key[1],
                    "day": key[2],
                    "month_only": bool(r.month_only),
                    "load": float(r.load),
                    "grade": grade,
                    "source": source,
                    "run_id": run_id,
                }
            )
            continue
        prev = old[key]
        if abs(float(prev.load) - float(r.load)) < 1e-9 and (prev.grade or None) == grade:
            same += 1
            if duplicates is not None:
                duplicates.append(position)
            continue
        conflicts += 1
        revisions.append(
            {
                "run_id": run_id,
                "subdistrict_id": key[0],
                "road": key[1],
                "day": key[2],
                "old_load": float(prev.load),
                "new_load": float(r.load),
                "old_grade": prev.grade,
                "new_grade": grade,
                "old_run_id": prev.run_id,
                "action": "replaced" if replace else "kept",
                "at": now,
            }
        )
        if replace and not dry_run:
            conn.execute(
                update(road_dust)
                .where(road_dust.c.id == prev.id)
                .values(load=float(r.load), grade=grade, run_id=run_id, source=source)
            )
    replaced = conflicts if replace else 0
    counts = Counts(rows=len(frame), accepted=len(new_rows) + replaced, duplicates=same, conflicts=conflicts,
                    replaced=replaced)
    if dry_run:
        return counts
    if new_rows:
        conn.execute(insert(road_dust), new_rows)
    # The old value stays in the audit trail, whether it was replaced or kept.
    if revisions:
        conn.execute(insert(road_dust_revisions), revisions)
    return counts
