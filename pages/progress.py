"""月度进展 Monthly progress: for leaders, month by month against the year's target."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from dashboard import events_section as ev
from dashboard import loaders
from dashboard import widgets as w
from dashboard.standards_section import render_standards_comparison
from monitoring import brief

t = ctx.t
f = ctx.filters()
targets = ctx.targets()
unit = w.UG

st.title(t("nav.progress"))
st.caption(t("progress.subtitle", year=f.year))
if f.pollutant != "pm25":
    st.caption(t("ui.pm25_only", pollutant=t(f"pollutant.{f.pollutant}")))

subdistrict = w.subdistrict_select(t("progress.where"), targets, key="progress_where",
                                   district_label=t("progress.district"))
where = w.localise_subdistricts(pd.Series([subdistrict]), targets).iloc[0] if subdistrict else ""

progress = loaders.call(loaders.progress, f.year, subdistrict, False)
budget = loaders.call(loaders.budget, f.year, f.through, False)
deducted = ev.deducted(progress, loaders.progress, f.year, subdistrict, year=f.year)  # None: no events this year
frame = ev.beside(ev.beside(progress.frame, deducted, "month", "monthly_mean"), deducted, "month", "ytd_mean")

if not w.has_data(frame, "monthly_mean"):
    w.empty("ui.empty.year", year=f.year)
    st.stop()

# -- the year so far, in four numbers ----------------------------------------------------------
bud = budget.frame
row = w.budget_row(bud, subdistrict)
if row is not None:
    # the three figures are one element (w.tile_row); the verdicts keep their box beside them
    figures, verdicts = st.columns([3, 1])
    ytd = [w.tile_html(t("ui.col.ytd_mean"), w.fmt(row.get("ytd_mean"), 1, unit),
                       delta=t("ui.tile.target", target=w.fmt(row.get("target"), 0, unit)),
                       help=w.days_caption(row.get("valid_days"), None) or None)]
    budget_deducted = ev.deducted(budget, loaders.budget, f.year, f.through, year=f.year)
    row_deducted = w.budget_row(budget_deducted.frame, subdistrict) if budget_deducted is not None else None
    if row_deducted is not None:
        ytd.append(w.note_html(t("events.deducted_value", value=w.fmt(row_deducted.get("ytd_mean"), 1, unit))))
    required, required_detail = w.required_text(row, unit)
    rest = [w.tile_html(t("ui.col.required_rest_mean"), required, help=required_detail or t("progress.required_help"))]
    if required_detail:
        rest.append(w.note_html(required_detail))
    w.tile_row([
        "".join(ytd),
        "".join(rest),
        w.tile_html(t("ui.col.projection"), w.fmt(row.get("projection"), 1, unit),
                    delta=t("progress.range", low=w.fmt(row.get("projection_low")),
                            high=w.fmt(row.get("projection_high")))),
    ], where=figures)
    with verdicts.container(border=True):
        w.verdict_badges(row.get("status"), row.get("outlook"))
        st.caption(t("progress.days_left", days=w.fmt(row.get("remaining_days"), 0),
                     nongood=w.fmt(row.get("non_good_days_left"), 0), heavy=w.fmt(row.get("heavy_days_left"), 0)))

# -- per month --------------------------------------------------------------------------------
months = frame["month"].astype(int)
in_progress = (frame["month_state"] == "in_progress").tolist()
# the month in progress is named by its days so far and drawn pale: never a full bar ticked complete
labels = [t("progress.month_label", m=m) + (w.paren(t('ui.month_in_progress', n=int(d))) if cur else "")
          for m, d, cur in zip(months, frame["monthly_days"], in_progress, strict=True)]
fig = go.Figure()
fig.add_trace(go.Bar(x=labels, y=frame["monthly_mean"], name=t("ui.chart.monthly_mean"),
                     marker={"color": [w.gap_color(v) for v in (frame["monthly_mean"] - frame["target"])],
                             "opacity": [0.3 if cur else (1.0 if c else 0.55)
                                         for c, cur in zip(frame["monthly_complete"].fillna(False), in_progress, strict=True)]},
                     customdata=frame[["monthly_valid_days"]].to_numpy(dtype=object),
                     hovertemplate="%{x}: %{y:.1f} " + unit + "<br>" + t("ui.col.valid_days")
                                   + " %{customdata[0]}<extra></extra>"))
fig.add_trace(go.Scatter(x=labels, y=frame["ytd_mean"], name=t("ui.chart.ytd_mean"), mode="lines+markers",
                         line={"color": "#1f4e79", "width": 3},
                         hovertemplate="%{x}: %{y:.1f} " + unit + "<extra></extra>"))
fig.add_trace(go.Scatter(x=labels, y=frame["target"], name=t("ui.chart.target"), mode="lines",
                         line={"color": "#333", "dash": "dash"}, hovertemplate="%{y:.0f} " + unit + "<extra></extra>"))
if w.has_data(frame, "required_rest_mean"):
    fig.add_trace(go.Scatter(x=labels, y=frame["required_rest_mean"], name=t("ui.chart.required"), mode="lines",
                             line={"color": "#f28e2b", "dash": "dot"},
                             hovertemplate="%{x}: ≤ %{y:.1f} " + unit + "<extra></extra>"))
if w.has_data(frame, "projection"):
    fig.add_trace(go.Scatter(x=labels, y=frame["projection"], name=t("ui.chart.projection"), mode="markers",
                             marker={"symbol": "diamond", "size": 9, "color": "#7b3294"},
                             hovertemplate="%{x}: %{y:.1f} " + unit + "<extra></extra>"))
fig.update_layout(title={"text": t("progress.chart_title", year=f.year,
                                   where=t("progress.district") if subdistrict is None else where)},
                  yaxis={"title": {"text": f"PM2.5 ({unit})"}}, barmode="overlay")
w.chart(w.style(fig, height=440), key="progress-chart")
st.caption(t("progress.chart_legend"))
w.method_caption(progress, key="progress")
ev.caption(progress, f.year)
w.report_table(progress, "progress", frame=frame, unit=unit, name=t("progress.file_months", year=f.year, where=subdistrict or "district"),
               key="progress-months")

# -- the subdistricts at risk first -------------------------------------------------------------
st.subheader(t("progress.at_risk_title"))
if bud.empty:
    w.empty("ui.empty.year", year=f.year)
else:
    ordered = w.order_by_status(bud)
    w.report_table(budget, "budget", targets=targets, frame=ordered, unit=unit,
                   name=t("progress.file_budget", year=f.year), key="progress-budget")
    w.method_caption(budget, key="progress-budget")

render_standards_comparison(f.year, f.through, False)  # issue 12 §1: in force vs 2012 rules

# -- the brief --------------------------------------------------------------------------------
st.subheader(t("progress.brief_title"))
st.caption(t("progress.brief_help"))
# the same file as `python -m monitoring brief --year Y --month M` (monitoring.brief.make)
through = f.through or loaders.call(loaders.default_through, f.year)
if through is not None:
    engine, brief_month = ctx.engine(), through.month
    row = st.container(horizontal=True)  # one row, not three columns: each element costs the browser
    for fmt, label, icon in (("pdf", "progress.brief_pdf", ":material/picture_as_pdf:"),
                             ("xlsx", "progress.brief_xlsx", ":material/table_view:")):
        row.download_button(t(label), key=f"brief-{fmt}", on_click="ignore", icon=icon,
                            type="primary" if fmt == "pdf" else "secondary",
                            data=lambda fmt=fmt: brief.make(engine, targets, year=f.year, month=brief_month, fmt=fmt,
                                                            exclude_events=False),
                            file_name=brief.file_name(f.year, brief_month, fmt), mime=brief.MIME[fmt])
w.attribution([f.year])
