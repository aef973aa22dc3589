"""A figure in a box (label, value, a change under it): the pages' tiles, and rows of them.

Why not ``st.metric``: its browser code comes with a number formatter and a chart loader
(numbro, sprintf, vega-embed's loader: ≈ 50 KB in five files) fetched on every cold load of
a page that shows a tile, ≈ 0.1 s of the 1.5–2 × a one-line page the pages take
(docs/PERFORMANCE.md, "Browser"). The tile looks like Streamlit's bordered metric and says
the same things; its label, value, change and help ride in ``data-*`` attributes, so the
tests read them as they read a metric (tests/pages/conftest.py ``tiles``).

Tiles side by side are one element (``tile_row``: a CSS grid), not ``st.columns``: a row of four
tiles in columns is ten elements (the row, four columns, four tiles, a caption), and every element
costs the browser ≈ 4 ms each time the page is drawn, a sidebar switch included (interleaved probe
on four pages: 35–40 ms a switch; docs/PERFORMANCE.md, "Browser").
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, Literal

import streamlit as st

#: good: green, bad: red, off: grey (a change that is neither, or a level value).
Tone = Literal["good", "bad", "off"]
TILE_CLASS = "monitor-tile"
ROW_CLASS = "monitor-tile-row"
_TONES: dict[str, tuple[str, str]] = {
    "good": ("#09ab3b", "rgba(9, 171, 59, 0.1)"),
    "bad": ("#ff2b2b", "rgba(255, 43, 43, 0.1)"),
    "off": ("rgba(49, 51, 63, 0.6)", "rgba(49, 51, 63, 0.06)"),
}
_ARROWS = {"up": "↑", "down": "↓"}
#: The tiles of a row as tall as the tallest (a tile without a change is shorter); notes stay under them.
_ROW_CSS = f"<style>.{ROW_CLASS} > div > .{TILE_CLASS} {{flex: 1 1 auto}}</style>"


def escaped(text: str) -> str:
    """Text for one line of HTML: escaped, and a newline as a character reference (a blank line
    inside the markup would end markdown's HTML block and show the rest as text)."""
    return html.escape(text, quote=True).replace("\n", "&#10;")


def tile_html(label: str, value: str, *, delta: str | None = None, tone: Tone = "off",
              arrow: Literal["up", "down"] | None = None, delta_note: str | None = None,
              help: str | None = None, show_label: bool = True, border: bool = True) -> str:
    """One tile as one line of HTML (a blank line would end markdown's HTML block); every text escaped."""
    data = f' data-label="{escaped(label)}" data-value="{escaped(value)}"'
    data += f' data-delta="{escaped(delta)}"' if delta is not None else ""
    data += f' data-help="{escaped(help)}"' if help else ""
    box = "border:1px solid rgba(49, 51, 63, 0.2);border-radius:0.5rem;padding:calc(1em - 1px);" if border else ""
    parts = [f'<div class="{TILE_CLASS}"{data} style="{box}margin-bottom:0.5rem">']
    if show_label:
        mark = (f' <span title="{escaped(help)}" style="cursor:help;opacity:0.6">ⓘ</span>' if help else "")
        parts.append(f'<div style="font-size:0.875rem;line-height:1.4;margin-bottom:0.25rem">{escaped(label)}{mark}</div>')
    parts.append('<div style="font-size:2.25rem;line-height:1.2;white-space:nowrap;overflow:hidden;'
                 f'text-overflow:ellipsis" title="{escaped(value)}">{escaped(value)}</div>')
    if delta is not None:
        colour, background = _TONES[tone]
        shown = (_ARROWS[arrow] + " " if arrow else "") + escaped(delta)
        note = (f' <span style="font-size:0.875rem;opacity:0.6">{escaped(delta_note)}</span>'
                if delta_note else "")
        parts.append('<div style="margin-top:0.25rem"><span style="display:inline-block;padding:0 0.4rem;'
                     f'border-radius:0.5rem;font-size:0.875rem;color:{colour};background:{background}">{shown}</span>'
                     f'{note}</div>')
    parts.append("</div>")
    return "".join(parts)


def note_html(text: str) -> str:
    """A small grey line under a tile in a row (what ``st.caption`` under it was); text escaped."""
    return ('<div style="font-size:0.875rem;line-height:1.4;color:rgba(49, 51, 63, 0.6);margin:-0.25rem 0 0.5rem">'
            f"{escaped(text)}</div>")


def tile_row(cells: Sequence[str], *, where: Any = None, min_width: str = "10rem") -> None:
    """Cells (``tile_html``, each optionally followed by ``note_html``) side by side in ONE element:
    a grid of equal columns that wraps onto more lines when the screen is narrower than
    ``min_width`` a cell, as ``st.columns`` stacks on a phone."""
    grid = (f'<div class="{ROW_CLASS}" style="display:grid;gap:0 1rem;'
            f'grid-template-columns:repeat(auto-fit, minmax({min_width}, 1fr))">{_ROW_CSS}')
    body = grid + "".join(f'<div style="display:flex;flex-direction:column">{cell}</div>' for cell in cells) + "</div>"
    (where if where is not None else st).markdown(body, unsafe_allow_html=True)


def count_row(figures: Sequence[tuple[str, int]]) -> None:
    """Counts side by side, one borderless tile each (an upload's or a stored run's readings,
    stored, rejected, duplicates, conflicts, missing)."""
    tile_row([tile_html(label, f"{n:,}", border=False) for label, n in figures], min_width="7rem")
