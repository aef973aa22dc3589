"""Tables on screen and their downloads: a report's columns in the reader's words, CSV and XLSX."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard import context as ctx
from dashboard.widgets.formatting import (
    TREND_ARROW,
    is_missing,
    lazy_expander,
    localise_subdistricts,
    method_items,
    method_label,
    outlook_text,
    pollutant_list_text,
    primary_text,
    status_text,
    unit_text,
)
from monitoring import exports
from monitoring.rules.aqi import FULL_SET
from monitoring.targets import UNITS, Targets


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

    # one horizontal row, not st.columns: three column blocks per table cost the browser elements (issue 14)
    row = st.container(horizontal=True)
    row.download_button(
        ctx.t("ui.download.csv"),
        data=lambda: exports.csv_bytes(table_now()),
        file_name=f"{base}.csv",
        mime="text/csv",
        key=f"dl-csv-{key}",
        on_click="ignore",
        icon=":material/download:",
    )
    row.download_button(
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
    if "required_rest_mean" in shown.columns and "cannot_meet" in frame.columns:
        # Where the target can no longer be met there is no required mean: the cell says so,
        # as the verdict does, instead of a dash (issue 14).
        gone = frame["cannot_meet"].fillna(False).astype(bool)
        if gone.any():
            shown["required_rest_mean"] = shown["required_rest_mean"].astype(object).where(
                ~gone, ctx.t("ui.col.cannot_meet"))
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
    dataframe(shown, height=height, key=key)
    download_buttons(shown, name, notes=method_lines(report), key=key)


#: Up to this many rows a table is drawn static (one HTML table: the 15 subdistricts, 12 months, a few
#: dozen indicators); a longer one shows its first this many rows static and the whole table as
#: Streamlit's grid (sortable, scrollable) only when the reader opens it (``dataframe``).
STATIC_MAX_ROWS = 30
#: Up to this many rows a grid is styled (missing values as a dash, one decimal); longer ones are drawn plain.
STYLE_MAX_ROWS = 500


def _styled(frame: pd.DataFrame) -> Styler:
    """A missing value as a dash, floats to one decimal, a tick box as ✓ / ✗ (never True/False)."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    ticks = [c for c in frame.columns if pd.api.types.is_bool_dtype(frame[c])]
    styled: Styler = frame.style.format(na_rep="—").format(precision=1, subset=floats, na_rep="—")
    if ticks:
        styled = styled.format(lambda v: "—" if is_missing(v) else "✓" if v else "✗", subset=ticks)
    return styled


def _cell_text(value: Any) -> str:
    if is_missing(value):
        return "—"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


#: The static tables' look (one HTML table each, see ``static_table``): Streamlit's table style,
#: numbers right-aligned; cells stay on one line and a wide table scrolls sideways (in a 17-column
#: table a Chinese word would otherwise wrap one character per line); headers break only between words.
#: It rides inside each table's own element. Not one st.html from the router: that element alone
#: made the browser fetch st.html's code and its sanitiser on every cold load (≈ 0.1 s measured,
#: docs/PERFORMANCE.md "Browser"), where a <style> in a markdown element costs nothing more.
TABLE_CSS = (
    "<style>"
    ".monitor-table-wrap {overflow-x: auto; margin-bottom: 1rem;}"
    "table.monitor-table {border-collapse: collapse; font-size: 0.875rem; line-height: 1.5;}"
    "table.monitor-table th, table.monitor-table td {padding: 0.25rem 0.75rem; white-space: nowrap;"
    " border-bottom: 1px solid rgba(128, 128, 128, 0.2); text-align: left; vertical-align: top;}"
    "table.monitor-table th {font-weight: 600; opacity: 0.75; white-space: normal; word-break: keep-all;"
    " border-bottom: 1px solid rgba(128, 128, 128, 0.4);}"
    "table.monitor-table td.num {text-align: right; font-variant-numeric: tabular-nums;}"
    "table.monitor-table tr:hover td {background: rgba(128, 128, 128, 0.06);}"
    "</style>"
)


#: The class that marks a static table in the page (and lets the tests find it).
STATIC_TABLE_CLASS = "monitor-table"


#: The attribute that marks a long table's static preview (its first rows; the value is the table's
#: row count): the tests count the preview and the grid behind it as one table.
PREVIEW_ATTRIBUTE = "data-preview-of"


def static_table(frame: pd.DataFrame, style: Callable[[Styler], Styler] | None = None, *,
                 total: int | None = None) -> str:
    """A short table as ONE HTML element: the Styler's text in every cell (a dash for a missing
    value, one decimal, ✓ / ✗, cell colours from ``style``), numbers right-aligned.

    Why not ``st.table``: it draws every cell as its own markdown element; a 16 × 17 table is
    272 of them, and the browser spent seconds on the progress page drawing them (docs/PERFORMANCE.md,
    "Browser"); it also makes the browser fetch the Arrow table JavaScript (≈ 1 MB). The values
    the page passed ride along as JSON in ``data-frame`` (what ``st.table`` sent as Arrow), so a
    test reads numbers, not their rounded text. ``total``: this is the preview of a table of that
    many rows (``PREVIEW_ATTRIBUTE``)."""
    frame = frame.reset_index(drop=True)
    # Dates as their text (2026-01-15), as the cell shows them; numbers, text, booleans as they are.
    plain = frame.assign(**{str(c): frame[c].map(lambda v: v if is_missing(v) or isinstance(v, (bool, int, float, str)) else str(v))
                            for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
                            and not pd.api.types.is_bool_dtype(frame[c])})
    raw = plain.to_json(orient="split", index=False, force_ascii=False)
    # Text an analyst typed (a task's note) must not become markup: cells and headers are escaped.
    texts = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    shown = frame.assign(**{str(c): frame[c].map(lambda v: html.escape(v) if isinstance(v, str) else v)
                            for c in texts})
    shown.columns = [html.escape(str(c)) for c in frame.columns]
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])]
    classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
    if numeric:
        classes[numeric] = "num"
    styled = _styled(shown)
    styled = (style(styled) if style else styled).hide(axis="index").set_td_classes(classes)
    # A uuid from the content: the same table is the same text on every run, two tables never share cell ids.
    styled = styled.set_uuid(hashlib.sha1(raw.encode()).hexdigest()[:8])
    mark = f' {PREVIEW_ATTRIBUTE}="{total}"' if total is not None else ""
    styled = styled.set_table_attributes(
        f'class="{STATIC_TABLE_CLASS}" data-frame="{html.escape(raw, quote=True)}"{mark}')
    # One line: a blank line would end markdown's HTML block, so the text is never read as markdown.
    body = " ".join(styled.to_html().split("\n"))
    return f'<div class="monitor-table-wrap">{TABLE_CSS}{body}</div>'


def dataframe(frame: pd.DataFrame, *, key: str | None = None, height: int | str = "auto",
              style: Callable[[Styler], Styler] | None = None,
              on_select: Callable[[], None] | None = None) -> None:
    """A table on screen, a missing value as a dash, floats to one decimal.

    A short table (≤ STATIC_MAX_ROWS) is static, one HTML element (``static_table``): it is shown
    whole, the browser fetches no table JavaScript (the grid's is ≈ 1.7 MB) and draws it at once,
    and its cells show the Styler's text, so never "None" (issue 14).
    A longer one shows its first STATIC_MAX_ROWS rows the same way with a caption (前 30 条，共 179 条),
    and the whole table as the grid (sortable, scrollable; ``height`` applies to it) inside a lazy
    expander under ``f"{key}-all"``: the grid's JavaScript is fetched only when a reader opens it
    (issue 14: the grid made the tasks and quality pages 2.3–2.8 × a one-line page). ``key`` must be
    unique on the page for a table that can be long. ``style``: more styling on top (e.g. cell
    colours), for either. ``on_select``: the grid (under ``key``) lets the reader select one row and
    calls it; the expander is offered for a short table too, the only place a row can be selected."""
    # A column holding numbers and words (a required mean, or 已无法实现) cannot go to the browser
    # as numbers: it is shown as text, numbers to one decimal (the downloads keep the numbers).
    mixed = [c for c in frame.columns if frame[c].dtype == object
             and len({isinstance(v, str) for v in frame[c] if not is_missing(v)}) == 2]
    if mixed:
        frame = frame.assign(**{str(c): frame[c].map(_cell_text) for c in mixed})
    long = len(frame) > STATIC_MAX_ROWS
    if not long:
        # with a selectable grid behind it, the table is marked as its preview
        st.markdown(_table_html(frame, style, len(frame) if on_select else None), unsafe_allow_html=True)
        if on_select is None:
            return
    else:
        st.markdown(_table_html(frame.head(STATIC_MAX_ROWS), style, len(frame)), unsafe_allow_html=True)
        st.caption(ctx.t("ui.table.first", shown=STATIC_MAX_ROWS, total=len(frame)))
    if key is None:
        # a programming slip, not a reader's: two keyless long tables with the same columns would collide
        key = "table-" + hashlib.sha1("|".join(map(str, frame.columns)).encode()).hexdigest()[:8]
    label = ctx.t("ui.table.select" if on_select else "ui.table.all", total=len(frame))
    box = lazy_expander(label, f"{key}-all", icon=":material/table:")
    if box is not None:
        with box:
            _grid(frame, height=height, style=style, key=key if on_select else None, on_select=on_select)


def _table_html(frame: pd.DataFrame, style: Callable[[Styler], Styler] | None, total: int | None) -> str:
    """``static_table``'s HTML, made once per distinct table across sessions when there is no extra style.

    Why: every cold load is a new session that would render the same tables again through the
    Styler (tasks: 0.1 s for three), in the server process the browser is fetching its JavaScript
    from. A ``style`` callable cannot be part of a cache key: those tables are drawn each time."""
    if style is not None:
        return static_table(frame, style, total=total)
    return _cached_table_html(frame, total)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_table_html(frame: pd.DataFrame, total: int | None) -> str:
    # keyed on the frame's shape, dtypes, column names and values (Streamlit's hash of a DataFrame)
    return static_table(frame, total=total)


def _grid(frame: pd.DataFrame, *, height: int | str, style: Callable[[Styler], Styler] | None,
          key: str | None, on_select: Callable[[], None] | None) -> None:
    """The whole table as Streamlit's grid: sortable, scrollable, one row selectable with ``on_select``."""
    # The grid prints "None" for a missing cell whatever the Styler's na_rep says (it shows
    # the Styler's text only for present values): a column with gaps that is not float is
    # shown as text (the downloads keep the real values); a float column keeps its numbers
    # (sortable), and is a dash only when it has no value at all.
    gaps = [c for c in frame.columns if frame[c].isna().all()
            or (not pd.api.types.is_float_dtype(frame[c]) and frame[c].isna().any())]
    if gaps and len(frame):
        frame = frame.assign(**{str(c): frame[c].astype("string").fillna("—") for c in gaps})
    data: Any = frame
    if len(frame) <= STYLE_MAX_ROWS:
        styled = _styled(frame)
        data = style(styled) if style else styled
    select: dict[str, Any] = {"key": key, "on_select": on_select, "selection_mode": "single-row"} if on_select else {}
    st.dataframe(data, hide_index=True, width="stretch", height=height, **select)
