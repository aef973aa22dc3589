"""district() and ranking() in one call."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from monitoring.reports.common import Report
from monitoring.reports.district import district
from monitoring.reports.projection import ProfileSource
from monitoring.reports.ranking import ranking
from monitoring.targets import Targets

# -- 8. overview ------------------------------------------------------------------------------------


def overview(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    through: dt.date | None = None,
    exclude_events: bool = False,
    profile: ProfileSource | None = None,
) -> Report:
    """district() and ranking() in one call (extra["district"], extra["ranking"])."""
    d = district(engine, targets, year=year, through=through, exclude_events=exclude_events, profile=profile)
    r = ranking(engine, targets, year=year, through=through, exclude_events=exclude_events, profile=profile)
    return Report(
        "overview",
        d.frame,
        d.method,
        d.notes + [n for n in r.notes if n not in d.notes],
        d.notes_en + [n for n in r.notes_en if n not in d.notes_en],
        {"district": d, "ranking": r},
    )
