"""The validator's rules, one by one (issue 15): what each accepts, what it refuses, and the
reason it gives in Chinese and in English. The pipeline tests cover the rules end to end;
these call them directly on small columns of cells, as the pipeline hands them a chunk."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from monitoring.ingest import validate as v
from monitoring.targets import Targets

NOW = dt.datetime(2026, 11, 22, 10, 30)


@pytest.fixture
def ctx(targets: Targets) -> v.Context:
    return v.Context.build(targets, now=NOW)


def _cells(*texts: str) -> pd.Series:
    return pd.Series(list(texts), dtype=object)


def _why(reasons: v.Reasons) -> list[tuple[int, str, str]]:
    return [(int(r), zh, en) for r, zh, en in zip(reasons.rows, reasons.zh, reasons.en, strict=True)]


def test_subdistrict_by_name_short_name_pinyin_or_code(ctx: v.Context) -> None:
    ids, reasons = v.check_subdistrict(_cells("德胜街道", "德胜", "Desheng", "110102010000", "火星", " "), ctx)
    assert ids.iloc[:4].tolist() == [10.0] * 4
    assert np.isnan(ids.iloc[4]) and np.isnan(ids.iloc[5])
    (r4, zh4, en4), (r5, zh5, en5) = _why(reasons)
    assert (r4, r5) == (4, 5)
    assert zh4.startswith('未知街道 "火星"；可用：') and "德胜" in zh4
    assert en4.startswith('unknown subdistrict "火星"; known: ') and "Desheng" in en4
    assert zh5.startswith("街道为空") and en5 == "subdistrict is empty"


def test_station_known_empty_or_unknown_and_in_its_subdistrict(ctx: v.Context) -> None:
    codes, sids, reasons = v.check_station(_cells("1001A", "官园", "wanshouxigong", "", "9999Z"), ctx)
    assert codes.tolist()[:4] == ["1001A", "1006A", "1001A", ""]
    assert _why(reasons) == [(4, '未知站点 "9999Z"；可用：' + "、".join(ctx.station_names),
                              'unknown station "9999Z"; known: ' + "、".join(ctx.station_names))]
    sd_ids, _ = v.check_subdistrict(_cells("白纸坊", "德胜", "", "", ""), ctx)
    wrong = v.check_station_in_subdistrict(sd_ids, sids, _cells("1001A", "官园", "", "", ""), _cells("白纸坊", "德胜", "", "", ""))
    assert _why(wrong) == [(1, '站点 "官园" 不在街道 "德胜"', 'station "官园" is not in subdistrict "德胜"')]


def test_times_hourly_daily_24h_zoned_and_refused() -> None:
    cells = _cells("2026-01-05 13:00", "2026/01/05 24:00", "2026-01-05", "2026-01-05T05:00Z", "2026-02-30 01:00", "yesterday", "")
    labels, daily, zoned = v.parse_times_zoned(cells)
    assert labels.iloc[:4].tolist() == [pd.Timestamp("2026-01-05 13:00"), pd.Timestamp("2026-01-06 00:00"),
                                         pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-05 13:00")]
    assert daily.tolist() == [False, False, True, False, False, False, False]
    assert zoned.tolist() == [False, False, False, True, False, False, False]
    assert _why(v.check_time(cells, labels)) == [
        (4, '日期或时间不存在 "2026-02-30 01:00"（如 2 月 30 日、25 点）', 'no such date or time "2026-02-30 01:00" (e.g. 30 February or hour 25)'),
        (5, '无法识别的时间 "yesterday"；请写成 2026-01-05 13:00 或 2026-01-05',
         'unreadable time "yesterday"; write 2026-01-05 13:00 or 2026-01-05'),
        (6, "时间为空", "time is empty"),
    ]


def test_on_the_hour_not_future_not_too_early(ctx: v.Context) -> None:
    labels, daily = v.parse_times(_cells("2026-01-05 13:30", "2026-11-22 11:00", "2026-11-22 12:00", "2026-11-23",
                                         "1899-12-30", "2026-11-22"))
    assert _why(v.check_on_the_hour(labels, daily)) == [
        (0, "时间 13:30 不是整点（小时值按整点结束时刻标注）", "time 13:30 is not on the hour (hourly values are labelled by the hour's end)")]
    # now 10:30: the hour ending 11:00 is still allowed (it is being measured), 12:00 is not; today is, tomorrow is not
    assert _why(v.check_not_future(labels, daily, ctx)) == [
        (2, "时间 2026-11-22 12:00 在未来", "time 2026-11-22 12:00 is in the future"),
        (3, "时间 2026-11-23 00:00 在未来", "time 2026-11-23 00:00 is in the future"),
    ]
    ((row, zh, en),) = _why(v.check_not_too_early(labels, ctx))
    assert row == 4 and zh.startswith("日期 1899-12-30 早于允许的最早日期 2000-01-01") and "Excel" in zh
    assert en.startswith("date 1899-12-30 is before the earliest date allowed, 2000-01-01") and "Excel" in en


def test_hour_beginning_and_stored_ts(targets: Targets) -> None:
    labels, daily = v.parse_times(_cells("2026-01-05 13:00", "2026-01-05"))
    shifted = v.to_hour_ending(labels, daily, v.Context.build(targets, hour_beginning=True, now=NOW))
    assert shifted.tolist() == [pd.Timestamp("2026-01-05 14:00"), pd.Timestamp("2026-01-05")]
    ts = v.labels_to_ts(labels, daily, v.Context.build(targets, now=NOW))
    # UTC seconds of the hour-ending label (Beijing − 8 h); a day is stored at the label ending it
    assert ts.tolist() == [int(dt.datetime(2026, 1, 5, 5, tzinfo=dt.UTC).timestamp()),
                           int(dt.datetime(2026, 1, 5, 16, tzinfo=dt.UTC).timestamp())]


def test_year_month_day_hour_columns() -> None:
    cells = pd.DataFrame({"year": ["2026", "2026", "x"], "month": ["1", "1", "1"], "day": ["5", "6", "1"], "hour": ["13", "", "1"]})
    assert v.parse_year_month_day_hour(cells).tolist() == ["2026-1-5 13:00", "2026-1-6", ""]


def test_pollutant_names_and_unknown() -> None:
    codes, reasons = v.check_pollutant(_cells("PM2.5", "细颗粒物", "co", "臭氧", "PM1"))
    assert codes.iloc[:4].tolist() == ["pm25", "pm25", "co", "o3"] and pd.isna(codes.iloc[4])
    assert _why(reasons) == [(4, '未知污染物 "PM1"；可用：PM2.5、PM10、SO2、NO2、O3、CO',
                              'unknown pollutant "PM1"; known: PM2.5, PM10, SO2, NO2, O3, CO')]


def test_unit_column_must_be_the_pollutants_own() -> None:
    codes = v.pollutant_series(np.array([0, 5, 0, 0], dtype="int8"))  # pm25, co, pm25, pm25
    units = _cells("μg/m³", "毫克/立方米", "mg/m3", "ppb")
    assert _why(v.check_unit(units, codes)) == [
        (2, "单位 mg/m3 与 PM2.5 的单位 µg/m³ 不符；请换算后再上传", "unit mg/m3 is not the unit of PM2.5 (µg/m³); convert the values first"),
        (3, '未知单位 "ppb"；PM2.5 应为 µg/m³', 'unknown unit "ppb"; PM2.5 is in µg/m³'),
    ]
    assert len(v.check_unit(None, codes)) == 0


def test_values_numbers_marks_units_and_error_codes(ctx: v.Context) -> None:
    codes = v.pollutant_series(np.zeros(8, dtype="int8"))  # all PM2.5
    values = v.parse_values(_cells("35", "３５.５", "NA", "-999", "35μg/m³", "0.8 mg/m³", "1_0", "9999"), codes, ctx)
    assert values.numbers[:2].tolist() == [35.0, 35.5] and values.numbers[4] == 35.0
    assert np.isnan(values.numbers[[2, 3, 5, 6, 7]]).all()
    assert values.missing.tolist() == [False, False, True, True, False, False, False, False]
    assert _why(values.reasons) == [
        (5, "值 0.8 mg/m³ 的单位与 PM2.5 的单位 µg/m³ 不符", "value 0.8 mg/m³ has a unit other than PM2.5's µg/m³"),
        (6, '值 "1_0" 不是数字', 'value "1_0" is not a number'),
        (7, "PM2.5 值 9999 是仪器的故障代码，不是测量值（targets.yaml ingest.error_codes）",
         "PM2.5 value 9999 is an instrument error code, not a measurement (targets.yaml ingest.error_codes)"),
    ]


def test_the_number_grammar() -> None:
    assert [v.number(t) for t in ("35", " -1.5e2 ", ".5", "1_0", "inf", "nan", "٣٥")] == [35.0, -150.0, 0.5, None, None, None, None]
    assert np.isnan(v.parse_numbers(np.array(["35", "inf"], dtype=object))[1])


def test_negative_and_out_of_range(ctx: v.Context) -> None:
    codes = v.pollutant_series(np.array([0, 0, 5, 5], dtype="int8"))  # pm25, pm25, co, co
    numbers = np.array([-3.0, 35.0, 0.8, 800.0])
    assert _why(v.check_not_negative(numbers, codes)) == [(0, "PM2.5 值 -3 为负数", "PM2.5 value -3 is negative")]
    assert _why(v.check_range(numbers, codes, ctx)) == [
        (3, "CO 值 800 超出合理范围 0–60 mg/m³（单位是否有误？）", "CO value 800 is outside the plausible range 0–60 mg/m³ (wrong unit?)")]


def test_sand_dust_flags() -> None:
    flag, reasons = v.dust_flags(_cells("1", "是", "", "否", "maybe"))
    assert flag.tolist() == [True, True, False, False, False]
    assert _why(reasons) == [(4, '沙尘标记 "maybe" 无法识别；请填 1/是 或留空', 'sand-dust flag "maybe" not understood; use 1/yes or leave it empty')]


def test_road_dust_date_road_load_and_grade(ctx: v.Context) -> None:
    cells = _cells("2026-03-15", "2026-03", "2026-12-01", "someday")
    days, month_only = v.parse_dust_dates(cells)
    assert days.iloc[:3].tolist() == [pd.Timestamp("2026-03-15"), pd.Timestamp("2026-03-01"), pd.Timestamp("2026-12-01")]
    assert month_only.tolist() == [False, True, False, False]
    assert _why(v.check_dust_date(cells, days, ctx)) == [
        (3, '无法识别的日期 "someday"；请写成 2026-03-15 或 2026-03', 'unreadable date "someday"; write 2026-03-15 or 2026-03'),
        (2, "日期 2026-12-01 在未来", "date 2026-12-01 is in the future"),
    ]
    assert _why(v.check_road(_cells("长安街", " ", "路" * 101))) == [
        (1, "道路名称为空", "road name is empty"), (2, "道路名称超过 100 个字符", "road name is longer than 100 characters")]
    loads, missing, reasons = v.check_load(_cells("0.3", "0.5 g/m²", "NA", "heavy", "-1", "80"), ctx)
    assert loads[:2].tolist() == [0.3, 0.5] and np.isnan(loads[2:]).all() and missing.tolist() == [False, False, True, False, False, False]
    assert _why(reasons) == [
        (3, '尘负荷 "heavy" 不是数字', 'load "heavy" is not a number'),
        (4, "尘负荷 -1 为负数", "load -1 is negative"),
        (5, "尘负荷 80 超出合理范围 0–50 g/m²", "load 80 is outside the plausible range 0–50 g/m²"),
    ]
    grades, reasons = v.check_grade(_cells("优", "", "A"))
    assert grades.tolist()[:2] == ["优", None]
    assert _why(reasons) == [(2, '等级 "A" 无法识别；应为 优、良、中、差 或留空', 'grade "A" not understood; use 优, 良, 中, 差 or leave it empty')]


def test_a_reason_quotes_a_cell_on_one_printable_line(ctx: v.Context) -> None:
    _ids, reasons = v.check_subdistrict(_cells("德\n胜\x1b" + "x" * 60), ctx)
    (_, zh, en), = _why(reasons)
    assert "\n" not in zh and "\\n" in zh and "\\x1b" in en and "…" in en


def test_merge_keeps_every_reason_in_order() -> None:
    a = v.Reasons(np.array([3]), ["甲"], ["a"])
    b = v.Reasons(np.array([1, 3]), ["乙", "丙"], ["b", "c"])
    merged = v.merge(a, v.Reasons.none(), b)
    assert _why(merged) == [(3, "甲", "a"), (1, "乙", "b"), (3, "丙", "c")]
    assert len(v.merge()) == 0


def test_notes_zones_and_pm25_above_pm10() -> None:
    note = v.zone_note(np.array([9, 3, 3, 4, 5, 6, 7]))
    assert note is not None and note.rows == 6 and note.lines == [3, 4, 5, 6, 7]
    assert note.en.endswith("line 3, 4, 5, 6, 7, …") and note.zh.endswith("第 3, 4, 5, 6, 7, … 行")
    assert v.zone_note(np.array([], dtype="int64")) is None
    frame = pd.DataFrame({"subdistrict_id": [12, 12, 12, 12], "pollutant": ["pm25", "pm10", "pm25", "pm10"],
                          "ts": [100, 100, 200, 200], "resolution": "h", "station": "", "value": [80.0, 60.0, 30.0, 60.0],
                          "line": [2, 3, 4, 5]})
    odd = v.pm25_above_pm10(frame)
    assert odd is not None and (odd.code, odd.rows, odd.lines) == ("pm25_above_pm10", 1, [2])
    assert "PM2.5 above PM10" in odd.en and "PM2.5 高于 PM10" in odd.zh
    assert v.pm25_above_pm10(frame.iloc[2:]) is None
