"""targets.yaml: the subdistricts, the targets and the dated standards, validated.

The file is checked strictly (unknown keys, wrong types, the subdistrict list against the
official code register) so a typo stops the program with one line naming the key and the
fix, instead of silently computing with a default. Rules never hold thresholds of their
own: they take them from the ``Targets`` object this module returns.

The package by concern: ``pollutants`` (the one table of pollutants), ``names`` (subdistrict
ids and name spellings), ``models`` (the pydantic schema, ``Targets``), ``loader`` (reading,
the register check, the cache). Over a hundred modules import from ``monitoring.targets``,
so the public names are gathered here.
"""

from __future__ import annotations

from monitoring.targets.loader import REGISTER_PATH, load_targets, read_register
from monitoring.targets.models import (
    AqiCategory,
    AqiStandard,
    District,
    Evaluation,
    EventKind,
    ExceptionalEvents,
    History,
    Indicator,
    IngestRules,
    Limit,
    PlanTarget,
    PublishedFigure,
    RoadDust,
    Rounding,
    Scorecard,
    ScorecardRow,
    Standards,
    Station,
    StatusRules,
    Subdistrict,
    Targets,
    TrendRow,
    TrendTable,
    Validity,
    WorkbookBounds,
)
from monitoring.targets.names import normalise_name, subdistrict_id
from monitoring.targets.pollutants import (
    DEFAULT_UNIT,
    POLLUTANT_BY_CODE,
    POLLUTANT_NAMES,
    POLLUTANT_TABLE,
    POLLUTANTS,
    UNITS,
    Pollutant,
    decimals_key,
    unit_of,
)

__all__ = [
    "DEFAULT_UNIT", "POLLUTANTS", "POLLUTANT_BY_CODE", "POLLUTANT_NAMES", "POLLUTANT_TABLE", "REGISTER_PATH", "UNITS",
    "AqiCategory", "AqiStandard", "District", "Evaluation", "EventKind", "ExceptionalEvents", "History", "Indicator",
    "IngestRules", "Limit", "PlanTarget", "Pollutant", "PublishedFigure", "RoadDust", "Rounding", "Scorecard",
    "ScorecardRow", "Standards", "Station", "StatusRules", "Subdistrict", "Targets", "TrendRow", "TrendTable",
    "Validity", "WorkbookBounds", "decimals_key", "load_targets", "normalise_name", "read_register", "subdistrict_id",
    "unit_of",
]
