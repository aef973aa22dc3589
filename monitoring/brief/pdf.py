"""The brief as one A4 page (PDF): headline, the district's monthly chart, the subdistricts
most at risk first, the method once. Vector throughout (reportlab's own graphics, no
browser); the Chinese font is a TrueType file shipped by a PyPI package and embedded
(subset) in the file, so the page looks the same on every reader."""

from __future__ import annotations

import datetime as dt
import functools
import io
from importlib import resources
from typing import Any

import pandas as pd

from monitoring.brief.content import UNIT, Brief, num, outlook_word, status_word
from monitoring.errors import ConfigError
from monitoring.i18n import t

#: The registered name of the embedded font (文泉驿微米黑 WenQuanYi Micro Hei, Apache-2.0;
#: TrueType outlines, which reportlab embeds; the Noto/Source Han packages ship CFF outlines,
#: which it cannot). Licence: LICENSES/wqy-microhei.txt.
FONT = "BriefSans"
FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "fonts/wqy-microhei.ttc"

# colours (RGB hex)
INK = "#1b1b1b"
MUTED = "#5f6368"
OVER = "#d6604d"  # a month above the target
UNDER = "#4393c3"  # a month at or below it
YTD = "#1f3b57"
TARGET = "#333333"
REQUIRED = "#e08214"
PROJECTION = "#762a83"
DEMO = "#c62828"
OUTLOOK_FILL = {"off_track": "#f6c9c4", "at_risk": "#fde3a7", "on_track": "#d3ebd1", "unknown": "#e8e8e8"}


@functools.cache
def register_font() -> str:
    """Register the CJK font once per process; a missing package is one clear line."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        path = resources.files(FONT_PACKAGE).joinpath(FONT_FILE)
        with resources.as_file(path) as real:
            pdfmetrics.registerFont(TTFont(FONT, str(real), subfontIndex=0))
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ConfigError(
            f"the brief's Chinese font is not installed ({exc})",
            message_zh="简报所需的中文字体未安装",
            hint="pip install -r requirements.txt (package paperang-p2-fonts-cjk)",
        ) from None
    return FONT


# -- the chart --------------------------------------------------------------------------------


def _nice_top(value: float) -> tuple[float, float]:
    """An axis top above ``value`` and its tick step (10 or 20 µg/m³, 5 for small values)."""
    step = 5.0 if value <= 30 else 10.0 if value <= 80 else 20.0
    top = step * (int(value / step) + 1)
    return top, step


def chart(brief: Brief, width: float, height: float) -> Any:
    """The district's months against the target: bars (monthly means, coloured by the
    target), the year-to-date line, the target, what the rest of the year may average, and
    the year-end projection with its range at the right."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
    from reportlab.lib import colors

    c = colors.HexColor
    d = Drawing(width, height, initialFontName=FONT, initialFontSize=6.5)
    months = brief.months
    dist = brief.district
    target = float(months["target"].dropna().iloc[0]) if months["target"].notna().any() else float("nan")
    values = [*months["monthly_mean"].dropna(), *months["ytd_mean"].dropna()]
    for key in ("projection_high", "projection", "required_rest_mean"):
        if not pd.isna(dist.get(key)):
            values.append(float(dist[key]))
    if target == target:
        values.append(target)
    top, step = _nice_top(max(values) * 1.08 if values else 50.0)
    left, right, bottom, legend_h = 30.0, 80.0, 30.0, 16.0
    x0, x1, y0, y1 = left, width - right, bottom, height - legend_h - 4
    slot = (x1 - x0) / 12

    def y(v: float) -> float:
        return y0 + (y1 - y0) * max(0.0, min(float(v), top)) / top

    def xc(month: int) -> float:
        return x0 + slot * (month - 0.5)

    def text(x: float, yy: float, s: str, size: float = 6.5, color: str = MUTED, anchor: str = "middle") -> None:
        d.add(String(x, yy, s, fontName=FONT, fontSize=size, fillColor=c(color), textAnchor=anchor))

    # grid and axis
    tick = 0.0
    while tick <= top + 1e-9:
        d.add(Line(x0, y(tick), x1, y(tick), strokeColor=c("#e3e3e3"), strokeWidth=0.4))
        text(x0 - 3, y(tick) - 2, f"{tick:g}", anchor="end")
        tick += step
    d.add(Line(x0, y0, x1, y0, strokeColor=c("#9e9e9e"), strokeWidth=0.6))
    text(x0 - 3, y1 + 4, UNIT, anchor="end")
    # bars
    for rec in months.to_dict("records"):
        m, mean, state = int(rec["month"]), rec["monthly_mean"], rec["month_state"]
        # under the axis: the month, its mean (a figure never collides with a line there)
        text(xc(m), y0 - 9, f"{m}月", size=6.8, color=INK if state != "future" else "#9e9e9e")
        text(xc(m), y0 - 18, num(mean), size=6.5, color=INK)
        if state == "in_progress":
            text(xc(m), y0 - 26, f"至{brief.through.day}日", size=5.8)
        if pd.isna(mean):
            continue
        over = target == target and float(mean) > target
        fill = c(OVER if over else UNDER)
        bar = Rect(xc(m) - slot * 0.3, y0, slot * 0.6, y(float(mean)) - y0, fillColor=fill, strokeColor=None)
        if state == "in_progress":
            bar.fillOpacity = 0.4
            bar.strokeColor, bar.strokeWidth, bar.strokeDashArray = fill, 0.6, [2, 1.5]
        d.add(bar)
    # the labels of the target and of the rest-of-year line, pushed apart when they would touch
    req = _figure(dist, "required_rest_mean")
    gap_pt = abs(y(target) - y(req)) if target == target and req == req else 99.0
    shift = max(0.0, (8.0 - gap_pt) / 2) * (1 if target == target and req == req and target >= req else -1)
    # target
    if target == target:
        d.add(Line(x0, y(target), x1, y(target), strokeColor=c(TARGET), strokeWidth=0.9, strokeDashArray=[4, 2]))
        text(x1 + 14, y(target) - 2 + shift, t("brief.chart.target", "zh", target=num(target, 0)), size=6.5, color=TARGET, anchor="start")
    # year to date
    ytd = months.dropna(subset=["ytd_mean"])
    if len(ytd):
        points: list[float] = []
        for rec in ytd.to_dict("records"):
            points += [xc(int(rec["month"])), y(float(rec["ytd_mean"]))]
        if len(points) >= 4:
            d.add(PolyLine(points, strokeColor=c(YTD), strokeWidth=1.4))
        for i in range(0, len(points), 2):
            d.add(Circle(points[i], points[i + 1], 1.6, fillColor=c(YTD), strokeColor=c("#ffffff"), strokeWidth=0.4))
    # the rest of the year: what it may average
    nxt = brief.through + dt.timedelta(days=1)
    if not pd.isna(req) and nxt.year == brief.through.year:
        # from the first day left (the month in progress, or the next month) to the year's end
        first_x = xc(nxt.month) - slot * 0.45
        d.add(Line(first_x, y(float(req)), x1, y(float(req)), strokeColor=c(REQUIRED), strokeWidth=1.3,
                   strokeDashArray=[1.5, 1.5]))
        text(x1 + 14, y(float(req)) - 2 - shift, t("brief.chart.required", "zh", value=num(req)), size=6.5, color=REQUIRED,
             anchor="start")
    # the projection with its range, just right of the plot (the labels of the lines go further right)
    proj = _figure(dist, "projection")
    if not pd.isna(proj):
        px = x1 + 7
        low, high = _figure(dist, "projection_low"), _figure(dist, "projection_high")
        top_y = y(float(proj)) + 3
        if not pd.isna(low) and not pd.isna(high):
            d.add(Line(px, y(float(low)), px, y(float(high)), strokeColor=c(PROJECTION), strokeWidth=1))
            for v in (low, high):
                d.add(Line(px - 2.5, y(float(v)), px + 2.5, y(float(v)), strokeColor=c(PROJECTION), strokeWidth=1))
            top_y = y(float(high))
        py = y(float(proj))
        d.add(Polygon([px, py + 3, px + 3, py, px, py - 3, px - 3, py], fillColor=c(PROJECTION), strokeColor=None))
        text(px - 4, top_y + 4, t("brief.chart.projection", "zh", value=num(proj)), size=6.5, color=PROJECTION,
             anchor="start")
    # legend
    ly = height - 9
    lx = x0
    items: list[tuple[str, str, str]] = [
        ("bar", OVER, "当月均值（高于目标）"), ("bar", UNDER, "当月均值（不高于目标）"),
        ("line", YTD, t("brief.chart.ytd", "zh")), ("dash", TARGET, "年度目标"),
    ]
    if not pd.isna(req):
        items.append(("dot", REQUIRED, "余下需日均"))
    if not pd.isna(proj):
        items.append(("diamond", PROJECTION, "预计全年（区间）"))
    for kind, color, label in items:
        if kind == "bar":
            d.add(Rect(lx, ly - 1, 7, 6, fillColor=c(color), strokeColor=None))
        elif kind == "diamond":
            d.add(Polygon([lx + 3.5, ly + 5, lx + 6.5, ly + 2, lx + 3.5, ly - 1, lx + 0.5, ly + 2],
                          fillColor=c(color), strokeColor=None))
        else:
            dash = {"dash": [3, 1.5], "dot": [1.5, 1.5]}.get(kind)
            d.add(Line(lx, ly + 2, lx + 9, ly + 2, strokeColor=c(color), strokeWidth=1.3, strokeDashArray=dash))
        text(lx + 11, ly, label, size=6.5, color=INK, anchor="start")
        lx += 14 + 6.5 * _width_units(label)
    return d


def _figure(row: dict[str, Any], key: str) -> float:
    """A figure of the district row; NaN when missing."""
    value = row.get(key)
    return float("nan") if value is None or pd.isna(value) else float(value)


def _width_units(label: str) -> float:
    """Width of ``label`` in ems (a CJK character is one, a Latin one about half)."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in label)


# -- the page ---------------------------------------------------------------------------------


def _table(brief: Brief, width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    head = [t(f"brief.col.{k}", "zh") for k in
            ("subdistrict", "ytd_mean", "target", "gap", "status", "projection", "range", "outlook", "required", "note")]
    rows: list[list[str]] = [head]
    frame = brief.subdistricts
    for rec in frame.to_dict("records"):
        gap = rec["gap"]
        rows.append([
            str(rec["subdistrict"]),
            num(rec["ytd_mean"]),
            num(rec["target"], 0),
            "—" if pd.isna(gap) else f"{float(gap):+.1f}",
            status_word(rec["status"]),
            num(rec["projection"]),
            "—" if pd.isna(rec["projection_low"]) else f"{num(rec['projection_low'])}–{num(rec['projection_high'])}",
            outlook_word(rec["outlook"]),
            "—" if rec["cannot_meet"] or pd.isna(rec["required_rest_mean"]) else num(rec["required_rest_mean"]),
            t("brief.cannot_meet_short", "zh", best=num(rec["best_possible_mean"])) if rec["cannot_meet"] else "",
        ])
    fractions = [0.085, 0.08, 0.055, 0.075, 0.08, 0.075, 0.105, 0.08, 0.1]
    widths = [width * f for f in fractions]
    widths.append(width - sum(widths))
    table = Table(rows, colWidths=widths, rowHeights=[12] + [10.6] * (len(rows) - 1), repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7.4),
        ("TEXTCOLOR", (0, 0), (-1, -1), colors.HexColor(INK)),
        ("ALIGN", (1, 0), (3, -1), "RIGHT"),
        ("ALIGN", (5, 0), (6, -1), "RIGHT"),
        ("ALIGN", (8, 0), (8, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf3")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#8a9bb0")),
        ("LINEBELOW", (0, 1), (-1, -2), 0.25, colors.HexColor("#dddddd")),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor("#8a9bb0")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f2f4f7")),
        ("TEXTCOLOR", (9, 1), (9, -1), colors.HexColor(DEMO)),
    ]
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        fill = OUTLOOK_FILL.get(str(rec["outlook"]), OUTLOOK_FILL["unknown"])
        style.append(("BACKGROUND", (7, i), (7, i), colors.HexColor(fill)))
        if rec["status"] == "exceeds":
            style.append(("TEXTCOLOR", (4, i), (4, i), colors.HexColor("#b3261e")))
    table.setStyle(TableStyle(style))
    return table


def _appendix_widths(frame: pd.DataFrame, width: float) -> list[float]:
    """Columns as wide as their longest text (in ems), shared out over the page width."""
    ems = [max([_width_units(str(c)), *(_width_units(str(v)) for v in frame[c])]) + 1 for c in frame.columns]
    total = sum(ems) or 1.0
    return [width * e / total for e in ems]


def render(brief: Brief) -> bytes:
    """The brief as an A4 PDF: page 1 is the brief; entered appendices follow on page 2."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_font()
    margin_x, margin_top, margin_bottom = 14 * mm, 12 * mm, 13 * mm
    width = A4[0] - 2 * margin_x

    def style(name: str, size: float, leading: float, color: str = INK, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading, textColor=colors.HexColor(color), **kw)

    h1 = style("h1", 15, 19, spaceAfter=1)
    sub = style("sub", 7.5, 10, MUTED, spaceAfter=3)
    demo = style("demo", 8, 10.5, DEMO, spaceAfter=3)
    lead = style("lead", 11, 16, INK, backColor=colors.HexColor("#f3f6fa"), borderPadding=(5, 6, 5, 6),
                 spaceBefore=4, spaceAfter=8)
    h2 = style("h2", 9.5, 12, "#1f3b57", spaceBefore=5, spaceAfter=3)
    small = style("small", 6.6, 8.6, MUTED)
    cell = style("cell", 7.4, 9.2)

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story: list[Any] = [
        Paragraph(esc(brief.title), h1),
        Paragraph(esc(f"数据截至 {brief.through.year}年{brief.through.month}月{brief.through.day}日"
                      f"　·　{brief.generated_text}"
                      + ("　·　扣除例外事件" if brief.exclude_events else "")), sub),
    ]
    if brief.demo:
        story.append(Paragraph(esc(t("brief.demo", "zh")), demo))
    story.append(Paragraph(esc(brief.headline), lead))
    story.append(Paragraph(esc(t("brief.chart_title", "zh")), h2))
    story.append(chart(brief, width, 62 * mm))
    story.append(Paragraph(esc(t("brief.table_title", "zh")), h2))
    story.append(_table(brief, width))
    footer: list[Any] = [Spacer(1, 3 * mm)]
    if brief.appendix.not_entered:
        footer.append(Paragraph(esc(brief.appendix.not_entered + "。"), small))
    footer.append(Paragraph(esc(t("brief.method_title", "zh") + "："), small))
    for i, line in enumerate(brief.method, start=1):
        footer.append(Paragraph(esc(f"{i}. {line}"), small))
    for note in brief.notes[:3]:
        footer.append(Paragraph(esc(f"注：{note}"), small))
    story.append(KeepTogether(footer))
    # the appendix (only what analysts entered) follows the method; a short one stays on the
    # page, a long one flows on to page 2
    if brief.appendix.sections:
        story.append(Paragraph(esc(t("brief.appendix", "zh")), h2))
        for caption, frame in brief.appendix.sections:
            rows = [[Paragraph(esc(str(c)), cell) for c in frame.columns]]
            rows += [[Paragraph(esc(num(v) if isinstance(v, float) else str(v)), cell) for v in rec]
                     for rec in frame.to_numpy(dtype=object)]
            widths = _appendix_widths(frame, width)
            tbl = Table(rows, colWidths=widths, repeatRows=1)
            tbl.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#dddddd")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf3")),
                ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]))
            story.append(KeepTogether([Paragraph(esc(caption), small), tbl]))

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 6.5)
        canvas.setFillColor(colors.HexColor(MUTED))
        canvas.drawString(margin_x, 7 * mm, f"西城区空气质量目标监测　·　{brief.generated_text}")
        canvas.drawRightString(A4[0] - margin_x, 7 * mm, f"第 {doc.page} 页")
        if brief.demo:
            # a mark no reader can miss, on every page: a red stamp at the top right and a
            # faint diagonal word across the page
            mark = t("brief.demo_mark", "zh")
            canvas.setStrokeColor(colors.HexColor(DEMO))
            canvas.setFillColor(colors.HexColor(DEMO))
            canvas.setLineWidth(1.2)
            w = 30 * mm
            canvas.roundRect(A4[0] - margin_x - w, A4[1] - 10.5 * mm - 6 * mm, w, 9 * mm, 1.5 * mm, stroke=1, fill=0)
            canvas.setFont(font, 13)
            canvas.drawCentredString(A4[0] - margin_x - w / 2, A4[1] - 10.5 * mm - 3.2 * mm, mark)
            canvas.setFillAlpha(0.06)
            canvas.setFont(font, 88)
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, -30, mark)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin_x, rightMargin=margin_x, topMargin=margin_top,
                            bottomMargin=margin_bottom, title=brief.title, author="西城区空气质量目标监测",
                            subject=("演示数据 · " if brief.demo else "") + brief.headline, invariant=1,
                            # no default Helvetica (never embedded): every font in the file is the embedded one
                            initialFontName=font, initialFontSize=8, initialLeading=10)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
