"""Charts: the plotly figures the pages draw, and ``chart`` that puts one on screen.

A figure is first drawn as a static SVG on the server (``dashboard.widgets.svg``): Streamlit
loads its 4.7 MB Plotly bundle only for a page that shows a plotly element, and that bundle
alone made a cold page 2–3× slower than a one-line page. The interactive plotly chart
(zoom, hover, click on a calendar day) is one toggle away.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from dashboard.widgets import svg
from dashboard.widgets.formatting import (
    STATUS_STYLE,
    fmt,
    fmt_signed,
    is_missing,
    localise_subdistricts,
    primary_text,
)
from monitoring.targets import Targets

#: Plotly's config: no logo, Chinese-friendly image export name.
PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# -- charts ---------------------------------------------------------------------------------
def style(fig: go.Figure, *, height: int = 420, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 80 if legend else 40, "b": 10},
        font={"family": FONT_FAMILY},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
        title={"y": 0.98, "yanchor": "top", "x": 0.0, "xanchor": "left"},
    )
    return fig


#: How a chart is drawn: the static SVG (first) or the plotly chart.
CHART_MODES = ("static", "interactive")


def chart(fig: go.Figure | Callable[[], go.Figure], key: str, *, svg_width: int | None = None,
          static_key: Any = None, **kwargs: Any) -> Any:
    """The figure on screen: a static SVG drawn on the server, the plotly chart when the
    reader chooses 交互图表 under it (静态图表 / 交互图表, one choice per chart).

    ``svg_width``: the static drawing's width (``svg.figure_svg``), for a chart in a narrow column.
    ``fig`` may be a function that builds the figure, with ``static_key`` standing for everything
    it reads (hashable by ``st.cache_data``: a frame, text): the static drawing is then looked up
    by that key and the figure built only when it is not drawn yet, or for the interactive chart.
    Returns the plotly element's selection state when interactive (``on_select``), else None.
    """
    interactive = st.session_state.get(f"{key}-mode") == "interactive"
    if interactive:
        shown = st.plotly_chart(fig() if callable(fig) else fig, width="stretch", config=PLOTLY_CONFIG, key=key,
                                **kwargs)
    else:
        # st.markdown, not st.html: st.html's sanitiser drops SVG; the text inside is made inert to markdown
        if callable(fig) and static_key is not None:
            drawing = _svg_by_key(static_key, svg_width, fig)
        else:
            drawing = static_svg(fig() if callable(fig) else fig, svg_width)
        st.markdown(drawing if len(drawing) < FRAME_MIN_CHARS else framed(drawing), unsafe_allow_html=True)
        shown = None
    # A radio, not a toggle or a button: every widget kind costs the browser its own code on a
    # cold load, and the radio's is loaded already for the sidebar's language (docs/PERFORMANCE.md).
    names = {mode: ctx.t(f"ui.chart.{mode}") for mode in CHART_MODES}  # in the language of this run
    st.radio(ctx.t("ui.chart.mode"), CHART_MODES, key=f"{key}-mode", horizontal=True, label_visibility="collapsed",
             format_func=names.__getitem__)
    return shown


#: A drawing this long (the calendar's month grid: 330 cells, ≈ 60 KB) is shown in an iframe.
FRAME_MIN_CHARS = 30_000
#: The class of that iframe (the tests and the browser bench find the drawing inside it).
FRAME_CLASS = "monitor-chart-frame"
_VIEWBOX = re.compile(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"')
_LABEL = re.compile(r'aria-label="([^"]*)"')


def framed(drawing: str) -> str:
    """A static drawing as its own small document, an iframe's ``srcdoc``, sized to its aspect ratio.

    Why: inline, every element of the SVG goes through the browser's markdown pipeline and
    becomes a React element (the calendar grid: ≈ 700); in an iframe the browser parses it
    natively. Measured on the calendar: a cold load 1.82 → 1.63 s (5 interleaved rounds,
    docs/PERFORMANCE.md "Browser"). Hover titles work the same; the text stays text. Line breaks
    (a cell's title has several lines) are written as ``&#10;``: the element stays one line."""
    size = _VIEWBOX.search(drawing)
    width, height = (float(size.group(1)), float(size.group(2))) if size else (800.0, 400.0)
    label = _LABEL.search(drawing)
    document = f'<!doctype html><html><body style="margin:0;overflow:hidden">{drawing}</body></html>'
    # in single quotes only "&", "'" and line breaks need a reference: the drawing's many double
    # quotes stay as they are (escaped, they made the calendar's message 40 % larger)
    source = document.replace("&", "&amp;").replace("'", "&#39;").replace("\n", "&#10;")
    return (f'<iframe class="{FRAME_CLASS}" title="{label.group(1) if label else ""}" '
            f"srcdoc='{source}' style=\"width:100%;max-width:{width:.0f}px;"
            f'aspect-ratio:{width:.0f} / {height:.0f};border:0;display:block"></iframe>')


def static_svg(fig: go.Figure, width: int | None = None) -> str:
    """``svg.figure_svg`` of the figure, drawn once per distinct figure across sessions.

    Why: every new session (each cold load) draws the same charts again, in the server's one
    Python process, while that browser still fetches Streamlit's JavaScript from it; reading a
    figure through plotly's properties costs ≈ 0.1 ms an access (overview: 0.1 s for two charts).
    The key is the figure's JSON, which says everything the drawing reads."""
    return _svg_of(fig.to_json(), width, fig)


@st.cache_data(max_entries=256, show_spinner=False)
def _svg_of(spec: str, width: int | None, _fig: go.Figure) -> str:
    # _fig is not hashed (leading underscore): spec stands for it
    return svg.figure_svg(_fig, width)


@st.cache_data(max_entries=64, show_spinner=False)
def _svg_by_key(key: Any, width: int | None, _make: Callable[[], go.Figure]) -> str:
    """The drawing of ``_make()``, looked up by ``key`` (what the figure is made of) before the figure
    is built. Why: building a large figure costs more than drawing it from the cache (the calendar's
    grid, 330 cells: ≈ 0.05 s of every run of that page, before its JSON could be looked up)."""
    return svg.figure_svg(_make(), width)


def _diverging(value: float, span: float) -> str:
    """A colour of plotly's reversed RdYlGn for ``value`` in [-span, span] (green below zero, red above)."""
    from plotly.colors import sample_colorscale

    position = 0.5 + 0.5 * max(-1.0, min(1.0, value / span))
    return str(sample_colorscale("RdYlGn_r", [position])[0])


#: A tile holds about this many characters of a 12-px bold label (Latin; a CJK character counts two).
TILE_LABEL_CHARS = 11


def tile_font_size(name: str) -> int:
    """The label size that keeps a name inside its tile: long pinyin (Guang'anmenwai, 14
    letters) would run into the next tile at 12 px, so it is set smaller (not below 9 px)."""
    width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(name))
    return max(9, min(12, int(12 * TILE_LABEL_CHARS / max(width, 1))))


def _ink(fill: str) -> str:
    """Dark text on a light tile, white on a dark one (the reddest tiles)."""
    match = re.search(r"(\d+)\D+(\d+)\D+(\d+)", fill) if fill.startswith("rgb") else None
    if match:
        red, green, blue = (int(v) for v in match.groups())
    elif fill.startswith("#") and len(fill) == 7:
        red, green, blue = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    else:
        return "#111"
    return "#fff" if 0.299 * red + 0.587 * green + 0.114 * blue < 110 else "#111"


def tile_map(frame: pd.DataFrame, targets: Targets, *, value_col: str, color_col: str, label: Callable[[Any], str],
             title: str, colorbar_title: str) -> go.Figure:
    """The 15 subdistricts as squares laid out roughly as they lie (north up), coloured by ``color_col``.

    A schematic, not a survey map: no surveyed boundary set exists, so the figure says so.
    """
    tiles = {sd.short_name: sd.tile for sd in targets.subdistricts}
    data = frame[frame["subdistrict"].astype(str).isin(tiles)].copy()
    rows = [tiles[str(s)][0] for s in data["subdistrict"]]
    cols = [tiles[str(s)][1] for s in data["subdistrict"]]
    names = list(localise_subdistricts(data["subdistrict"], targets))
    values = pd.to_numeric(data[color_col], errors="coerce")
    span = float(values.abs().max()) if values.notna().any() else 1.0
    span = span if span > 0 and not math.isnan(span) else 1.0
    fig = go.Figure()
    # shapes and labels set at once: add_shape/add_annotation one by one re-validate the whole list each time
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for r, c, name, value, shown in zip(rows, cols, names, values, data[value_col], strict=True):
        fill = STATUS_STYLE["no_data"][0] if is_missing(value) else _diverging(float(value), span)
        shapes.append({"type": "rect", "x0": c - 0.47, "x1": c + 0.47, "y0": -r - 0.47, "y1": -r + 0.47,
                       "fillcolor": fill, "line": {"color": "white", "width": 2}, "layer": "below"})
        annotations.append({"x": c, "y": -r, "showarrow": False, "font": {"size": 12, "color": _ink(fill)},
                            "text": f"<span style='font-size:{tile_font_size(name)}px'><b>{name}</b></span>"
                                    f"<br>{label(shown)}"})
    fig.update_layout(shapes=shapes, annotations=annotations)
    hover = [f"{n}<br>{label(v)}<br>{colorbar_title} {fmt_signed(g)}"
             for n, v, g in zip(names, data[value_col], values, strict=True)]
    # Invisible points carry the hover text and the colour bar.
    fig.add_trace(go.Scatter(
        x=cols, y=[-r for r in rows], mode="markers", hovertext=hover, hoverinfo="text", showlegend=False,
        marker={"size": 40, "opacity": 0, "color": values.fillna(0), "colorscale": "RdYlGn", "reversescale": True,
                "cmin": -span, "cmax": span, "showscale": True,
                "colorbar": {"title": {"text": colorbar_title}, "thickness": 12, "len": 0.8}},
    ))
    fig.update_xaxes(visible=False, range=[-0.55, 4.55])
    fig.update_yaxes(visible=False, range=[-4.55, 0.55], scaleanchor="x", scaleratio=1)
    fig.update_layout(title={"text": title, "font": {"size": 14}}, plot_bgcolor="rgba(0,0,0,0)")
    fig.add_annotation(text=ctx.t("ui.tilemap.disclaimer"), xref="paper", yref="paper", x=0, y=-0.04,
                       showarrow=False, font={"size": 11, "color": "#666"}, xanchor="left", yanchor="top")
    return style(fig, height=540, legend=False)


def category_legend(frame: pd.DataFrame) -> list[tuple[str, str, int]]:
    """(name, colour, level) of every AQI category the frame holds, mildest first.

    Taken from the report's own ``category``/``color`` columns, day by day: a year that
    spans two standards (HJ 633-2012, then HJ 633—2026) lists each standard's categories
    as the days used them, never a fixed table."""
    english = ctx.lang() == "en" and "category_en" in frame.columns
    name_col = "category_en" if english else "category"
    rows = frame.dropna(subset=["color"]) if "color" in frame.columns else frame.iloc[0:0]
    rows = rows[rows[name_col].astype(str) != ""]
    if rows.empty:
        return []
    pairs = (rows.assign(_level=pd.to_numeric(rows["level"], errors="coerce"))
             .groupby([name_col, "color"], sort=False)
             .agg(level=("_level", "min"), first=("day", "min")).reset_index()
             .sort_values(["level", "first"], kind="stable"))
    return [(str(n), str(c), int(lv) if not is_missing(lv) else 0)
            for n, c, lv in zip(pairs[name_col], pairs["color"], pairs["level"], strict=True)]


#: The colour of a day without a valid AQI (no data, or too few pollutants).
NO_AQI_COLOR = "#e6e6e6"


def calendar_months(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """One subdistrict's (or the district's) year as a calendar: a row per month, a cell per day.

    Each cell is a square marker coloured with the category of the AQI standard in force
    that day (the report's ``color``); one legend entry per category. The points carry the
    day (``customdata[0]``) so a click can open that day's values."""
    data = frame.copy()
    days = pd.to_datetime(data["day"])
    data["_month"] = days.dt.month
    data["_dom"] = days.dt.day
    data["_day"] = days.dt.strftime("%Y-%m-%d")
    english = ctx.lang() == "en" and "category_en" in data.columns
    name_col = "category_en" if english else "category"
    month_names = [ctx.t(f"ui.month.{m}") for m in range(1, 13)]
    fig = go.Figure()
    hover = ("%{customdata[0]}<br>AQI %{customdata[1]} · %{customdata[2]}<br>"
             + ctx.t("ui.col.primary") + " %{customdata[3]}<br>PM2.5 %{customdata[4]} µg/m³<extra></extra>")

    def cells(part: pd.DataFrame, name: str, colour: str) -> None:
        custom = np.column_stack([
            part["_day"].to_numpy(dtype=object),
            [fmt(v, 0) for v in part["aqi"]],
            part[name_col].fillna("").astype(str).replace("", "—").to_numpy(dtype=object),
            [primary_text(v) for v in part["primary"]],
            [fmt(v, 1) for v in part["pm25"]],
        ]) if len(part) else None
        fig.add_trace(go.Scatter(
            x=part["_dom"], y=[month_names[m - 1] for m in part["_month"]], mode="markers", name=name,
            marker={"symbol": "square", "size": 19, "color": colour, "line": {"color": "white", "width": 1}},
            customdata=custom, hovertemplate=hover,
        ))

    names, colours = data[name_col].astype(str), data["color"].astype(str)
    for name, colour, _level in category_legend(data):
        cells(data[(names == name) & (colours == colour)], name, colour)
    no_aqi = data[data["color"].isna() | (data[name_col].fillna("").astype(str) == "")]
    if len(no_aqi):
        cells(no_aqi, ctx.t("calendar.no_aqi"), NO_AQI_COLOR)
    present = [month_names[m - 1] for m in sorted(data["_month"].unique())] or month_names
    fig.update_yaxes(categoryorder="array", categoryarray=present[::-1], showgrid=False, ticks="",
                     range=[-0.6, len(present) - 0.4])
    fig.update_xaxes(range=[0.4, 31.6], tickmode="array", tickvals=list(range(1, 32)), showgrid=False,
                     title={"text": ctx.t("calendar.day_of_month")}, zeroline=False)
    fig.update_layout(title={"text": title, "font": {"size": 14}}, plot_bgcolor="rgba(0,0,0,0)",
                      clickmode="event+select", dragmode=False)
    style(fig, height=110 + 34 * len(present), legend=True)
    fig.update_layout(legend={"title": {"text": ctx.t("calendar.legend")}})
    return fig


#: Pollutant codes (as reports list them) → the names printed in bulletins.

def category_days(frame: pd.DataFrame, targets: Targets, *, title: str) -> go.Figure:
    """Days per AQI category of every subdistrict, as stacked bars (colours from the report)."""
    english = ctx.lang() == "en" and "category_en" in frame.columns
    name_col = "category_en" if english else "category"
    present = set(frame["subdistrict"].astype(str))  # once: it was rebuilt for each subdistrict (60 ms a run)
    order = [sd.short_name for sd in targets.subdistricts if sd.short_name in present]
    shown = list(localise_subdistricts(pd.Series(order), targets))
    names, colours = frame[name_col].astype(str), frame["color"].astype(str)
    fig = go.Figure()
    for name, colour, _level in category_legend(frame):
        part = frame[(names == name) & (colours == colour)]
        counts = part.groupby("subdistrict").size().reindex(order, fill_value=0)
        fig.add_trace(go.Bar(y=shown, x=counts.to_numpy(), orientation="h", name=name, marker={"color": colour},
                             hovertemplate="%{y} · " + name + ": %{x} " + ctx.t("ui.unit.days") + "<extra></extra>"))
    fig.update_layout(barmode="stack", title={"text": title, "font": {"size": 14}},
                      xaxis={"title": {"text": ctx.t("calendar.days_axis")}})
    fig.update_yaxes(autorange="reversed")
    style(fig, height=140 + 24 * len(order), legend=True)
    fig.update_layout(legend={"traceorder": "normal"})  # mildest category first, as in the calendar
    return fig



def bars_against_targets(
    names: Sequence[str],
    values: pd.Series,
    targets_: pd.Series,
    *,
    colours: Sequence[str],
    texts: Sequence[str],
    unit: str,
    value_name: str,
    target_name: str,
    opacity: Sequence[float] | None = None,
    customdata: Any = None,
    hover: str | None = None,
) -> go.Figure:
    """One bar per subdistrict with its own target drawn as a short black line across the bar."""
    x = list(range(len(names)))
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=x, y=list(values), name=value_name,
        marker={"color": list(colours), "opacity": list(opacity or [1.0] * len(x))},
        text=list(texts), textposition="inside", insidetextanchor="start", textangle=0,
        textfont={"color": "white", "size": 11},
        customdata=customdata, hovertext=list(names),
        hovertemplate=hover or ("%{hovertext}: %{y:.1f} " + unit + "<extra></extra>"),
    ))
    seg_x: list[float | None] = []
    seg_y: list[float | None] = []
    for i, target in zip(x, targets_, strict=True):
        if is_missing(target):
            continue
        seg_x += [i - 0.45, i + 0.45, None]
        seg_y += [float(target), float(target), None]
    if seg_x:
        fig.add_trace(go.Scatter(x=seg_x, y=seg_y, mode="lines", name=target_name, line={"color": "#222", "width": 3},
                                 hovertemplate=target_name + " %{y:.0f} " + unit + "<extra></extra>"))
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=list(names), tickangle=-45)
    return fig
