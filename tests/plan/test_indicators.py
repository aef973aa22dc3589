"""Indicators: entering values (each bad input refused, nothing written), CSV all-or-nothing,
history with who entered each value, statuses, and measured values taken from reports.district."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from monitoring import plan, reports
from monitoring.actors import Actor
from monitoring.errors import InputError, PermissionDenied
from monitoring.storage.schema import indicator_values
from monitoring.targets import Targets

ANALYST = Actor("wang", "analyst")
VIEWER = Actor("leader", "viewer")


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(indicator_values)).scalar_one())


def test_every_annex4_indicator_with_the_plan_targets(targets: Targets) -> None:
    # The reference list (the plan's 附4 and 附1), written out independently of targets.yaml.
    expected = {
        "pm25_annual": 29, "good_day_ratio": 78, "heavy_pollution_days": 3, "poor_road_share": 1.5,
        "mechanised_cleaning_rate": 97.5, "truck_nev_share": 35, "nonroad_nev_share": 60,
        "zero_emission_fleets": 3, "green_enterprise_share": 65, "restaurant_upgrades": 30, "ab_boiler_users": 70,
        "construction_noise_fixes": 4, "commercial_noise_fixes": 6, "traffic_noise_fixes": 1,
        "construction_land_safe_use": 100,
    }
    got = {i.key: i.target for i in targets.indicators if i.target is not None}
    assert got == expected
    measured = {i.key for i in targets.indicators if i.measured}
    assert measured == {"pm25_annual", "good_day_ratio", "heavy_pollution_days", "poor_road_share"}
    # 附4 has 12 + 14 rows; with 机械化作业率 from 附1 that is 27 indicators.
    assert len(targets.indicators) == 27


def test_entered_value_shows_with_target_gap_status_and_who(make_db: Callable[..., Engine], targets: Targets) -> None:
    engine = make_db()
    plan.enter_indicator_value(engine, targets, "truck_nev_share", dt.date(2026, 6, 30), "28%", "交通委报送", ANALYST)
    plan.enter_indicator_value(engine, targets, "restaurant_upgrades", "2026-10-31", 31, "商务局", ANALYST)
    table = plan.indicators_table(engine, targets, as_of=dt.date(2026, 11, 1)).set_index("key")
    truck = table.loc["truck_nev_share"]
    assert truck["value"] == 28 and truck["target"] == 35 and truck["gap"] == -7
    # the verdict's words: below an at-least target so far is "exceeds" (the wrong side of it)
    assert truck["status"] == "exceeds" and truck["entered_by"] == "wang" and truck["source"] == "entered"
    assert table.loc["restaurant_upgrades", "status"] == "meets"
    # nothing entered: no verdict (incomplete), shown as 尚未录入, never as a failure
    assert table.loc["zero_emission_fleets", "status"] == "incomplete"
    assert plan.indicator_state(table.reset_index().set_index("key", drop=False).loc["zero_emission_fleets"]) \
        == "not_entered"
    assert plan.indicator_state_text("not_entered") == "尚未录入"
    assert table.loc["nox_reduction", "status"] == "incomplete"  # a target in words: no verdict either
    assert set(table.loc[table["source"] == "entered", "status"]) <= set(plan.INDICATOR_STATUSES)
    assert plan.entered_count(table.reset_index()) == (2, len(targets.indicators))
    # after the year the so-far verdict stays the same word
    final = plan.indicators_table(engine, targets, as_of=dt.date(2026, 12, 31)).set_index("key")
    assert final.loc["truck_nev_share", "status"] == "exceeds"
    # before the value's date it is not in force
    early = plan.indicators_table(engine, targets, as_of=dt.date(2026, 6, 1)).set_index("key")
    assert early.loc["truck_nev_share", "status"] == "incomplete"


def test_history_keeps_every_entry(make_db: Callable[..., Engine], targets: Targets) -> None:
    engine = make_db()
    plan.enter_indicator_value(engine, targets, "green_enterprise_share", "2026-03-31", 50, "Q1", ANALYST)
    plan.enter_indicator_value(engine, targets, "green_enterprise_share", "2026-06-30", 58, "Q2", Actor("li", "analyst"))
    plan.enter_indicator_value(engine, targets, "green_enterprise_share", "2026-06-30", 59, "Q2 corrected", ANALYST)
    history = plan.indicator_history(engine, targets, "green_enterprise_share")
    assert list(history["value"]) == [59, 58, 50]
    assert list(history["entered_by"]) == ["wang", "li", "wang"]
    row = plan.indicators_table(engine, targets, as_of=dt.date(2026, 7, 1)).set_index("key").loc["green_enterprise_share"]
    assert row["value"] == 59 and row["note"] == "Q2 corrected"  # the latest entry wins a tie on the date


@pytest.mark.parametrize(
    ("key", "day", "value", "words"),
    [
        ("no_such_indicator", "2026-05-01", "3", "unknown indicator"),
        ("truck_nev_share", "2026-05-01", "3家", "measured in '%'"),
        ("zero_emission_fleets", "2026-05-01", "3%", "measured in '家'"),
        ("truck_nev_share", "2026-05-01", "135", "more than 100 %"),
        ("truck_nev_share", "2025-12-31", "30", "outside 2026"),
        ("truck_nev_share", "2027-01-01", "30", "outside 2026"),
        ("truck_nev_share", "2026-05-01", "thirty", "not a number"),
        ("truck_nev_share", "2026-05-01", "-3", "negative"),
        ("restaurant_upgrades", "2026-05-01", "2.5", "whole number"),
        ("pm25_annual", "2026-05-01", "30", "computed from the readings"),
        ("truck_nev_share", "yesterday", "30", "not a date"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(
    make_db: Callable[..., Engine], targets: Targets, key: str, day: str, value: str, words: str
) -> None:
    engine = make_db()
    with pytest.raises(InputError) as info:
        plan.enter_indicator_value(engine, targets, key, day, value, "", ANALYST)
    assert words in str(info.value)
    assert info.value.message_zh and info.value.hint
    assert _count(engine) == 0


def test_only_analysts_enter_values(make_db: Callable[..., Engine], targets: Targets, tmp_path: Path) -> None:
    engine = make_db()
    with pytest.raises(PermissionDenied):
        plan.enter_indicator_value(engine, targets, "truck_nev_share", "2026-05-01", 30, "", VIEWER)
    csv_file = tmp_path / "v.csv"
    csv_file.write_text("indicator,date,value,note\ntruck_nev_share,2026-05-01,30,x\n", encoding="utf-8")
    with pytest.raises(PermissionDenied):
        plan.import_indicator_csv(engine, targets, csv_file, VIEWER)
    assert _count(engine) == 0


def test_csv_import_is_all_or_nothing(make_db: Callable[..., Engine], targets: Targets, tmp_path: Path) -> None:
    engine = make_db()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,date,value,note\ntruck_nev_share,2026-05-01,30,ok\nzero_emission_fleets,2026-05-01,2%,wrong unit\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        plan.import_indicator_csv(engine, targets, bad, ANALYST)
    assert "bad.csv: line 3" in str(info.value)
    assert _count(engine) == 0
    good = tmp_path / "good.csv"
    # Chinese headers, GBK, a Chinese indicator name: all accepted
    good.write_bytes("指标,日期,数值,备注\n零排放运输车队,2026/5/1,2,两家\ntruck_nev_share,2026-05-01,30%,\n".encode("gbk"))
    assert plan.import_indicator_csv(engine, targets, good, ANALYST) == 2
    history = plan.indicator_history(engine, targets)
    assert set(history["source"]) == {"csv"}
    assert set(history["indicator"]) == {"zero_emission_fleets", "truck_nev_share"}


def test_csv_is_decoded_as_the_readings_reader_does(make_db: Callable[..., Engine], targets: Targets,
                                                    tmp_path: Path) -> None:
    """The indicator CSV goes through ingest.readers' container and encoding sniffing."""
    engine = make_db()
    rows = "指标,日期,数值,备注\ntruck_nev_share,2026-05-01,30,x\n"
    # Excel's "Unicode text" (UTF-16 with BOM) and a semicolon-separated export: both read
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(rows.encode("utf-16"))
    assert plan.import_indicator_csv(engine, targets, utf16, ANALYST) == 1
    semicolons = tmp_path / "semi.csv"
    semicolons.write_bytes(rows.replace(",", ";").encode("utf-8-sig"))
    assert plan.import_indicator_csv(engine, targets, semicolons, ANALYST) == 1
    # refused with one line, nothing written: a workbook, a binary file, an empty file, mixed encodings
    refused = {
        "book.xlsx": b"PK\x03\x04" + b"\x00" * 40,
        "image.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00",
        "empty.csv": b"",
        # UTF-8 for the first 64 KB the encoding is told from, then GBK
        "mixed.csv": rows.encode("utf-8") + b"truck_nev_share,2026-06-01,31,x\n" * 3000 + "两家".encode("gbk"),
    }
    for name, data in refused.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError) as info:
            plan.import_indicator_csv(engine, targets, tmp_path / name, ANALYST)
        assert str(info.value).startswith(name) and "\n" not in str(info.value), name
        assert info.value.message_zh and info.value.hint
    assert _count(engine) == 2


def test_measured_indicators_come_from_the_analytics_engine(seeded_db: Engine, targets: Targets) -> None:
    as_of = dt.date(2026, 11, 21)
    district = reports.district(seeded_db, targets, year=2026, through=as_of).frame.set_index("key")
    table = plan.indicators_table(seeded_db, targets, as_of=as_of).set_index("key")
    for key in ("pm25_annual", "good_day_ratio", "heavy_pollution_days", "poor_road_share"):
        assert table.loc[key, "source"] == "measured"
        assert table.loc[key, "status"] == district.loc[key, "status"]
        expected = district.loc[key, "value"]
        got = table.loc[key, "value"]
        if expected is None or (isinstance(expected, float) and math.isnan(expected)):
            assert got is None or math.isnan(got)
        else:
            assert got == pytest.approx(float(expected))
    assert table.loc["pm25_annual", "value"] is not None


def test_brief_sections(make_db: Callable[..., Engine], targets: Targets) -> None:
    engine = make_db()
    plan.enter_indicator_value(engine, targets, "truck_nev_share", "2026-06-30", 28, "", ANALYST)
    sections = plan.brief_sections(engine, targets, dt.date(2026, 10, 1))
    titles = [title for title, _ in sections]
    assert titles == ["2026年生态环境保护有关指标进展（附4）", "重点任务进展（按主责单位）", "逾期或滞后的工作措施", "道路尘负荷监测覆盖"]
    indicators = sections[0][1]
    assert len(indicators) == 27
    assert indicators.set_index("指标").loc["2026年注册登记货车新能源化率", "当前值"] == "28"
    assert sections[2][1]["措施编号"].tolist() == ["1-05-1"]  # the 6-9月 measure, after September
    english = plan.brief_sections(engine, targets, dt.date(2026, 10, 1), "en", include_measured=False)
    assert english[0][0] == "2026 indicators (Annex 4)" and len(english[0][1]) == 23
