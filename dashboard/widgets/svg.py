"""A plotly figure as a static SVG drawn on the server, for the first screen of a page.

Why: Streamlit loads its Plotly bundle (≈ 4.7 MB of JavaScript) for any page that shows a
plotly element, and parsing it alone made a cold page 2–3× slower than a one-line page.
Plotly's own image export needs Kaleido and a Chrome at run time, so the figures the
pages build are drawn here instead, from the same ``go.Figure``: one description of each
chart, two ways to show it. What is drawn is the subset the pages use — bars (vertical,
horizontal, stacked, overlaid, with per-bar colours, opacity and text), scatter lines and
markers (dashes, symbols, gaps at None, text), heatmaps, colour bars, rectangle shapes and
annotations, category and numeric axes, a title and a legend. Hover text becomes each
mark's SVG ``<title>`` (the browser shows it as a tooltip), so the values stay readable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from plotly.colors import DEFAULT_PLOTLY_COLORS, sample_colorscale

from dashboard.widgets.svg_base import (
    BAR_WIDTH,
    DASHES,
    DEFAULT_HEIGHT,
    GRID,
    INK,
    LINE_STROKE,
    TICK_FONT,
    WIDTH,
    Axis,
    ColourBar,
    Hover,
    _at,
    _axis,
    _colour_at,
    _hover,
    _is_text,
    _label_lines,
    _missing,
    _num,
    _pix,
    _plain,
    _scale,
    _seq,
    _text,
    _tick,
    _titled,
    escape,
    text_width,
)


# -- the figure ----------------------------------------------------------------------------------
def figure_svg(fig: go.Figure, width: float | None = None) -> str:
    """The figure as one ``<svg>`` element (width 100 %, scaled with its column).

    ``width``: the drawing's width in SVG units, about the column's width in pixels so that
    the text is drawn near its set size (a chart in a narrow column passes less); a figure
    with equal axis units (the tile map) is as wide as it is high unless told otherwise.
    """
    layout = fig.layout
    full = float(width or (float(layout.height or DEFAULT_HEIGHT) * 1.15 if layout.yaxis.scaleanchor == "x" else WIDTH))
    traces = [t for t in fig.data if t.visible in (None, True)]
    height = float(layout.height or DEFAULT_HEIGHT)
    margin = layout.margin
    m_l, m_r = float(margin.l if margin.l is not None else 80), float(margin.r if margin.r is not None else 80)
    m_t, m_b = float(margin.t if margin.t is not None else 100), float(margin.b if margin.b is not None else 80)

    # which values go on which axis
    xs: list[Any] = []
    ys: list[Any] = []
    bars_x = bars_y = False
    positional_x = positional_y = False
    for t in traces:
        if t.type == "bar":
            horizontal = t.orientation == "h"
            (ys if horizontal else xs).extend(_seq(t.y if horizontal else t.x))
            (xs if horizontal else ys).extend(_stack_extent(traces, horizontal, layout.barmode))
            bars_x, bars_y = bars_x or horizontal, bars_y or not horizontal
            values_pos = _seq(t.y if horizontal else t.x)
            if not any(_is_text(v) for v in values_pos):
                positional_y, positional_x = positional_y or horizontal, positional_x or not horizontal
        elif t.type in ("scatter", "heatmap"):
            xs.extend(_seq(t.x))
            ys.extend(_seq(t.y))
    for shape in layout.shapes or ():
        if shape.xref in (None, "x"):
            xs.extend([shape.x0, shape.x1])
        if shape.yref in (None, "y"):
            ys.extend([shape.y0, shape.y1])
    xaxis = _axis(layout.xaxis, xs, bars_here=bars_x, positional=positional_x)
    yaxis = _axis(layout.yaxis, ys, bars_here=bars_y, positional=positional_y)
    x_visible = layout.xaxis.visible is not False
    y_visible = layout.yaxis.visible is not False

    bars = _colour_bars(traces)
    legend = _legend_entries(traces) if layout.showlegend is not False and (
        layout.showlegend or len(_legend_entries(traces)) > 1) else []
    title = _plain(layout.title.text) if layout.title and layout.title.text else ""
    title_size = float(layout.title.font.size or 17) if title else 0.0

    # room for labels, as plotly's automargin gives it
    y_ticks_w = max((text_width(t, TICK_FONT) for _v, t in yaxis.ticks()), default=0.0) if y_visible else 0.0
    y_title = _plain(layout.yaxis.title.text) if layout.yaxis.title and layout.yaxis.title.text else ""
    x_title = _plain(layout.xaxis.title.text) if layout.xaxis.title and layout.xaxis.title.text else ""
    left = m_l + (y_ticks_w + 10 if y_visible else 0) + (22 if y_title else 0)
    right = full - m_r - (90 if bars else 0)
    x_labels = [t for _v, t in xaxis.ticks()] if x_visible else []
    slot = (right - left) / max(len(x_labels), 1)
    angle = float(layout.xaxis.tickangle) if isinstance(layout.xaxis.tickangle, int | float) else (
        -45.0 if any(text_width(t, TICK_FONT) > slot * 0.95 for t in x_labels) else 0.0)
    longest = max((text_width(t, TICK_FONT) for t in x_labels), default=0.0)
    x_ticks_h = (longest * abs(math.sin(math.radians(angle))) + 18 if angle else 20.0) if x_visible else 0.0
    legend_rows = _legend_rows(legend, right - left)
    legend_below = layout.legend.y is not None and float(layout.legend.y) < 0
    legend_h = 22.0 * len(legend_rows)
    top = max(m_t, title_size + 16 + (0 if legend_below else legend_h + 6))
    bottom = height - m_b - x_ticks_h - (22 if x_title else 0) - (legend_h + 6 if legend_below else 0)
    # a note under the plot (yref paper, y < 0: the tile map's disclaimer) needs its line
    bottom -= 20 * any(a.yref == "paper" and a.y is not None and float(a.y) < 0 for a in layout.annotations or ())
    if bottom - top < 80:  # a small figure with a long legend: the drawing grows rather than the plot vanishing
        height += 80 - (bottom - top)
        bottom = top + 80
    if layout.yaxis.scaleanchor == "x" and xaxis.hi > xaxis.lo and yaxis.hi > yaxis.lo:
        # equal units both ways (the tile map's squares stay square)
        unit = min((right - left) / (xaxis.hi - xaxis.lo), (bottom - top) / (yaxis.hi - yaxis.lo))
        spare_w = (right - left) - unit * (xaxis.hi - xaxis.lo)
        left, right = left + spare_w / 2, right - spare_w / 2
        spare_h = (bottom - top) - unit * (yaxis.hi - yaxis.lo)
        bottom, height = bottom - spare_h, height - spare_h  # no empty band under a narrowed map
    xaxis.start, xaxis.end = left, right
    yaxis.start, yaxis.end = bottom, top

    out: list[str] = []
    if title:
        out.append(_text(8, 8 + title_size / 2, title, size=title_size, anchor="start", colour="#222"))
    out += _grid(xaxis, yaxis, x_visible, y_visible, layout)
    out += _shapes(layout, xaxis, yaxis, "below")
    for t in traces:
        if t.type == "heatmap":
            out += _heatmap(t, xaxis, yaxis)
    out += _bars(traces, xaxis, yaxis, layout.barmode)
    for n, t in enumerate(traces):
        if t.type == "scatter":
            out += _scatter(t, n, xaxis, yaxis)
    out += _shapes(layout, xaxis, yaxis, "above")
    out += _annotations(layout, xaxis, yaxis)
    out += _axes_labels(xaxis, yaxis, x_visible, y_visible, angle, x_title, y_title, left, bottom, y_ticks_w)
    legend_top = (bottom + x_ticks_h + (22 if x_title else 0) + 6) if legend_below else top - legend_h - 4
    out += _draw_legend(legend_rows, left, legend_top)
    for k, bar in enumerate(bars):
        out += _draw_colour_bar(bar, right + 20 + 70 * k, top, bottom, k)
    label = escape(title)  # an untitled chart has no name (no English placeholder on a Chinese screen)
    return (f'<svg viewBox="0 0 {full:.0f} {height:.0f}" width="100%" role="img" '
            f'aria-label="{label}" class="monitor-chart" style="max-width:{full:.0f}px;height:auto;'
            f'font-family:{escape(_font(layout))}">' + (f"<title>{label}</title>" if label else "") + "".join(out)
            + "</svg>")


def _font(layout: Any) -> str:
    return str(layout.font.family or "sans-serif").replace('"', "'")


def _stack_extent(traces: Sequence[Any], horizontal: bool, barmode: str | None) -> list[float]:
    """The values a bar axis must reach: each bar's end, or each stack's total."""
    values = []
    stacked: dict[Any, float] = {}
    for t in traces:
        if t.type != "bar" or (t.orientation == "h") != horizontal:
            continue
        keys = _seq(t.y if horizontal else t.x)
        for key, v in zip(keys, _seq(t.x if horizontal else t.y), strict=False):
            if _missing(v):
                continue
            if barmode in ("stack", "relative"):
                stacked[key] = stacked.get(key, 0.0) + _num(v)
                values.append(stacked[key])
            else:
                values.append(_num(v))
    return values


def _grid(xaxis: Axis, yaxis: Axis, x_visible: bool, y_visible: bool, layout: Any) -> list[str]:
    out = []
    top, bottom = yaxis.end, yaxis.start
    if y_visible and not yaxis.is_category and layout.yaxis.showgrid is not False:
        for v, _t in yaxis.ticks():
            y = _pix(yaxis, v)
            if y is not None:
                out.append(f'<line x1="{xaxis.start:.1f}" x2="{xaxis.end:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                           f'stroke="{"#bbb" if abs(v) < 1e-12 else GRID}"/>')
    if x_visible and not xaxis.is_category and layout.xaxis.showgrid is not False and layout.xaxis.tickvals is None:
        for v, _t in xaxis.ticks():
            x = _pix(xaxis, v)
            if x is not None:
                out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
                           f'stroke="{"#bbb" if abs(v) < 1e-12 else GRID}"/>')
    return out


def _axes_labels(xaxis: Axis, yaxis: Axis, x_visible: bool, y_visible: bool, angle: float, x_title: str,
                 y_title: str, left: float, bottom: float, y_ticks_w: float) -> list[str]:
    out = []
    if x_visible:
        for v, label in xaxis.ticks():
            x = _pix(xaxis, v)
            if x is None:
                continue
            if angle:
                out.append(_text(x, bottom + 8, label, anchor="end", baseline="hanging", rotate=angle))
            else:
                out.append(_text(x, bottom + 12, label))
        if x_title:
            depth = max((text_width(t, TICK_FONT) for _v, t in xaxis.ticks()), default=0) * abs(
                math.sin(math.radians(angle))) if angle else 8
            out.append(_text((xaxis.start + xaxis.end) / 2, bottom + 26 + depth, x_title, size=13))
    if y_visible:
        for v, label in yaxis.ticks():
            y = _pix(yaxis, v)
            if y is not None:
                out.append(_text(left - 6, y, label, anchor="end"))
        if y_title:
            x = left - y_ticks_w - 20
            mid = (yaxis.start + yaxis.end) / 2
            out.append(_text(x, mid, y_title, size=13, rotate=-90))
    return out


# -- traces ------------------------------------------------------------------------------------
def _bars(traces: Sequence[Any], xaxis: Axis, yaxis: Axis, barmode: str | None) -> list[str]:
    bar_traces = [t for t in traces if t.type == "bar"]
    grouped = (barmode or "group") == "group" and len(bar_traces) > 1
    out: list[str] = []
    ends: dict[tuple[bool, Any], float] = {}
    for k, t in enumerate(bar_traces):
        horizontal = t.orientation == "h"
        pos_axis, val_axis = (yaxis, xaxis) if horizontal else (xaxis, yaxis)
        keys = _seq(t.y if horizontal else t.x)
        values = _seq(t.x if horizontal else t.y)
        width = BAR_WIDTH / (len(bar_traces) if grouped else 1)
        offset = (-BAR_WIDTH / 2 + width * (k + 0.5)) if grouped else 0.0
        default = DEFAULT_PLOTLY_COLORS[traces.index(t) % len(DEFAULT_PLOTLY_COLORS)]
        hover = Hover.of(t)
        colours, opacities = t.marker.color, t.marker.opacity
        customdata, hovertexts, texts = t.customdata, t.hovertext, t.text
        for i, (key, value) in enumerate(zip(keys, values, strict=False)):
            at = pos_axis.position(key)
            if at is None or _missing(value):
                continue
            base = ends.get((horizontal, key), 0.0) if barmode in ("stack", "relative") else 0.0
            end = base + _num(value)
            if barmode in ("stack", "relative"):
                ends[(horizontal, key)] = end
            p0, p1 = _pix(pos_axis, at + offset - width / 2), _pix(pos_axis, at + offset + width / 2)
            v0, v1 = _pix(val_axis, base), _pix(val_axis, end)
            colour = str(_at(colours, i, default) or default)
            opacity = _at(opacities, i, 1.0)
            opacity = 1.0 if opacity is None else float(opacity)
            if horizontal:
                x, y, w, h = min(v0, v1), min(p0, p1), abs(v1 - v0), abs(p1 - p0)
            else:
                x, y, w, h = min(p0, p1), min(v0, v1), abs(p1 - p0), abs(v1 - v0)
            point = {"x": value if horizontal else key, "y": key if horizontal else value,
                     "customdata": _at(customdata, i), "hovertext": _at(hovertexts, i), "text": _at(texts, i)}
            out.append(_titled(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{escape(colour)}"'
                               f' fill-opacity="{opacity:g}"', _hover(hover, i, point)))
            label = _at(texts, i)
            if label not in (None, ""):
                out.append(_bar_text(t, str(label), horizontal, x, y, w, h, float(value) < 0))
    return out


def _bar_text(t: Any, label: str, horizontal: bool, x: float, y: float, w: float, h: float, negative: bool) -> str:
    size = float(t.textfont.size or 11)
    outside = t.textposition == "outside"
    colour = str(t.textfont.color or (INK if outside else "white"))
    if horizontal:
        if outside:
            return _text(x - 4 if negative else x + w + 4, y + h / 2, label, size=size, colour=colour,
                         anchor="end" if negative else "start")
        return _text(x + w - 4, y + h / 2, label, size=size, colour=colour, anchor="end")
    if outside:
        return _text(x + w / 2, y - 8, label, size=size, colour=colour)
    # inside, at the base (insidetextanchor "start"), turned when the bar is narrow
    turn = text_width(label, size) > w - 2
    return _text(x + w / 2, y + h - 4, label, size=size, colour=colour, anchor="start" if turn else "middle",
                 baseline="central" if turn else "auto", rotate=-90 if turn else 0)


_SYMBOLS = {"square": 4, "diamond": 4, "triangle-up": 3}


def _marker(symbol: str, x: float, y: float, size: float) -> str:
    r = size / 2
    if symbol.startswith("square"):
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{size:.1f}" height="{size:.1f}"'
    if symbol.startswith("diamond"):
        r *= 1.25
        return f'<path d="M{x:.1f},{y - r:.1f}L{x + r:.1f},{y:.1f}L{x:.1f},{y + r:.1f}L{x - r:.1f},{y:.1f}Z"'
    if symbol.startswith("triangle-up"):
        return f'<path d="M{x:.1f},{y - r:.1f}L{x + r:.1f},{y + r * 0.8:.1f}L{x - r:.1f},{y + r * 0.8:.1f}Z"'
    if symbol.startswith("star"):
        points = []
        for k in range(10):
            radius = r * 1.2 if k % 2 == 0 else r * 0.5
            a = math.pi / 2 + k * math.pi / 5
            points.append(f"{x + radius * math.cos(a):.1f},{y - radius * math.sin(a):.1f}")
        return f'<path d="M{"L".join(points)}Z"'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"'


def _scatter(t: Any, n: int, xaxis: Axis, yaxis: Axis) -> list[str]:
    xs, ys = _seq(t.x), _seq(t.y)
    mode = t.mode or ("lines+markers" if len(xs) < 20 else "lines")
    default = DEFAULT_PLOTLY_COLORS[n % len(DEFAULT_PLOTLY_COLORS)]
    points = [(xaxis.pixel(x), yaxis.pixel(y)) for x, y in zip(xs, ys, strict=False)]
    out = []
    if "lines" in mode:
        colour = str(t.line.color or default)
        dash = DASHES.get(str(t.line.dash), "")
        width = float(t.line.width if t.line.width is not None else 2)
        runs: list[list[tuple[float, float]]] = [[]]
        for px, py in points:
            if px is None or py is None:
                runs.append([])
            else:
                runs[-1].append((px, py))
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                out.append(f'<polyline points="{path}" fill="none" stroke="{escape(colour)}" stroke-width="{width:g}"'
                           + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
    marker = t.marker
    if "markers" in mode and (marker.opacity is None or not isinstance(marker.opacity, int | float)
                              or float(marker.opacity) > 0):
        hover = Hover.of(t)
        colours, sizes, symbols = marker.color, marker.size, marker.symbol
        fallback = t.line.color or default
        customdata, hovertexts, texts = t.customdata, t.hovertext, t.text
        edge = f' stroke="{escape(str(marker.line.color))}" stroke-width="{float(marker.line.width or 1):g}"' \
            if marker.line.color is not None else ""
        for i, (px, py) in enumerate(points):
            if px is None or py is None:
                continue
            colour = str(_at(colours, i, fallback) or default)
            size = float(_at(sizes, i, 6) or 6)
            symbol = str(_at(symbols, i, "circle") or "circle")
            point = {"x": xs[i], "y": ys[i], "customdata": _at(customdata, i), "hovertext": _at(hovertexts, i),
                     "text": _at(texts, i)}
            out.append(_titled(_marker(symbol, px, py, size) + f' fill="{escape(colour)}"{edge}',
                               _hover(hover, i, point)))
    if "text" in mode:
        size = float(t.textfont.size or 12)
        texts = t.text
        for i, (px, py) in enumerate(points):
            label = _at(texts, i)
            if px is None or py is None or label in (None, ""):
                continue
            where = str(t.textposition or "middle center")
            dy = -12 if where.startswith("top") else (12 if where.startswith("bottom") else 0)
            dx, anchor = (10, "start") if where.endswith("right") else ((-10, "end") if where.endswith("left")
                                                                          else (0, "middle"))
            out.append(_text(px + dx, py + dy, _plain(label), size=size, anchor=anchor,
                             colour=str(t.textfont.color or INK)))
    return out


def _heatmap(t: Any, xaxis: Axis, yaxis: Axis) -> list[str]:
    rows = [list(r) for r in (t.z if t.z is not None else [])]
    values = [float(v) for r in rows for v in r if not _missing(v)]
    if not values:
        return []
    lo = float(t.zmin) if t.zmin is not None else min(values)
    hi = float(t.zmax) if t.zmax is not None else max(values)
    scale = _scale(t.colorscale, bool(t.reversescale))
    xs, ys = _seq(t.x), _seq(t.y)
    gap_x, gap_y = float(t.xgap or 0), float(t.ygap or 0)
    hover = Hover.of(t)
    def share(v: float) -> float:
        return min(1.0, max(0.0, (v - lo) / (hi - lo) if hi > lo else 0.5))

    # every cell's colour in one call: plotly's sample_colorscale costs ~0.3 ms a call
    shares = sorted({share(v) for v in values})
    colour_of = dict(zip(shares, map(str, sample_colorscale(scale, shares)), strict=True))
    out = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if _missing(value) or r >= len(ys) or c >= len(xs):
                continue
            at_x, at_y = xaxis.position(xs[c]), yaxis.position(ys[r])
            if at_x is None or at_y is None:
                continue
            x0, x1 = sorted((_pix(xaxis, at_x - 0.5), _pix(xaxis, at_x + 0.5)))
            y0, y1 = sorted((_pix(yaxis, at_y - 0.5), _pix(yaxis, at_y + 0.5)))
            colour = colour_of[share(float(value))]
            point = {"x": xs[c], "y": ys[r], "z": value}
            out.append(_titled(f'<rect x="{x0 + gap_x / 2:.1f}" y="{y0 + gap_y / 2:.1f}" '
                               f'width="{max(x1 - x0 - gap_x, 0):.1f}" height="{max(y1 - y0 - gap_y, 0):.1f}" '
                               f'fill="{colour}"', _hover(hover, 0, point)))
    return out


def _colour_bars(traces: Sequence[Any]) -> list[ColourBar]:
    bars = []
    for t in traces:
        if t.type == "heatmap" and t.showscale is not False:
            values = [float(v) for r in (t.z if t.z is not None else []) for v in r if not _missing(v)]
            if values:
                bars.append(ColourBar(_scale(t.colorscale, bool(t.reversescale)),
                                      float(t.zmin) if t.zmin is not None else min(values),
                                      float(t.zmax) if t.zmax is not None else max(values),
                                      _plain(t.colorbar.title.text) if t.colorbar.title.text else ""))
        elif t.type == "scatter" and t.marker.showscale and t.marker.cmin is not None and t.marker.cmax is not None:
            bars.append(ColourBar(_scale(t.marker.colorscale, bool(t.marker.reversescale)), float(t.marker.cmin),
                                  float(t.marker.cmax),
                                  _plain(t.marker.colorbar.title.text) if t.marker.colorbar.title.text else ""))
    return bars


def _draw_colour_bar(bar: ColourBar, x: float, top: float, bottom: float, k: int) -> list[str]:
    gid = f"cb{k}-{abs(hash((bar.lo, bar.hi, bar.title))) % 100000}"
    stops = "".join(f'<stop offset="{s:.2f}" stop-color="{_colour_at(bar.scale, 1 - s)}"/>'
                    for s in (i / 10 for i in range(11)))
    h = (bottom - top) * 0.8
    y0 = top + (bottom - top - h) / 2
    out = [f'<defs><linearGradient id="{gid}" x1="0" x2="0" y1="0" y2="1">{stops}</linearGradient></defs>',
           f'<rect x="{x:.1f}" y="{y0:.1f}" width="12" height="{h:.1f}" fill="url(#{gid})"/>']
    if bar.title:
        out.append(_text(x, y0 - 12, bar.title, size=11, anchor="start"))
    for share in (0.0, 0.5, 1.0):
        value = bar.lo + share * (bar.hi - bar.lo)
        out.append(_text(x + 16, y0 + h * (1 - share), _tick(round(value, 2)), size=11, anchor="start"))
    return out


# -- shapes, annotations, legend -------------------------------------------------------------------
def _ref(ref: Any, axis: Axis, value: Any) -> float | None:
    if ref == "paper":
        return axis.start + float(value) * (axis.end - axis.start)
    return axis.pixel(value)


def _shapes(layout: Any, xaxis: Axis, yaxis: Axis, layer: str) -> list[str]:
    out = []
    for s in layout.shapes or ():
        if (s.layer or "above") != layer:
            continue
        x0, x1 = _ref(s.xref, xaxis, s.x0), _ref(s.xref, xaxis, s.x1)
        y0, y1 = _ref(s.yref, yaxis, s.y0), _ref(s.yref, yaxis, s.y1)
        if None in (x0, x1, y0, y1):
            continue
        assert x0 is not None and x1 is not None and y0 is not None and y1 is not None
        stroke = f' stroke="{escape(str(s.line.color))}" stroke-width="{float(s.line.width or 1):g}"' \
            if s.line.color is not None else ""
        if s.type == "line":
            out.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}"{stroke or LINE_STROKE}/>')
        else:
            out.append(f'<rect x="{min(x0, x1):.1f}" y="{min(y0, y1):.1f}" width="{abs(x1 - x0):.1f}" '
                       f'height="{abs(y1 - y0):.1f}" fill="{escape(str(s.fillcolor or "none"))}"{stroke}/>')
    return out


def _annotations(layout: Any, xaxis: Axis, yaxis: Axis) -> list[str]:
    out = []
    for a in layout.annotations or ():
        x, y = _ref(a.xref, xaxis, a.x), _ref(a.yref, yaxis, a.y)
        if x is None or y is None or not a.text:
            continue
        size = float(a.font.size or 12)
        colour = str(a.font.color or INK)
        lines = _label_lines(str(a.text), size, colour)
        line_h = [ln[1] * 1.25 for ln in lines]
        total = sum(line_h)
        anchor = {"left": "start", "right": "end"}.get(str(a.xanchor), "middle")
        y_first = y if a.yanchor == "top" else (y - total if a.yanchor == "bottom" else y - total / 2)
        for (text, size_, bold), h in zip(lines, line_h, strict=True):
            out.append(_text(x, y_first + h / 2, text, size=size_, colour=colour, anchor=anchor, bold=bold))
            y_first += h
    return out


@dataclass
class LegendEntry:
    name: str
    kind: str  # "bar", "line", "marker"
    colour: str
    dash: str = ""
    symbol: str = "circle"
    edge: str = ""  # a hollow marker's outline

    @property
    def width(self) -> float:
        return 34 + text_width(self.name, TICK_FONT) + 14


def _legend_entries(traces: Sequence[Any]) -> list[LegendEntry]:
    seen: set[str] = set()
    out = []
    for n, t in enumerate(traces):
        if t.type == "heatmap" or t.showlegend is False or not t.name or t.name in seen:
            continue
        seen.add(t.name)
        default = DEFAULT_PLOTLY_COLORS[n % len(DEFAULT_PLOTLY_COLORS)]
        if t.type == "bar":
            colour = t.marker.color if isinstance(t.marker.color, str) else _at(t.marker.color, 0, default)
            out.append(LegendEntry(_plain(t.name), "bar", str(colour or default)))
        elif "lines" in (t.mode or "lines"):
            out.append(LegendEntry(_plain(t.name), "line", str(t.line.color or default),
                                   DASHES.get(str(t.line.dash), ""), str(_at(t.marker.symbol, 0, "") or "")))
        else:
            colour = t.marker.color if isinstance(t.marker.color, str) else _at(t.marker.color, 0, default)
            out.append(LegendEntry(_plain(t.name), "marker", str(colour or default), symbol=str(
                _at(t.marker.symbol, 0, "circle") or "circle"), edge=str(t.marker.line.color or "")))
    return out


def _legend_rows(entries: list[LegendEntry], width: float) -> list[list[LegendEntry]]:
    rows: list[list[LegendEntry]] = []
    used = width + 1
    for e in entries:
        if used + e.width > width:
            rows.append([])
            used = 0.0
        rows[-1].append(e)
        used += e.width
    return rows


def _draw_legend(rows: list[list[LegendEntry]], left: float, top: float) -> list[str]:
    out = []
    for r, row in enumerate(rows):
        x, y = left, top + 22 * r + 11
        for e in row:
            if e.kind == "bar":
                out.append(f'<rect x="{x:.1f}" y="{y - 6:.1f}" width="24" height="12" fill="{escape(e.colour)}"/>')
            elif e.kind == "line":
                out.append(f'<line x1="{x:.1f}" x2="{x + 24:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{escape(e.colour)}" '
                           f'stroke-width="2.5"' + (f' stroke-dasharray="{e.dash}"' if e.dash else "") + "/>")
                if e.symbol:
                    out.append(_marker(e.symbol, x + 12, y, 7) + f' fill="{escape(e.colour)}"/>')
            else:
                edge = f' stroke="{escape(e.edge)}" stroke-width="2"' if e.edge else ""
                out.append(_marker(e.symbol, x + 12, y, 11) + f' fill="{escape(e.colour)}"{edge}/>')
            out.append(_text(x + 30, y, e.name, anchor="start"))
            x += e.width
    return out
