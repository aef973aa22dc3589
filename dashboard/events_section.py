"""Exceptional events on the screens: the figures with the events deducted beside the published
ones (Overview tiles, Rankings, Monthly progress), and the Data quality page's panel that
lists the events and lets analysts flag or remove them.

No sidebar toggle: a page draws its figure as published and, only when an event falls in its
period, the deducted figure next to it (``deducted`` returns None otherwise, without computing
anything but one small query).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Engine

from dashboard import context as ctx
from dashboard import loaders
from dashboard import widgets as w
from monitoring import events
from monitoring.actors import Actor
from monitoring.errors import MonitorError
from monitoring.reports import Report
from monitoring.reports import events as report_events
from monitoring.targets import Targets


@st.cache_data(show_spinner=False, max_entries=64)
def _describe(_engine: Engine, key: str, first: dt.date, last: dt.date, lang: str) -> tuple[int, str]:
    """(days deducted, '沙尘 2026-03-14—03-16；…') for first … last; cleared with every write."""
    found = report_events.events_in(_engine, first, last)
    zh, en, n = report_events.describe(ctx.targets(), found, first, last)
    return n, (en if lang == "en" else zh)


def summary(report: Report, year: int) -> tuple[int, str]:
    """How many event days fall in the report's period, and which (in the screen's language)."""
    first, last = report_events.period_of(report, year)
    return loaders.call(_describe, first, last, ctx.lang())  # type: ignore[no-any-return]


def deducted(report: Report, loader: Any, *args: Any, year: int) -> Report | None:
    """``loader(*args, exclude_events=True)`` (the loader's last argument) when an event falls in
    the period of ``report`` (the same loader's published figure); else None."""
    n, _ = summary(report, year)
    if n == 0:
        return None
    return loaders.call(loader, *args, True)  # type: ignore[no-any-return]


def beside(frame: pd.DataFrame, other: Report | None, key: str, column: str) -> pd.DataFrame:
    """``frame`` with ``<column>_deducted`` from ``other`` (matched on ``key``) right after
    ``column``; unchanged when there is no deducted report."""
    if other is None or column not in other.frame.columns:
        return frame
    name = f"{column}_deducted"
    values = other.frame.set_index(key)[column]
    out = frame.copy()
    out.insert(list(out.columns).index(column) + 1, name, out[key].map(values).astype("float64"))
    return out


def caption(report: Report, year: int, *, markers: bool = False) -> None:
    """One line under a figure: which days the second figure deducts (``markers``: the chart
    carries them as ◆ too), or 本时段无例外事件."""
    n, what = summary(report, year)
    if n == 0:
        st.caption(report_events.NO_EVENTS[0] if ctx.lang() == "zh" else report_events.NO_EVENTS[1])
    else:
        st.caption(ctx.t("events.side_note" if markers else "events.side_note_plain", n=n,
                         what=f"{n} {ctx.t('ui.unit.days')}{w.paren(what)}"))


def add_markers(fig: go.Figure, names: list[str], values: pd.Series, unit: str) -> go.Figure:
    """The deducted values as diamonds over the bars of the published ones (widgets.bars_against_targets
    puts bar i at x = i)."""
    fig.add_trace(go.Scatter(
        x=list(range(len(names))), y=list(values), mode="markers", name=ctx.t("events.marker"), hovertext=names,
        marker={"symbol": "diamond", "size": 11, "color": "#1f4e79", "line": {"width": 1.5, "color": "white"}},
        hovertemplate="%{hovertext}: %{y:.1f} " + unit + " (" + ctx.t("events.marker") + ")<extra></extra>",
    ))
    return fig


def tile_line(other: Report | None, key: str, column: str, decimals: int, unit: str) -> str:
    """'扣除例外事件：28.1 µg/m³' for the row ``key`` of a deducted district report, else ''."""
    if other is None or "key" not in other.frame.columns:
        return ""
    rows = other.frame[other.frame["key"] == key]
    if rows.empty or pd.isna(rows.iloc[0][column]):
        return ""
    return ctx.t("events.deducted_value", value=f"{float(rows.iloc[0][column]):.{decimals}f} {unit}".strip())


# -- the panel (Data quality page) -------------------------------------------------------------


def _kind_name(targets: Targets, key: str) -> str:
    try:
        k = targets.exceptional_events.kind(key)
    except KeyError:
        return key
    name = k.name_en if ctx.lang() == "en" else k.name
    return name + (ctx.t("events.provisional") if k.provisional else "")


def events_table(found: list[events.Event], targets: Targets) -> pd.DataFrame:
    t = ctx.t
    return pd.DataFrame({
        t("events.col.id"): [e.id for e in found],
        t("events.col.first_day"): [e.first_day.isoformat() for e in found],
        t("events.col.last_day"): [e.last_day.isoformat() for e in found],
        t("events.col.days"): [(e.last_day - e.first_day).days + 1 for e in found],
        t("events.col.kind"): [_kind_name(targets, e.kind) for e in found],
        t("events.col.reason"): [e.reason for e in found],
        t("events.col.flagged_by"): [e.flagged_by for e in found],
        t("events.col.flagged_at"): [f"{e.flagged_at:%Y-%m-%d %H:%M}" for e in found],
        t("events.col.removed_by"): [e.removed_by or "" for e in found],
        t("events.col.removed_at"): [f"{e.removed_at:%Y-%m-%d %H:%M}" if e.removed_at else "" for e in found],
    })


def render_panel(engine: Engine, targets: Targets, actor: Actor) -> None:
    """The list of events (everyone) and, for analysts, the forms to flag and remove them."""
    t = ctx.t
    st.subheader(t("events.title"))
    st.caption(t("events.caption", standard=targets.exceptional_events.standard_in(ctx.lang())))
    flash = st.session_state.pop("events_flash", None)
    if isinstance(flash, str):
        st.success(flash)
    # a radio, not a toggle: the radio's browser code is loaded for the sidebar already
    shown = {False: t("events.show.current"), True: t("events.show.all")}
    show_removed = bool(st.radio(t("events.show"), list(shown), key="events_show_removed", horizontal=True,
                                 format_func=shown.__getitem__, label_visibility="collapsed"))
    found = events.list_events(engine, removed=show_removed)
    if found:
        w.dataframe(events_table(found, targets), key="events-table")
    else:
        st.caption(t("events.none"))
    if not actor.can_write:
        st.info(t("events.readonly"), icon=":material/lock:")
        return
    kinds = [k.key for k in targets.exceptional_events.kinds]
    with st.form("events_add_form"):
        st.markdown(f"**{t('events.add')}**")
        c1, c2, c3 = st.columns([1, 1, 1])
        first = c1.date_input(t("events.first_day"), value=None, key="events_first")
        last = c2.date_input(t("events.last_day"), value=None, key="events_last")
        kind = c3.selectbox(t("events.kind"), options=kinds, format_func=lambda k: _kind_name(targets, k), key="events_kind")
        reason = st.text_input(t("events.reason"), key="events_reason")
        submitted = st.form_submit_button(t("events.submit"), icon=":material/flag:")
    if submitted:
        flag(engine, targets, actor, first, last or first, kind, reason)
    in_force = [e for e in found if e.active] if show_removed else found
    if in_force:
        with st.form("events_remove_form"):
            st.markdown(f"**{t('events.remove')}**")
            labels = {e.id: f"#{e.id} {_kind_name(targets, e.kind)} {e.first_day}—{e.last_day}" for e in in_force}
            which = st.selectbox(t("events.remove_which"), options=list(labels), format_func=lambda i: labels[i],
                                 key="events_remove_id")
            why = st.text_input(t("events.remove_reason"), key="events_remove_reason")
            removed = st.form_submit_button(t("events.remove_submit"), icon=":material/delete:")
        if removed and which is not None:
            remove(engine, actor, int(which), why)


def flag(engine: Engine, targets: Targets, actor: Actor, first: Any, last: Any, kind: str, reason: str) -> None:
    """Flag an event from the form; a refusal (viewer, overlap, inverted range …) is one line."""
    if not isinstance(first, dt.date):
        ctx.show_error(MonitorError("give the first day", message_zh="请填写开始日期", hint="pick a date",
                                    hint_zh="请选择日期"))
        return
    try:
        e = events.flag_event(engine, targets, first, last, kind, reason, actor)
    except MonitorError as exc:
        ctx.show_error(exc)
        return
    st.session_state["events_flash"] = ctx.t("events.saved", id=e.id, kind=_kind_name(targets, e.kind),
                                             first=e.first_day, last=e.last_day)
    ctx.clear_data_caches()
    st.rerun()


def remove(engine: Engine, actor: Actor, event_id: int, reason: str) -> None:
    try:
        e = events.remove_event(engine, event_id, actor, reason)
    except MonitorError as exc:
        ctx.show_error(exc)
        return
    st.session_state["events_flash"] = ctx.t("events.removed", id=e.id)
    ctx.clear_data_caches()
    st.rerun()
