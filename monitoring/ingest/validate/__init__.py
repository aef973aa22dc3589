"""The validator: one function per rule, each over a whole chunk at once.

A rule takes the chunk's cells (text) or what an earlier rule parsed, and returns the
rows it refuses with a reason in Chinese and in English (``Reasons``). Rules are
vectorised: they work on the distinct spellings or on whole columns, and build a
sentence only for the rows they refuse, so a clean million-row file never loops in
Python. The reasons carry no line number; the pipeline adds ``第 12 行:`` / ``line 12:``.

Units: a value is µg/m³ (CO mg/m³), as INTERFACES.md says. A cell that carries its unit
(``35μg/m³``, ``0.8 mg/m³``) is read when the unit is the pollutant's own unit and
refused with a reason when it is another one: the monitor never guesses a conversion.
The same holds for a ``unit`` column and for a unit written in a wide header
(``PM2.5(μg/m³)``).

The rules live by concern — ``place.py``, ``times.py``, ``values.py`` (pollutant, unit,
number), ``road_dust.py`` — with what they share in ``common.py`` and the result's notes in
``notes.py``. The names below are the validator's interface: the pipeline and the fast
reader call every rule as ``v.check_…`` (``from monitoring.ingest import validate as v``).
"""

from __future__ import annotations

from monitoring.ingest.validate.common import (
    Context,
    Reasons,
    merge,
    per_distinct,
)
from monitoring.ingest.validate.common import (
    _reasons as _reasons,  # the pipeline builds its own Reasons with it
)
from monitoring.ingest.validate.notes import (
    NOTE_LINES,
    Note,
    pm25_above_pm10,
    zone_note,
)
from monitoring.ingest.validate.place import (
    check_station,
    check_station_in_subdistrict,
    check_subdistrict,
)
from monitoring.ingest.validate.road_dust import (
    GRADES,
    check_dust_date,
    check_grade,
    check_load,
    check_road,
    parse_dust_dates,
)
from monitoring.ingest.validate.times import (
    BEIJING_OFFSET,
    check_not_future,
    check_not_too_early,
    check_on_the_hour,
    check_time,
    labels_to_ts,
    normalise_time_text,
    parse_times,
    parse_times_zoned,
    parse_year_month_day_hour,
    to_hour_ending,
)
from monitoring.ingest.validate.values import (
    DUST_FALSE,
    DUST_TRUE,
    NUMBER,
    POLLUTANT_TEXT,
    UNIT_OF,
    UNIT_TEXT,
    Values,
    check_not_negative,
    check_pollutant,
    check_range,
    check_unit,
    dust_flags,
    norm_unit,
    number,
    parse_numbers,
    parse_values,
    pollutant_series,
)

__all__ = [
    "BEIJING_OFFSET", "Context", "DUST_FALSE", "DUST_TRUE", "GRADES", "NOTE_LINES", "NUMBER", "Note",
    "POLLUTANT_TEXT", "Reasons", "UNIT_OF", "UNIT_TEXT", "Values", "check_dust_date", "check_grade", "check_load",
    "check_not_future", "check_not_negative", "check_not_too_early", "check_on_the_hour", "check_pollutant",
    "check_range", "check_road", "check_station", "check_station_in_subdistrict", "check_subdistrict", "check_time",
    "check_unit", "dust_flags", "labels_to_ts", "merge", "norm_unit", "normalise_time_text", "number",
    "parse_dust_dates", "parse_numbers", "parse_times", "parse_times_zoned", "parse_values",
    "parse_year_month_day_hour", "per_distinct", "pm25_above_pm10", "pollutant_series", "to_hour_ending", "zone_note",
]
