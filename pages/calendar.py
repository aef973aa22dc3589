"""日历 Calendar: the daily AQI category as a calendar (a row per month), the district or one
subdistrict; click a day for its values; days per category of every subdistrict."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import context as ctx
from dashboard import loaders
from dashboard import widgets as w

t = ctx.t
f = ctx.filters()
targets = ctx.targets()
CHART_KEY = "calendar-months"
DAY_KEY = "calendar_day"
DAY_PICK_KEY = "calendar_day_pick"  # the picker's own state; the day itself is kept under DAY_KEY

st.title(t("nav.calendar"))
# The period never runs past the last day with data (nor past the as-of day).
last = loaders.data_end(f.year)
if last is None:
    w.empty("ui.empty.year", year=f.year)
    st.stop()
start = dt.date(f.year, f.month, 1) if f.period == "month" and f.month is not None else dt.date(f.year, 1, 1)
end = min(f.through, last) if f.through is not None else last
if end < start:
    w.empty("calendar.no_period", year=f.year, last=str(last))
    st.stop()
report = loaders.call(loaders.daily_aqi, f.year, start, end, False)
frame = report.frame
period = f"{start} – {end}"
st.caption(t("calendar.caption", period=period))
if not w.has_data(frame, "aqi"):
    w.empty("ui.empty.year", year=f.year)
    st.stop()
if f.pollutant != "pm25":
    st.caption(t("calendar.pollutant_note"))

chosen = w.subdistrict_select(t("calendar.scope"), targets, key="calendar_subdistrict",
                              district_label=t("calendar.district"))
if chosen is None:
    scope = loaders.call(loaders.district_daily_aqi, f.year, start, end, False).frame
    scope_name = t("calendar.district")
else:
    scope = frame[frame["subdistrict"] == chosen]
    scope_name = str(w.localise_subdistricts(pd.Series([chosen]), targets).iloc[0])


def _clicked_day() -> dt.date | None:
    """The day of the cell clicked last (the chart's selection), if any."""
    state: Any = st.session_state.get(CHART_KEY)
    try:
        points = state["selection"]["points"]
        return dt.date.fromisoformat(str(points[0]["customdata"][0]))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


# A click on the calendar moves the day picker (once per click, so the picker stays usable).
clicked = _clicked_day()
if clicked is not None and clicked != st.session_state.get("calendar_clicked"):
    st.session_state["calendar_clicked"] = clicked
    if start <= clicked <= end:
        st.session_state[DAY_KEY] = clicked
        st.session_state.pop(DAY_PICK_KEY, None)  # an open picker is drawn afresh, on the clicked day
if scope.empty:
    w.empty("calendar.no_sub", name=scope_name)
else:
    months_title = t("calendar.months_title", name=scope_name, year=f.year)
    # built only for the interactive chart or a drawing not made yet (its key: the days and the words)
    w.chart(lambda: w.calendar_months(scope, title=months_title), key=CHART_KEY,
            static_key=(scope, months_title, ctx.lang()), on_select="rerun", selection_mode="points")

# The day shown is the last one, or the one clicked or picked (kept under DAY_KEY). The picker, a
# select box of the period's days (newest first, type to search), is one click away: a select box
# on the first screen cost every cold load its JavaScript (≈ 0.15 s; a date input's more), and the
# scope above is a radio, whose code every page has already (docs/PERFORMANCE.md, "Browser").
pick_box = w.lazy_expander(t("calendar.pick_day"), "calendar-day-pick", icon=":material/event:")
days = [end - dt.timedelta(days=n) for n in range((end - start).days + 1)]  # the last day first: the default
day = w.kept_choice(pick_box, "selectbox", t("calendar.day"), days, key=DAY_KEY, widget_key=DAY_PICK_KEY,
                    format_func=dt.date.isoformat, help=t("calendar.click_hint"))
st.subheader(t("calendar.day_values", name=scope_name, day=str(day)))
row = scope[pd.to_datetime(scope["day"]).dt.date == day] if len(scope) else scope
if row.empty:
    w.empty("calendar.no_day", day=str(day))
else:
    r = row.iloc[0]
    english = ctx.lang() == "en"
    primary = w.primary_text(r.get("primary"))
    w.tile_row([
        w.tile_html(t("calendar.metric.aqi"), w.fmt(r["aqi"], 0)),
        w.tile_html(t("calendar.metric.category"),
                    str((r.get("category_en") if english else r.get("category")) or "—")),
        w.tile_html(t("calendar.metric.primary"), t("calendar.no_primary") if primary == "—" else primary),
    ])
    values = pd.DataFrame({
        t("calendar.value_col.pollutant"): [t(f"ui.col.{p}") for p in w.POLLUTANT_UNITS],
        t("calendar.value_col.value"): [r.get(p) for p in w.POLLUTANT_UNITS],
        t("calendar.value_col.unit"): list(w.POLLUTANT_UNITS.values()),
    })
    w.dataframe(values)
    w.download_buttons(values, t("calendar.file_values", name=scope_name, day=str(day)), key="calendar-values")

st.markdown(f"**{t('calendar.day_subdistricts', day=str(day))}**")
that_day = frame[pd.to_datetime(frame["day"]).dt.date == day]
if that_day.empty:
    w.empty("calendar.no_day", day=str(day))
else:
    w.report_table(report, "daily", targets=targets, frame=that_day, name=t("calendar.file_day", day=str(day)),
                   key="calendar-day")
w.method_caption(report, key="calendar")

# The days per category of every subdistrict, chart and table, drawn when opened: a second chart on
# the first screen cost every switch to this page ≈ 0.1 s (docs/PERFORMANCE.md, "Browser").
counts_box = w.lazy_expander(t("calendar.counts_title"), "calendar-counts", icon=":material/bar_chart:")
if counts_box is not None:
    with counts_box:
        w.chart(w.category_days(frame, targets, title=t("calendar.category_days_title", period=period)),
                key="calendar-category-days")
        english = ctx.lang() == "en" and "category_en" in frame.columns
        counts = pd.crosstab(w.localise_subdistricts(frame["subdistrict"], targets),
                             frame["category_en" if english else "category"])
        order = [name for name, _colour, _level in w.category_legend(frame)]
        counts = counts.reindex(columns=[c for c in dict.fromkeys(order) if c in counts.columns]).reset_index()
        counts = counts.rename(columns={counts.columns[0]: t("ui.col.subdistrict")})
        w.dataframe(counts)
        w.download_buttons(counts, t("calendar.file_counts", year=f.year), key="calendar-counts")
        st.caption(t("calendar.all_days_help"))
        w.download_buttons(lambda: w.display_frame(frame, "daily", targets), t("calendar.file_all", year=f.year),
                           notes=w.method_lines(report), key="calendar-all")
w.attribution([f.year])
