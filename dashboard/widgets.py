"""Shared pieces every page draws with: tiles, method captions, downloads, tile map, calendar.

Presentation only: these turn a ``Report``'s frame into text, colours and plotly figures;
every number they show was computed in ``monitoring`` (no rule lives here).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from monitoring import exports
from monitoring.targets import Targets

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
def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt(value: Any, decimals: int = 1, unit: str = "") -> str:
    """A figure as text with its unit; a missing figure is a dash, never 0."""
    if is_missing(value):
        return "—"
    if isinstance(value, int | float):
        text = f"{value:.{decimals}f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def fmt_signed(value: Any, decimals: int = 1, unit: str = "") -> str:
    if is_missing(value):
        return "—"
    return f"{float(value):+.{decimals}f} {unit}".strip()


def status_text(status: Any) -> str:
    if is_missing(status):
        return ctx.t("status.unknown")
    return ctx.t(f"status.{status}")


def status_color(status: Any) -> str:
    return STATUS_STYLE.get(str(status), STATUS_STYLE["unknown"])[0]


def unit_of(pollutant: str) -> str:
    return ctx.t("unit.mgm3") if pollutant == "co" else ctx.t("unit.ugm3")


def sub_name(frame: pd.DataFrame, name_col: str = "subdistrict", pinyin_col: str = "pinyin") -> pd.Series:
    """The subdistrict column in the screen's language (pinyin in English where the frame has it)."""
    if ctx.lang() == "en" and pinyin_col in frame.columns:
        return frame[pinyin_col].astype(str)
    return frame[name_col].astype(str)


def pinyin_map(targets: Targets) -> dict[str, str]:
    return {sd.short_name: sd.pinyin for sd in targets.subdistricts}


def localise_subdistricts(series: pd.Series, targets: Targets) -> pd.Series:
    """Short Chinese names → pinyin on the English screen; other values kept."""
    if ctx.lang() != "en":
        return series
    table = pinyin_map(targets)
    return series.map(lambda v: table.get(str(v), v))


# -- method and notes ---------------------------------------------------------------------
METHOD_ORDER = ("period", "rule", "validity", "completeness", "rounding", "dust", "status_rule", "source")


def method_caption(report: Any, *, extra: Sequence[str] = (), notes: bool = True) -> None:
    """How the figure was made (period, rule, validity, rounding, dust days), under the figure."""
    method: Mapping[str, str] = getattr(report, "method", {}) or {}
    parts = [f"**{ctx.t('method.' + k)}**：{method[k]}" for k in METHOD_ORDER if method.get(k)]
    parts += [f"**{ctx.t('method.' + k)}**：{v}" for k, v in method.items() if k not in METHOD_ORDER and v]
    parts += list(extra)
    if parts:
        st.caption("　·　".join(parts))
    if notes:
        show_notes(report)


def show_notes(report: Any) -> None:
    items = list(getattr(report, "notes_en", []) if ctx.lang() == "en" else getattr(report, "notes", []))
    if not items:
        items = list(getattr(report, "notes", []))
    if items:
        with st.expander(ctx.t("notes.title", n=len(items)), expanded=False, icon=":material/info:"):
            st.markdown("\n".join(f"- {n}" for n in items))


def empty(message_key: str = "empty.no_data", **values: Any) -> None:
    """A sentence saying what to do instead of an empty chart."""
    st.info(ctx.t(message_key, **values), icon=":material/info:")


# -- downloads ------------------------------------------------------------------------------
def _slug(name: str) -> str:
    return re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_") or "table"


def download_buttons(
    frame: pd.DataFrame,
    name: str,
    *,
    notes: Sequence[str] = (),
    sheets: Mapping[str, pd.DataFrame] | None = None,
    key: str | None = None,
) -> None:
    """CSV (UTF-8 with BOM) and XLSX buttons; the bytes are made only when clicked."""
    base = _slug(name)
    key = key or base
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        ctx.t("download.csv"),
        data=lambda: exports.csv_bytes(frame),
        file_name=f"{base}.csv",
        mime="text/csv",
        key=f"dl-csv-{key}",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        ctx.t("download.xlsx"),
        data=lambda: exports.xlsx_bytes(sheets or {name: frame}, notes=notes),
        file_name=f"{base}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"dl-xlsx-{key}",
        on_click="ignore",
        icon=":material/table_view:",
    )


def method_lines(report: Any) -> list[str]:
    """The method and notes as lines for the foot of an exported table."""
    method: Mapping[str, str] = getattr(report, "method", {}) or {}
    lines = [f"{ctx.t('method.' + k)}: {v}" for k, v in method.items() if v]
    lines += list(getattr(report, "notes_en", []) if ctx.lang() == "en" else getattr(report, "notes", []))
    return lines


def table(frame: pd.DataFrame, columns: Mapping[str, str], *, name: str, report: Any = None,
          key: str | None = None, column_config: Mapping[str, Any] | None = None, height: int | str = "auto") -> None:
    """A table with headers in the screen's language, and its two download buttons."""
    shown = frame[[c for c in columns if c in frame.columns]].rename(columns=dict(columns))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=dict(column_config or {}), height=height)
    download_buttons(shown, name, notes=method_lines(report) if report is not None else (), key=key)


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
        delta = None if is_missing(gap) else f"{float(gap):+.{decimals}f} {unit}".strip()
        st.metric(
            title,
            fmt(value, decimals, unit) + (f" {arrow}" if arrow else ""),
            delta=delta,
            delta_color="inverse" if direction == "at_most" else "normal",
            delta_description=ctx.t("tile.gap_to_target"),
            label_visibility="collapsed",
        )
        badge = STATUS_STYLE.get(str(status), STATUS_STYLE["unknown"])[1]
        st.badge(status_text(status), color=badge)  # type: ignore[arg-type]
        line = ctx.t("tile.target", target=fmt(target, decimals, unit))
        if arrow:
            line += "　" + ctx.t(f"tile.trend.{trend}")
        st.caption(line + (f"　{caption}" if caption else ""))


# -- charts ---------------------------------------------------------------------------------
def style(fig: go.Figure, *, height: int = 420, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"family": FONT_FAMILY},
        showlegend=legend,
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def chart(fig: go.Figure, key: str, **kwargs: Any) -> Any:
    return st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key, **kwargs)


def tile_map(frame: pd.DataFrame, targets: Targets, *, value_col: str, color_col: str, label: Callable[[Any], str],
             title: str, colorbar_title: str) -> go.Figure:
    """The 15 subdistricts as squares laid out roughly as they lie (north up), coloured by ``color_col``.

    A schematic, not a survey map: no surveyed boundary set exists, so the figure says so.
    """
    tiles = {sd.short_name: sd.tile for sd in targets.subdistricts}
    data = frame.copy()
    data["row"] = data["subdistrict"].map(lambda s: tiles.get(str(s), (None, None))[0])
    data["col"] = data["subdistrict"].map(lambda s: tiles.get(str(s), (None, None))[1])
    data = data.dropna(subset=["row", "col"])
    names = localise_subdistricts(data["subdistrict"], targets)
    values = pd.to_numeric(data[color_col], errors="coerce")
    span = float(values.abs().max()) if values.notna().any() else 1.0
    span = span if span > 0 and not math.isnan(span) else 1.0
    text = [f"<b>{n}</b><br>{label(v)}" for n, v in zip(names, data[value_col], strict=True)]
    fig = go.Figure()
    has = values.notna()
    fig.add_trace(go.Scatter(
        x=data.loc[has, "col"], y=-data.loc[has, "row"], mode="markers+text",
        marker={"symbol": "square", "size": 78, "color": values[has], "colorscale": "RdYlGn", "reversescale": True,
                "cmin": -span, "cmax": span, "line": {"color": "white", "width": 2},
                "colorbar": {"title": {"text": colorbar_title}, "thickness": 12}},
        text=[t for t, h in zip(text, has, strict=True) if h], textfont={"size": 12, "color": "black"},
        hovertext=[t for t, h in zip(text, has, strict=True) if h], hoverinfo="text", showlegend=False,
    ))
    if (~has).any():
        fig.add_trace(go.Scatter(
            x=data.loc[~has, "col"], y=-data.loc[~has, "row"], mode="markers+text",
            marker={"symbol": "square", "size": 78, "color": STATUS_STYLE["no_data"][0],
                    "line": {"color": "white", "width": 2}},
            text=[t for t, h in zip(text, has, strict=True) if not h], textfont={"size": 12},
            hoverinfo="text", hovertext=[t for t, h in zip(text, has, strict=True) if not h], showlegend=False,
        ))
    fig.update_xaxes(visible=False, range=[-0.6, 4.6])
    fig.update_yaxes(visible=False, range=[-4.6, 0.6], scaleanchor="x")
    fig.update_layout(title={"text": title, "font": {"size": 14}})
    fig.add_annotation(text=ctx.t("tilemap.disclaimer"), xref="paper", yref="paper", x=0, y=-0.02,
                       showarrow=False, font={"size": 11, "color": "#666"}, xanchor="left", yanchor="top")
    return style(fig, height=520, legend=False)


def aqi_colorscale(targets: Targets, day: Any) -> tuple[list[list[Any]], list[str], list[str]]:
    """A discrete plotly colorscale over the AQI levels 1..6 of the standard in force (HJ 633-2012)."""
    categories = targets.aqi_standard(day).categories
    n = len(categories)
    scale: list[list[Any]] = []
    for i, cat in enumerate(categories):
        scale.append([i / n, cat.color])
        scale.append([(i + 1) / n, cat.color])
    names = [cat.name if ctx.lang() == "zh" else cat.name_en for cat in categories]
    return scale, names, [cat.color for cat in categories]


def calendar_strip(frame: pd.DataFrame, targets: Targets, *, title: str) -> go.Figure:
    """Daily AQI category of every subdistrict: one row per subdistrict, one column per day."""
    data = frame.copy()
    data["name"] = localise_subdistricts(data["subdistrict"], targets)
    order = [sd.short_name for sd in targets.subdistricts]
    names_order = list(localise_subdistricts(pd.Series(order), targets))
    z = data.pivot_table(index="name", columns="day", values="level", aggfunc="first").reindex(names_order)
    aqi = data.pivot_table(index="name", columns="day", values="aqi", aggfunc="first").reindex(index=z.index,
                                                                                              columns=z.columns)
    pm = data.pivot_table(index="name", columns="day", values="pm25", aggfunc="first").reindex(index=z.index,
                                                                                              columns=z.columns)
    cat = data.pivot_table(index="name", columns="day", values="category", aggfunc="first").reindex(
        index=z.index, columns=z.columns)
    first_day = z.columns[0] if len(z.columns) else None
    scale, names, _ = aqi_colorscale(targets, first_day)
    n = len(names)
    custom = pd.concat([aqi.stack(future_stack=True), pm.stack(future_stack=True), cat.stack(future_stack=True)],
                       axis=1).to_numpy(dtype=object).reshape(len(z.index), len(z.columns), 3)
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(dtype=float), x=[pd.Timestamp(d) for d in z.columns], y=list(z.index),
        zmin=0.5, zmax=n + 0.5, colorscale=scale, xgap=1, ygap=2, customdata=custom,
        colorbar={"tickvals": list(range(1, n + 1)), "ticktext": names, "thickness": 12, "title": {"text": "AQI"}},
        hovertemplate=(f"%{{y}} %{{x|%Y-%m-%d}}<br>AQI %{{customdata[0]}} · %{{customdata[2]}}"
                       f"<br>PM2.5 %{{customdata[1]:.1f}} {ctx.t('unit.ugm3')}<extra></extra>"),
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title={"text": title, "font": {"size": 14}})
    return style(fig, height=560, legend=False)


def calendar_month_grid(frame: pd.DataFrame, targets: Targets, *, title: str) -> go.Figure:
    """A classic calendar (weeks × weekdays) of one subdistrict's daily AQI category."""
    data = frame.copy()
    days = pd.to_datetime(data["day"])
    data["week"] = days.dt.isocalendar().week.astype(int).where(~((days.dt.month == 1) & (days.dt.isocalendar().week > 50)), 0)
    data["week"] = data["week"].where(~((days.dt.month == 12) & (days.dt.isocalendar().week == 1)), 53)
    data["weekday"] = days.dt.weekday
    scale, names, _ = aqi_colorscale(targets, days.iloc[0] if len(days) else None)
    n = len(names)
    weekday_names = [ctx.t(f"weekday.{i}") for i in range(7)]
    fig = go.Figure(go.Heatmap(
        x=data["week"], y=[weekday_names[w] for w in data["weekday"]], z=data["level"].astype(float),
        zmin=0.5, zmax=n + 0.5, colorscale=scale, xgap=2, ygap=2,
        customdata=list(zip(days.dt.strftime("%Y-%m-%d"), data["aqi"], data["category"], data["pm25"], strict=True)),
        hovertemplate="%{customdata[0]}<br>AQI %{customdata[1]} · %{customdata[2]}<br>PM2.5 %{customdata[3]:.1f}"
                      "<extra></extra>",
        colorbar={"tickvals": list(range(1, n + 1)), "ticktext": names, "thickness": 12},
    ))
    fig.update_yaxes(categoryorder="array", categoryarray=weekday_names[::-1])
    fig.update_xaxes(title={"text": ctx.t("calendar.week")})
    fig.update_layout(title={"text": title, "font": {"size": 14}})
    return style(fig, height=280, legend=False)
