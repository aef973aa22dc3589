"""The one table of pollutants (code, names, unit, rounding key) the whole project uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Pollutant:
    """One pollutant of GB 3095-2012 as the whole project names, measures and rounds it."""

    code: str  # the stored code (readings.pollutant)
    name: str  # as bulletins print it
    name_zh: str
    name_en: str
    unit: str  # the project's unit; files and sources are converted to it
    unit_key: str  # the unit's label key (labels ``unit.<key>``) and the validator's unit code
    #: which key of targets.yaml ``standards.rounding`` gives its decimals (CO has its own)
    decimals_key: Literal["decimals", "co_decimals"] = "decimals"


#: The one table of pollutants, in the project's order (files, pages, the CLI).
POLLUTANT_TABLE: tuple[Pollutant, ...] = (
    Pollutant("pm25", "PM2.5", "细颗粒物", "fine particulate matter", "µg/m³", "ugm3"),
    Pollutant("pm10", "PM10", "可吸入颗粒物", "inhalable particulate matter", "µg/m³", "ugm3"),
    Pollutant("so2", "SO2", "二氧化硫", "sulphur dioxide", "µg/m³", "ugm3"),
    Pollutant("no2", "NO2", "二氧化氮", "nitrogen dioxide", "µg/m³", "ugm3"),
    Pollutant("o3", "O3", "臭氧", "ozone", "µg/m³", "ugm3"),
    Pollutant("co", "CO", "一氧化碳", "carbon monoxide", "mg/m³", "mgm3", "co_decimals"),
)
POLLUTANT_BY_CODE: dict[str, Pollutant] = {p.code: p for p in POLLUTANT_TABLE}
POLLUTANTS: tuple[str, ...] = tuple(p.code for p in POLLUTANT_TABLE)
#: code → printed name (PM2.5, …) and code → unit, for the modules that want a mapping.
POLLUTANT_NAMES: dict[str, str] = {p.code: p.name for p in POLLUTANT_TABLE}
UNITS: dict[str, str] = {p.code: p.unit for p in POLLUTANT_TABLE}
DEFAULT_UNIT = "µg/m³"


def unit_of(code: str) -> str:
    """The unit of a pollutant code (µg/m³ for a derived column such as ``o3_8h``)."""
    return UNITS.get(code, DEFAULT_UNIT)


def decimals_key(code: str) -> str:
    """The targets.yaml rounding key of a pollutant code (``decimals`` for a derived column)."""
    found = POLLUTANT_BY_CODE.get(code)
    return found.decimals_key if found else "decimals"

