"""Figures and words on screen: numbers with units, statuses and outlooks, method captions, tiles.

Presentation only: every number shown was computed in ``monitoring`` (no rule lives here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import context as ctx
from dashboard.widgets.tiles import escaped, note_html, tile_html
from monitoring.rules.rounding import is_missing as is_missing  # re-exported: pages call w.is_missing
from monitoring.targets import POLLUTANT_NAMES as CODE_NAMES
from monitoring.targets import Targets
from monitoring.targets import unit_of as unit_of  # re-exported: pages call w.unit_of (the same in both languages)

#: Status → colour (hex for charts) and Streamlit badge colour: the one table of the status language.
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
    "no_target": ("#9e9e9e", "gray"),
}
TREND_ARROW = {"down": "↓", "up": "↑", "flat": "→"}

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


def badges_text(status: Any, outlook: Any) -> str:
    """Both answers as badges in markdown, each labelled with its question: 累计 (so far) and 全年预判 (outlook)."""
    badges = []
    if not is_missing(status) and status != "":
        colour = STATUS_STYLE.get(str(status), STATUS_STYLE["unknown"])[1]
        badges.append(f":{colour}-badge[{ctx.t('ui.verdict.status')}{colon()}{status_text(status)}]")
    if not is_missing(outlook) and outlook != "":
        colour = STATUS_STYLE.get(str(outlook), STATUS_STYLE["unknown"])[1]
        badges.append(f":{colour}-badge[{ctx.t('ui.verdict.outlook')}{colon()}{outlook_text(outlook)}]")
    return " ".join(badges)


def verdict_badges(status: Any, outlook: Any) -> None:
    """Both badges in ONE markdown element (st.badge would be one element each)."""
    if text := badges_text(status, outlook):
        st.markdown(text)


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


#: Citations as targets.yaml writes them (GB 3095-2012 表4, 附1, 过渡期（…）) and full-width punctuation,
#: as an English screen writes them (issue 14: English mode complete). 表 and 附 only before a number,
#: so Chinese words quoted in an English text (a plan's measure, a document's title) stay whole.
_ENGLISH_TERMS = ((re.compile(r"表\s*(\d)"), r"Table \1"), (re.compile(r"附\s*(\d)"), r"Annex \1"),
                  (re.compile("过渡期"), "transition period "), (re.compile("（"), " ("), (re.compile("）"), ")"),
                  (re.compile("："), ": "), (re.compile("；"), "; "), (re.compile("，"), ", "), (re.compile("、"), ", "),
                  (re.compile("｜"), " | "), (re.compile("　"), " "))


def english_terms(text: str) -> str:
    """``text`` with the standards' and the plan's citation words and full-width punctuation in English."""
    for pattern, english in _ENGLISH_TERMS:
        text = pattern.sub(english, text)
    return re.sub(r" {2,}", " ", text).replace("( ", "(").replace(" )", ")")


# Punctuation between phrases comes from the label table (ui.punct.*), as every other word does.
def sep() -> str:
    """Between the items of a caption line: a middle dot, with a full-width space each side in Chinese, a space in English."""
    return ctx.t("ui.punct.sep")


def space() -> str:
    """Between two phrases: a full-width space in Chinese, a space in English."""
    return ctx.t("ui.punct.space")


def colon() -> str:
    return ctx.t("ui.punct.colon")


def paren(text: str) -> str:
    """``text`` in brackets after a word: full-width in Chinese, ASCII after a space in English."""
    return ctx.t("ui.punct.paren", text=text)


def plain(text: str) -> str:
    """A report's text for a reader who does not configure the monitor: the settings file is
    named as the Targets page (where an analyst sees it), with no setting keys or commands;
    on an English screen, citations and punctuation in English (``english_terms``)."""
    text = _CONFIG_KEY.sub("", str(text))
    text = _COMMAND.sub(ctx.t("ui.config_ref"), text)
    text = re.sub(r"targets\.yaml(\s*中)?\s*", ctx.t("ui.config_ref"), text)
    return english_terms(text) if ctx.lang() == "en" else text


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


def lazy_expander(label: str, key: str, *, icon: str | None = None) -> Any:
    """An expander whose content is drawn only when it is open: the container, or None when closed.

    Why: Streamlit draws a closed expander's content all the same, and the browser pays for
    every element on a cold load (docs/PERFORMANCE.md, "Browser"). With ``on_change="rerun"``
    opening it reruns the page, which then draws the content. Tests open it by setting
    ``session_state[key] = True`` (tests/pages/conftest.py ``LAZY_EXPANDERS``)."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")
    return box if box.open else None


def lazy_tabs(labels: Sequence[str], key: str) -> Sequence[Any]:
    """Tabs whose hidden ones draw nothing: draw a tab's content under ``if tab.open:``.

    Streamlit draws every tab's content otherwise; with ``on_change="rerun"`` a switch reruns
    the page and ``.open`` is True for the tab shown (why: see ``lazy_expander``). The state
    under ``key`` is the shown tab's label."""
    return st.tabs(list(labels), key=key, on_change="rerun")


def method_caption(report: Any, *, key: str, extra: Sequence[str] = (), notes: bool = True) -> None:
    """How the figure was made, under the figure: period, exceptional events and rounding in one line,
    every rule (validity, evaluation, status rule …) and the report's notes one click away
    (``key`` names that expander; it is unique on the page)."""
    items = method_items(report)
    line = [f"**{method_label(k)}**: {v}" for k, v in items if k in CAPTION_KEYS] + list(extra)
    if line:
        st.caption(sep().join(line))
    rest = [(k, v) for k, v in items if k not in CAPTION_KEYS]
    note_items = report_notes(report) if notes else []
    if rest or note_items:
        title = ctx.t("ui.method.title") + (space() + ctx.t("ui.notes.title", n=len(note_items)) if note_items else "")
        box = lazy_expander(title, f"method-{key}", icon=":material/rule:")
        if box is not None:
            with box:
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
    arrow = TREND_ARROW.get(str(trend), "")
    delta = None if is_missing(gap) else gap_text(gap, unit, decimals)
    level = not is_missing(gap) and float(gap) == 0
    above = not level and delta is not None and float(gap) > 0
    figure = tile_html(
        title, fmt(value, decimals, unit) + (f" {arrow}" if arrow else ""),
        delta=gap_text(0, unit, decimals).replace("+", "±", 1) if level else delta,
        # above an at-most target is bad, above an at-least one good
        tone="off" if level or delta is None else ("bad" if above == (direction == "at_most") else "good"),
        arrow=None if level or delta is None else ("up" if above else "down"),
        delta_note=ctx.t("ui.tile.gap_to_target") if delta is not None else None, show_label=False)
    line = ctx.t("ui.tile.target", target=fmt(target, decimals, unit))
    if arrow:
        line += space() + ctx.t(f"ui.tile.trend.{trend}")
    heading = (f"<div style='border-left:6px solid {colour};padding-left:8px'>"
               f"<span style='font-size:0.95rem'>{escaped(title)}</span></div>")
    with st.container(border=True):
        # heading, the two badges (markdown), the figure and its line in ONE element: the browser
        # pays for each element (tiles.py); blank lines end each HTML block so the badges are markdown
        parts = (heading, badges_text(status, outlook), figure,
                 note_html(line + (sep() + plain(caption) if caption else "")))
        st.markdown("\n\n".join(part for part in parts if part), unsafe_allow_html=True)



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



# -- small helpers the pages share ------------------------------------------------------------
UG = "µg/m³"
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


def kept_choice(box: Any, kind: str, label: str, options: Sequence[Any], *, key: str, widget_key: str,
                format_func: Any = str, **widget_args: Any) -> Any:
    """A choice kept under ``key`` in session_state, drawn as ``box.<kind>`` (``"selectbox"`` or
    ``"radio"``) under ``widget_key``; ``box`` None (a closed lazy box): the kept choice, undrawn.

    Why kept apart from the widget: Streamlit drops a widget's state when a run does not draw it (a
    box closed after a choice), and keeps a keyed widget's option labels when only its format_func
    changes (so ``widget_key`` may carry the language). A kept value no longer among the options (a
    stale session) gives way to the first option, as the widget would."""
    options = list(options)
    kept = st.session_state.get(key)
    chosen = kept if kept in options else options[0]
    if box is not None:
        def remember() -> None:
            st.session_state[key] = st.session_state[widget_key]

        chosen = getattr(box, kind)(label, options=options, index=options.index(chosen), format_func=format_func,
                                    key=widget_key, on_change=remember, **widget_args)
    st.session_state[key] = chosen
    return chosen


def subdistrict_select(label: str, targets: Targets, *, key: str, district_label: str | None = None) -> str | None:
    """A subdistrict picker whose choice survives a language switch; None = the district.

    A row of radio buttons, every subdistrict in sight and one click away. Not a select box: its
    JavaScript (a chunk and fifteen more it imports) cost each cold load of the progress and calendar
    pages ≈ 0.15–0.2 s in the browser, where the radio's is loaded already for the sidebar's language
    (docs/PERFORMANCE.md, "Browser"). The widget's key carries the language, because Streamlit
    keeps a keyed widget's option labels when only its format_func changes; the choice itself is
    kept under ``key``.
    """
    english = ctx.lang() == "en"
    table = pinyin_map(targets)
    names = [sd.short_name for sd in targets.subdistricts]
    choices = ([""] if district_label is not None else []) + names
    def formatter(value: str) -> str:
        if value == "":
            return district_label or ""
        return table.get(value, value) if english else value

    chosen = kept_choice(st, "radio", label, choices, key=key, widget_key=f"{key}__{ctx.lang()}",
                         format_func=formatter, horizontal=True)
    return chosen or None


