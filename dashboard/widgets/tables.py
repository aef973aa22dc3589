"""Tables on screen and their downloads: a report's columns in the reader's words, CSV and XLSX."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import context as ctx
from dashboard.widgets.formatting import (
    TREND_ARROW,
    is_missing,
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


