"""多年趋势 Trends: a pollutant's yearly values since the first year with data (2013), the plan
targets, the trend of the tested series and of the recent complete years."""

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

report = loaders.call(loaders.trend, f.pollutant)
frame = report.frame
if not w.has_data(frame, "value"):
    st.title(t("nav.trends"))
    w.empty("trends.empty", pollutant=pollutant_name)
    st.stop()
first_year = int(frame["year"].min())
st.title(t("trends.title", first=first_year))
st.caption(t("trends.subtitle2", pollutant=pollutant_name, first=first_year))


def _per_year(value: object) -> str:
    return w.fmt_signed(value, 2, unit)


def _headline() -> None:
    """The trend in two sentences: the tested series, and the recent complete years."""
    ext = report.extra
    span = ext.get("series_years") or []
    ts, mk = ext.get("theil_sen") or {}, ext.get("mann_kendall") or {}
    lines = []
    if len(span) == 2 and ext.get("refused"):
        reason = ext.get("refused") if ctx.lang() == "en" else ext.get("refused_zh") or ext.get("refused")
        lines.append(t("trends.headline.long_refused", first=span[0], last=span[1], reason=reason))
    elif len(span) == 2:
        lines.append(t("trends.headline.long", first=span[0], last=span[1], slope=_per_year(ts.get("slope")),
                       low=w.fmt(ts.get("low"), 2), high=w.fmt(ts.get("high"), 2),
                       mk=t(f"trends.mk.{mk.get('trend', 'none')}")))
    recent = ext.get("recent")
    fit = (recent or {}).get("theil_sen") or {}
    if recent and fit:
        key = "trends.headline.recent_up" if recent["last"] > recent["first"] else "trends.headline.recent"
        lines.append(t(key, first=recent["years"][0], last=recent["years"][-1],
                       scope=t(f"trends.scope.{recent['scope']}"), v0=w.fmt(recent["first"], 1, unit),
                       v1=w.fmt(recent["last"], 1, unit), slope=_per_year(fit.get("slope")),
                       low=w.fmt(fit.get("low"), 2), high=w.fmt(fit.get("high"), 2), n=len(recent["years"])))
    else:
        lines.append(t("trends.headline.no_recent"))
    with st.container(border=True):
        for line in lines:
            st.markdown(line)


def _partial_label(period: str, year: int) -> str:
    """A part-year's period, short: 1—6月 for a month range, 截至12-01 for a year in progress."""
    parts = str(period).split("..")
    if len(parts) != 2:
        return t("trends.partial_days")  # a whole year with too few valid days
    start, end = parts
    if len(end) == 7:  # YYYY-MM..YYYY-MM
        return t("trends.partial_months", a=int(start[5:7]), b=int(end[5:7]))
    return t("trends.partial_to", day=end[5:])


def _source(row: dict[str, object]) -> str:
    """Where a value comes from, in the screen's language: the publisher's page before any reprint."""
    if row["kind"] == "data":
        return t("trends.source.data")
    if row["kind"] == "data_demo":
        return t("trends.source.demo")
    if str(row["kind"]).startswith("published") and not row.get("primary_known", True):
        return t("trends.source.only_reprint", source=row["source"])
    if row.get("reprint"):
        return t("trends.source.reprint", source=row["source"], reprint=row["reprint"])
    return str(row["source"])


# sources in the screen's language, the publisher's page first (the chart's hover text too)
frame = frame.assign(source=[_source(r) for r in frame.to_dict("records")])
_headline()

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
                x=partial["year"], y=partial["value"],
                name=t(f'ui.kind.{kind}') + w.paren(t('trends.incomplete')), mode="markers+text",
                text=[_partial_label(p, int(y)) for p, y in zip(partial["period"], partial["year"], strict=True)],
                textposition="middle right", textfont={"size": 10, "color": colour},
                marker={"color": "white", "symbol": symbol, "size": 10, "line": {"color": colour, "width": 2}},
                customdata=partial[["period", "source"]].to_numpy(dtype=object),
                hovertemplate="%{customdata[0]}: %{y:.1f} " + unit + "<br>%{customdata[1]}<extra></extra>",
            ))
plan_targets = [p for p in extra.get("plan_targets", []) or [] if isinstance(p, dict)]
last_year = int(frame["year"].max())
for item in plan_targets:
    value = item.get("value", item.get(f.pollutant))
    if w.is_missing(value):
        continue
    period = str(item.get("period", ""))
    period_label = t(f"trends.plan_period.{period}")
    period_label = period if period_label == f"trends.plan_period.{period}" else period_label
    fig.add_trace(go.Scatter(
        x=[item.get("year")], y=[value], mode="markers+text", name=t("trends.plan_target"),
        marker={"symbol": "star", "size": 16, "color": "#ff7f0e", "line": {"color": "#333", "width": 1}},
        # above and to the left: a part-year label sits to the right of the same year
        text=[f"{period_label} {w.fmt(value, 0)}"], showlegend=False,
        textposition="top left" if item.get("year") == last_year else "top center",
        hovertemplate=f"{period_label}: %{{y}} {unit}<extra></extra>",
    ))
fit = extra.get("theil_sen") or {}
if not extra.get("refused") and not w.is_missing(fit.get("slope")) and not w.is_missing(fit.get("intercept")):
    # Drawing the report's fitted line (intercept + slope × year) over the years it was fitted on.
    years = frame.loc[frame["in_series"].fillna(False).astype(bool), "year"] if "in_series" in frame else frame["year"]
    ends = [int(years.min()), int(years.max())]
    fig.add_trace(go.Scatter(x=ends, y=[fit["intercept"] + fit["slope"] * x for x in ends], mode="lines",
                             name=t("trends.theil_sen"), line={"color": "#444", "dash": "dash"}, hoverinfo="skip"))
fig.update_layout(title={"text": t("trends.chart_title", pollutant=pollutant_name)},
                  yaxis={"title": {"text": f"{pollutant_name} ({unit})"}},
                  xaxis={"dtick": 1, "range": [first_year - 0.5, last_year + 0.9]})
w.style(fig, height=500)
# the legend under the plot: above it, three rows of legend covered the title
fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.08, "xanchor": "left", "x": 0.0},
                  margin={"t": 40, "b": 90})
w.chart(fig, key="trends-chart")

# -- the statistics -------------------------------------------------------------------------
ts = extra.get("theil_sen") or {}
mk = extra.get("mann_kendall") or {}
refused = extra.get("refused")
points = w.tile_html(t("trends.points"), w.fmt(extra.get("n"), 0))
if refused:
    w.tile_row([points, w.tile_html(t("trends.theil_sen"), "—"), w.tile_html(t("trends.mann_kendall"), "—")])
    st.info(t("trends.refused", reason=refused), icon=":material/info:")
else:
    w.tile_row([
        points,
        w.tile_html(t("trends.theil_sen"), w.fmt_signed(ts.get("slope"), 2, f"{unit}/{t('trends.per_year')}"),
                    delta=t("trends.ci", low=w.fmt(ts.get("low"), 2), high=w.fmt(ts.get("high"), 2))),
        w.tile_html(t("trends.mann_kendall"), t(f"trends.mk.{mk.get('trend', 'none')}"),
                    delta=f"τ = {w.fmt(mk.get('tau'), 2)}, p = {w.fmt(mk.get('p'), 3)}"),
    ])
w.method_caption(report, key="trends")

st.caption(t("ui.hour_convention"))

st.subheader(t("trends.table"))


w.report_table(report, "trend", frame=frame, unit=unit, name=t("trends.file", pollutant=pollutant_name),
               key="trends-table")
w.attribution([], always=True)
