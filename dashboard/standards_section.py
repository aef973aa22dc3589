"""The side-by-side section of the Overview and Monthly progress pages: the year's good-day
ratio, heavy-pollution days and PM2.5 against the annual limit, under the rules in force and
under the 2012 rules (``monitoring.reports.standards_comparison``), and the Targets page's
table of rule sets by date.

Pages call ``render_standards_comparison()`` / ``rule_sets_frame()``, one line each.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import context as ctx
from dashboard import widgets as w
from monitoring import reports
from monitoring.errors import MonitorError
from monitoring.reports import Report
from monitoring.targets import Targets


@st.cache_data(show_spinner=False, max_entries=32)
def _comparison(_engine: Engine, key: str, year: int, through: dt.date | None, exclude_events: bool) -> Report:
    return reports.standards_comparison(_engine, ctx.targets(), year=year, through=through, exclude_events=exclude_events)


def _fmt(value: object, unit: str) -> str:
    return w.fmt(value, 0 if unit == "天" else 1)


def render_standards_comparison(year: int | None = None, through: dt.date | None = None,
                                exclude_events: bool | None = None) -> None:
    """Draw the side-by-side table for the sidebar's year (or the one given)."""
    t = ctx.t
    f = ctx.filters()
    year = f.year if year is None else year
    exclude = bool(exclude_events)
    try:
        rep = _comparison(ctx.engine(), ctx.cache_key(), year, through, exclude)
    except MonitorError as exc:  # shown in one line; the page above stays usable
        ctx.show_error(exc)
        return
    st.subheader(t("standards.compare.title", year=year))
    st.caption(t("standards.compare.caption", year=year))
    english = ctx.lang() == "en"
    shown = pd.DataFrame(
        {
            t("standards.compare.col.indicator"): [r.name_en if english else r.name for r in rep.frame.itertuples()],
            t("ui.col.unit"): [w.unit_text(str(u)) for u in rep.frame["unit"]],
            t("standards.compare.col.in_force_value"): [_fmt(v, u) for v, u in zip(rep.frame["in_force_value"], rep.frame["unit"], strict=True)],
            t("standards.compare.col.in_force_target"): [_fmt(v, u) for v, u in zip(rep.frame["in_force_target"], rep.frame["unit"], strict=True)],
            t("standards.compare.col.in_force_status"): [t(f"status.{s}") for s in rep.frame["in_force_status"]],
            t("standards.compare.col.rule2012_value"): [_fmt(v, u) for v, u in zip(rep.frame["rule2012_value"], rep.frame["unit"], strict=True)],
            t("standards.compare.col.rule2012_target"): [_fmt(v, u) for v, u in zip(rep.frame["rule2012_target"], rep.frame["unit"], strict=True)],
            t("standards.compare.col.rule2012_status"): [t(f"status.{s}") for s in rep.frame["rule2012_status"]],
            t("standards.compare.col.difference"): [w.fmt_signed(v, 0 if u == "天" else 1) for v, u in zip(rep.frame["difference"], rep.frame["unit"], strict=True)],
            t("standards.compare.col.in_force_rule"): [w.plain(v) for v in rep.frame["in_force_rule_en" if english else "in_force_rule"]],
            t("standards.compare.col.rule2012_rule"): [w.plain(v) for v in rep.frame["rule2012_rule_en" if english else "rule2012_rule"]],
        }
    )
    w.dataframe(shown, key=f"std-compare-{year}")
    if bool((rep.frame["in_force_rule"] == rep.frame["rule2012_rule"]).all()):
        st.caption(":material/info: " + t("standards.compare.same", year=year))
    if bool(rep.frame["provisional"].any()):
        st.caption(":material/info: " + t("standards.compare.provisional"))
    w.method_caption(rep, key=f"std-compare-{year}")
    w.download_buttons(rep.frame, t("standards.compare.file", year=year), notes=w.method_lines(rep), key=f"std-compare-{year}")


def rule_sets_frame(targets: Targets) -> pd.DataFrame:
    """Every dated standards entry as a row, by kind and date: the rule set, the days it
    applies, 暂定/provisional or confirmed, its source and what is unconfirmed."""
    t = ctx.t
    rows = []
    for kind, items in (("aqi", targets.standards.aqi), ("limits", targets.standards.limits),
                        ("validity", targets.standards.validity), ("evaluation", targets.standards.evaluation)):
        ordered = sorted(items, key=lambda e: (e.family, e.effective_from))
        for e in ordered:
            # in force until the next entry of its kind starts, whichever rule set that belongs to
            later = sorted(x.effective_from for x in items if x.effective_from > e.effective_from)
            end = (later[0] - dt.timedelta(days=1)) if later else None
            rows.append({
                t("standards.col.kind"): t(f"standards.kind.{kind}"),
                t("standards.col.family"): e.family,
                t("standards.col.standard"): e.standard,
                t("standards.col.from"): str(e.effective_from),
                t("standards.col.to"): str(end) if end else t("standards.open_ended"),
                t("standards.col.state"): t("standards.provisional" if e.provisional else "standards.confirmed"),
                t("standards.col.source"): e.source,
                t("standards.col.note"): e.note,
            })
    return pd.DataFrame(rows)


def render_rule_sets(targets: Targets) -> None:
    """The Targets page's table of rule sets by date (provisional entries marked 暂定)."""
    st.markdown(ctx.t("standards.rule_sets.title"))
    st.caption(ctx.t("standards.rule_sets.caption"))
    frame = rule_sets_frame(targets)
    w.dataframe(frame, key="targets-rule-sets")
    w.download_buttons(frame, ctx.t("standards.file"), key="targets-rule-sets")
