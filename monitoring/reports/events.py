"""Exceptional events in the reports: what a report deducts, said exactly, and the same
report with and without the events side by side.

``deduction`` is what every report calls for its period: the days it leaves out (none unless
``exclude_events``) and the method line (key ``events``) naming each event's kind and days,
and how much the validity requirement falls. ``side_by_side(report, …)`` runs a report as
published (events included) and, only when an event falls in its period, again with the
events deducted, so a page shows both figures next to each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from monitoring.reports.common import Report
from monitoring.storage import events as store
from monitoring.storage.events import Event
from monitoring.targets import Targets

NO_EVENTS = ("本时段无例外事件", "no exceptional event in the period")


def _span(first: dt.date, last: dt.date) -> str:
    if first == last:
        return f"{first:%Y-%m-%d}"
    if first.year == last.year:
        return f"{first:%Y-%m-%d}—{last:%m-%d}"
    return f"{first:%Y-%m-%d}—{last:%Y-%m-%d}"


def _kind_names(targets: Targets, kind: str) -> tuple[str, str]:
    try:
        k = targets.exceptional_events.kind(kind)
    except KeyError:  # a kind since taken out of targets.yaml: still deducted, named by its key
        return kind, kind
    if k.provisional:
        return f"{k.name}（暂定类型）", f"{k.name_en} (provisional kind)"
    return k.name, k.name_en


def events_in(engine: Engine, first: dt.date, last: dt.date) -> list[Event]:
    """Events in force that share a day with first … last, by first day."""
    return store.list_events(engine, first, last)


def describe(targets: Targets, events: list[Event], first: dt.date, last: dt.date) -> tuple[str, str, int]:
    """'沙尘 2026-03-14—03-16；…' and the English, with the number of days, clipped to first … last."""
    zh, en, days = [], [], set()
    for e in events:
        lo, hi = max(e.first_day, first), min(e.last_day, last)
        if lo > hi:
            continue
        name_zh, name_en = _kind_names(targets, e.kind)
        zh.append(f"{name_zh} {_span(lo, hi)}")
        en.append(f"{name_en} {_span(lo, hi).replace('—', '–')}")
        days.update(e.days(first, last))
    return "；".join(zh), "; ".join(en), len(days)


def deduction(
    engine: Engine, targets: Targets, first: dt.date, last: dt.date, exclude_events: bool
) -> tuple[set[dt.date], dict[str, str]]:
    """(days left out, method lines ``events``/``events_en``) for first … last.

    With ``exclude_events`` the days of the events in force are left out and the validity
    requirement falls by as many days; without, the line says which events the figures include."""
    events = events_in(engine, first, last)
    zh, en, n = describe(targets, events, first, last)
    if n == 0:
        return set(), {"events": NO_EVENTS[0], "events_en": NO_EVENTS[1]}
    if exclude_events:
        days = {d for e in events for d in e.days(first, last)}
        return days, {
            "events": f"扣除例外事件 {n} 天（{zh}）；有效天数要求相应减少 {n} 天（{targets.exceptional_events.standard}）",
            "events_en": f"exceptional events deducted: {n} days ({en}); the valid days required are reduced by {n} "
                         f"({targets.exceptional_events.standard_in('en')})",
        }
    return set(), {
        "events": f"含例外事件 {n} 天（{zh}），未扣除",
        "events_en": f"exceptional events included: {n} days ({en}), not deducted",
    }


@dataclass(frozen=True)
class SideBySide:
    """A report as published (``included``: event days counted) and, when events fall in its
    period, the same report with them deducted (``deducted``); else ``deducted`` is None and
    ``note`` says 本时段无例外事件."""

    included: Report
    deducted: Report | None
    events: list[Event] = field(default_factory=list)
    first: dt.date | None = None
    last: dt.date | None = None
    note: str = ""
    note_en: str = ""

    @property
    def has_events(self) -> bool:
        return self.deducted is not None


def period_of(report: Report, year: int | None = None) -> tuple[dt.date, dt.date]:
    """The days a report covers: ``extra`` first/last (the overview: its ranking's), else the
    whole ``year`` (progress: the year's months)."""
    extra = report.extra
    if "ranking" in extra and isinstance(extra["ranking"], Report):  # the overview: the ranking's period
        extra = {**extra["ranking"].extra, **{k: v for k, v in extra.items() if k in ("first", "last")}}
    first = extra.get("first")
    last = extra.get("last")
    y = year if year is not None else (last.year if isinstance(last, dt.date) else dt.date.today().year)
    return (first if isinstance(first, dt.date) else dt.date(y, 1, 1)), (last if isinstance(last, dt.date) else dt.date(y, 12, 31))


def side_by_side(report: Callable[..., Report], engine: Engine, targets: Targets, **kwargs: Any) -> SideBySide:
    """``report(engine, targets, **kwargs)`` with the events included and, only when an event
    falls in its period, again with ``exclude_events=True`` (one query when there is none)."""
    kwargs.pop("exclude_events", None)
    included = report(engine, targets, exclude_events=False, **kwargs)
    first, last = period_of(included, kwargs.get("year"))
    events = events_in(engine, first, last)
    zh, en, n = describe(targets, events, first, last)
    if n == 0:
        return SideBySide(included, None, [], first, last, NO_EVENTS[0], NO_EVENTS[1])
    deducted = report(engine, targets, exclude_events=True, **kwargs)
    return SideBySide(
        included, deducted, events, first, last,
        f"扣除例外事件 {n} 天（{zh}）", f"{n} days of exceptional events deducted ({en})",
    )


def merge_column(pair: SideBySide, key: str | list[str], column: str, name: str | None = None) -> Any:
    """The included report's frame with ``column`` of the deducted report beside it as
    ``name`` (default ``<column>_deducted``), matched on ``key``; unchanged without events."""
    frame = pair.included.frame
    if pair.deducted is None:
        return frame
    keys = [key] if isinstance(key, str) else list(key)
    other = pair.deducted.frame[[*keys, column]].rename(columns={column: name or f"{column}_deducted"})
    return frame.merge(other, on=keys, how="left")
