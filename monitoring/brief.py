"""The monthly brief: one page, in Chinese, that a leader can forward (XLSX and PDF).

It is made from ``Report`` objects the pages already hold (district indicators, monthly
progress, the subdistricts' budget), so the brief shows exactly the numbers of the
screen. Nothing here computes a figure: it selects, orders (subdistricts at risk first),
labels and lays out. The PDF uses reportlab's built-in CID font ``STSong-Light``, which
needs no font file on the server.

Hook for other sections (indicators entered by analysts, key tasks): pass
``extra_sections=[(title, frame), …]``; each is added under the standard sections, in
both the workbook (a sheet each) and the PDF (a table each).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from monitoring import exports
from monitoring.i18n import t

#: The CID font built into reportlab for Simplified Chinese.
PDF_FONT = "STSong-Light"
#: Subdistricts most in need of attention come first.
STATUS_ORDER = {"off_track": 0, "at_risk": 1, "exceeds": 1, "fails": 0, "unknown": 2, "incomplete": 2,
                "no_data": 3, "on_track": 4, "meets": 4}


class ReportLike(Protocol):
    """What the brief needs of a ``monitoring.reports.Report``."""

    frame: pd.DataFrame
    method: dict[str, str]
    notes: list[str]


@dataclass(frozen=True)
class BriefInput:
    """The reports a brief is made of."""

    year: int
    through: dt.date | None
    district: ReportLike
    progress: ReportLike
    budget: ReportLike
    extra_sections: Sequence[tuple[str, pd.DataFrame]] = field(default_factory=tuple)
    generated: dt.datetime | None = None


def _num(value: Any, decimals: int = 1) -> str:
    if value is None:
        return "—"
    try:
        if pd.isna(value):
            return "—"
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))  # counts stay whole numbers
    if isinstance(value, float | np.floating):
        return f"{value:.{decimals}f}"
    return str(value)


def _status(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return t("ui.status.unknown", "zh")
    return t(f"ui.status.{value}", "zh")


def _required(value: Any) -> str:
    """The mean the rest of the year must stay under; below zero the target can no longer be met."""
    text = _num(value)
    if text != "—" and float(value) < 0:
        return f"{text}（已无法实现）"
    return text


def _unit(unit: Any) -> str:
    # STSong-Light lacks "µ" and "³": the PDF and the brief write the unit out in Chinese.
    return {"µg/m³": "微克/立方米", "mg/m³": "毫克/立方米"}.get(str(unit), str(unit))


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series([None] * len(frame), index=frame.index, dtype=object)


def indicator_table(district: ReportLike) -> pd.DataFrame:
    frame = district.frame
    if frame.empty:
        return pd.DataFrame(columns=["指标", "当前值", "目标", "差距", "单位", "状态"])
    decimals = [0 if str(u) == "天" else 1 for u in _col(frame, "unit")]
    return pd.DataFrame({
        "指标": _col(frame, "name").astype(str),
        "当前值": [_num(v, d) for v, d in zip(_col(frame, "value"), decimals, strict=True)],
        "目标": [_num(v, d) for v, d in zip(_col(frame, "target"), decimals, strict=True)],
        "差距": [_num(v, d) for v, d in zip(_col(frame, "gap"), decimals, strict=True)],
        "单位": _col(frame, "unit").map(_unit),
        "状态": _col(frame, "status").map(_status),
    })


def progress_table(progress: ReportLike) -> pd.DataFrame:
    frame = progress.frame
    if frame.empty:
        return pd.DataFrame(columns=["月份", "当月均值", "累计均值", "目标", "余下日均需≤", "全年预测", "状态"])
    has_any = frame[[c for c in ("monthly_mean", "ytd_mean") if c in frame.columns]].notna().any(axis=1)
    shown = frame[has_any]
    return pd.DataFrame({
        "月份": _col(shown, "month").map(lambda m: f"{int(m)}月"),
        "当月均值": _col(shown, "monthly_mean").map(_num),
        "累计均值": _col(shown, "ytd_mean").map(_num),
        "目标": _col(shown, "target").map(lambda v: _num(v, 0)),
        "余下日均需≤": _col(shown, "required_rest_mean").map(_required),
        "全年预测": _col(shown, "projection").map(_num),
        "状态": _col(shown, "status").map(_status),
    })


def subdistrict_table(budget: ReportLike) -> pd.DataFrame:
    frame = budget.frame
    if frame.empty:
        return pd.DataFrame(columns=["街道", "目标", "累计均值", "全年预测", "预测区间", "余下日均需≤", "状态"])
    order = _col(frame, "status").map(lambda s: STATUS_ORDER.get(str(s), 2))
    # The district row (area code …000000) closes the table, after the 15 subdistricts.
    district = _col(frame, "code").astype(str).str.endswith("000000")
    ranked = frame.assign(_order=order, _district=district).sort_values(
        ["_district", "_order", "projection"], ascending=[True, True, False], na_position="last", kind="stable")
    low, high = _col(ranked, "projection_low"), _col(ranked, "projection_high")
    return pd.DataFrame({
        "街道": _col(ranked, "subdistrict").astype(str),
        "目标": _col(ranked, "target").map(lambda v: _num(v, 0)),
        "累计均值": _col(ranked, "ytd_mean").map(_num),
        "全年预测": _col(ranked, "projection").map(_num),
        "预测区间": [f"{_num(a)}–{_num(b)}" if _num(a) != "—" else "—" for a, b in zip(low, high, strict=True)],
        "余下日均需≤": _col(ranked, "required_rest_mean").map(_required),
        "状态": _col(ranked, "status").map(_status),
    })


def title(brief: BriefInput) -> str:
    if brief.through is not None:
        return f"西城区空气质量目标月度简报（{brief.year}年1—{brief.through.month}月，截至{brief.through:%Y-%m-%d}）"
    return f"西城区空气质量目标月度简报（{brief.year}年）"


def method_lines(brief: BriefInput) -> list[str]:
    """The rules behind the numbers, in Chinese (the report methods' Chinese keys)."""
    lines: list[str] = []
    seen: set[str] = set()
    labels = {"period": "时段", "rule": "方法", "validity": "有效性", "rounding": "修约", "events": "例外事件",
              "status_rule": "判定规则", "projection": "预测方法"}
    for report in (brief.district, brief.progress, brief.budget):
        for key, value in report.method.items():
            # Only the keys a reader of the brief needs; every rule stays on the dashboard.
            if key not in labels or not value or value in seen:
                continue
            seen.add(value)
            lines.append(f"{labels.get(key, key)}：{value}")
    return lines


def sections(brief: BriefInput) -> list[tuple[str, pd.DataFrame]]:
    """The brief's tables, in order, with Chinese titles."""
    out = [
        ("一、区级指标（附4，可由监测数据计算的部分）", indicator_table(brief.district)),
        ("二、PM2.5 逐月进展（全区）", progress_table(brief.progress)),
        ("三、各街道全年目标预判（风险大者在前）", subdistrict_table(brief.budget)),
    ]
    out.extend(brief.extra_sections)
    return out


def notes(brief: BriefInput) -> list[str]:
    items: list[str] = []
    for report in (brief.district, brief.progress, brief.budget):
        for note in report.notes:
            if note not in items:
                items.append(note)
    return items


def brief_xlsx(brief: BriefInput) -> bytes:
    """The brief as a workbook: a cover sheet with every section, then one sheet per section."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "font_size": 14})
    head = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("简报")
    sheet.set_column(0, 7, 14)
    sheet.write_string(0, 0, title(brief), bold)
    row = 2
    for caption, frame in sections(brief):
        sheet.write_string(row, 0, str(exports.neutralise_text(caption)), head)
        row += 1
        safe = exports.neutralise(frame)
        for c, name in enumerate(safe.columns):
            sheet.write_string(row, c, str(name), head)
        for r, values in enumerate(safe.astype(object).to_numpy(), start=row + 1):
            for c, value in enumerate(values):
                if value is None or (isinstance(value, float) and pd.isna(value)):
                    sheet.write_blank(r, c, None)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        row += len(safe) + 2
    for line in method_lines(brief) + notes(brief):
        sheet.write_string(row, 0, str(exports.neutralise_text(line)))
        row += 1
    stamp = brief.generated or dt.datetime.now()
    sheet.write_string(row + 1, 0, f"生成时间：{stamp:%Y-%m-%d %H:%M}（西城区空气质量目标监测）")
    taken = ["简报"]
    for caption, frame in sections(brief):
        name = exports.sheet_name(caption.split("、", 1)[-1], taken)
        taken.append(name)
        exports.write_sheet(workbook, name, frame, title_lines=[caption])
    workbook.close()
    return buffer.getvalue()


#: Characters outside the CID font's character set (GBK), written as the nearest ones inside it.
_PDF_FALLBACK = {"\u2212": "-", "\u2013": "-", "\u2264": "≤", "\u2265": "≥", "\u00b3": "3", "\u00b2": "2",
                 "\u00b5": "u", "\u03bc": "μ", "\u2248": "≈", "\u2192": "→"}


def gbk_safe(text: str) -> str:
    """Text the PDF's Chinese font can draw: a character outside GBK becomes its nearest ASCII stand-in."""
    out = []
    for ch in text:
        try:
            ch.encode("gbk")
            out.append(ch)
        except UnicodeEncodeError:
            fallback = _PDF_FALLBACK.get(ch, "?")
            try:
                fallback.encode("gbk")
            except UnicodeEncodeError:
                fallback = "?"
            out.append(fallback)
    return "".join(out)


def brief_pdf(brief: BriefInput) -> bytes:
    """The brief as an A4 PDF in Chinese (one page for the standard sections)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    h1 = ParagraphStyle("h1", fontName=PDF_FONT, fontSize=13, leading=17, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=PDF_FONT, fontSize=10, leading=13, spaceBefore=5, spaceAfter=2)
    small = ParagraphStyle("small", fontName=PDF_FONT, fontSize=6.8, leading=8.6)
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=7.5, leading=9)

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def pdf_text(text: str) -> str:
        return esc(gbk_safe(text.replace("µg/m³", "微克/立方米").replace("mg/m³", "毫克/立方米")))

    def add_table(story: list[Any], caption: str, frame: pd.DataFrame) -> None:
        story.append(Paragraph(esc(caption), h2))
        if frame.empty:
            story.append(Paragraph("（无数据）", cell))
            return
        rows = [[Paragraph(pdf_text(str(c)), cell) for c in frame.columns]]
        rows += [[Paragraph(pdf_text(_num(v)), cell) for v in record] for record in frame.to_numpy(dtype=object)]
        width = (A4[0] - 24 * mm) / max(1, len(frame.columns))
        tbl = Table(rows, colWidths=[width] * len(frame.columns), repeatRows=1)
        tbl.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE5F0")),
            ("TOPPADDING", (0, 0), (-1, -1), 0.6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        story.append(tbl)

    # Page 1 is the brief itself; the action plan's tables (extra_sections) follow as an
    # appendix so the page a leader forwards stays one page.
    story: list[Any] = [Paragraph(esc(title(brief)), h1)]
    standard = sections(brief)[: len(sections(brief)) - len(brief.extra_sections)]
    for caption, frame in standard:
        add_table(story, caption, frame)
    story.append(Spacer(1, 3 * mm))
    for line in method_lines(brief) + notes(brief)[:6]:
        story.append(Paragraph(pdf_text(line), small))
    stamp = brief.generated or dt.datetime.now()
    story.append(Paragraph(f"生成时间：{stamp:%Y-%m-%d %H:%M}（西城区空气质量目标监测）", small))
    if brief.extra_sections:
        story.append(PageBreak())
        story.append(Paragraph(esc("附页：2026年行动计划指标与重点任务进展"), h1))
        for caption, frame in brief.extra_sections:
            add_table(story, caption, frame)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=10 * mm,
                            bottomMargin=10 * mm, title=title(brief), author="西城区空气质量目标监测")
    doc.build(story)
    return buffer.getvalue()
