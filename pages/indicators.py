"""指标进展 Indicators: every 附4 indicator with its target, gap and status; analysts enter values."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from monitoring import plan
from monitoring.errors import MonitorError

t = ctx.t
engine = ctx.engine()
targets = ctx.targets()
actor = ctx.actor()
zh = ctx.lang() == "zh"

STATUS_COLOR = {"meets": "#1a9850", "behind": "#f28e2b", "at_risk": "#f28e2b", "fails": "#d73027"}


st.title(t("indicators.title"))
st.caption(t("indicators.caption"))
flash = st.session_state.pop("indicators_flash", None)
if flash:
    st.success(flash)

year_end = dt.date(targets.year, 12, 31)
as_of = st.date_input(
    t("indicators.as_of"), value=min(plan.beijing_today(), year_end),
    min_value=dt.date(targets.year, 1, 1), max_value=year_end, key="indicators_as_of",
)


@st.cache_data(show_spinner=False, max_entries=16)
def _indicators(_engine: object, key: str, day: dt.date) -> pd.DataFrame:
    # The measured four cost a district computation; cached per database, targets file and day,
    # cleared by ctx.clear_data_caches() after every write.
    return plan.indicators_table(_engine, ctx.targets(), as_of=day)  # type: ignore[arg-type]


try:
    table = _indicators(engine, ctx.cache_key(), as_of)
except MonitorError as exc:
    ctx.stop_with(exc)


def _target(row: pd.Series) -> str:
    target = plan.as_number(row["target"])
    if target is None:
        return str(row["target_text"] or "—")
    return f"{t('plan.direction.' + row['direction'])} {target:g}"


shown = pd.DataFrame(
    {
        t("plan.col.indicator"): table["name"] if zh else table["name_en"],
        t("plan.col.value"): [("—" if plan.as_number(v) is None else f"{plan.as_number(v):g}") for v in table["value"]],
        t("plan.col.unit"): table["unit"],
        t("plan.col.target"): [_target(r) for _, r in table.iterrows()],
        t("plan.col.gap"): [("—" if plan.as_number(v) is None else f"{plan.as_number(v):+g}") for v in table["gap"]],
        t("plan.col.status"): [t(f"plan.status.{s}") for s in table["status"]],
        t("plan.col.source"): [t(f"plan.source.{s}") for s in table["source"]],
        t("plan.col.day"): [("" if d is None or (isinstance(d, float) and math.isnan(d)) else str(d)) for d in table["day"]],
        t("plan.col.entered_by"): table["entered_by"].fillna(""),
        t("plan.col.note"): table["note"].fillna(""),
    }
)
st.dataframe(shown, hide_index=True, key="indicators-table", height=36 * (len(shown) + 1) + 2)

# Progress chart: value as a share of its target, for indicators with a number and a value.
numeric = table[[(plan.as_number(v) is not None and plan.as_number(tg) not in (None, 0.0)) for v, tg in zip(table["value"], table["target"], strict=True)]]
if not numeric.empty:
    ratio = [100.0 * float(v) / float(tg) for v, tg in zip(numeric["value"], numeric["target"], strict=True)]
    names = list(numeric["name"] if zh else numeric["name_en"])
    fig = go.Figure(go.Bar(
        y=names, x=ratio, orientation="h",
        marker={"color": [STATUS_COLOR.get(s, "#9e9e9e") for s in numeric["status"]]},
        text=[f"{r:.0f}%" for r in ratio], textposition="outside",
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    ))
    fig.add_vline(x=100, line_dash="dash", line_color="#555")
    fig.update_layout(title={"text": t("indicators.chart")}, height=120 + 32 * len(names),
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, yaxis={"autorange": "reversed"})
    st.plotly_chart(fig, width="stretch", key="indicators-chart", config={"displaylogo": False})

# -- entering values (analysts) ----------------------------------------------------------------
entered = [i for i in targets.indicators if not i.measured]
if actor.can_write:
    st.subheader(t("indicators.enter"))
    with st.form("indicator_entry", clear_on_submit=False):
        key = st.selectbox(
            t("indicators.enter.indicator"), options=[i.key for i in entered],
            format_func=lambda k: f"{targets.indicator(k).name if zh else targets.indicator(k).name_en}（{targets.indicator(k).unit}）",
            key="indicator_entry_key",
        )
        day = st.date_input(t("indicators.enter.date"), value=min(plan.beijing_today(), year_end),
                            min_value=dt.date(targets.year, 1, 1), max_value=year_end, key="indicator_entry_day")
        value = st.text_input(t("indicators.enter.value", unit=targets.indicator(key).unit if key else ""),
                              key="indicator_entry_value")
        note = st.text_area(t("indicators.enter.note"), key="indicator_entry_note")
        submitted = st.form_submit_button(t("indicators.enter.submit"))
    if submitted and key:
        try:
            plan.enter_indicator_value(engine, targets, key, day, value, note, actor, source="page")
        except MonitorError as exc:
            ctx.show_error(exc)
        else:
            ind = targets.indicator(key)
            # Shown after the rerun, which redraws the table above with the new value.
            st.session_state["indicators_flash"] = t("indicators.enter.saved", name=ind.name if zh else ind.name_en,
                                                     value=value, day=day)
            ctx.clear_data_caches()
            st.rerun()

    st.subheader(t("indicators.import"))
    upload = st.file_uploader(t("indicators.import.file"), type=["csv"], key="indicator_import_file")
    if upload is not None and st.button(t("indicators.import.submit"), key="indicator_import_go"):
        try:
            n = plan.import_indicator_csv(engine, targets, upload.getvalue(), actor, name=upload.name)
        except MonitorError as exc:
            ctx.show_error(exc)
        else:
            st.session_state["indicators_flash"] = t("indicators.import.saved", n=n)
            ctx.clear_data_caches()
            st.rerun()
else:
    st.info(t("indicators.readonly"), icon=":material/lock:")

# -- who entered what --------------------------------------------------------------------------
st.subheader(t("indicators.history"))
history = plan.indicator_history(engine, targets)
if history.empty:
    st.caption(t("indicators.history.empty"))
else:
    st.dataframe(
        history[["name", "day", "value", "note", "entered_by", "entered_at", "source"]].rename(columns={
            "name": t("plan.col.indicator"), "day": t("plan.col.day"), "value": t("plan.col.value"),
            "note": t("plan.col.note"), "entered_by": t("plan.col.entered_by"), "entered_at": t("plan.col.entered_at"),
            "source": t("plan.col.source"),
        }),
        hide_index=True, key="indicators-history",
    )
