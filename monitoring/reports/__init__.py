"""What a page or ``python -m monitoring report`` asks for: storage query → rules → ``Report``.

One module per report; ``common`` holds what they share (periods and validity, the valid
daily values, the district daily values, the seasonal profile, rounding). Every report takes
``(engine, targets, *, …)`` and returns a ``Report``: the table (``frame``), how it was made
(``method``: each key in Chinese, the same key + ``_en`` in English), warnings (``notes`` zh,
``notes_en``) and small structured results (``extra``).

Conventions kept by every report:
- a subdistrict's daily value is its stored daily mean, valid by GB 3095 (≥ 20 h); O3's daily
  value is the daily maximum 8-hour mean (valid with ≥ 14 valid windows);
- the district's daily value of a pollutant is the mean of the subdistricts' valid daily
  values that day (a day with no valid subdistrict is not a district day);
- a period's value is the evaluation statistic of HJ 663 over its valid daily values,
  rounded once, at the end, GB/T 8170;
- a missing figure is ``NaN``/``None`` in the frame AND has a status or a note saying why,
  never a zero.
"""

from monitoring.reports.aqi import daily_aqi
from monitoring.reports.backtest import backtest
from monitoring.reports.budget import budget
from monitoring.reports.common import (
    POLLUTANT_NAMES,
    UNITS,
    Report,
    default_through,
    event_days,
    last_day_with_data,
    years_with_data,
)
from monitoring.reports.compare import standards_comparison
from monitoring.reports.district import district
from monitoring.reports.events import SideBySide, side_by_side
from monitoring.reports.overview import overview
from monitoring.reports.progress import progress
from monitoring.reports.projection import ProfileSource, seasonal_profile
from monitoring.reports.ranking import ranking
from monitoring.reports.road_dust import road_dust
from monitoring.reports.trend import trend

__all__ = [
    "POLLUTANT_NAMES", "UNITS", "ProfileSource", "Report", "SideBySide", "backtest", "budget", "daily_aqi",
    "default_through", "district", "event_days", "last_day_with_data", "overview", "progress", "ranking", "road_dust",
    "seasonal_profile", "side_by_side", "standards_comparison", "trend", "years_with_data",
]
