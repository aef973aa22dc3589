"""Exceptional events (例外事件, HJ 663—2026): a day range deducted from assessment.

Sand-and-dust days (沙尘, 环办监测〔2016〕120号) are one kind; the kinds are data
(``exceptional_events.kinds`` in targets.yaml). Only analysts and admins may flag or remove an
event; both record the person (``flagged_by``, ``removed_by``) and a removed event keeps its
row, so nothing is lost. Events may not overlap: a day is deducted once, for one reason.
Figures are given with and without the deducted days (monitoring.reports.events).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from monitoring.actors import Actor, require_writer
from monitoring.errors import InputError
from monitoring.storage import events as store
from monitoring.storage.engine import write_transaction
from monitoring.storage.events import Event
from monitoring.targets import Targets

__all__ = ["Event", "flag_event", "get_event", "list_events", "parse_day", "remove_event"]

#: Longest range accepted in one event: a typo in a year (2062 for 2026) should not deduct decades.
MAX_DAYS = 366


def parse_day(text: str | dt.date, what: str = "day") -> dt.date:
    """A YYYY-MM-DD date (or a date), else one clear line."""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise InputError(
            f"{what} {text!r} is not a date",
            message_zh=f"{what} {text!r} 不是日期",
            hint="give the day as YYYY-MM-DD, e.g. 2026-03-14",
            hint_zh="请按 YYYY-MM-DD 填写，例如 2026-03-14",
        ) from None


def _check_kind(targets: Targets, kind: str) -> str:
    key = kind.strip().lower()
    known = [k.key for k in targets.exceptional_events.kinds]
    if key not in known:
        raise InputError(
            f"unknown event kind {kind!r}",
            message_zh=f"未知的例外事件类型 {kind!r}",
            hint=f"use one of {', '.join(known)} (targets.yaml exceptional_events.kinds)",
            hint_zh="可选：" + "、".join(f"{k.name}（{k.key}）" for k in targets.exceptional_events.kinds),
        )
    return key


def _range_text(e: Event) -> str:
    return f"#{e.id} {e.kind} {e.first_day}–{e.last_day}"


def flag_event(
    engine: Engine,
    targets: Targets,
    first: str | dt.date,
    last: str | dt.date,
    kind: str,
    reason: str,
    actor: Actor,
) -> Event:
    """Flag first … last (both included) as an exceptional event of ``kind``; the new event.

    Refused (nothing written): a viewer; an unknown kind; an empty reason; last before first;
    a range longer than ``MAX_DAYS``; a range sharing a day with an event in force."""
    require_writer(actor, "flag exceptional events")
    first_day, last_day = parse_day(first, "first day"), parse_day(last, "last day")
    key = _check_kind(targets, kind)
    if last_day < first_day:
        raise InputError(
            f"the event ends ({last_day}) before it begins ({first_day})",
            message_zh=f"结束日期 {last_day} 早于开始日期 {first_day}",
            hint="give the first day, then the last day",
            hint_zh="请先填开始日期，再填结束日期",
        )
    n_days = (last_day - first_day).days + 1
    if n_days > MAX_DAYS:
        raise InputError(
            f"the event {first_day}–{last_day} covers {n_days} days, more than {MAX_DAYS}",
            message_zh=f"例外事件 {first_day}—{last_day} 共 {n_days} 天，超过 {MAX_DAYS} 天",
            hint="check the years of both days",
            hint_zh="请检查两个日期的年份",
        )
    text = " ".join((reason or "").split())
    if not text:
        raise InputError(
            "an exceptional event needs a reason",
            message_zh="例外事件须填写原因",
            hint="say what happened and on what evidence, e.g. 'CMA dust bulletin 2026-03-14'",
            hint_zh="请说明事件及依据，例如“气象部门沙尘天气通报”",
        )
    # the write lock before the overlap check: two analysts flagging the same days at once
    # cannot both pass it (the second waits, then sees the first's event and is refused)
    with write_transaction(engine) as conn:
        clash = store.overlapping(conn, first_day, last_day)
        if clash:
            raise InputError(
                f"{first_day}–{last_day} overlaps event {_range_text(clash[0])}",
                message_zh=f"{first_day}—{last_day} 与已标记的例外事件 #{clash[0].id}（{clash[0].first_day}—{clash[0].last_day}）重叠",
                hint=f"remove event {clash[0].id} first or choose days outside it",
                hint_zh=f"请先删除事件 #{clash[0].id}，或选择不重叠的日期",
            )
        event_id = store.insert_event(conn, first_day, last_day, key, text, actor.name)
    event = store.get_event(engine, event_id)
    assert event is not None
    return event


def remove_event(engine: Engine, event_id: int, actor: Actor, reason: str = "") -> Event:
    """Stop deducting an event; the row stays, marked with who removed it and when."""
    require_writer(actor, "remove exceptional events")
    event = store.get_event(engine, int(event_id))
    if event is None:
        raise InputError(
            f"no exceptional event {event_id}",
            message_zh=f"没有编号为 {event_id} 的例外事件",
            hint="see `python -m monitoring events list` for the ids",
            hint_zh="请在例外事件列表中查看编号",
        )
    with write_transaction(engine) as conn:
        done = store.mark_removed(conn, event.id, actor.name, " ".join((reason or "").split()))
    if not done:
        raise InputError(
            f"exceptional event {event_id} was already removed by {event.removed_by} at {event.removed_at:%Y-%m-%d %H:%M} UTC"
            if event.removed_at else f"exceptional event {event_id} was already removed",
            message_zh=f"例外事件 #{event_id} 已被 {event.removed_by} 删除",
            hint="nothing to do",
            hint_zh="无需再删除",
        )
    removed = store.get_event(engine, event.id)
    assert removed is not None
    return removed


def list_events(
    engine: Engine, first: dt.date | None = None, last: dt.date | None = None, *, removed: bool = False
) -> list[Event]:
    """Events in force touching first … last (``removed``: the removed ones too), by first day."""
    return store.list_events(engine, first, last, removed=removed)


def get_event(engine: Engine, event_id: int) -> Event | None:
    return store.get_event(engine, event_id)


# -- the one-day sand-and-dust flag of earlier versions ----------------------


def flag_sand_dust_day(engine: Engine, day: dt.date, note: str, actor: Actor, run_id: int | None = None) -> bool:
    """Flag ``day`` as a one-day ``sand_dust`` event; True when newly deducted (False: the day
    is already inside an event, which is left as it is)."""
    require_writer(actor, "flag sand-and-dust days")
    day = _as_date(day)
    with write_transaction(engine) as conn:
        return store.flag_days(conn, [day], note or "沙尘", actor.name, run_id) == 1


def unflag_sand_dust_day(engine: Engine, day: dt.date, actor: Actor) -> bool:
    """Remove the ``sand_dust`` event of ``day`` when it is that one day; True when removed."""
    require_writer(actor, "unflag sand-and-dust days")
    day = _as_date(day)
    for event in store.list_events(engine, day, day):
        if event.kind != "sand_dust":
            continue
        if event.first_day != event.last_day:
            raise InputError(
                f"{day} is inside the {event.first_day}–{event.last_day} sand-and-dust event #{event.id}",
                message_zh=f"{day} 属于沙尘事件 #{event.id}（{event.first_day}—{event.last_day}）",
                hint=f"remove event {event.id} (python -m monitoring events remove {event.id})",
                hint_zh=f"请删除整个事件 #{event.id}",
            )
        remove_event(engine, event.id, actor)
        return True
    return False


def _as_date(day: object) -> dt.date:
    if not isinstance(day, dt.date):
        raise InputError(
            f"dust day {day!r} is not a date",
            message_zh=f"沙尘日期 {day!r} 不是日期",
            hint="give the day as YYYY-MM-DD",
        )
    return day
