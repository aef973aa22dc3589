"""街道排名 Rankings: the 15 subdistricts ranked Beijing's way, against their own targets."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from dashboard import events_section as ev
from dashboard import loaders
from dashboard import widgets as w

t = ctx.t
f = ctx.filters()
targets = ctx.targets()
pollutant_name = t(f"pollutant.{f.pollutant}")
unit = w.unit_of(f.pollutant)

st.title(t("nav.rankings"))
report = loaders.call(loaders.ranking, f.year, f.month, f.pollutant, False)
deducted = ev.deducted(report, loaders.ranking, f.year, f.month, f.pollutant, year=f.year)  # None: no events
frame = report.frame
period = w.method_text(report, "period")
if f.month is not None and report.extra.get("period_state") == "to_date":
    # the month in progress: a few days are no month; say how many, and that it is not judged yet
    days = int(frame["days"].max()) if len(frame) else 0
    st.info(t("rankings.month_in_progress", month=f.month, days=days), icon=":material/hourglass_top:")
st.caption(t("rankings.subtitle", pollutant=pollutant_name, period=period or f.year,
             rule=t("rankings.rule_short")))

if not w.has_data(frame, "mean"):
    w.empty("ui.empty.filter", year=f.year, pollutant=pollutant_name)
    st.stop()

ranked = ev.beside(frame.sort_values(["rank", "mean"], na_position="last"), deducted, "subdistrict", "mean")
names = w.sub_name(ranked)
tab_bar, tab_map, tab_change = w.lazy_tabs([t("rankings.tab_bar"), t("rankings.tab_map"), t("rankings.tab_change")],
                                            key="rankings-tab")
if tab_bar.open:
    with tab_bar:
        fig = w.bars_against_targets(
            list(names), ranked["mean"], ranked["target"], colours=[w.gap_color(g) for g in ranked["gap"]],
            opacity=[1.0 if c else 0.55 for c in ranked["complete"].fillna(False)],
            texts=[f"{w.fmt(r, 0)}{t('ui.punct.bar')}{w.fmt(v)}" for r, v in zip(ranked["rank"], ranked["mean"], strict=True)],
            unit=unit, value_name=t("ui.chart.mean"), target_name=t("ui.chart.own_target"),
            customdata=ranked[["rank", "gap", "valid_days", "completeness"]].to_numpy(dtype=object),
            hover=("%{hovertext}<br>" + t("ui.col.mean") + " %{y:.1f} " + unit + "<br>" + t("ui.col.rank")
                   + " %{customdata[0]}<br>" + t("ui.col.gap") + " %{customdata[1]:+.1f}<br>" + t("ui.col.valid_days")
                   + " %{customdata[2]}<extra></extra>"),
        )
        if deducted is not None:
            ev.add_markers(fig, list(names), ranked["mean_deducted"], unit)
        fig.update_layout(title={"text": t("rankings.chart_title", pollutant=pollutant_name, period=period)},
                          yaxis={"title": {"text": f"{pollutant_name} ({unit})"}})
        w.chart(w.style(fig, height=460), key="rankings-bars")
        st.caption(t("rankings.bar_legend"))
if tab_map.open:
    with tab_map:
        w.chart(w.tile_map(frame, targets, value_col="mean", color_col="gap", label=lambda v: w.fmt(v, 1),
                           title=t("ui.tilemap.title_gap_pollutant", pollutant=pollutant_name),
                           colorbar_title=f"{t('ui.chart.gap')} ({unit})"), key="rankings-map")
if tab_change.open:
    with tab_change:
        change = ranked.sort_values("change_pct", na_position="last")
        if w.has_data(change, "change_pct"):
            fig2 = go.Figure(go.Bar(
                y=w.sub_name(change), x=change["change_pct"], orientation="h",
                marker={"color": ["#1a9850" if v <= 0 else "#d73027" for v in change["change_pct"].fillna(0)]},
                text=[w.fmt_signed(v, 1, "%") for v in change["change_pct"]], textposition="outside",
                customdata=change[["mean", "last_year_mean"]].to_numpy(dtype=object),
                hovertemplate=("%{y}: %{x:+.1f}%<br>" + t("ui.col.mean") + " %{customdata[0]:.1f}<br>"
                               + t("ui.col.last_year_mean") + " %{customdata[1]:.1f}<extra></extra>"),
            ))
            fig2.update_layout(title={"text": t("rankings.change_title", year=f.year - 1)},
                               xaxis={"title": {"text": "%"}}, yaxis={"autorange": "reversed"})
            w.chart(w.style(fig2, height=460, legend=False), key="rankings-change")
        else:
            w.empty("rankings.no_last_year", year=f.year - 1)

w.method_caption(report, key="rankings")
ev.caption(report, f.year, markers=deducted is not None)
st.subheader(t("rankings.table"))
w.report_table(report, "ranking", targets=targets, frame=ranked, unit=unit,
               name=t("rankings.file", year=f.year, pollutant=f.pollutant, period=f.month or "ytd"),
               key="rankings-table")
w.attribution([f.year, f.year - 1])
