"""The monthly brief: one A4 page a director can hand out, and its workbook.

Real databases (the seeded history + demo year through 21 November 2026, or a demo year
built through 1 December), real PDF tools (poppler's pdfinfo, pdffonts, pdftotext,
pdftoppm) and openpyxl reading the workbook back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from monitoring import brief, cli, plan
from monitoring.actors import Actor
from monitoring.brief import content
from monitoring.i18n import t
from monitoring.rules import verdict
from monitoring.targets import Targets

ARTIFACTS = Path(__file__).parent / "artifacts"
GENERATED = dt.datetime(2026, 12, 1, 20, 15)
#: Every word the brief may use for a verdict (the contract's, nothing else).
VERDICT_WORDS = {t(f"status.{s}", "zh") for s in verdict.STATUSES} | {t(f"outlook.{o}", "zh") for o in verdict.OUTLOOKS}

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture(autouse=True)
def _as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    """The as-of day the demo data were made for (a brief never runs past it)."""
    monkeypatch.setenv("MONITOR_TODAY", "2026-12-01")


def _poppler(tool: str, path: Path, *args: str) -> str:
    return subprocess.run([tool, *args, str(path)], capture_output=True, text=True, check=True).stdout


def _pdf_text(data: bytes, tmp_path: Path, name: str = "brief.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def december(tmp_path_factory: pytest.TempPathFactory, targets: Targets) -> str:
    """A database whose data end on 1 December 2026 (history + demo year)."""
    from monitoring.bootstrap import init_database
    from monitoring.storage.engine import make_engine

    path = tmp_path_factory.mktemp("december") / "dec.db"
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine, targets, load_data=True, with_demo=True, now=dt.datetime(2026, 12, 1, 23, 0))
    engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def november(module_seeded_db: Engine, targets: Targets) -> brief.Brief:
    """The November brief of the seeded data, built once for the tests that only read it."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MONITOR_TODAY", "2026-12-01")  # _as_of's day: module fixtures come before it
        return brief.build(module_seeded_db, targets, year=2026, month=11, generated=GENERATED)


# -- the period, the headline ------------------------------------------------------------------


def test_the_period_is_named_by_its_last_day() -> None:
    assert brief.period_name(dt.date(2026, 12, 1)) == "1月1日—12月1日"  # never "1—12月"
    assert brief.period_name(dt.date(2026, 11, 30)) == "1—11月"
    assert brief.period_name(dt.date(2026, 1, 31)) == "1月"
    assert brief.rest_name(dt.date(2026, 11, 30)) == "12月"
    assert brief.rest_name(dt.date(2026, 10, 31)) == "11—12月"
    assert brief.rest_name(dt.date(2026, 12, 1)) == "12月2日—12月31日"


@needs_poppler
def test_data_ending_1_december_one_page_chart_demo_mark_embedded_font(
    december: str, targets: Targets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitoring.storage.engine import make_engine

    engine = make_engine(december)
    try:
        b = brief.build(engine, targets, year=2026, month=12, generated=GENERATED)
    finally:
        engine.dispose()
    assert b.through == dt.date(2026, 12, 1) and b.demo
    assert "1月1日—12月1日" in b.title and "1—12月" not in b.title
    d = b.district
    # the headline answers: so far, against the target, the year-end outlook, what the rest may average
    assert b.headline.startswith(f"1月1日—12月1日累计 {d['ytd_mean']:.1f} µg/m³，高于目标 {d['gap']:.1f}（累计超标）")
    assert f"预计全年 {d['projection']:.1f}（{d['projection_low']:.1f}–{d['projection_high']:.1f}）" in b.headline
    assert f"12月2日—12月31日需日均 ≤ {d['required_rest_mean']:.1f}" in b.headline
    assert b.months.set_index("month").loc[12, "month_state"] == "in_progress"
    assert b.months.set_index("month").loc[12, "monthly_days"] == 1

    data = brief.render(b, "pdf")
    path = tmp_path / "brief.pdf"
    path.write_bytes(data)
    info = _poppler("pdfinfo", path)
    assert "Pages:           1" in info and "595.276 x 841.89" in info  # one A4 page
    fonts = _poppler("pdffonts", path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded
    assert not any("Helvetica" in line for line in fonts)
    text = _pdf_text(data, tmp_path)
    assert "演示数据" in text
    assert "生成时间：2026-12-01 20:15（北京时间）" in text
    assert "future" not in text and "（已无法实现\n" not in text
    # the chart is vector: drawn into the page, no image in the file
    assert b"/Subtype /Image" not in data
    # each rule once
    for rule in ("累计达标/累计超标：", "全年预判：年度已结束时", "余下需日均 = "):
        assert text.count(rule) == 1, rule
    # the picture a reviewer looks at
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(ARTIFACTS / "brief")], check=True)
    assert (ARTIFACTS / "brief.png").stat().st_size > 10_000


def test_the_as_of_day_caps_the_period(seeded_db: Engine, targets: Targets, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TODAY", "2026-11-15")  # the data run to 21 November
    b = brief.build(seeded_db, targets, year=2026, month=11, generated=GENERATED)
    assert b.through == dt.date(2026, 11, 15) and b.period == "1月1日—11月15日"
    assert b.months.set_index("month").loc[11, "monthly_days"] == 15


def test_subdistricts_most_at_risk_first_in_the_verdict_words(november: brief.Brief, targets: Targets) -> None:
    b = november
    table = b.subdistricts
    assert len(table) == 16 and table["subdistrict"].iloc[-1] == targets.district.name
    order = [verdict.OUTLOOK_ORDER[o] for o in table["outlook"].iloc[:-1]]
    assert order == sorted(order)
    assert set(table["status"]) <= set(verdict.STATUSES) and set(table["outlook"]) <= set(verdict.OUTLOOKS)
    words = {content.status_word(s) for s in table["status"]} | {content.outlook_word(o) for o in table["outlook"]}
    assert words <= VERDICT_WORDS


def test_a_target_that_can_no_longer_be_met_is_a_note_not_a_negative_number(targets: Targets) -> None:
    from monitoring.reports.projection import _budget_row
    from monitoring.rules.budget import Profile

    # 300 valid days at 40 µg/m³ through 27 October, target 28: even zero for the rest ends at 32.9
    days = pd.DataFrame({"day": [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(300)], "value": 40.0})
    row = _budget_row(days, dt.date(2026, 10, 27), 28.0, Profile((), np.zeros((0, 12))), targets,
                      year_over=False, complete=True)
    assert row["cannot_meet"] and np.isnan(row["required_rest_mean"])
    assert row["best_possible_mean"] == pytest.approx(40 * 300 / 365, abs=0.05)
    assert row["status"] == "exceeds" and row["outlook"] == "off_track"
    assert content.note_for(row) == f"已无法实现：全年至少 {row['best_possible_mean']:.1f}，高于目标 {row['best_gap']:.1f}"


# -- the workbook ---------------------------------------------------------------------------------


def _header_row(sheet: openpyxl.worksheet.worksheet.Worksheet, first: str, second: str) -> int:
    for row in sheet.iter_rows():
        if row[0].value == first and row[1].value == second:
            return row[0].row
    raise AssertionError(f"no header {first}, {second}")


def test_workbook_holds_numbers_as_numbers_and_notes_in_their_own_column(november: brief.Brief) -> None:
    b = november
    book = openpyxl.load_workbook(io.BytesIO(brief.render(b, "xlsx")))
    sheet = book["简报"]
    assert sheet["A1"].value == b.title
    assert "演示数据" in str(sheet["A2"].value)  # the demo mark, right under the title
    head = _header_row(sheet, "街道", "累计均值")
    columns = {sheet.cell(head, c).value: c for c in range(1, 13)}
    rows = list(range(head + 1, head + 17))
    for r in rows:
        mean = sheet.cell(r, columns["累计均值"])
        assert mean.data_type == "n" and isinstance(mean.value, int | float) and mean.number_format == "0.0"
        assert sheet.cell(r, columns["目标"]).number_format == "0"
        assert sheet.cell(r, columns["与目标差"]).number_format == "+0.0;-0.0;0.0"
        assert sheet.cell(r, columns["累计"]).value in VERDICT_WORDS
        assert sheet.cell(r, columns["全年预判"]).value in VERDICT_WORDS
    cannot = [r for r in rows if str(sheet.cell(r, columns["说明"]).value or "").startswith("已无法实现：全年至少")]
    assert cannot, "the demo year has subdistricts that can no longer meet their target"
    for r in cannot:
        assert sheet.cell(r, columns["余下需日均 ≤"]).value is None  # the number cell stays empty
    for r in rows:
        required = sheet.cell(r, columns["余下需日均 ≤"])
        assert required.value is None or (required.data_type == "n" and required.value >= 0)
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("'") for v in texts)  # no number stored as text behind an apostrophe
    month_head = _header_row(sheet, "月份", "当月均值")
    assert sheet.cell(month_head + 1, 1).value == 1 and sheet.cell(month_head + 1, 1).number_format == '0"月"'
    assert sheet.cell(month_head + 12, 2).value is None  # December is still ahead
    assert sheet.cell(month_head + 12, 5).value == "未到"


# -- the appendix -----------------------------------------------------------------------------------


def test_appendix_only_when_something_is_entered(seeded_db: Engine, targets: Targets) -> None:
    engine = seeded_db  # history + demo year, a private copy: this test writes
    b = brief.build(engine, targets, year=2026, month=11, generated=GENERATED)
    titles = [title for title, _ in b.appendix.sections]
    assert t("plan.brief.indicators", "zh") not in titles and t("plan.brief.tasks", "zh") not in titles
    assert b.appendix.not_entered.startswith("附录未列：附4指标（已填报 0/")
    assert "重点任务进展（已填报 0/179 项措施）" in b.appendix.not_entered
    plan.enter_indicator_value(engine, targets, "truck_nev_share", "2026-06-30", 28, "", Actor("wang", "analyst"))
    after = brief.build(engine, targets, year=2026, month=11, generated=GENERATED)
    assert t("plan.brief.indicators", "zh") in [title for title, _ in after.appendix.sections]
    assert "附4指标" not in after.appendix.not_entered
    book = openpyxl.load_workbook(io.BytesIO(brief.render(after, "xlsx")))
    assert len(book.sheetnames) == 1 + len(after.appendix.sections)


def test_no_demo_data_no_demo_mark(make_db: Callable[..., Engine], targets: Targets, tmp_path: Path) -> None:
    engine = make_db(load=True)  # the real station history only
    b = brief.build(engine, targets, year=2016, month=12, generated=GENERATED)
    assert not b.demo and b.through == dt.date(2016, 12, 31)
    assert b.headline.startswith("全年 ")  # a finished year: its result, no "rest of the year"
    assert "需日均" not in b.headline
    assert not b.appendix.sections and not b.appendix.not_entered  # the 2026 action plan is not 2016's
    book = openpyxl.load_workbook(io.BytesIO(brief.render(b, "xlsx")))
    assert not any("演示数据" in str(c.value) for row in book["简报"].iter_rows() for c in row if c.value)
    if shutil.which("pdftotext"):
        assert "演示数据" not in _pdf_text(brief.render(b, "pdf"), tmp_path)


# -- the command line and the page ---------------------------------------------------------------------


@needs_poppler
def test_the_command_writes_what_the_page_offers(
    seeded_db: Engine, targets: Targets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", _url(seeded_db))
    for fmt in brief.FORMATS:
        out = tmp_path / f"cli.{fmt}"
        assert cli.main(["brief", "--year", "2026", "--month", "11", "--out", str(out)]) == 0
        # what pages/progress.py's download button calls
        page = brief.make(seeded_db, targets, year=2026, month=11, fmt=fmt)
        if fmt == "pdf":
            strip = [line for line in _pdf_text(out.read_bytes(), tmp_path, "a.pdf").splitlines() if "生成时间" not in line]
            assert strip == [line for line in _pdf_text(page, tmp_path, "b.pdf").splitlines() if "生成时间" not in line]
        else:
            def cells(data: bytes) -> list[object]:
                book = openpyxl.load_workbook(io.BytesIO(data))
                return [c.value for s in book.worksheets for row in s.iter_rows() for c in row
                        if not (isinstance(c.value, str) and "生成时间" in c.value)]
            assert cells(out.read_bytes()) == cells(page)
    assert "wrote" in capsys.readouterr().err


def test_the_command_refuses_in_one_line(seeded_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", _url(seeded_db))
    assert cli.main(["brief", "--year", "2026", "--month", "11", "--out", str(tmp_path / "brief.docx")]) == 1
    assert cli.main(["brief", "--year", "2026", "--month", "12", "--out", str(tmp_path / "brief.pdf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "Traceback" not in "".join(err)
    assert ".pdf or .xlsx" in err[0] and "choose --month 11 or earlier" in err[1]
    assert not list(tmp_path.glob("brief.*"))  # nothing written


def test_same_brief_same_bytes(november: brief.Brief) -> None:
    """Deterministic files: the same data and stamp give the same bytes (what makes the page's
    and the command's files comparable)."""
    b = november
    again = dataclasses.replace(b)
    assert brief.render(b, "pdf") == brief.render(again, "pdf")
