"""One table of pollutants (targets.POLLUTANT_TABLE), used everywhere."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from monitoring import i18n
from monitoring import targets as table
from monitoring.ingest import validate
from monitoring.rules import aqi
from monitoring.rules.rounding import decimals_for, is_missing
from monitoring.storage import keys

ROOT = Path(__file__).resolve().parents[1]
#: history (a migration is frozen as it ran) and files others are changing right now
NOT_CHECKED = {"monitoring/storage/migrations", "monitoring/bench.py", "app.py"}


def test_the_table_is_the_source_of_codes_names_units_and_decimals(targets) -> None:  # type: ignore[no-untyped-def]
    assert tuple(p.code for p in table.POLLUTANT_TABLE) == table.POLLUTANTS
    assert table.POLLUTANTS == ("pm25", "pm10", "so2", "no2", "o3", "co")
    assert table.unit_of("co") == "mg/m³" and table.unit_of("o3_8h") == "µg/m³"
    assert decimals_for("co", targets) == targets.standards.rounding.co_decimals
    assert decimals_for("o3_8h", targets) == decimals_for("pm25", targets) == targets.standards.rounding.decimals
    # the other modules' lists are this one's, in their own order
    assert set(aqi.FULL_SET) == set(keys.POLLUTANT_ORDER) == set(table.POLLUTANTS)
    assert aqi.FULL_SET[-1] == "o3" and list(keys.POLLUTANT_ORDER) == sorted(keys.POLLUTANT_ORDER)
    assert validate.UNIT_OF == {"pm25": "ugm3", "pm10": "ugm3", "so2": "ugm3", "no2": "ugm3", "o3": "ugm3", "co": "mgm3"}


def test_labels_name_each_pollutant_and_unit_as_the_table_does() -> None:
    for p in table.POLLUTANT_TABLE:
        zh, en = i18n.t(f"pollutant.{p.code}", "zh"), i18n.t(f"pollutant.{p.code}", "en")
        assert en == p.name and p.name in zh
        assert i18n.t(f"unit.{p.unit_key}", "en") == p.unit


def test_one_is_missing_for_every_layer() -> None:
    for missing in (None, float("nan"), np.float64("nan"), pd.NA, pd.NaT, np.datetime64("NaT")):
        assert is_missing(missing), missing
    for present in (0, 0.0, "", "nan", [None], np.array([np.nan]), dt.date(2026, 1, 1)):
        assert not is_missing(present), present


def test_no_module_types_out_the_six_codes_again() -> None:
    six = re.compile(r"""(['"](pm25|pm10|so2|no2|o3|co)['"],\s*){5}['"](pm25|pm10|so2|no2|o3|co)['"]""")
    offenders = []
    for folder in ("monitoring", "dashboard", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = str(path.relative_to(ROOT))
            if any(rel.startswith(skip) for skip in NOT_CHECKED):
                continue
            offenders += [f"{rel}:{n}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                          if six.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []
