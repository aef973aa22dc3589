"""日历 Calendar: the daily AQI category of every subdistrict (HJ 633-2012 colours), day by day."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import context as ctx
from dashboard import loaders
from dashboard import widgets as w

t = ctx.t
f = ctx.filters()
targets = ctx.targets()

st.title(t("nav.calendar"))
if f.period == "month" and f.month is not None and f.through is not None:
    start, end = dt.date(f.year, f.month, 1), f.through
else:
    start, end = None, None
report = loaders.call(loaders.daily_aqi, f.year, start, end, False)
frame = report.frame
st.caption(t("calendar.subtitle", period=w.method_text(report, "period") or f.year))

if not w.has_data(frame, "aqi"):
    w.empty("ui.empty.year", year=f.year)
    st.stop()
if f.pollutant != "pm25":
    st.caption(t("calendar.pollutant_note"))

w.chart(w.calendar_strip(frame, targets, title=t("calendar.strip_title", year=f.year)), key="calendar-strip")
w.method_caption(report)

left, right = st.columns([2, 3])
with left:
    chosen = w.subdistrict_select(t("calendar.subdistrict"), targets, key="calendar_subdistrict") or ""
    days = pd.to_datetime(frame["day"])
    first, last = days.min().date(), days.max().date()
    day = st.date_input(t("calendar.day"), value=last, min_value=first, max_value=last, key="calendar_day")
with right:
    one = frame[frame["subdistrict"] == chosen]
    if one.empty:
        w.empty("calendar.no_sub", name=chosen)
    else:
        shown_name = w.localise_subdistricts(pd.Series([chosen]), targets).iloc[0]
        w.chart(w.calendar_month_grid(one, targets, title=t("calendar.grid_title", name=shown_name, year=f.year)),
                key="calendar-grid")

st.subheader(t("calendar.day_title", day=str(day)))
that_day = frame[pd.to_datetime(frame["day"]).dt.date == day]
if that_day.empty:
    w.empty("calendar.no_day", day=str(day))
else:
    w.report_table(report, "daily", targets=targets, frame=that_day, name=t("calendar.file_day", day=str(day)),
                   key="calendar-day")

with st.expander(t("calendar.counts_title"), icon=":material/table:"):
    english = ctx.lang() == "en" and "category_en" in frame.columns
    counts = pd.crosstab(w.localise_subdistricts(frame["subdistrict"], targets),
                         frame["category_en" if english else "category"])
    order = [c.name_en if english else c.name for c in targets.aqi_standard(first).categories]
    counts = counts.reindex(columns=[c for c in order if c in counts.columns]).reset_index()
    counts = counts.rename(columns={counts.columns[0]: t("ui.col.subdistrict")})
    st.dataframe(counts, hide_index=True, width="stretch")
    w.download_buttons(counts, t("calendar.file_counts", year=f.year), key="calendar-counts")
    st.caption(t("calendar.all_days_help"))
    w.download_buttons(lambda: w.display_frame(frame, "daily", targets), t("calendar.file_all", year=f.year),
                       notes=w.method_lines(report), key="calendar-all")
w.attribution([f.year])
