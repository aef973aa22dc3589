"""The ingestion pipeline against a real database: layouts, encodings, idempotence, conflicts."""

from __future__ import annotations

import datetime as dt
import io
import random

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from monitoring import embedded, timeutil
from monitoring.actors import Actor
from monitoring.errors import PermissionDenied
from monitoring.ingest.pipeline import IngestResult, ingest_file, ingest_frame
from monitoring.storage.audit import list_runs, run_rejected, run_revisions
from monitoring.storage.schema import daily_means, exceptional_events, reading_revisions, readings, rejected_rows
from monitoring.targets import Targets
from tests.factories import make_readings

ANALYST = Actor("tester", "analyst")


def _csv(frame: pd.DataFrame, encoding: str = "utf-8") -> bytes:
    return frame.to_csv(index=False).encode(encoding)


def _count(engine: Engine, table=readings) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _ingest(engine: Engine, data: bytes, targets: Targets, name: str = "f.csv", **kw: object) -> IngestResult:
    return ingest_file(engine, data, name=name, targets=targets, actor=ANALYST, run_kind="upload", **kw)  # type: ignore[arg-type]


def _invariant(r: IngestResult) -> None:
    c = r.counts
    assert c.rows == c.accepted + c.rejected + c.duplicates + c.missing + (c.conflicts - c.replaced)


def test_long_file_is_stored_with_daily_means_and_audit(make_db, targets: Targets) -> None:
    engine = make_db()
    frame = make_readings(targets, days=2, pollutants=("pm25", "co"))
    r = _ingest(engine, _csv(frame), targets)
    assert r.status == "succeeded" and r.run_id is not None
    assert r.counts.accepted == len(frame) == _count(engine)
    assert r.counts.rejected == 0 and r.counts.duplicates == 0
    assert r.first_label == dt.datetime(2026, 1, 1, 1) and r.last_label == dt.datetime(2026, 1, 3, 0)
    _invariant(r)
    # 15 subdistricts × 2 pollutants × 2 days of daily means
    assert _count(engine, daily_means) == 15 * 2 * 2
    runs = list_runs(engine)
    row = runs.iloc[0]
    assert row["id"] == r.run_id and row["user"] == "tester" and row["kind"] == "upload" and row["status"] == "succeeded"
    assert row["sha256"] == r.sha256 and len(r.sha256 or "") == 64
    assert int(row["accepted"]) == len(frame)
    with engine.connect() as conn:
        sources = {s for (s,) in conn.execute(select(readings.c.source).distinct())}
    assert sources == {"upload"}
    assert set(r.by_subdistrict_pollutant["pollutant"]) == {"pm25", "co"}
    assert r.by_subdistrict_pollutant["rows"].sum() == len(frame)


def test_same_file_twice_adds_nothing(make_db, targets: Targets) -> None:
    engine = make_db()
    data = _csv(make_readings(targets, days=1))
    first = _ingest(engine, data, targets)
    n = _count(engine)
    second = _ingest(engine, data, targets)
    assert _count(engine) == n
    assert second.counts.accepted == 0 and second.counts.duplicates == first.counts.accepted and second.counts.conflicts == 0
    _invariant(second)


def test_conflict_is_kept_and_reported_then_replaced_with_audit(make_db, targets: Targets) -> None:
    engine = make_db()
    base = make_readings(targets, days=1, subdistricts=["德胜"])
    _ingest(engine, _csv(base), targets)
    changed = base.copy()
    changed.loc[0, "value"] = 999.0
    kept = _ingest(engine, _csv(changed), targets)
    assert kept.counts.conflicts == 1 and kept.counts.replaced == 0 and kept.counts.accepted == 0
    assert kept.counts.duplicates == len(base) - 1
    assert list(kept.conflict_rows["new_value"]) == [999.0]
    ts = timeutil.label_to_ts(dt.datetime(2026, 1, 1, 1))
    with engine.connect() as conn:
        stored = conn.execute(select(readings.c.value).where(readings.c.ts == ts)).scalar_one()
    assert stored == base.loc[0, "value"]
    replaced = _ingest(engine, _csv(changed), targets, replace=True)
    assert replaced.counts.conflicts == 1 and replaced.counts.replaced == 1 and replaced.counts.accepted == 1
    _invariant(replaced)
    with engine.connect() as conn:
        stored = conn.execute(select(readings.c.value).where(readings.c.ts == ts)).scalar_one()
        actions = [a for (a,) in conn.execute(select(reading_revisions.c.action).order_by(reading_revisions.c.id))]
    assert stored == 999.0
    assert actions == ["kept", "replaced"]
    audit = run_revisions(engine, replaced.run_id or 0)
    assert list(audit["old_value"]) == [base.loc[0, "value"]]


def test_dry_run_writes_nothing_but_counts_conflicts(make_db, targets: Targets) -> None:
    engine = make_db()
    base = make_readings(targets, days=1, subdistricts=["德胜"])
    _ingest(engine, _csv(base), targets)
    runs_before = len(list_runs(engine))
    changed = base.copy()
    changed.loc[3, "value"] = 500.0
    extra = pd.DataFrame([["德胜", "2026-01-02 01:00", "pm25", 20.0]], columns=base.columns)
    r = _ingest(engine, _csv(pd.concat([changed, extra])), targets, dry_run=True)
    assert r.status == "dry_run" and r.run_id is None
    assert r.counts.conflicts == 1 and r.counts.accepted == 1 and r.counts.duplicates == len(base) - 1
    assert len(list_runs(engine)) == runs_before
    assert _count(engine) == len(base)


def test_strict_refuses_whole_file_and_records_the_run(make_db, targets: Targets) -> None:
    engine = make_db()
    frame = make_readings(targets, days=1, subdistricts=["德胜"])
    frame.loc[5, "subdistrict"] = "德胜门外"
    r = _ingest(engine, _csv(frame), targets, strict=True)
    assert r.status == "refused" and r.counts.accepted == 0 and r.counts.rejected == 1
    assert _count(engine) == 0
    assert r.counts.rows == len(frame)
    rej = run_rejected(engine, r.run_id or 0)
    assert list(rej["line"]) == [7]
    assert rej["reason"][0].startswith('第 7 行: 未知街道 "德胜门外"') and "德胜" in rej["reason"][0]
    assert "unknown subdistrict" in rej["reason_en"][0]


def test_without_strict_good_rows_are_stored_and_bad_ones_kept(make_db, targets: Targets) -> None:
    engine = make_db()
    frame = make_readings(targets, days=1, subdistricts=["德胜"]).astype({"value": object})
    frame.loc[2, "value"] = -4
    frame.loc[3, "value"] = "-999"
    frame.loc[4, "time"] = "2026-02-30 05:00"
    r = _ingest(engine, _csv(frame), targets)
    assert r.counts.rejected == 2 and r.counts.missing == 1 and r.counts.accepted == len(frame) - 3
    _invariant(r)
    assert _count(engine) == len(frame) - 3
    assert _count(engine, rejected_rows) == 2
    reasons = {x.line: x for x in r.rejected_rows}
    assert "为负数" in reasons[4].reason and reasons[4].raw.startswith("德胜,")
    assert "日期或时间不存在" in reasons[6].reason


def test_wide_layout_with_chinese_headers_gbk_and_aliases(make_db, targets: Targets) -> None:
    engine = make_db()
    text = (
        "街道名称,监测时间,PM2.5,PM10,二氧化氮,CO\n"
        "德胜街道,2026/1/5 13:00,35,60,40,0.8\n"
        "110102017000,2026-01-05T14:00,36,—,41,0.9\n"
        "Desheng,2026-01-05 24:00,30,50,,0.7\n"
        "广外,2026-01-05,33,55,38,0.6\n"
    )
    r = _ingest(engine, text.encode("gbk"), targets, name="宽表.csv")
    assert r.kind == "readings" and r.counts.rejected == 0, r.rejected_rows
    assert r.counts.missing == 2 and r.counts.accepted == 14
    _invariant(r)
    with engine.connect() as conn:
        rows = conn.execute(select(readings.c.subdistrict_id, readings.c.ts, readings.c.resolution, readings.c.pollutant, readings.c.value)).all()
    got = {(sd, timeutil.ts_to_label(ts), res, pol): val for sd, ts, res, pol, val in rows}
    assert got[(10, dt.datetime(2026, 1, 5, 13), "h", "pm25")] == 35
    assert got[(17, dt.datetime(2026, 1, 5, 14), "h", "co")] == 0.9
    assert got[(10, dt.datetime(2026, 1, 6, 0), "h", "pm25")] == 30  # 24:00 is next day's 00:00
    assert got[(20, dt.datetime(2026, 1, 6, 0), "d", "pm25")] == 33  # a date alone: daily value
    with engine.connect() as conn:
        day = conn.execute(
            select(daily_means.c.mean).where(daily_means.c.subdistrict_id == 20, daily_means.c.day == dt.date(2026, 1, 5), daily_means.c.pollutant == "pm25")
        ).scalar_one()
    assert day == 33


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings(make_db, targets: Targets, encoding: str) -> None:
    engine = make_db()
    frame = make_readings(targets, days=1, subdistricts=["什刹海", "广内"])
    frame.columns = ["街道", "时间", "污染物", "浓度"]
    sep = "\t" if encoding == "utf-16" else ","
    r = _ingest(engine, frame.to_csv(index=False, sep=sep).encode(encoding), targets)
    assert r.counts.accepted == len(frame) and r.counts.rejected == 0


def test_xlsx_with_title_row_and_excel_dates(make_db, targets: Targets) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["西城区各街道空气质量监测数据"])
    ws.append(["街道", "时间", "污染物", "浓度", "单位"])
    ws.append(["德胜", dt.datetime(2026, 1, 5, 13), "PM2.5", 35, "μg/m³"])
    ws.append(["德胜", dt.datetime(2026, 1, 5, 14), "一氧化碳", 0.8, "mg/m3"])
    ws.append(["德胜", dt.datetime(2026, 1, 5, 15), "PM2.5", 35, "mg/m³"])
    buf = io.BytesIO()
    wb.save(buf)
    r = _ingest(engine := make_db(), buf.getvalue(), targets, name="x.xlsx")
    assert r.counts.accepted == 2 and r.counts.rejected == 1
    assert r.rejected_rows[0].line == 5 and "单位" in r.rejected_rows[0].reason
    assert _count(engine) == 2


def test_station_column_known_station_and_mean_by_station(make_db, targets: Targets) -> None:
    engine = make_db()
    text = (
        "subdistrict,station,time,pollutant,value\n"
        "展览路,官园,2026-01-05 13:00,pm25,30\n"
        "展览路,XZMB,2026-01-05 13:00,pm25,40\n"
        "展览路,万寿西宫,2026-01-05 13:00,pm25,40\n"
        "展览路,不存在站,2026-01-05 13:00,pm25,40\n"
    )
    r = _ingest(engine, text.encode(), targets)
    assert r.counts.accepted == 2 and r.counts.rejected == 2
    reasons = {x.line: x.reason for x in r.rejected_rows}
    assert "不在街道" in reasons[4] and "未知站点" in reasons[5]
    with engine.connect() as conn:
        stations = sorted(s for (s,) in conn.execute(select(readings.c.station)))
    assert stations == ["1006A", "XZMB"]


def test_hour_beginning_shifts_labels(make_db, targets: Targets) -> None:
    engine = make_db()
    r = _ingest(engine, "subdistrict,time,pollutant,value\n德胜,2026-01-05 13:00,pm25,30\n".encode(), targets, hour_beginning=True)
    assert r.first_label == dt.datetime(2026, 1, 5, 14)


def test_in_file_duplicates_and_in_file_conflicts(make_db, targets: Targets) -> None:
    engine = make_db()
    text = (
        "subdistrict,time,pollutant,value\n"
        "德胜,2026-01-05 13:00,pm25,30\n"
        "德胜,2026-01-05 13:00,pm25,30\n"
        "德胜,2026-01-05 13:00,PM2.5,31\n"
    )
    r = _ingest(engine, text.encode(), targets)
    assert r.counts.accepted == 1 and r.counts.duplicates == 1 and r.counts.rejected == 1
    assert r.rejected_rows[0].line == 4 and "第 2 行" in r.rejected_rows[0].reason


def test_unit_inside_cell(make_db, targets: Targets) -> None:
    engine = make_db()
    text = (
        "subdistrict,time,pollutant,value\n"
        "德胜,2026-01-05 13:00,pm25,35μg/m³\n"
        "德胜,2026-01-05 13:00,co,0.8 mg/m³\n"
        "德胜,2026-01-05 14:00,co,800μg/m³\n"
        "德胜,2026-01-05 15:00,pm25,35 apples\n"
    )
    r = _ingest(engine, text.encode(), targets)
    assert r.counts.accepted == 2 and r.counts.rejected == 2
    reasons = [x.reason for x in r.rejected_rows]
    assert "单位" in reasons[0] and "不是数字" in reasons[1]


def test_future_time_and_plausible_range(make_db, targets: Targets) -> None:
    engine = make_db()
    future = (timeutil.now_beijing() + dt.timedelta(hours=3)).strftime("%Y-%m-%d %H:00")
    soon = (timeutil.now_beijing() + dt.timedelta(minutes=30)).strftime("%Y-%m-%d %H:00")
    text = f"subdistrict,time,pollutant,value\n德胜,{future},pm25,30\n德胜,{soon},pm25,30\n德胜,2026-01-05 13:00,pm25,5000\n"
    r = _ingest(engine, text.encode(), targets)
    assert r.counts.accepted == 1 and r.counts.rejected == 2
    assert "未来" in r.rejected_rows[0].reason and "合理范围" in r.rejected_rows[1].reason


def test_dust_flag_column_marks_dust_days(make_db, targets: Targets) -> None:
    engine = make_db()
    text = "街道,时间,PM10,沙尘\n德胜,2026-03-15 13:00,900,是\n德胜,2026-03-16 13:00,90,\n"
    r = _ingest(engine, text.encode(), targets)
    assert r.counts.accepted == 2 and r.dust_days == [dt.date(2026, 3, 15)]
    with engine.connect() as conn:
        ev = exceptional_events.c
        flagged = conn.execute(select(ev.first_day, ev.last_day, ev.kind, ev.flagged_by, ev.run_id)).all()
    assert [tuple(f) for f in flagged] == [(dt.date(2026, 3, 15), dt.date(2026, 3, 15), "sand_dust", "tester", r.run_id)]


def test_road_dust_file(make_db, targets: Targets) -> None:
    engine = make_db()
    text = "街道,道路名称,月份,道路尘负荷,等级\n德胜,德胜门外大街,2026-03,0.42,良\n德胜,新街口外大街,2026-03,0.31,\n德胜,鼓楼西大街,2026-03,-1,\n德胜,X路,2026-03,0.5,很好\n"
    r = _ingest(engine, text.encode(), targets)
    assert r.kind == "road_dust" and r.counts.accepted == 2 and r.counts.rejected == 2
    again = _ingest(engine, text.encode(), targets)
    assert again.counts.accepted == 0 and again.counts.duplicates == 2


def test_viewer_may_not_ingest(make_db, targets: Targets) -> None:
    with pytest.raises(PermissionDenied):
        ingest_file(make_db(), b"x", name="f.csv", targets=targets, actor=Actor("v", "viewer"))


def test_ingest_frame_from_a_source(make_db, targets: Targets) -> None:
    engine = make_db()
    frame = pd.DataFrame(
        {
            "subdistrict": ["", ""],
            "time": ["2026-01-05 13:00", "2026-01-05 13:00"],
            "pollutant": ["pm25", "o3"],
            "value": ["30", ""],
            "station": ["1001A", "1001A"],
            "unit": ["", ""],
        }
    )
    # no subdistrict given: the station tells it
    frame = frame.drop(columns="subdistrict")
    r = ingest_frame(engine, frame, name="src", targets=targets, actor=ANALYST, source_label="src")
    assert r.counts.accepted == 1 and r.counts.missing == 1 and r.status == "succeeded"
    with engine.connect() as conn:
        assert conn.execute(select(readings.c.source, readings.c.subdistrict_id)).all() == [("src", 19)]


def test_real_station_history_parses_like_the_embedded_reader(make_db, targets: Targets) -> None:
    """The real UCI file (year, month, day, hour columns; station by English name)."""
    engine = make_db()
    path = sorted((embedded._default_dir()).glob("PRSA_Data_Guanyuan_*.csv"))[0]
    r = ingest_file(engine, path, name=path.name, targets=targets, actor=ANALYST, dry_run=True)
    history = embedded.read_station_history()
    expected = history[(history["station"] == "1006A") & (history["pollutant"] != "co")]
    counts = r.by_subdistrict_pollutant.set_index("pollutant")["rows"].to_dict()
    for pol, n in expected.groupby("pollutant").size().items():
        assert counts[pol] == n, pol
    # CO is µg/m³ in the UCI files: outside the mg/m³ range, refused with the reason why.
    co_rejections = [x for x in r.rejected_rows if "CO" in x.reason_en]
    assert co_rejections and "wrong unit?" in co_rejections[0].reason_en
    assert set(r.ignored_columns) >= {"TEMP", "PRES", "wd"}
    assert r.first_label == dt.datetime(2013, 3, 1, 0) + dt.timedelta(hours=0)


def test_large_file_is_chunked_with_progress(make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitoring.ingest import readers

    monkeypatch.setattr(readers, "CHUNK_ROWS", 50)
    engine = make_db()
    rng = random.Random(42)
    frame = make_readings(targets, days=10, subdistricts=["德胜", "月坛"], rng=rng).astype({"pollutant": object})
    frame.loc[250, "pollutant"] = "pm2.6"
    seen: list[float] = []
    r = _ingest(engine, _csv(frame), targets, progress=lambda f, _m: seen.append(f))
    assert r.counts.accepted == len(frame) - 1 and r.rejected_rows[0].line == 252
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 5


def test_units_in_wide_headers(make_db, targets: Targets) -> None:
    engine = make_db()
    text = "街道,时间,PM2.5(μg/m³),CO（mg/m3）,NO2(mg/m³)\n德胜,2026-01-05 13:00,35,0.8,0.04\n"
    r = _ingest(engine, text.encode(), targets)
    assert r.counts.accepted == 2 and r.counts.rejected == 1
    assert "与 NO2 的单位 µg/m³ 不符" in r.rejected_rows[0].reason and "NO2" in r.rejected_rows[0].reason_en


def test_future_check_after_hour_beginning_shift(make_db, targets: Targets) -> None:
    engine = make_db()
    # the next full hour: within now + 1 h, but not once shifted by an hour
    label = (timeutil.now_beijing().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:00")
    text = f"subdistrict,time,pollutant,value\n德胜,{label},pm25,30\n"
    assert _ingest(engine, text.encode(), targets, dry_run=True).counts.rejected == 0
    assert _ingest(engine, text.encode(), targets, dry_run=True, hour_beginning=True).counts.rejected == 1


def test_dust_flags_and_readings_are_one_transaction(make_db, targets: Targets) -> None:
    engine = make_db()
    # a real failure inside the write: the database refuses the dust flag.
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "CREATE FUNCTION no_dust() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'no dust'; END $$"
            )
            conn.exec_driver_sql("CREATE TRIGGER no_dust BEFORE INSERT ON exceptional_events FOR EACH ROW EXECUTE FUNCTION no_dust()")
        else:
            conn.exec_driver_sql("CREATE TRIGGER no_dust BEFORE INSERT ON exceptional_events BEGIN SELECT RAISE(ABORT, 'no dust'); END")
    text = "街道,时间,PM10,沙尘\n德胜,2026-03-15 13:00,900,是\n德胜,2026-03-16 13:00,90,\n"
    with pytest.raises(Exception, match="no dust"):
        _ingest(engine, text.encode(), targets)
    assert _count(engine) == 0 and _count(engine, exceptional_events) == 0 and _count(engine, daily_means) == 0
    assert list_runs(engine).iloc[0]["status"] == "failed"


@pytest.mark.parametrize("shuffled", [False, True])  # time order (a radix sort suffices), or any order
def test_rows_reach_the_table_in_its_key_order(make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch, shuffled: bool) -> None:  # type: ignore[no-untyped-def]
    # the insert is fast only in key order (docs/PERFORMANCE.md), and the pipeline tells
    # the writer its rows are sorted: check that they are, pollutants in the store's order.
    from monitoring.storage import bulk

    seen: list[list[tuple[int, str, int]]] = []
    insert = bulk.insert_columns

    def spy(conn, table, columns, constants=None):  # type: ignore[no-untyped-def]
        if table == "readings":
            n = len(columns["ts"])
            given = {**{k: [v] * n for k, v in (constants or {}).items()}, **columns}
            keys = zip(given["subdistrict_id"], given["pollutant"], given["ts"], strict=True)
            seen.append([(int(sd), str(p), int(ts)) for sd, p, ts in keys])
        return insert(conn, table, columns, constants)

    monkeypatch.setattr(bulk, "insert_columns", spy)
    engine = make_db()
    frame = make_readings(targets, days=2, pollutants=("pm25", "pm10", "so2", "no2", "o3", "co"))
    r = _ingest(engine, _csv(frame.sample(frac=1.0, random_state=3) if shuffled else frame), targets)
    assert r.counts.accepted == len(frame)
    rows = [key for batch in seen for key in batch]
    assert len(rows) == len(frame) and rows == sorted(rows)


# -- issue 14: the file's lines and the readings they hold, each accounted for ---------------------
def _readings_add_up(r: IngestResult) -> bool:
    """Every reading accounted for once; a file refused whole (--strict) stores none of its good ones."""
    c = r.counts
    good = r.readings - (r.rejected_readings + c.duplicates + c.missing + (c.conflicts - c.replaced))
    return good == (4 if r.refused else c.accepted)


@pytest.mark.parametrize("strict", [False, True])
def test_wide_lines_and_readings_reconcile_in_preview_and_write(make_db, targets: Targets, strict: bool) -> None:
    engine = make_db()
    body = (
        "街道,时间,PM2.5,PM10,NO2\n"
        "月坛,2026-02-01 01:00,20,40,30\n"
        "月坛,2026-02-01 01:00,20,40,30\n"  # repeated in the file: three duplicates
        "不存在街道,2026-02-01 02:00,23,43,33\n"  # refused as a whole: three readings
        "德胜,2026-02-01 03:00,24,-5,NA\n"  # one bad cell, one missing
    ).encode("gbk")
    preview = ingest_file(engine, body, name="w.csv", targets=targets, actor=ANALYST, dry_run=True, strict=strict)
    assert (preview.lines, preview.readings, preview.counts.rejected, preview.rejected_readings) == (4, 12, 2, 4)
    assert _readings_add_up(preview)
    assert sorted(set(preview.duplicate_rows["line"])) == [3]  # listed as counted, strict or not
    done = ingest_file(engine, body, name="w.csv", targets=targets, actor=ANALYST, strict=strict)
    assert _readings_add_up(done) and done.readings == 12
    assert (done.counts.accepted, done.counts.duplicates, done.counts.missing) == ((0, 3, 1) if strict else (4, 3, 1))
    again = ingest_file(engine, body, name="w.csv", targets=targets, actor=ANALYST, dry_run=True)
    assert _readings_add_up(again) and again.counts.duplicates == (3 if strict else 7)
