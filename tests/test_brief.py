"""The monthly brief: one page in Chinese (PDF) and a workbook, made from the reports."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from monitoring import brief, reports
from monitoring.targets import Targets

THROUGH = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def material(seeded_template: str, targets: Targets) -> brief.BriefInput:
    from monitoring.storage.engine import make_engine

    engine: Engine = make_engine(f"sqlite:///{seeded_template}")
    try:
        return brief.BriefInput(
            year=2026, through=THROUGH,
            district=reports.district(engine, targets, year=2026, through=THROUGH),
            progress=reports.progress(engine, targets, year=2026),
            budget=reports.budget(engine, targets, year=2026, through=THROUGH),
            generated=dt.datetime(2026, 11, 22, 9, 0),
        )
    finally:
        engine.dispose()


def test_pdf_is_one_page_in_chinese(material: brief.BriefInput) -> None:
    data = brief.brief_pdf(material)
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 1
    assert b"STSong-Light" in data  # the built-in CJK font: no font file needed on the server


def test_sections_put_subdistricts_at_risk_first(material: brief.BriefInput) -> None:
    (_, indicators), (_, months), (_, subdistricts) = brief.sections(material)
    assert indicators["指标"].tolist()[0] == "PM2.5年均浓度"
    assert months["月份"].tolist()[0] == "1月" and "12月" not in months["月份"].tolist()  # December is still ahead
    order = {"难以达标": 0, "有风险": 1, "暂无法判断": 2, "可望达标": 3}
    statuses = subdistricts["状态"].tolist()
    assert subdistricts["街道"].tolist()[-1] == "西城区"  # the district closes the table
    assert [order[s] for s in statuses[:-1]] == sorted(order[s] for s in statuses[:-1])
    assert len(subdistricts) == 16


def test_a_target_that_can_no_longer_be_met_is_said_so() -> None:
    assert brief._required(-6.1) == "-6.1（已无法实现）"
    assert brief._required(19.5) == "19.5"
    assert brief._required(float("nan")) == "—"


def test_workbook_has_the_cover_and_a_sheet_per_section(material: brief.BriefInput) -> None:
    data = brief.brief_xlsx(material)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "简报" and len(book.sheetnames) == 4
    cover = book["简报"]
    assert str(cover["A1"].value).startswith("西城区空气质量目标月度简报（2026年1—11月")
    values = [c.value for row in cover.iter_rows() for c in row if c.value is not None]
    assert any("GB/T 8170" in str(v) for v in values)  # the method travels with the numbers


def test_extra_sections_hook_adds_tables(material: brief.BriefInput) -> None:
    extra = pd.DataFrame({"任务": ["=危险", "道路保洁"], "状态": ["进行中", "已完成"]})
    with_extra = brief.BriefInput(**{**material.__dict__, "extra_sections": [("四、重点任务", extra)]})
    assert [title for title, _ in brief.sections(with_extra)][-1] == "四、重点任务"
    book = openpyxl.load_workbook(io.BytesIO(brief.brief_xlsx(with_extra)))
    assert len(book.sheetnames) == 5
    cells = [c.value for row in book.worksheets[-1].iter_rows() for c in row]
    assert "'=危险" in cells  # exports stay formula-safe in the brief too
    assert brief.brief_pdf(with_extra).startswith(b"%PDF")


def test_pdf_text_only_uses_characters_the_font_has() -> None:
    assert brief.gbk_safe("目标−1，µg/m³") == "目标-1，ug/m3"
