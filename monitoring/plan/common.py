"""What the plan's modules share: the as-of day and a date as typed."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from monitoring import timeutil
from monitoring.errors import InputError


def beijing_today() -> dt.date:
    """The as-of day (``timeutil.today_beijing``: MONITOR_TODAY or today in Beijing)."""
    return timeutil.today_beijing()


def parse_day(value: object, what: str) -> dt.date:
    """A date as typed (2026-06-30, 2026/6/30, 2026年6月30日) or a date object; ``what`` names it in the refusal."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise InputError(
            f"{what}: {text!r} is not a date",
            message_zh=f"{what}：“{text}”不是日期",
            hint="write it as YYYY-MM-DD, for example 2026-06-30",
        ) from None
