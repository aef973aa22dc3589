"""The brief as a workbook: the same content as the page, numbers as numbers (with number
formats), words in their own cells, a note column for what a number cannot say."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from monitoring import exports
from monitoring.brief.content import UNIT, Brief, outlook_word, status_word
from monitoring.i18n import t

#: Number formats: means to one decimal (as published), targets whole, gaps signed, days whole.
FORMATS = {"mean": "0.0", "target": "0", "gap": "+0.0;-0.0;0.0", "days": "0", "month": '0"月"'}

#: (column key, label key, kind) of the subdistrict table.
SUBDISTRICT_LAYOUT: list[tuple[str, str, str]] = [
    ("subdistrict", "subdistrict", "text"), ("ytd_mean", "ytd_mean", "mean"), ("target", "target", "target"),
    ("gap", "gap", "gap"), ("valid_days", "valid_days", "days"), ("status", "status", "status"),
    ("projection", "projection", "mean"), ("projection_low", "projection_low", "mean"),
    ("projection_high", "projection_high", "mean"), ("outlook", "outlook", "outlook"),
    ("required_rest_mean", "required", "mean"), ("note", "note", "text"),
]
MONTH_LAYOUT: list[tuple[str, str, str]] = [
    ("month", "month", "month"), ("monthly_mean", "monthly_mean", "mean"), ("monthly_valid_days", "monthly_valid_days", "days"),
    ("monthly_days", "monthly_days", "days"), ("month_state", "month_state", "state"), ("ytd_mean", "ytd_mean", "mean"),
    ("target", "target", "target"),
]


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def render(brief: Brief) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    book.set_properties({"title": brief.title, "author": "西城区空气质量目标监测",
                         "subject": ("演示数据 · " if brief.demo else "") + brief.headline,
                         "comments": t("brief.demo", "zh") if brief.demo else ""})
    fmt = {k: book.add_format({"num_format": v}) for k, v in FORMATS.items()}
    title = book.add_format({"bold": True, "font_size": 14})
    demo = book.add_format({"bold": True, "font_color": "#C62828", "font_size": 12})
    lead = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F3F6FA"})
    head = book.add_format({"bold": True, "bg_color": "#E6ECF3", "border": 1, "text_wrap": True, "valign": "vcenter"})
    section = book.add_format({"bold": True, "font_color": "#1F3B57"})
    muted = book.add_format({"font_color": "#5F6368"})
    sheet = book.add_worksheet("简报")
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 10, 10)
    sheet.set_column(11, 11, 40)
    row = 0
    sheet.write_string(row, 0, brief.title, title)
    row += 1
    if brief.demo:
        sheet.write_string(row, 0, t("brief.demo", "zh"), demo)
        row += 1
    sheet.merge_range(row, 0, row, 11, brief.headline, lead)
    sheet.set_row(row, 34)
    row += 1
    stamp = f"数据截至 {brief.through:%Y-%m-%d}；{brief.generated_text}；单位 {UNIT}" + ("；扣除例外事件" if brief.exclude_events else "")
    sheet.write_string(row, 0, stamp, muted)
    row += 2

    def table(caption: str, frame: pd.DataFrame, layout: list[tuple[str, str, str]], start: int) -> int:
        sheet.write_string(start, 0, caption, section)
        start += 1
        for c, (_, label, _) in enumerate(layout):
            sheet.write_string(start, c, t(f"brief.col.{label}", "zh"), head)
        for r, rec in enumerate(frame.to_dict("records"), start=start + 1):
            for c, (key, _, kind) in enumerate(layout):
                value = rec.get(key)
                if kind in FORMATS:
                    if _missing(value):
                        sheet.write_blank(r, c, None)
                    else:
                        sheet.write_number(r, c, float(value), fmt[kind])
                elif kind == "status":
                    sheet.write_string(r, c, status_word(value))
                elif kind == "outlook":
                    sheet.write_string(r, c, outlook_word(value))
                elif kind == "state":
                    sheet.write_string(r, c, t(f"brief.month_state.{value}", "zh"))
                elif _missing(value) or value == "":
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write_string(r, c, str(exports.neutralise_text(str(value))))
        return start + 1 + len(frame) + 1

    row = table(t("brief.table_title", "zh"), brief.subdistricts, SUBDISTRICT_LAYOUT, row)
    row = table(t("brief.months_title", "zh"), brief.months, MONTH_LAYOUT, row)
    sheet.write_string(row, 0, t("brief.method_title", "zh"), section)
    row += 1
    for i, line in enumerate(brief.method, start=1):
        sheet.write_string(row, 0, f"{i}. {line}")
        row += 1
    for note in brief.notes:
        sheet.write_string(row, 0, "注：" + str(exports.neutralise_text(note)))
        row += 1
    if brief.appendix.not_entered:
        sheet.write_string(row, 0, brief.appendix.not_entered, muted)
        row += 1
    taken = ["简报"]
    for caption, frame in brief.appendix.sections:
        name = exports.sheet_name(caption, taken)
        taken.append(name)
        lines = [caption] + ([t("brief.demo", "zh")] if brief.demo else [])
        exports.write_sheet(book, name, frame, title_lines=lines)
    book.close()
    return buffer.getvalue()
