"""道路尘负荷 Road dust: load by subdistrict and month, the worst roads, the poor-grade share against 1.5%."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from dashboard import loaders
from dashboard import widgets as w
from dashboard.coverage_section import render_coverage

t = ctx.t
f = ctx.filters()
targets = ctx.targets()
unit = targets.road_dust.unit

st.title(t("nav.road_dust"))
st.caption(t("road.subtitle"))
report = loaders.call(loaders.road_dust, f.year, f.month)
frame = report.frame
extra = report.extra

if frame.empty:
    w.empty("road.empty", year=f.year)
    st.stop()

# -- the poor-grade share against the district target ---------------------------------------------
indicator = targets.indicator("poor_road_share")
share = extra.get("poor_share")
status = extra.get("poor_share_status")
c1, c2 = st.columns([1, 2])
with c1:
    w.metric_tile(title=indicator.name if ctx.lang() == "zh" else indicator.name_en, value=share, unit="%",
                  target=indicator.target, gap=extra.get("poor_share_gap"), status=status or "unknown",
                  direction=indicator.direction, decimals=1)
with c2, st.container(border=True):
    st.markdown(f"**{t('ui.method.grading')}**")
    st.write(w.plain(extra.get("grading_rule_en") if ctx.lang() == "en" and extra.get("grading_rule_en")
                     else extra.get("grading_rule", "")))
    if share is None or w.is_missing(share):
        st.warning(t("road.share_unknown"), icon=":material/help:")

# -- by subdistrict and month ------------------------------------------------------------------------
by_month = extra.get("by_subdistrict_month")
if isinstance(by_month, pd.DataFrame) and not by_month.empty:
    grid = by_month.pivot_table(index="subdistrict", columns="month", values="mean_load", aggfunc="first")
    order = [sd.short_name for sd in targets.subdistricts if sd.short_name in grid.index]
    grid = grid.reindex(order)
    fig = go.Figure(go.Heatmap(
        # month names as categories: a date axis would print "Jan 2026" on the Chinese screen
        z=grid.to_numpy(dtype=float), x=[t(f"ui.month.{int(str(c)[5:7])}") for c in grid.columns],
        y=list(w.localise_subdistricts(pd.Series(grid.index), targets)),
        colorscale="YlOrBr", xgap=2, ygap=2, colorbar={"title": {"text": unit}},
        hovertemplate="%{y} %{x}: %{z:.2f} " + unit + "<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title={"text": t("road.heatmap_title", year=f.year)})
    w.chart(w.style(fig, height=480, legend=False), key="road-heatmap")
    w.report_table(report, "road_month", targets=targets, frame=by_month, unit=unit,
                   name=t("road.file_month", year=f.year), key="road-month")
w.method_caption(report, key="road-dust")

# -- the worst roads --------------------------------------------------------------------------------
worst = extra.get("worst")
st.subheader(t("road.worst_title"))
if isinstance(worst, pd.DataFrame) and not worst.empty:
    # One bar per road and month (the same road can be among the worst in several months).
    names = (w.localise_subdistricts(worst["subdistrict"], targets).astype(str) + " · " + worst["road"].astype(str)
             + " · " + worst["month"].astype(str))
    fig2 = go.Figure(go.Bar(
        y=names, x=worst["load"], orientation="h", marker={"color": "#a6611a"},
        text=[w.fmt(v, 2) for v in worst["load"]], textposition="outside",
        hovertemplate="%{y}: %{x:.2f} " + unit + "<extra></extra>",
    ))
    fig2.update_layout(yaxis={"autorange": "reversed"}, xaxis={"title": {"text": f"{t('ui.col.load')} ({unit})"}})
    w.chart(w.style(fig2, height=420, legend=False), key="road-worst")
else:
    w.empty("road.no_worst")

st.subheader(t("road.table_title"))
w.report_table(report, "road", targets=targets, unit=unit, name=t("road.file_roads", year=f.year), key="road-table")

# -- monitoring coverage (plan tracking; drawn by dashboard/coverage_section.py) --------------------
render_coverage(ctx.engine(), targets, f.year, f.month)
