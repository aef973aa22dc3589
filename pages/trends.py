"""五年趋势 Trends: the multi-year table of a pollutant, the plan targets, Theil–Sen and Mann–Kendall."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from dashboard import loaders
from dashboard import widgets as w

t = ctx.t
f = ctx.filters()
targets = ctx.targets()
pollutant_name = t(f"pollutant.{f.pollutant}")
unit = w.unit_of(f.pollutant)

st.title(t("nav.trends"))
st.caption(t("trends.subtitle", pollutant=pollutant_name))

report = loaders.call(loaders.trend, f.pollutant)
frame = report.frame
if not w.has_data(frame, "value"):
    w.empty("trends.empty", pollutant=pollutant_name)
    st.stop()

extra = report.extra
KIND_STYLE = {
    "plan_table": ("#1f4e79", "circle"),
    "published_xicheng": ("#2ca02c", "diamond"),
    "published_beijing": ("#9467bd", "square"),
    "data": ("#d62728", "triangle-up"),
}
fig = go.Figure()
complete = frame["complete"].fillna(False).astype(bool) if "complete" in frame.columns else None
for kind, part in frame.groupby("kind", sort=False):
    colour, symbol = KIND_STYLE.get(str(kind), ("#555", "circle"))
    whole = part if complete is None else part[complete.loc[part.index]]
    fig.add_trace(go.Scatter(
        x=whole["year"], y=whole["value"], mode="lines+markers", name=t(f"ui.kind.{kind}"),
        marker={"color": colour, "symbol": symbol, "size": 10}, line={"color": colour, "width": 1.5},
        customdata=whole[["source"]].to_numpy(dtype=object),
        hovertemplate="%{x}: %{y:.1f} " + unit + "<br>%{customdata[0]}<extra></extra>",
    ))
    if complete is not None:
        # A part-year value (a year the data covers only partly, a Jan–Sep bulletin) is drawn
        # hollow and unconnected: it is not comparable with the annual values.
        partial = part[~complete.loc[part.index]]
        if not partial.empty:
            fig.add_trace(go.Scatter(
                x=partial["year"], y=partial["value"], mode="markers",
                name=f"{t(f'ui.kind.{kind}')}（{t('trends.incomplete')}）",
                marker={"color": "white", "symbol": symbol, "size": 10, "line": {"color": colour, "width": 2}},
                customdata=partial[["period", "source"]].to_numpy(dtype=object),
                hovertemplate="%{customdata[0]}: %{y:.1f} " + unit + "<br>%{customdata[1]}<extra></extra>",
            ))
plan_targets = [p for p in extra.get("plan_targets", []) or [] if isinstance(p, dict)]
for item in plan_targets:
    value = item.get("value", item.get(f.pollutant))
    if w.is_missing(value):
        continue
    fig.add_trace(go.Scatter(
        x=[item.get("year")], y=[value], mode="markers+text", name=t("trends.plan_target"),
        marker={"symbol": "star", "size": 16, "color": "#ff7f0e", "line": {"color": "#333", "width": 1}},
        text=[f"{item.get('period', '')} {w.fmt(value, 0)}"], textposition="top center", showlegend=False,
        hovertemplate=f"{item.get('period', '')}: %{{y}} {unit}<br>{item.get('source', '')}<extra></extra>",
    ))
fit = extra.get("theil_sen") or {}
if not extra.get("refused") and not w.is_missing(fit.get("slope")) and not w.is_missing(fit.get("intercept")):
    # Drawing the report's fitted line (intercept + slope × year) over the years it was fitted on.
    years = frame.loc[frame["in_series"].fillna(False).astype(bool), "year"] if "in_series" in frame else frame["year"]
    ends = [int(years.min()), int(years.max())]
    fig.add_trace(go.Scatter(x=ends, y=[fit["intercept"] + fit["slope"] * x for x in ends], mode="lines",
                             name=t("trends.theil_sen"), line={"color": "#444", "dash": "dash"}, hoverinfo="skip"))
fig.update_layout(title={"text": t("trends.chart_title", pollutant=pollutant_name)},
                  yaxis={"title": {"text": f"{pollutant_name} ({unit})"}}, xaxis={"dtick": 1})
w.chart(w.style(fig, height=460), key="trends-chart")

# -- the statistics -------------------------------------------------------------------------
ts = extra.get("theil_sen") or {}
mk = extra.get("mann_kendall") or {}
refused = extra.get("refused")
c1, c2, c3 = st.columns(3)
c1.metric(t("trends.points"), w.fmt(extra.get("n"), 0), border=True)
if refused:
    c2.metric(t("trends.theil_sen"), "—", border=True)
    c3.metric(t("trends.mann_kendall"), "—", border=True)
    st.info(t("trends.refused", reason=refused), icon=":material/info:")
else:
    c2.metric(t("trends.theil_sen"), w.fmt_signed(ts.get("slope"), 2, f"{unit}/{t('trends.per_year')}"),
              delta=t("trends.ci", low=w.fmt(ts.get("low"), 2), high=w.fmt(ts.get("high"), 2)),
              delta_color="off", delta_arrow="off", border=True)
    c3.metric(t("trends.mann_kendall"), t(f"trends.mk.{mk.get('trend', 'none')}"),
              delta=f"τ = {w.fmt(mk.get('tau'), 2)}, p = {w.fmt(mk.get('p'), 3)}", delta_color="off",
              delta_arrow="off", border=True)
w.method_caption(report)

st.subheader(t("trends.table"))
w.report_table(report, "trend", unit=unit, name=t("trends.file", pollutant=f.pollutant), key="trends-table")
w.attribution([], always=True)
