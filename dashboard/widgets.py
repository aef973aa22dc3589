"""Shared pieces every page draws with: tiles, method captions, downloads, tile map, calendar.

Presentation only: these turn a ``Report``'s frame into text, colours and plotly figures;
every number they show was computed in ``monitoring`` (no rule lives here).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from monitoring import exports
from monitoring.rules.aqi import FULL_SET
from monitoring.rules.rounding import is_missing as is_missing  # re-exported: pages call w.is_missing
from monitoring.targets import POLLUTANT_NAMES as CODE_NAMES
from monitoring.targets import UNITS, Targets
from monitoring.targets import unit_of as unit_of  # re-exported: pages call w.unit_of (the same in both languages)

#: Status → colour (hex for charts) and Streamlit badge colour.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "meets": ("#1a9850", "green"),
    "on_track": ("#1a9850", "green"),
    "at_risk": ("#f28e2b", "orange"),
    "exceeds": ("#d73027", "red"),
    "fails": ("#d73027", "red"),
    "off_track": ("#d73027", "red"),
    "incomplete": ("#9e9e9e", "gray"),
    "unknown": ("#9e9e9e", "gray"),
    "no_data": ("#cfcfcf", "gray"),
}
TREND_ARROW = {"down": "↓", "up": "↑", "flat": "→"}
#: Plotly's config: no logo, Chinese-friendly image export name.
PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


# -- formatting -------------------------------------------------------------------------
def fmt(value: Any, decimals: int = 1, unit: str = "") -> str:
    """A figure as text with its unit; a missing figure is a dash, never 0."""
    if is_missing(value):
        return "—"
    text = f"{value:.{decimals}f}" if isinstance(value, int | float) else str(value)
    return f"{text} {unit}".strip()


def beijing_time_text(value: Any) -> str:
    """A stored UTC time (naive = UTC, as the database returns it) as Beijing time, to the minute."""
    if is_missing(value):
        return ""
    from monitoring.timeutil import BEIJING

    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(BEIJING).strftime("%Y-%m-%d %H:%M")


def fmt_signed(value: Any, decimals: int = 1, unit: str = "") -> str:
    if is_missing(value):
        return "—"
    return f"{float(value):+.{decimals}f} {unit}".strip()


def status_text(status: Any) -> str:
    """The status so far in words (累计达标 / 累计超标 / 数据不足); empty for a month not reached."""
    if is_missing(status) or status == "":
        return ""
    return ctx.t(f"ui.status.{status}")


def outlook_text(outlook: Any) -> str:
    """The year-end outlook in words (按计划 / 有风险 / 难以达标 / 无法判断)."""
    if is_missing(outlook) or outlook == "":
        return ""
    return ctx.t(f"ui.outlook.{outlook}")


def verdict_badges(status: Any, outlook: Any) -> None:
    """Both answers, each labelled with its question: 累计 (so far) and 全年预判 (outlook)."""
    if not is_missing(status) and status != "":
        st.badge(f"{ctx.t('ui.verdict.status')}：{status_text(status)}",
                 color=STATUS_STYLE.get(str(status), STATUS_STYLE["unknown"])[1])  # type: ignore[arg-type]
    if not is_missing(outlook) and outlook != "":
        st.badge(f"{ctx.t('ui.verdict.outlook')}：{outlook_text(outlook)}",
                 color=STATUS_STYLE.get(str(outlook), STATUS_STYLE["unknown"])[1])  # type: ignore[arg-type]


def required_text(row: dict[str, Any], unit: str) -> tuple[str, str]:
    """The required rest-of-year mean: a number, or that the target can no longer be met
    (never a negative number). (headline, detail)"""
    if bool(row.get("cannot_meet")):
        return ctx.t("ui.cannot_meet"), ctx.t("ui.cannot_meet_detail", best=fmt(row.get("best_possible_mean"), 1, unit),
                                              gap=fmt(row.get("best_gap"), 1, unit))
    return fmt(row.get("required_rest_mean"), 1, unit), ""


def status_color(status: Any) -> str:
    return STATUS_STYLE.get(str(status), STATUS_STYLE["unknown"])[0]


def sub_name(frame: pd.DataFrame, name_col: str = "subdistrict", pinyin_col: str = "pinyin") -> pd.Series:
    """The subdistrict column in the screen's language (pinyin in English where the frame has it)."""
    if ctx.lang() == "en" and pinyin_col in frame.columns:
        return frame[pinyin_col].astype(str)
    return frame[name_col].astype(str)


def pinyin_map(targets: Targets) -> dict[str, str]:
    return {sd.short_name: sd.pinyin for sd in targets.subdistricts}


def localise_subdistricts(series: pd.Series, targets: Targets) -> pd.Series:
    """Short Chinese names (and the district's name) → pinyin / English on the English screen."""
    if ctx.lang() != "en":
        return series
    table = {**pinyin_map(targets), targets.district.name: targets.district.name_en}
    return series.map(lambda v: table.get(str(v), v))


# -- method and notes ---------------------------------------------------------------------
_CONFIG_KEY = re.compile(r"\s*[（(]\s*`?[a-z_]+(?:\.[a-z_]+)+`?\s*[)）]")
_COMMAND = re.compile(r"`?python -m monitoring[^`，。；,;]*`?")


def plain(text: str) -> str:
    """A report's text for a reader who does not configure the monitor: the settings file is
    named as the Targets page (where an analyst sees it), with no setting keys or commands."""
    text = _CONFIG_KEY.sub("", str(text))
    text = _COMMAND.sub(ctx.t("ui.config_ref"), text)
    return re.sub(r"targets\.yaml(\s*中)?\s*", ctx.t("ui.config_ref"), text)



METHOD_ORDER = ("period", "rule", "validity", "completeness", "rounding", "events", "status_rule", "outlook_rule", "source")


def method_items(report: Any) -> list[tuple[str, str]]:
    """(key, text) of a report's method in the screen's language: ``k`` is Chinese, ``k_en`` English."""
    method: Mapping[str, Any] = getattr(report, "method", {}) or {}
    english = ctx.lang() == "en"
    keys = [k for k in method if not str(k).endswith("_en")]
    ordered = [k for k in METHOD_ORDER if k in keys] + [k for k in keys if k not in METHOD_ORDER]
    items = []
    for k in ordered:
        value = method.get(f"{k}_en") if english and method.get(f"{k}_en") else method.get(k)
        if value:
            items.append((k, plain(str(value))))
    return items


def method_label(key: str) -> str:
    text = ctx.t(f"ui.method.{key}")
    return key if text == f"ui.method.{key}" else text


#: Shown in the caption line under a figure; the rest of the method sits in the expander below it.
CAPTION_KEYS = ("period", "events", "rounding")


def method_caption(report: Any, *, extra: Sequence[str] = (), notes: bool = True) -> None:
    """How the figure was made, under the figure: period, exceptional events and rounding in one line,
    every rule (validity, evaluation, status rule …) and the report's notes one click away."""
    items = method_items(report)
    line = [f"**{method_label(k)}**: {v}" for k, v in items if k in CAPTION_KEYS] + list(extra)
    if line:
        st.caption("　·　".join(line))
    rest = [(k, v) for k, v in items if k not in CAPTION_KEYS]
    note_items = report_notes(report) if notes else []
    if rest or note_items:
        title = ctx.t("ui.method.title") + (f"　{ctx.t('ui.notes.title', n=len(note_items))}" if note_items else "")
        with st.expander(title, icon=":material/rule:"):
            for note in note_items:
                st.warning(note, icon=":material/info:")
            st.markdown("\n".join(f"- **{method_label(k)}**: {v}" for k, v in rest))


def report_notes(report: Any) -> list[str]:
    english = ctx.lang() == "en"
    items = list(getattr(report, "notes_en", []) if english else getattr(report, "notes", []))
    return [plain(n) for n in items or list(getattr(report, "notes", []))]


def method_text(report: Any, key: str) -> str:
    return dict(method_items(report)).get(key, "")


def empty(message_key: str = "empty.no_data", **values: Any) -> None:
    """A sentence saying what to do instead of an empty chart."""
    st.info(ctx.t(message_key, **values), icon=":material/info:")


# -- downloads ------------------------------------------------------------------------------
def _slug(name: str) -> str:
    return re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_") or "table"


def download_buttons(
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    name: str,
    *,
    notes: Sequence[str] = (),
    sheets: Mapping[str, pd.DataFrame] | None = None,
    key: str | None = None,
) -> None:
    """CSV (UTF-8 with BOM) and XLSX buttons; the bytes (and a callable ``frame``) are made only when clicked."""
    base = _slug(name)
    key = key or base

    def table_now() -> pd.DataFrame:
        return frame() if callable(frame) else frame

    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        ctx.t("ui.download.csv"),
        data=lambda: exports.csv_bytes(table_now()),
        file_name=f"{base}.csv",
        mime="text/csv",
        key=f"dl-csv-{key}",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        ctx.t("ui.download.xlsx"),
        data=lambda: exports.xlsx_bytes(sheets or {name: table_now()}, notes=notes),
        file_name=f"{base}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"dl-xlsx-{key}",
        on_click="ignore",
        icon=":material/table_view:",
    )


def method_lines(report: Any) -> list[str]:
    """The method and notes as lines for the foot of an exported table."""
    lines = [f"{method_label(k)}: {v}" for k, v in method_items(report)]
    lines += list(getattr(report, "notes_en", []) if ctx.lang() == "en" else getattr(report, "notes", []))
    return lines


# -- tiles ----------------------------------------------------------------------------------
def metric_tile(
    *,
    title: str,
    value: Any,
    unit: str,
    target: Any,
    gap: Any,
    status: Any,
    trend: Any = None,
    decimals: int = 1,
    caption: str = "",
    direction: str = "at_most",
    outlook: Any = None,
) -> None:
    """One indicator: value with unit, target, gap, trend arrow (vs last year) and status colour."""
    colour = status_color(status)
    with st.container(border=True):
        st.markdown(
            f"<div style='border-left:6px solid {colour};padding-left:8px'>"
            f"<span style='font-size:0.95rem'>{title}</span></div>",
            unsafe_allow_html=True,
        )
        arrow = TREND_ARROW.get(str(trend), "")
        delta = None if is_missing(gap) else gap_text(gap, unit, decimals)
        level = not is_missing(gap) and float(gap) == 0
        st.metric(
            title,
            fmt(value, decimals, unit) + (f" {arrow}" if arrow else ""),
            delta=gap_text(0, unit, decimals).replace("+", "±", 1) if level else delta,
            delta_color="off" if level else ("inverse" if direction == "at_most" else "normal"),
            delta_arrow="off" if level else "auto",
            delta_description=ctx.t("ui.tile.gap_to_target") if delta is not None else None,
            label_visibility="collapsed",
        )
        verdict_badges(status, outlook)
        line = ctx.t("ui.tile.target", target=fmt(target, decimals, unit))
        if arrow:
            line += "　" + ctx.t(f"ui.tile.trend.{trend}")
        st.caption(line + (f"　{plain(caption)}" if caption else ""))


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


def chart(fig: go.Figure, key: str, **kwargs: Any) -> Any:
    return st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key, **kwargs)


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

    for name, colour, _level in category_legend(data):
        cells(data[(data[name_col].astype(str) == name) & (data["color"].astype(str) == colour)], name, colour)
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
POLLUTANT_NAMES = {**CODE_NAMES, "o3_8h": CODE_NAMES["o3"], "o3_1h": CODE_NAMES["o3"]}


def pollutant_list_text(value: Any) -> str:
    """``pm25,pm10,o3_8h`` → ``PM2.5、PM10、O3`` (a list of codes is never shown raw)."""
    if is_missing(value) or str(value).strip() == "":
        return "—"
    names = [POLLUTANT_NAMES.get(code.strip(), code.strip()) for code in str(value).split(",") if code.strip()]
    return ("、" if ctx.lang() == "zh" else ", ").join(dict.fromkeys(names))


def primary_text(value: Any) -> str:
    """The primary pollutant(s) of a day: a dash when AQI ≤ 50 (no primary pollutant)."""
    if is_missing(value) or str(value).strip() == "":
        return "—"
    return str(value)


def category_days(frame: pd.DataFrame, targets: Targets, *, title: str) -> go.Figure:
    """Days per AQI category of every subdistrict, as stacked bars (colours from the report)."""
    english = ctx.lang() == "en" and "category_en" in frame.columns
    name_col = "category_en" if english else "category"
    order = [sd.short_name for sd in targets.subdistricts if sd.short_name in set(frame["subdistrict"].astype(str))]
    shown = list(localise_subdistricts(pd.Series(order), targets))
    fig = go.Figure()
    for name, colour, _level in category_legend(frame):
        part = frame[(frame[name_col].astype(str) == name) & (frame["color"].astype(str) == colour)]
        counts = part.groupby("subdistrict").size().reindex(order, fill_value=0)
        fig.add_trace(go.Bar(y=shown, x=counts.to_numpy(), orientation="h", name=name, marker={"color": colour},
                             hovertemplate="%{y} · " + name + ": %{x} " + ctx.t("ui.unit.days") + "<extra></extra>"))
    fig.update_layout(barmode="stack", title={"text": title, "font": {"size": 14}},
                      xaxis={"title": {"text": ctx.t("calendar.days_axis")}})
    fig.update_yaxes(autorange="reversed")
    style(fig, height=140 + 24 * len(order), legend=True)
    fig.update_layout(legend={"traceorder": "normal"})  # mildest category first, as in the calendar
    return fig


# -- small helpers the pages share ------------------------------------------------------------
UG = "µg/m³"
STATUS_STYLE["no_target"] = ("#9e9e9e", "gray")
#: The years the embedded real station history covers (UCI, CC BY 4.0); the demo year is derived from it.
HISTORY_YEARS = range(2013, 2018)


def part(report: Any, name: str) -> Any:
    """A sub-report of a combined report (``overview``'s extra["district"]), as an object with .frame/.method."""
    value = report.extra.get(name) if hasattr(report, "extra") else None
    if value is None:
        return _Part(pd.DataFrame(), {}, [], [])
    if isinstance(value, pd.DataFrame):
        return _Part(value, dict(report.method), list(report.notes), list(report.notes_en))
    return value


class _Part:
    def __init__(self, frame: pd.DataFrame, method: dict[str, str], notes: list[str], notes_en: list[str]) -> None:
        self.frame, self.method, self.notes, self.notes_en = frame, method, notes, notes_en
        self.extra: dict[str, Any] = {}


def has_data(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and not frame.empty and column in frame.columns and bool(frame[column].notna().any())


def unit_text(unit: str) -> str:
    table = {"天": "ui.unit.days", "家": "ui.unit.units", "项": "ui.unit.items", "吨": "ui.unit.tonnes",
             "个": "ui.unit.count", "块": "ui.unit.plots"}
    return ctx.t(table[unit]) if unit in table else unit


def unit_decimals(unit: str) -> int:
    """Decimals of an indicator's figure by its unit: counts (days, firms, items) are whole."""
    return 0 if unit in ("天", "家", "项") else 1


def days_caption(valid: Any, days: Any, key: Any = None) -> str:
    """"有效 300/335 天" under a tile; the road-dust share counts roads (graded road-months), not days."""
    if is_missing(valid):
        return ""
    if key == "poor_road_share":
        if is_missing(days):
            return ctx.t("ui.tile.roads_graded", valid=int(valid))
        return ctx.t("ui.tile.roads_graded_of", valid=int(valid), days=int(days))
    if is_missing(days):
        return ctx.t("ui.tile.valid_days", valid=int(valid))
    return ctx.t("ui.tile.valid_of", valid=int(valid), days=int(days))


def gap_text(gap: Any, unit: str, decimals: int = 1) -> str:
    """A gap with its unit; the gap of a share (%) is in percentage points: "+2.3 个百分点", never "+2.3 %"."""
    if is_missing(gap):
        return "—"
    if unit.strip() == "%":
        return ctx.t("ui.unit.pct_points", value=f"{float(gap):+.{decimals}f}")
    return f"{float(gap):+.{decimals}f} {unit}".strip()


def gap_color(gap: Any) -> str:
    """Above the target red, at or below green, unknown grey (the gap itself comes from the report)."""
    if is_missing(gap):
        return STATUS_STYLE["no_data"][0]
    return STATUS_STYLE["exceeds"][0] if float(gap) > 0 else STATUS_STYLE["meets"][0]


def columns_for(kind: str) -> dict[str, str]:
    """A report's columns → headers in the screen's language (only those a reader needs)."""
    keys = COLUMNS[kind]
    return {c: ctx.t(f"ui.col.{c}") for c in keys}


COLUMNS: dict[str, tuple[str, ...]] = {
    "ranking": ("rank", "subdistrict", "mean", "mean_deducted", "target", "gap", "status", "outlook", "valid_days",
                "days", "required_days", "mean_3y", "last_year_mean", "change_pct"),
    "district": ("name", "value", "value_3y", "unit", "target", "gap", "status", "outlook", "valid_days", "days",
                 "last_year_value", "trend"),
    "progress": ("month", "monthly_mean", "monthly_mean_deducted", "monthly_valid_days", "monthly_days",
                 "monthly_complete", "ytd_mean", "ytd_mean_deducted", "ytd_valid_days", "target", "remaining_days",
                 "required_rest_mean", "projection", "projection_low", "projection_high", "status", "outlook"),
    "budget": ("subdistrict", "outlook", "status", "target", "ytd_mean", "projection", "projection_low",
               "projection_high", "required_rest_mean", "best_possible_mean", "valid_days", "required_days",
               "remaining_days", "non_good_days", "non_good_days_left", "heavy_days", "heavy_days_left"),
    "trend": ("year", "period", "value", "kind", "complete", "in_series", "source"),
    "daily": ("day", "subdistrict", "aqi", "category", "primary", "pm25", "pm10", "so2", "no2", "co", "o3_8h",
              "pollutants_used", "missing"),
    "road": ("subdistrict", "road", "month", "load", "grade", "grade_source"),
    "road_month": ("subdistrict", "month", "mean_load", "roads"),
}


#: Columns that hold a concentration (or load) and carry the table's unit in their header.
UNIT_COLUMNS = {"mean", "mean_deducted", "monthly_mean_deducted", "ytd_mean_deducted", "target", "gap", "last_year_mean",
                "monthly_mean", "ytd_mean", "required_rest_mean", "projection", "projection_low", "projection_high",
                "value", "load", "mean_load", "mean_3y", "value_3y", "best_possible_mean"}
#: The daily table's pollutant columns, each with its own unit.
POLLUTANT_UNITS = {("o3_8h" if p == "o3" else p): UNITS[p] for p in FULL_SET}


def display_frame(frame: pd.DataFrame, kind: str, targets: Targets | None = None, *, unit: str = "") -> pd.DataFrame:
    """The columns a reader needs, statuses and names in the screen's language, headers translated
    and, for concentrations, followed by their unit."""
    # a column that only says "not available" everywhere (no three complete years yet) is left out
    optional = {"mean_3y", "value_3y"}
    cols = [c for c in COLUMNS[kind] if c in frame.columns and not (c in optional and frame[c].isna().all())]
    shown = frame[cols].copy()
    if "status" in shown.columns:
        shown["status"] = shown["status"].map(status_text)
    if "outlook" in shown.columns:
        shown["outlook"] = shown["outlook"].map(outlook_text)
    if "trend" in shown.columns:
        shown["trend"] = shown["trend"].map(lambda v: "" if is_missing(v) else TREND_ARROW.get(str(v), str(v)))
    if "kind" in shown.columns:
        shown["kind"] = shown["kind"].map(lambda v: ctx.t(f"ui.kind.{v}"))
    if "grade_source" in shown.columns:
        shown["grade_source"] = shown["grade_source"].map(
            lambda v: "" if is_missing(v) else ctx.t(f"grade_source.{v}")
        )
    for column in ("pollutants_used", "missing"):
        if column in shown.columns:
            shown[column] = shown[column].map(pollutant_list_text)
    if "primary" in shown.columns:
        shown["primary"] = shown["primary"].map(primary_text)
    if "category" in shown.columns and ctx.lang() == "en" and "category_en" in frame.columns:
        shown["category"] = frame["category_en"]
    if "name" in shown.columns and ctx.lang() == "en" and "name_en" in frame.columns:
        shown["name"] = frame["name_en"]
    if "unit" in shown.columns:
        shown["unit"] = shown["unit"].map(lambda u: unit_text(str(u)))
    if "subdistrict" in shown.columns and targets is not None:
        shown["subdistrict"] = localise_subdistricts(shown["subdistrict"], targets)

    def header(column: str) -> str:
        text = ctx.t(f"ui.col.{column}")
        if unit and column in UNIT_COLUMNS:
            return f"{text} ({unit})"
        if kind == "daily" and column in POLLUTANT_UNITS:
            return f"{text} ({POLLUTANT_UNITS[column]})"
        return text

    return shown.rename(columns={c: header(c) for c in cols})


def report_table(report: Any, kind: str, *, name: str, key: str, targets: Targets | None = None,
                 frame: pd.DataFrame | None = None, height: int | str = "auto", unit: str = "") -> None:
    """A report's table on screen, with CSV (BOM) and XLSX downloads carrying the method."""
    shown = display_frame(report.frame if frame is None else frame, kind, targets, unit=unit)
    dataframe(shown, height=height)
    download_buttons(shown, name, notes=method_lines(report), key=key)


#: Up to this many rows a table is styled (missing values as a dash, one decimal); longer ones are drawn plain.
STYLE_MAX_ROWS = 500


def dataframe(frame: pd.DataFrame, *, height: int | str = "auto") -> None:
    """A table on screen: numbers stay numbers (sortable), a missing value shows as a dash;
    a short table (≤ 20 rows: the 15 subdistricts, 12 months) is shown whole, without a scroll bar."""
    if height == "auto" and len(frame) <= 20:
        height = 35 * (len(frame) + 1) + 3
    # A missing value shows as a dash. Streamlit prints "None" for a missing cell of any
    # column that is not float, whatever the Styler's na_rep says: such a column is shown
    # as text (the downloads keep the real values); a float column keeps its numbers, and
    # is a dash only when it has no value at all.
    gaps = [c for c in frame.columns if frame[c].isna().all()
            or (not pd.api.types.is_float_dtype(frame[c]) and frame[c].isna().any())]
    if gaps and len(frame):
        frame = frame.assign(**{str(c): frame[c].astype("string").fillna("—") for c in gaps})
    if len(frame) <= STYLE_MAX_ROWS:
        floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
        styled = frame.style.format(na_rep="—").format(precision=1, subset=floats, na_rep="—")
        st.dataframe(styled, hide_index=True, width="stretch", height=height)  # type: ignore[call-overload]
    else:
        st.dataframe(frame, hide_index=True, width="stretch", height=height)  # type: ignore[call-overload]


def attribution(years: Sequence[int], *, always: bool = False) -> None:
    """The UCI CC BY 4.0 credit wherever the real history (or the demo derived from it) is on screen."""
    from dashboard import loaders

    demo = set(loaders.call(loaders.demo_years))
    if always or any(y in HISTORY_YEARS or y in demo for y in years):
        st.caption(ctx.t("attribution.uci"))


def order_by_status(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows most in need of attention first (by outlook: off track, at risk, unknown, on track;
    then by status so far); district row last."""
    from monitoring.rules.verdict import OUTLOOK_ORDER, STATUS_ORDER

    by_outlook = frame["outlook"] if "outlook" in frame.columns else pd.Series("unknown", index=frame.index)
    order = by_outlook.map(lambda s: OUTLOOK_ORDER.get(str(s), 2)) * 10 + frame["status"].map(
        lambda s: STATUS_ORDER.get(str(s), 1))
    is_district = frame["code"].astype(str).str.endswith("000000") if "code" in frame.columns else False
    sort_cols = ["_district", "_order"] + (["projection"] if "projection" in frame.columns else [])
    ascending = [True, True] + ([False] if "projection" in frame.columns else [])
    return (frame.assign(_order=order, _district=is_district)
            .sort_values(sort_cols, ascending=ascending, na_position="last", kind="stable")
            .drop(columns=["_order", "_district"]))


def budget_row(frame: pd.DataFrame, subdistrict: str | None) -> dict[str, Any] | None:
    """The budget report's row of one subdistrict (short name), or the district row for None."""
    if frame.empty:
        return None
    if subdistrict is None:
        mask = frame["code"].astype(str).str.endswith("000000") if "code" in frame.columns else \
            ~frame["subdistrict"].isin([s for s in frame["subdistrict"]][:-1])
    else:
        mask = frame["subdistrict"].astype(str) == subdistrict
    rows = frame[mask]
    return None if rows.empty else dict(rows.iloc[0])


def subdistrict_select(label: str, targets: Targets, *, key: str, district_label: str | None = None) -> str | None:
    """A subdistrict picker whose choice survives a language switch; None = the district.

    The widget's key carries the language, because Streamlit keeps a keyed selectbox's
    option labels when only its format_func changes; the choice itself is kept under ``key``.
    """
    english = ctx.lang() == "en"
    table = pinyin_map(targets)
    names = [sd.short_name for sd in targets.subdistricts]
    choices = ([""] if district_label is not None else []) + names
    stored = st.session_state.get(key, choices[0])
    widget_key = f"{key}__{ctx.lang()}"

    def formatter(value: str) -> str:
        if value == "":
            return district_label or ""
        return table.get(value, value) if english else value

    def remember() -> None:
        st.session_state[key] = st.session_state[widget_key]

    chosen = st.selectbox(label, options=choices, index=choices.index(stored) if stored in choices else 0,
                          format_func=formatter, key=widget_key, on_change=remember)
    st.session_state[key] = chosen
    return chosen or None


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
