"""Everything a page shows as text, and what a leader must never read on a Chinese screen.

Collected from an AppTest run: titles, markdown, captions, alerts, tiles, expander and
tab labels, table headers and cells, the text of the static SVG charts (labels and tooltips)
and the text inside the plotly charts (titles, axis and legend names, tick labels,
annotations, hover templates without their placeholders).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import is_static_table, is_tile, svg_of, tables, tiles

#: Words a reader may see in Latin letters on the Chinese screen: names of pollutants,
#: standards, methods, units, file formats and the data set's credit.
ALLOWED_LATIN = {
    "pm", "aqi", "so", "no", "co", "o", "csv", "excel", "xlsx", "pdf", "hj", "gb", "t", "uci", "cc", "by",
    "language",  # the sidebar's 语言 / Language switch names both on purpose
    "theil", "sen", "mann", "kendall", "scipy", "zhang", "beijing", "multi", "site", "air", "quality", "data",
    "µg", "mg", "m", "g", "h", "d", "p", "τ", "http", "https", "www", "html", "htm", "cn", "com", "gov",
    # the action plan's own abbreviations (its measures and indicators are quoted as written)
    "vocs", "nox", "gep", "r", "cod", "tp", "lims", "esg", "ei", "a", "b", "x", "v", "q",
}
#: What a leader must never read: settings files, commands, column keys, frames' placeholders.
FORBIDDEN = [
    (re.compile(r"targets\.yaml|sources\.yaml"), "a settings file"),
    (re.compile(r"python -m"), "a command"),
    (re.compile(r"\b(pm25|pm10|o3_8h|o3_1h|kept|subdistrict|poor_month|empty|no_data|not_started|unreported)\b"),
     "a raw key"),
]
_URL = re.compile(r"https?://\S+|www\.\S+")
_PLACEHOLDER = re.compile(r"%\{[^}]*\}|<[^>]+>|:\w+-badge\[")


def _chart_strings(spec: Any) -> Iterator[str]:
    keys = {"text", "name", "title", "ticktext", "hovertemplate", "hovertext"}
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in keys and isinstance(value, str):
                yield value
            elif key in keys and isinstance(value, list):
                yield from (str(v) for v in value if isinstance(v, str))
            elif key in ("customdata", "x", "y", "z"):
                continue
            else:
                yield from _chart_strings(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _chart_strings(item)


def page_text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error",
                 "metric", "expander", "tabs", "selectbox", "radio", "button", "date_input", "toggle"):
        for element in getattr(at, kind, []):
            if kind == "markdown" and (is_static_table(str(element.value)) or is_tile(str(element.value))):
                continue  # a static table or a tile: their words are read below
            # an input's value is its raw option (pm25, ytd); what it shows is its label and format_func's text
            inputs = ("selectbox", "radio", "date_input", "toggle", "button")
            for attr in ("label", "help") if kind in inputs else ("value", "label", "help"):
                value = getattr(element, attr, None)
                if isinstance(value, str):
                    parts.append(svg_of(value) or value if kind == "markdown" else value)  # a framed chart: its SVG
    for box in tiles(at):
        parts.extend(text for text in (box.label, box.value, box.delta, box.help) if text)
    for value, text in zip(tables(at), tables(at, shown=True), strict=True):
        parts.extend(str(c) for c in value.columns)
        # the text each cell shows ("None" where the browser would print it); a tick box (bool column) is not a word
        ticks = [i for i, c in enumerate(value.columns) if value[c].dtype == bool]
        parts.extend(str(v) for v in text.drop(columns=text.columns[ticks]).to_numpy().ravel())
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec) if getattr(chart.proto, "spec", "") else {}
        parts.extend(_chart_strings(spec.get("layout", {})))
        parts.extend(_chart_strings(spec.get("data", [])))
    # a static chart (an SVG in a markdown element): its words are its text and tooltips, one per line
    parts = [html.unescape(re.sub(r"<[^>]+>", "\n", p)) if p.startswith("<svg") else p for p in parts]
    return "\n".join(_PLACEHOLDER.sub(" ", p) for p in parts)


def findings(text: str) -> list[str]:
    """Forbidden words and Latin words outside ALLOWED_LATIN, each with its line."""
    found: list[str] = []
    for line in text.splitlines():
        for pattern, what in FORBIDDEN:
            match = pattern.search(line)
            if match:
                found.append(f"{what}: {match.group(0)!r} in {line[:120]!r}")
        bare = _URL.sub(" ", line)
        words = {w.lower() for w in re.findall(r"[A-Za-zµτ]+", bare)}
        odd = sorted(w for w in words if w not in ALLOWED_LATIN)
        if odd:
            found.append(f"latin {odd} in {line[:120]!r}")
    return found
