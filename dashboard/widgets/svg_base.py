"""The static charts' primitives: escaping, text, tooltips, axes and colour scales (see ``svg``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Any

from plotly.colors import get_colorscale, sample_colorscale

#: The drawing's width in SVG units; it is scaled to the column's width on screen.
WIDTH = 1000
#: Plotly's defaults the pages rely on without setting them.
DEFAULT_HEIGHT = 450
BAR_WIDTH = 0.8  # plotly's bargap 0.2
TICK_FONT = 12
GRID = "#e5e5e5"
INK = "#333"
LINE_STROKE = ' stroke="#444"'
DASHES = {"dash": "8,5", "dot": "2,4", "dashdot": "8,4,2,4", "longdash": "12,5"}


#: Characters Streamlit's markdown would read as markup (emphasis, LaTeX, emoji shortcodes, links) inside the SVG's text.
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "*_~$:`[]\\"})


def escape(text: str) -> str:
    """Text for the SVG: HTML-escaped, and inert to markdown (the SVG is shown through st.markdown)."""
    return html_escape(str(text)).translate(_MARKDOWN)


def text_width(text: str, size: float) -> float:
    """Roughly how wide a label is drawn: a CJK character is one em, a Latin one about 0.58."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.58 for ch in text) * size


def _seq(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [value]
    return list(value)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return False


def _at(value: Any, i: int, default: Any = None) -> Any:
    """The i-th of a per-point attribute, or the attribute itself when it is one value."""
    if value is None:
        return default
    if isinstance(value, str | int | float):
        return value
    if not hasattr(value, "__getitem__"):
        value = list(value)
    # indexed in place: copying the array for every point made a 365-day calendar take seconds
    return value[i] if i < len(value) else default


def _num(value: Any) -> float:
    return float(value)


# -- text -----------------------------------------------------------------------------------
_TAG = re.compile(r"<[^>]+>")
_FIELD = re.compile(r"%\{([a-z]+)(?:\[(\d+)\])?(?::([^}]*))?\}")


def _plain(text: Any) -> str:
    """Plotly's small HTML subset as plain text (``<br>`` a new line)."""
    return _TAG.sub("", re.sub(r"<br\s*/?>", "\n", str(text or ""))).strip()


def _format(value: Any, spec: str | None) -> str:
    if _missing(value):
        return "—"
    if spec:
        try:
            return format(float(value), spec.replace("~", ""))
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass
class Hover:
    """A trace's hover settings, read once: plotly's property access costs ~0.1 ms each, per point it added seconds."""

    name: str
    skip: bool
    template: Any
    text: Any

    @classmethod
    def of(cls, trace: Any) -> Hover:
        return cls(str(trace.name or ""), trace.hoverinfo == "skip", trace.hovertemplate, trace.hovertext)


def _hover(hover: Hover, i: int, point: dict[str, Any]) -> str:
    """The mark's tooltip: its hover template filled in, as plotly would show it."""
    if hover.skip:
        return ""
    template = _at(hover.template, i)
    if template:
        template = re.sub(r"<extra>.*?</extra>", "", str(template))

        def fill(match: re.Match[str]) -> str:
            name, index, spec = match.group(1), match.group(2), match.group(3)
            value = point.get(name)
            if index is not None:
                value = _at(value, int(index))
            return _format(value, spec)

        return _plain(_FIELD.sub(fill, template))
    hovertext = _at(hover.text, i)
    if hovertext:
        return _plain(hovertext)
    parts = [hover.name, *(_format(point.get(k), None) for k in ("x", "y", "z") if k in point)]
    return " ".join(p for p in parts if p)


def _label_lines(text: str, size: float, colour: str) -> list[tuple[str, float, bool]]:
    """An annotation's lines: (text, font size, bold) — ``<b>`` and ``font-size:Npx`` kept."""
    lines = []
    for raw in re.split(r"<br\s*/?>", text):
        found = re.search(r"font-size:\s*(\d+(?:\.\d+)?)px", raw)
        lines.append((_plain(raw), float(found.group(1)) if found else size, "<b>" in raw))
    return lines


def _text(x: float, y: float, text: str, *, size: float = TICK_FONT, colour: str = INK, anchor: str = "middle",
          baseline: str = "central", bold: bool = False, rotate: float = 0.0) -> str:
    extra = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate else ""
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{escape(colour)}" text-anchor="{anchor}" '
            f'dominant-baseline="{baseline}"{weight}{extra}>{escape(text)}</text>')


def _titled(shape: str, tip: str) -> str:
    """A mark with its tooltip (an SVG ``<title>`` child)."""
    if not tip:
        return shape + "/>"
    return f"{shape}><title>{escape(tip)}</title></{shape[1:].split(' ', 1)[0]}>"


# -- axes ------------------------------------------------------------------------------------
@dataclass
class Axis:
    """One axis: categories (positions 0…n−1, as plotly places them) or numbers."""

    layout: Any
    categories: list[str] = field(default_factory=list)
    lo: float = 0.0
    hi: float = 1.0
    start: float = 0.0  # pixels: left (x) or bottom (y)
    end: float = 1.0
    reversed: bool = False

    @property
    def is_category(self) -> bool:
        return bool(self.categories)

    def position(self, value: Any) -> float | None:
        if _missing(value):
            return None
        if self.is_category:
            text = str(value)
            return float(self.categories.index(text)) if text in self.categories else None
        return _num(value)

    def pixel(self, value: Any) -> float | None:
        at = self.position(value)
        if at is None or self.hi == self.lo:
            return None
        share = (at - self.lo) / (self.hi - self.lo)
        if self.reversed:
            share = 1 - share
        return self.start + share * (self.end - self.start)

    def ticks(self) -> list[tuple[float, str]]:
        lay = self.layout
        if lay.tickvals is not None:
            texts = list(lay.ticktext) if lay.ticktext is not None else [_tick(v) for v in lay.tickvals]
            return [(float(v), str(t)) for v, t in zip(lay.tickvals, texts, strict=False)
                    if self.lo - 1e-9 <= float(v) <= self.hi + 1e-9]
        if self.is_category:
            return [(float(i), c) for i, c in enumerate(self.categories) if self.lo <= i <= self.hi]
        step = float(lay.dtick) if isinstance(lay.dtick, int | float) else _nice_step(self.hi - self.lo)
        first = math.ceil(self.lo / step - 1e-9) * step
        count = int((self.hi - first) / step + 1e-9) + 1
        return [(first + k * step, _tick(first + k * step)) for k in range(max(count, 0))]


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / target if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _tick(value: Any) -> str:
    number = float(value)
    return str(int(round(number))) if abs(number - round(number)) < 1e-9 else f"{number:.6g}"


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and not _missing(value)


def _axis(layout_axis: Any, values: list[Any], *, bars_here: bool, positional: bool) -> Axis:
    """An axis from its layout and the values drawn on it (plotly's autorange, roughly)."""
    axis = Axis(layout_axis)
    if any(_is_text(v) for v in values) or layout_axis.type == "category":
        order = list(layout_axis.categoryarray) if layout_axis.categoryorder == "array" and \
            layout_axis.categoryarray is not None else []
        axis.categories = [str(c) for c in order] + [str(v) for v in dict.fromkeys(values)
                                                      if not _missing(v) and str(v) not in order]
        axis.lo, axis.hi = -0.5, len(axis.categories) - 0.5
    else:
        numbers = [_num(v) for v in values if not _missing(v)] or [0.0, 1.0]
        lo, hi = min(numbers), max(numbers)
        if bars_here and not positional:
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        if positional:
            lo, hi = lo - 0.5, hi + 0.5
        else:
            pad = (hi - lo) * 0.06 or 1.0
            lo, hi = (lo if bars_here and lo == 0 else lo - pad), (hi if bars_here and hi == 0 else hi + pad)
        axis.lo, axis.hi = lo, hi
    if layout_axis.range is not None:
        axis.lo, axis.hi = float(layout_axis.range[0]), float(layout_axis.range[1])
    axis.reversed = layout_axis.autorange == "reversed"
    return axis


# -- colour ------------------------------------------------------------------------------------
def _scale(colorscale: Any, reverse: bool) -> list[Any]:
    if isinstance(colorscale, str):
        scale = get_colorscale(colorscale)
    else:
        scale = [list(pair) for pair in (colorscale or get_colorscale("Viridis"))]
    return [[1 - float(p), c] for p, c in reversed(scale)] if reverse else scale


def _colour_at(scale: list[Any], share: float) -> str:
    return str(sample_colorscale(scale, [min(1.0, max(0.0, share))])[0])


@dataclass
class ColourBar:
    scale: list[Any]
    lo: float
    hi: float
    title: str



def _pix(axis: Axis, at: float) -> float:
    share = (at - axis.lo) / (axis.hi - axis.lo) if axis.hi != axis.lo else 0.0
    if axis.reversed:
        share = 1 - share
    return axis.start + share * (axis.end - axis.start)
