"""A figure in a box (label, value, a change under it): the pages' tiles, one markdown element each.

Why not ``st.metric``: its browser code comes with a number formatter and a chart loader
(numbro, sprintf, vega-embed's loader: ≈ 50 KB in five files) fetched on every cold load of
a page that shows a tile, ≈ 0.1 s of the 1.5–2 × a one-line page the pages take
(docs/PERFORMANCE.md, "Browser"). The tile looks like Streamlit's bordered metric and says
the same things; its label, value, change and help ride in ``data-*`` attributes, so the
tests read them as they read a metric (tests/pages/conftest.py ``tiles``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, Literal

import streamlit as st

#: good: green, bad: red, off: grey (a change that is neither, or a level value).
Tone = Literal["good", "bad", "off"]
TILE_CLASS = "monitor-tile"
_TONES: dict[str, tuple[str, str]] = {
    "good": ("#09ab3b", "rgba(9, 171, 59, 0.1)"),
    "bad": ("#ff2b2b", "rgba(255, 43, 43, 0.1)"),
    "off": ("rgba(49, 51, 63, 0.6)", "rgba(49, 51, 63, 0.06)"),
}
_ARROWS = {"up": "↑", "down": "↓"}


def tile_html(label: str, value: str, *, delta: str | None = None, tone: Tone = "off",
              arrow: Literal["up", "down"] | None = None, delta_note: str | None = None,
              help: str | None = None, show_label: bool = True, border: bool = True) -> str:
    """One tile as one line of HTML (a blank line would end markdown's HTML block); every text escaped."""
    def attr(text: str) -> str:
        return html.escape(text, quote=True)

    data = f' data-label="{attr(label)}" data-value="{attr(value)}"'
    data += f' data-delta="{attr(delta)}"' if delta is not None else ""
    data += f' data-help="{attr(help)}"' if help else ""
    box = "border:1px solid rgba(49, 51, 63, 0.2);border-radius:0.5rem;padding:calc(1em - 1px);" if border else ""
    parts = [f'<div class="{TILE_CLASS}"{data} style="{box}margin-bottom:0.5rem">']
    if show_label:
        mark = (f' <span title="{attr(help)}" style="cursor:help;opacity:0.6">ⓘ</span>' if help else "")
        parts.append(f'<div style="font-size:0.875rem;line-height:1.4;margin-bottom:0.25rem">{html.escape(label)}{mark}</div>')
    parts.append('<div style="font-size:2.25rem;line-height:1.2;white-space:nowrap;overflow:hidden;'
                 f'text-overflow:ellipsis" title="{attr(value)}">{html.escape(value)}</div>')
    if delta is not None:
        colour, background = _TONES[tone]
        shown = (_ARROWS[arrow] + " " if arrow else "") + html.escape(delta)
        note = (f' <span style="font-size:0.875rem;opacity:0.6">{html.escape(delta_note)}</span>'
                if delta_note else "")
        parts.append('<div style="margin-top:0.25rem"><span style="display:inline-block;padding:0 0.4rem;'
                     f'border-radius:0.5rem;font-size:0.875rem;color:{colour};background:{background}">{shown}</span>'
                     f'{note}</div>')
    parts.append("</div>")
    return "".join(parts)


def tile(label: str, value: str, *, where: Any = None, **options: Any) -> None:
    """Draw ``tile_html`` in ``where`` (a column or container; the page by default)."""
    (where if where is not None else st).markdown(tile_html(label, value, **options), unsafe_allow_html=True)


def count_row(figures: Sequence[tuple[str, int]]) -> None:
    """Counts side by side, one borderless tile each (an upload's or a stored run's readings,
    stored, rejected, duplicates, conflicts, missing)."""
    for column, (label, n) in zip(st.columns(len(figures)), figures, strict=True):
        tile(label, f"{n:,}", where=column, border=False)
