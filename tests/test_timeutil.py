"""Hour-ending labels and Beijing days: 00:00 belongs to the day before."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring import timeutil


def test_midnight_label_belongs_to_the_day_before() -> None:
    ts = timeutil.label_to_ts(dt.datetime(2026, 1, 6, 0, 0))
    assert timeutil.ts_to_day(ts) == dt.date(2026, 1, 5)


def test_one_oclock_label_starts_the_day() -> None:
    ts = timeutil.label_to_ts(dt.datetime(2026, 1, 6, 1, 0))
    assert timeutil.ts_to_day(ts) == dt.date(2026, 1, 6)


def test_labels_are_stored_as_utc() -> None:
    # 2026-01-06 08:00 Beijing is 2026-01-06 00:00 UTC.
    assert timeutil.label_to_ts(dt.datetime(2026, 1, 6, 8)) == int(dt.datetime(2026, 1, 6, tzinfo=dt.UTC).timestamp())
    assert timeutil.ts_to_label(timeutil.label_to_ts(dt.datetime(2026, 3, 1, 13))) == dt.datetime(2026, 3, 1, 13)


def test_day_bounds_cover_labels_0100_to_next_midnight() -> None:
    first, last = timeutil.day_bounds(dt.date(2026, 2, 28))
    assert timeutil.ts_to_label(first) == dt.datetime(2026, 2, 28, 1)
    assert timeutil.ts_to_label(last) == dt.datetime(2026, 3, 1, 0)
    assert timeutil.daily_ts(dt.date(2026, 2, 28)) == last
    assert timeutil.ts_to_day(last) == dt.date(2026, 2, 28)


def test_vectorised_conversion_matches_the_scalar_one() -> None:
    labels = pd.Series(pd.to_datetime(["2026-01-01 00:00", "2026-01-01 01:00", "2025-12-31 23:00"]))
    ts = timeutil.labels_to_ts(labels)
    assert list(ts) == [timeutil.label_to_ts(x.to_pydatetime()) for x in labels]
    days = timeutil.day_number(ts)
    assert [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days] == [
        dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2025, 12, 31)]
    assert list(timeutil.ts_to_labels(ts)) == list(labels)


def test_hour_beginning_files_shift_by_one_hour() -> None:
    assert timeutil.label_from_hour_beginning(dt.datetime(2026, 1, 5, 23)) == dt.datetime(2026, 1, 6, 0)
