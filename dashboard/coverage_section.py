"""The road-dust page's coverage section: the plan's monitoring rules and the roads that miss them.

Drawn by ``render_coverage`` at the end of pages/road_dust.py; the checks themselves are
``monitoring.plan.road_dust_coverage`` (rules in monitoring/rules/coverage.py).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import context as ctx
from dashboard import loaders
from dashboard import widgets as w
from monitoring.errors import MonitorError
from monitoring.targets import Targets


def _state_text(state: object) -> str:
    if state is None or (isinstance(state, float) and pd.isna(state)):
        return "—"
    return ctx.t(f"coverage.state.{state}")


def render_coverage(engine: Engine, targets: Targets, year: int, month: int | None = None) -> None:
    """Draw the three coverage checks for ``year`` up to ``month`` (default: the latest month)."""
    t = ctx.t
    st.divider()
    st.subheader(t("coverage.title"))
    st.caption(t("coverage.caption"))
    try:
        cov = loaders.road_dust_coverage(engine, ctx.cache_key(), year, month)
    except MonitorError as exc:
        ctx.show_error(exc)
        return
    if cov is None:
        st.info(t("coverage.none"))
        return
    for note in cov.notes if ctx.lang() == "zh" else cov.notes_en:
        st.warning(w.plain(note), icon=":material/help:")

    last_quarter = cov.quarters["quarter"].iloc[-1] if len(cov.quarters) else "—"
    quarter = cov.quarters[cov.quarters["quarter"] == last_quarter]
    streak = cov.district_streak
    w.tile_row([
        w.tile_html(
            t("coverage.recheck") + w.paren(str(cov.month)),
            "—" if cov.recheck_undecided and not cov.recheck_required
            else f"{cov.recheck_required - len(cov.recheck_missing)}/{cov.recheck_required}",
            help=t("coverage.recheck.result", missing=len(cov.recheck_missing), required=cov.recheck_required),
            border=False,
        ),
        w.tile_html(
            t("coverage.quarter") + w.paren(str(last_quarter))
            + ("" if bool(quarter["finished"].all()) else t("coverage.quarter.open")),
            f"{int(quarter['complete'].sum())}/{len(quarter)}",
            help=t("coverage.quarter.result", quarter=last_quarter, complete=int(quarter["complete"].sum()),
                   total=len(quarter)),
            border=False,
        ),
        w.tile_html(t("coverage.streak"), str(streak.months), border=False,
                    help=t("coverage.cleared" if streak.cleared_two_months else "coverage.not_cleared")),
    ])
    verdict = t("coverage.cleared" if streak.cleared_two_months else "coverage.not_cleared")
    (st.success if streak.cleared_two_months else st.warning)(
        t("coverage.streak.result", months=streak.months, verdict=verdict)
        + ("" if streak.stopped_by is None
           else w.paren(f"{t('coverage.stopped_by')}{w.colon()}{_state_text(streak.stopped_by)}"
                        f"{t('ui.punct.comma')}{streak.stopped_at}"))
    )

    st.markdown(f"**{t('coverage.recheck.missing')}**")
    if cov.recheck_undecided:
        st.warning(t("coverage.recheck.undecided", n=cov.recheck_undecided), icon=":material/help:")
    if cov.recheck_missing.empty:
        if not cov.recheck_undecided:
            st.caption(t("coverage.all_ok"))
    else:
        _table(cov.recheck_missing, targets, t("coverage.file.recheck", month=cov.month), "coverage-recheck")

    st.markdown(f"**{t('coverage.quarter.missing')}**")
    if cov.quarter_missing.empty:
        st.caption(t("coverage.all_ok"))
    else:
        _table(cov.quarter_missing, targets, t("coverage.file.quarter", month=cov.month), "coverage-quarter")

    st.markdown(f"**{t('coverage.by_subdistrict')}**")
    streaks = cov.streaks.copy()
    streaks["scope"] = [t("coverage.district") if s == "district" else s for s in streaks["scope"]]
    streaks["stopped_by"] = [_state_text(s) for s in streaks["stopped_by"]]
    streaks["scope"] = w.localise_subdistricts(streaks["scope"], targets)
    shown = streaks.rename(columns={"scope": t("coverage.scope"), "months": t("coverage.months"),
                                    "cleared_two_months": t("coverage.cleared"), "stopped_by": t("coverage.stopped_by"),
                                    "stopped_at": t("coverage.stopped_at")})
    w.dataframe(shown, key="coverage-streaks")
    w.download_buttons(shown, t("coverage.file.streaks", month=cov.month), key="coverage-streaks")


def _table(frame: pd.DataFrame, targets: Targets, name: str, key: str) -> None:
    """A list of roads with headers in the screen's language (never the frame's column keys), and its downloads."""
    shown = frame.copy()
    if "subdistrict" in shown.columns:
        shown["subdistrict"] = w.localise_subdistricts(shown["subdistrict"].astype(str), targets)
    shown = shown.rename(columns={c: ctx.t(f"coverage.col.{c}") for c in shown.columns})
    w.dataframe(shown, key=key)
    w.download_buttons(shown, name, key=key)
