"""Every kind of bad input gets a clear message and leaves the stored data as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from monitoring.actors import Actor
from monitoring.errors import InputError
from monitoring.ingest.pipeline import ingest_file
from monitoring.storage.audit import list_runs, run_rejected
from monitoring.storage.schema import daily_means, readings, road_dust
from monitoring.targets import Targets

ANALYST = Actor("tester", "analyst")
GOOD = "subdistrict,time,pollutant,value\n德胜,2026-01-05 13:00,pm25,30\n"


def _snapshot(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in (readings, daily_means, road_dust)
        )


@pytest.fixture
def engine(make_db, targets: Targets) -> Engine:  # type: ignore[no-untyped-def]
    engine = make_db()
    ingest_file(engine, GOOD.encode(), name="good.csv", targets=targets, actor=ANALYST)
    return engine


@pytest.mark.parametrize(
    ("data", "message", "message_zh"),
    [
        (b"", "the file is empty", "文件是空的"),
        (b"\xef\xbb\xbf\r\n", "the file is empty", "文件是空的"),
        (b"subdistrict,time,pollutant,value\n", "only a header", "只有表头"),
        (b"foo,bar,baz\n1,2,3\n", "unknown columns [foo, bar, baz]", "表头无法识别"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file", "二进制"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel .xls", ".xls"),
        (b"PK\x03\x04broken zip", "not a readable XLSX", "XLSX"),
        # UTF-8 Chinese header decoded as Latin-1 and saved again: mojibake
        ("街道,时间,污染物,浓度\n德胜,2026-01-05 13:00,pm25,30\n".encode().decode("latin-1").encode("utf-8"), "garbled", "乱码"),
    ],
    ids=["empty", "bom-only", "header-only", "unknown-columns", "binary", "xls", "broken-xlsx", "garbled-header"],
)
def test_unreadable_files_are_refused_in_one_line(engine: Engine, targets: Targets, data: bytes, message: str, message_zh: str) -> None:
    before = _snapshot(engine)
    with pytest.raises(InputError) as info:
        ingest_file(engine, data, name="bad.csv", targets=targets, actor=ANALYST)
    assert message in str(info.value) and message_zh in info.value.message_zh
    assert "\n" not in str(info.value) and str(info.value).startswith("bad.csv: ")
    assert info.value.hint
    assert _snapshot(engine) == before
    run = list_runs(engine).iloc[0]
    assert run["status"] == "refused" and run["source"] == "bad.csv"
    assert run_rejected(engine, int(run["id"]))["line"].tolist() == [0]


def test_dry_run_refusal_records_no_run(engine: Engine, targets: Targets) -> None:
    n = len(list_runs(engine))
    with pytest.raises(InputError):
        ingest_file(engine, b"", name="bad.csv", targets=targets, actor=ANALYST, dry_run=True)
    assert len(list_runs(engine)) == n


def test_mixed_encodings_in_one_file(engine: Engine, targets: Targets) -> None:
    head = b"subdistrict,time,pollutant,value\n" + "德胜,2026-01-05 14:00,pm25,30\n".encode() * 5000
    tail = "德胜,2026-01-05 15:00,pm25,30\n".encode("gbk")
    before = _snapshot(engine)
    with pytest.raises(InputError) as info:
        ingest_file(engine, head + tail, name="mixed.csv", targets=targets, actor=ANALYST)
    assert "encoding" in str(info.value) or "not valid" in str(info.value)
    assert _snapshot(engine) == before


ROW_CASES = [
    ("德胜门外,2026-01-05 14:00,pm25,30", '未知街道 "德胜门外"', "unknown subdistrict"),
    ("德胜,2026-01-05 14:00,pm2.6,30", '未知污染物 "pm2.6"', "unknown pollutant"),
    ("德胜,2026-02-30 14:00,pm25,30", "日期或时间不存在", "no such date"),
    ("德胜,yesterday,pm25,30", "无法识别的时间", "unreadable time"),
    ("德胜,2099-01-05 14:00,pm25,30", "在未来", "in the future"),
    ("德胜,2026-01-05 14:00,pm25,-3", "为负数", "negative"),
    ("德胜,2026-01-05 14:00,pm25,35mg/m³", "单位", "unit"),
    ("德胜,2026-01-05 14:00,pm25,abc", "不是数字", "not a number"),
    ("德胜,2026-01-05 14:00,pm25,30,extra", "字段数不对", "expected 4, found 5"),
    ("德胜,2026-01-05 14:00,pm25", "字段数不对", "expected 4, found 3"),
    ("德胜;2026-01-05 14:00;pm25;30", "字段数不对", "expected 4, found 1"),
    ("德胜,2026-01-05 14:30,pm25,30", "不是整点", "not on the hour"),
]


@pytest.mark.parametrize(("row", "zh", "en"), ROW_CASES, ids=[c[2] for c in ROW_CASES])
def test_bad_rows_are_kept_with_reasons_and_strict_refuses(engine: Engine, targets: Targets, row: str, zh: str, en: str) -> None:
    text = "subdistrict,time,pollutant,value\n德胜,2026-01-05 15:00,pm25,31\n" + row + "\n德胜,2026-01-05 16:00,pm25,32\n"
    before = _snapshot(engine)
    strict = ingest_file(engine, text.encode(), name="rows.csv", targets=targets, actor=ANALYST, strict=True)
    assert strict.status == "refused" and strict.counts.rejected == 1
    assert _snapshot(engine) == before
    r = ingest_file(engine, text.encode(), name="rows.csv", targets=targets, actor=ANALYST)
    assert r.status == "succeeded" and r.counts.accepted == 2 and r.counts.rejected == 1
    bad = r.rejected_rows[0]
    assert bad.line == 3 and bad.raw == row
    assert bad.reason.startswith("第 3 行: ") and zh in bad.reason
    assert bad.reason_en.startswith("line 3: ") and en in bad.reason_en


def test_missing_marks_are_counted_not_rejected(engine: Engine, targets: Targets) -> None:
    marks = ["", "NA", "N/A", "—", "-", "-999", "-99"]
    text = "subdistrict,time,pollutant,value\n" + "".join(f"月坛,2026-01-05 {h + 1:02d}:00,pm25,{m}\n" for h, m in enumerate(marks))
    r = ingest_file(engine, text.encode(), name="m.csv", targets=targets, actor=ANALYST, strict=True)
    assert r.status == "succeeded" and r.counts.missing == len(marks) and r.counts.rejected == 0 and r.counts.accepted == 0


def test_every_row_rejected_is_a_refusal(engine: Engine, targets: Targets) -> None:
    r = ingest_file(engine, b"subdistrict,time,pollutant,value\nX,2026-01-05 13:00,pm25,1\n", name="x.csv", targets=targets, actor=ANALYST)
    assert r.status == "refused" and r.counts.accepted == 0 and "every row was rejected" in r.message


def test_file_content_is_never_executed_or_sql(engine: Engine, targets: Targets) -> None:
    evil = "德胜'); DROP TABLE readings; --"
    text = f"subdistrict,time,pollutant,value\n{evil},2026-01-05 13:00,pm25,1\n=cmd|' /C calc'!A0,2026-01-05 13:00,pm25,1\n"
    r = ingest_file(engine, text.encode(), name="evil.csv", targets=targets, actor=ANALYST)
    assert r.counts.rejected == 2
    assert _snapshot(engine)[0] == 1  # the table is there, with its one good row
    from monitoring.ingest.audit import rejected_csv

    body = rejected_csv(r.rejected_rows).decode("utf-8-sig")
    assert "'=cmd" in body and "\n=cmd" not in body


# -- parser failures, over-long headers, dates before the earliest allowed ------------------


def test_full_width_comma_file_is_read_with_its_bad_rows(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    text = (
        "subdistrict，time，pollutant，value\n德胜，2026-01-05 13:00，PM2.5，35\n德胜，2026-01-05 14:00，PM2.5\n"
        "德胜，2026-01-05 15:00，PM2.5，35，9\n月坛，2026-01-05 15:00，PM2.5，40\n"
    )
    r = ingest_file(engine, text.encode(), name="fw.csv", targets=targets, actor=ANALYST)
    assert (r.counts.accepted, r.counts.rejected) == (2, 2)
    assert [row.line for row in r.rejected_rows] == [3, 4]
    assert all("wrong number of fields" in row.reason_en for row in r.rejected_rows)
    assert _snapshot(engine)[0] == 2


def test_a_parser_failure_is_a_refusal_with_its_line(engine: Engine, targets: Targets) -> None:
    before = _snapshot(engine)
    data = b'title\nsubdistrict,time,pollutant,value\n\xe5\xbe\xb7\xe8\x83\x9c,2026-01-05 14:00,pm25,3\n"open quote,x\n' + b"y" * 50
    with pytest.raises(InputError) as refused:
        ingest_file(engine, data, name="quote.csv", targets=targets, actor=ANALYST)
    assert str(refused.value).startswith("quote.csv: line 4: cannot be read as a table")
    assert "第 4 行" in refused.value.message_zh and "\n" not in str(refused.value)
    assert _snapshot(engine) == before


@pytest.mark.parametrize(("columns", "expected"), [(20_000, "too many columns: 20,000"), (1, "too long")])
def test_a_first_line_longer_than_the_sniffed_bytes_is_named(engine: Engine, targets: Targets, columns: int,
                                                              expected: str) -> None:
    if columns > 1:
        header = "subdistrict,time,pollutant,value" + "".join(f",extra{i}" for i in range(columns - 4))
    else:
        header = "x" * 200_000
    data = f"\n{header}\n德胜,2026-01-05 13:00,PM2.5,35\n".encode()
    with pytest.raises(InputError) as refused:
        ingest_file(engine, data, name="wide.csv", targets=targets, actor=ANALYST)
    assert expected in str(refused.value) and "line 2" in str(refused.value) and "empty" not in str(refused.value)
    assert refused.value.hint


def test_dates_before_the_earliest_date_are_rejected(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    text = "subdistrict,time,pollutant,value\n德胜,1900-01-05 14:00,pm25,30\n德胜,1999-12-31,pm25,30\n德胜,2000-01-01 01:00,pm25,30\n"
    r = ingest_file(engine, text.encode(), name="old.csv", targets=targets, actor=ANALYST)
    assert (r.counts.accepted, r.counts.rejected) == (1, 2)
    excel, early = r.rejected_rows
    assert "1900-01-05" in excel.reason_en and "Excel" in excel.reason_en and "Excel" in excel.reason
    assert "1999-12-31" in early.reason_en and "Excel" not in early.reason_en and "earliest_date" in early.reason_en
    # the bound is a setting: a later one refuses the 2000 row too
    later = targets.model_copy(update={"ingest": targets.ingest.model_copy(update={"earliest_date": dt.date(2013, 1, 1)})})
    r = ingest_file(make_db(), text.encode(), name="old.csv", targets=later, actor=ANALYST)
    assert (r.counts.accepted, r.counts.rejected) == (0, 3) and "2013-01-01" in r.rejected_rows[2].reason_en


def test_road_dust_dates_before_the_earliest_date_are_rejected(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    text = "街道,道路名称,日期,道路尘负荷\n德胜,德胜门外大街,1899-12-30,0.42\n德胜,德胜门外大街,2026-03-02,0.4\n"
    r = ingest_file(engine, text.encode(), name="dust.csv", targets=targets, actor=ANALYST)
    assert (r.counts.accepted, r.counts.rejected) == (1, 1) and "Excel" in r.rejected_rows[0].reason_en
