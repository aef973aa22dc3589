"""Time conventions: Beijing local labels, hour-ending, stored as UTC epoch seconds.

The national network labels an hourly value by the END of its hour: ``13:00`` is the hour
12:00–13:00, so ``00:00`` belongs to the day before. A reading is stored as ``ts``, the
Unix time (UTC seconds) of its label; its Beijing day is the date of (label − 1 h).
A daily value is stored at the label that ends its day (next day 00:00), so the same rule
gives its day. Beijing has kept UTC+8 without daylight saving since 1991, so a fixed
offset is exact for every date the monitor handles.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

BEIJING_OFFSET_S = 8 * 3600
HOUR_S = 3600
DAY_S = 86400
BEIJING = dt.timezone(dt.timedelta(hours=8), name="Asia/Shanghai")
_EPOCH_DAY = dt.date(1970, 1, 1)


def label_to_ts(label: dt.datetime) -> int:
    """Unix seconds of a naive Beijing-local label."""
    return int((label - dt.datetime(1970, 1, 1)).total_seconds()) - BEIJING_OFFSET_S


def ts_to_label(ts: int) -> dt.datetime:
    """The naive Beijing-local label of a stored ``ts``."""
    return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(ts) + BEIJING_OFFSET_S)


def labels_to_ts(labels: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Vectorised ``label_to_ts`` for naive datetime64 labels (any unit)."""
    values = pd.DatetimeIndex(labels).as_unit("s").asi8
    return values - BEIJING_OFFSET_S


def ts_to_labels(ts: np.ndarray | pd.Series) -> pd.DatetimeIndex:
    """Vectorised ``ts_to_label``."""
    arr = np.asarray(ts, dtype="int64") + BEIJING_OFFSET_S
    return pd.DatetimeIndex(arr.astype("datetime64[s]"))


def day_number(ts: int | np.ndarray) -> int | np.ndarray:
    """Days since 1970-01-01 of the Beijing day a ``ts`` belongs to (hour-ending rule)."""
    return (ts + BEIJING_OFFSET_S - HOUR_S) // DAY_S


def ts_to_day(ts: int) -> dt.date:
    """The Beijing day a stored hourly (or daily) ``ts`` belongs to."""
    return _EPOCH_DAY + dt.timedelta(days=int(day_number(int(ts))))


def day_bounds(day: dt.date) -> tuple[int, int]:
    """``(first, last)`` ts of the hours of a Beijing day: labels 01:00 … next day 00:00."""
    start = label_to_ts(dt.datetime.combine(day, dt.time(1)))
    return start, start + 23 * HOUR_S


def daily_ts(day: dt.date) -> int:
    """The ``ts`` a daily value of ``day`` is stored at (the label ending the day)."""
    return day_bounds(day)[1]


def period_bounds(first_day: dt.date, last_day: dt.date) -> tuple[int, int]:
    """``(first, last)`` ts (inclusive) of every hour of the days first_day … last_day."""
    return day_bounds(first_day)[0], day_bounds(last_day)[1]


def label_from_hour_beginning(label: dt.datetime) -> dt.datetime:
    """A file labelled by the hour's start (``--hour-beginning``) → the hour-ending label."""
    return label + dt.timedelta(hours=1)


def now_beijing() -> dt.datetime:
    """The current naive Beijing-local time."""
    return dt.datetime.now(BEIJING).replace(tzinfo=None)


def today_beijing() -> dt.date:
    """The as-of day: ``MONITOR_TODAY`` when set, else today in Beijing. It decides which
    periods are over (judged whole) and which are in progress (judged "to date")."""
    from monitoring.config import MONITOR_TODAY
    from monitoring.errors import ConfigError

    raw = MONITOR_TODAY.value()
    if not raw:
        return now_beijing().date()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(
            f"MONITOR_TODAY={raw!r} is not a date",
            message_zh=f"MONITOR_TODAY={raw!r} 不是日期",
            hint="give YYYY-MM-DD or leave it empty for today in Beijing",
        ) from None
