"""总览 Overview: the district's measured 2026 indicators (附4) as tiles; the 15 subdistricts at a glance."""

from __future__ import annotations

import streamlit as st

from dashboard import context as ctx
from dashboard import events_section as ev
from dashboard import loaders
from dashboard import widgets as w
from dashboard.standards_section import render_standards_comparison

t = ctx.t
f = ctx.filters()
targets = ctx.targets()

st.title(t("nav.overview"))
st.caption(t("overview.subtitle", year=f.year))
if f.pollutant != "pm25":
    st.caption(t("ui.pm25_only", pollutant=t(f"pollutant.{f.pollutant}")))

report = loaders.call(loaders.overview, f.year, f.through, False)
deducted = ev.deducted(report, loaders.overview, f.year, f.through, year=f.year)  # None: no events in the period
district = w.part(report, "district")
ranking = w.part(report, "ranking")

if not w.has_data(district.frame, "value") and not w.has_data(ranking.frame, "mean"):
    w.empty("ui.empty.year", year=f.year)
    st.stop()

st.subheader(t("overview.indicators", year=f.year))
indicators = district.frame
cols = st.columns(max(1, len(indicators)))
for col, row in zip(cols, indicators.to_dict("records"), strict=False):
    with col:
        w.metric_tile(
            title=str(row["name"] if ctx.lang() == "zh" else row["name_en"]),
            value=row["value"],
            unit=w.unit_text(str(row["unit"])),
            target=row["target"],
            gap=row["gap"],
            status=row["status"],
            outlook=row.get("outlook"),
            trend=row.get("trend"),
            direction=str(row.get("direction", "at_most")),
            decimals=w.unit_decimals(str(row["unit"])),
            caption=("；" if ctx.lang() == "zh" else "; ").join(x for x in (w.days_caption(row.get("valid_days"), row.get("days"), row.get("key")),
                                         str(row.get("note_en" if ctx.lang() == "en" else "note") or ""),
                                         ev.tile_line(deducted and w.part(deducted, "district"), str(row["key"]), "value",
                                                      w.unit_decimals(str(row["unit"])), w.unit_text(str(row["unit"]))))
                             if x),
        )
w.method_caption(district, key="overview-indicators")
ev.caption(report, f.year)

st.subheader(t("overview.subdistricts"))
frame = ranking.frame.sort_values("mean", na_position="last")
names = w.sub_name(frame)
unit = w.UG
left, right = st.columns([3, 2])
with left:
    fig = w.bars_against_targets(
        list(names), frame["mean"], frame["target"], colours=[w.gap_color(g) for g in frame["gap"]],
        texts=[w.fmt(v) for v in frame["mean"]], unit=unit, value_name=t("ui.chart.ytd_mean"),
        target_name=t("ui.chart.own_target"),
    )
    fig.update_layout(title={"text": t("overview.chart_title", period=w.method_text(ranking, "period"))},
                      yaxis={"title": {"text": f"PM2.5 ({unit})"}})
    w.chart(w.style(fig), key="overview-bars", svg_width=640)
with right:
    w.chart(w.tile_map(frame, targets, value_col="mean", color_col="gap",
                       label=lambda v: w.fmt(v, 1), title=t("ui.tilemap.title_gap"),
                       colorbar_title=t("ui.chart.gap")), key="overview-map", svg_width=440)
w.method_caption(ranking, key="overview-ranking")

tables_box = w.lazy_expander(t("overview.table"), "overview-tables", icon=":material/table:")
if tables_box is not None:
    with tables_box:
        w.report_table(district, "district", name=t("overview.file_indicators", year=f.year), key="overview-indicators")
        w.report_table(ranking, "ranking", name=t("overview.file_ranking", year=f.year), key="overview-ranking",
                       unit=unit, targets=targets, frame=frame)

render_standards_comparison(f.year, f.through, False)  # issue 12 §1: in force vs 2012 rules
w.attribution([f.year])
