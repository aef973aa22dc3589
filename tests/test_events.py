"""Exceptional events (例外事件): migration of the old dust days, analyst-only audited writes,
clear refusals, the CLI, and figures with and without the events equal to a computation by
hand with the days taken out."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine, func, select

from monitoring import events, reports
from monitoring.actors import ANONYMOUS, Actor
from monitoring.errors import InputError, PermissionDenied
from monitoring.events import flag_sand_dust_day, unflag_sand_dust_day
from monitoring.reports import common
from monitoring.reports.events import deduction, side_by_side
from monitoring.storage import migrate, queries
from monitoring.storage.engine import make_engine
from monitoring.storage.run_records import RunInfo, start_run
from monitoring.storage.schema import exceptional_events
from monitoring.targets import Targets, subdistrict_id
from tests.cli import run_cli
from tests.test_reports import _write

ANALYST = Actor("wang", "analyst")
VIEWER = Actor("leader", "viewer")


@pytest.fixture
def empty_db(make_db: Callable[..., Engine]) -> Engine:
    return make_db()


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(exceptional_events)).scalar_one())


# -- migration 0004 ----------------------------------------------------------------------------


def test_migration_turns_dust_days_into_one_day_sand_dust_events_and_back(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine, "0003")
    run_id = start_run(engine, RunInfo(kind="ingest", source="dust.csv"))
    dust_days = sa.table("dust_days", sa.column("day", sa.Date()), sa.column("note", sa.Text()),
                         sa.column("flagged_by", sa.String()), sa.column("flagged_at", sa.DateTime(timezone=True)),
                         sa.column("run_id", sa.Integer()))
    at = dt.datetime(2026, 3, 20, 8, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(dust_days), [
            {"day": dt.date(2026, 3, 15), "note": "沙尘暴", "flagged_by": "li", "flagged_at": at, "run_id": None},
            {"day": dt.date(2026, 3, 16), "note": "", "flagged_by": "tester", "flagged_at": at, "run_id": run_id},
        ])
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.SCHEMA_REVISION == "0004"
    assert not sa.inspect(engine).has_table("dust_days")
    found = events.list_events(engine)
    assert [(e.first_day, e.last_day, e.kind, e.reason, e.flagged_by, e.run_id) for e in found] == [
        (dt.date(2026, 3, 15), dt.date(2026, 3, 15), "sand_dust", "沙尘暴", "li", None),
        (dt.date(2026, 3, 16), dt.date(2026, 3, 16), "sand_dust", "", "tester", run_id),
    ]
    assert all(e.flagged_at == at for e in found)  # who flagged it and when survive the migration
    assert queries.event_days(engine, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == [dt.date(2026, 3, 15), dt.date(2026, 3, 16)]

    # down again: the sand-and-dust days come back as days
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    with engine.connect() as conn:
        days = conn.execute(select(dust_days.c.day, dust_days.c.flagged_by).order_by(dust_days.c.day)).all()
    assert [(r[0] if isinstance(r[0], dt.date) else dt.date.fromisoformat(str(r[0])), r[1]) for r in days] == [
        (dt.date(2026, 3, 15), "li"), (dt.date(2026, 3, 16), "tester")]
    engine.dispose()


# -- flag, list, remove: analysts only, audited -----------------------------------------------


def test_flag_and_remove_are_audited_and_the_record_stays(empty_db: Engine, targets: Targets) -> None:
    e = events.flag_event(empty_db, targets, "2026-03-14", "2026-03-16", "sand_dust", "气象部门沙尘通报", ANALYST)
    assert (e.first_day, e.last_day, e.kind, e.flagged_by, e.active) == (
        dt.date(2026, 3, 14), dt.date(2026, 3, 16), "sand_dust", "wang", True)
    assert e.flagged_at.tzinfo is not None
    assert [x.id for x in events.list_events(empty_db, dt.date(2026, 3, 16), dt.date(2026, 3, 31))] == [e.id]
    assert events.list_events(empty_db, dt.date(2026, 3, 17), dt.date(2026, 3, 31)) == []

    removed = events.remove_event(empty_db, e.id, Actor("zhao", "admin"), "duplicate of the city's list")
    assert (removed.removed_by, removed.removed_reason, removed.active) == ("zhao", "duplicate of the city's list", False)
    assert events.list_events(empty_db) == []  # no longer deducted …
    kept = events.list_events(empty_db, removed=True)  # … but nothing is lost
    assert [(x.id, x.flagged_by, x.removed_by) for x in kept] == [(e.id, "wang", "zhao")]
    assert queries.event_days(empty_db, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == []
    with pytest.raises(InputError, match="already removed"):
        events.remove_event(empty_db, e.id, ANALYST)
    # the same days may be flagged again once the first event is removed
    again = events.flag_event(empty_db, targets, "2026-03-15", "2026-03-15", "sand_dust", "复核后仅一天", ANALYST)
    assert again.id != e.id and _count(empty_db) == 2


@pytest.mark.parametrize("who", [VIEWER, ANONYMOUS, None])
def test_a_viewer_may_not_flag_or_remove(empty_db: Engine, targets: Targets, who: Actor | None) -> None:
    with pytest.raises(PermissionDenied, match="analysts only"):
        events.flag_event(empty_db, targets, "2026-03-14", "2026-03-16", "sand_dust", "沙尘", who)  # type: ignore[arg-type]
    assert _count(empty_db) == 0
    e = events.flag_event(empty_db, targets, "2026-03-14", "2026-03-16", "sand_dust", "沙尘", ANALYST)
    with pytest.raises(PermissionDenied):
        events.remove_event(empty_db, e.id, who)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        flag_sand_dust_day(empty_db, dt.date(2026, 4, 1), "沙尘", who)  # type: ignore[arg-type]
    assert [x.active for x in events.list_events(empty_db, removed=True)] == [True]


@pytest.mark.parametrize(
    ("first", "last", "kind", "reason", "message"),
    [
        ("2026-03-16", "2026-03-14", "sand_dust", "x", "ends (2026-03-14) before it begins (2026-03-16)"),
        ("2026-03-14", "2026-03-16", "volcano", "x", "unknown event kind 'volcano'"),
        ("2026-03-14", "2026-03-16", "sand_dust", "  ", "needs a reason"),
        ("2026-3-14x", "2026-03-16", "sand_dust", "x", "is not a date"),
        ("2026-01-01", "2027-06-30", "sand_dust", "x", "more than 366"),
        ("2026-03-10", "2026-03-12", "wildfire", "x", "overlaps event #1 sand_dust 2026-03-12–2026-03-12"),
    ],
)
def test_bad_ranges_are_refused_in_one_line(
    empty_db: Engine, targets: Targets, first: str, last: str, kind: str, reason: str, message: str
) -> None:
    events.flag_event(empty_db, targets, "2026-03-12", "2026-03-12", "sand_dust", "沙尘", ANALYST)
    with pytest.raises(InputError) as err:
        events.flag_event(empty_db, targets, first, last, kind, reason, ANALYST)
    assert message in str(err.value) and "\n" not in str(err.value) and err.value.hint and err.value.message_zh
    assert _count(empty_db) == 1


def test_flag_sand_dust_day_is_a_one_day_sand_dust_event(empty_db: Engine, targets: Targets) -> None:
    assert flag_sand_dust_day(empty_db, dt.date(2026, 3, 5), "沙尘暴", ANALYST)
    assert not flag_sand_dust_day(empty_db, dt.date(2026, 3, 5), "again", ANALYST)  # already deducted
    (e,) = events.list_events(empty_db)
    assert (e.first_day, e.last_day, e.kind, e.reason) == (dt.date(2026, 3, 5), dt.date(2026, 3, 5), "sand_dust", "沙尘暴")
    events.flag_event(empty_db, targets, "2026-04-01", "2026-04-03", "sand_dust", "三天", ANALYST)
    with pytest.raises(InputError, match="inside the 2026-04-01–2026-04-03"):
        unflag_sand_dust_day(empty_db, dt.date(2026, 4, 2), ANALYST)
    assert unflag_sand_dust_day(empty_db, dt.date(2026, 3, 5), ANALYST)
    assert not unflag_sand_dust_day(empty_db, dt.date(2026, 3, 6), ANALYST)


# -- the command line -------------------------------------------------------------------------


def _cli(db: Engine, *args: str, command: str = "events") -> subprocess.CompletedProcess[str]:
    return run_cli(command, *args, env={"DATABASE_URL": db.url.render_as_string(hide_password=False), "MONITOR_LOAD_DEMO": "0"})


def test_cli_add_list_remove_and_refusals(empty_db: Engine) -> None:
    added = _cli(empty_db, "add", "2026-03-14", "2026-03-16", "--kind", "sand_dust", "--reason", "CMA dust bulletin")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("flagged event 1: sand_dust 2026-03-14 – 2026-03-16 (3 days) by cli:")
    for args, message in (
        (("add", "2026-03-16", "2026-03-17", "--kind", "sand_dust", "--reason", "x"), "overlaps event #1"),
        (("add", "2026-03-20", "2026-03-19", "--kind", "sand_dust", "--reason", "x"), "before it begins"),
        (("add", "2026-03-20", "2026-03-21", "--kind", "volcano", "--reason", "x"), "unknown event kind 'volcano'"),
        (("remove", "9"), "no exceptional event 9"),
    ):
        r = _cli(empty_db, *args)
        assert r.returncode == 1 and r.stderr.startswith("error: ") and message in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    listed = _cli(empty_db, "list")
    assert listed.returncode == 0 and "2026-03-14 – 2026-03-16" in listed.stdout and "CMA dust bulletin" in listed.stdout
    assert _cli(empty_db, "remove", "1", "--reason", "wrong city").returncode == 0
    assert "no exceptional events" in _cli(empty_db, "list").stdout
    everything = _cli(empty_db, "list", "--all", "--format", "json")
    assert '"removed_reason": "wrong city"' in everything.stdout


def test_cli_report_exclude_events_and_the_old_flag(empty_db: Engine, targets: Targets) -> None:
    _write(empty_db, targets, [("德胜", f"2026-03-{d:02d}", "pm25", 300.0 if d == 5 else 30.0) for d in range(1, 11)], resolution="d")
    events.flag_event(empty_db, targets, "2026-03-05", "2026-03-05", "sand_dust", "沙尘", ANALYST)
    for flag in ("--exclude-events", "--exclude-dust"):
        r = _cli(empty_db, "ranking", "--year", "2026", "--month", "3", "--through", "2026-03-10", flag, "--format", "json",
                 command="report")
        assert r.returncode == 0, r.stderr
        assert "扣除例外事件 1 天（沙尘 2026-03-05）；有效天数要求相应减少 1 天" in r.stdout
    r = _cli(empty_db, "ranking", "--year", "2026", "--month", "3", "--through", "2026-03-10", "--format", "json", command="report")
    assert "含例外事件 1 天（沙尘 2026-03-05），未扣除" in r.stdout


# -- the figures with and without --------------------------------------------------------------

EVENT = (dt.date(2015, 3, 14), dt.date(2015, 3, 16))


def _by_hand(engine: Engine, targets: Targets, first: dt.date, last: dt.date, out: set[dt.date]) -> dict[int, float]:
    """Each subdistrict's PM2.5 mean of its valid daily means first … last, the days ``out`` removed."""
    valid = common._valid_daily(engine, targets, first, last, ("pm25",), set())
    valid = valid[(valid["pollutant"] == "pm25") & ~valid["day"].isin(out)]
    return {int(sid): float(g["value"].mean()) for sid, g in valid.groupby("subdistrict_id")}


def test_side_by_side_ranking_equals_a_computation_with_the_days_removed(seeded_db: Engine, targets: Targets) -> None:
    events.flag_event(seeded_db, targets, *EVENT, "sand_dust", "2015年3月沙尘", ANALYST)
    pair = side_by_side(reports.ranking, seeded_db, targets, year=2015, month=3)
    assert pair.has_events and pair.deducted is not None
    first, last = pair.first, pair.last
    assert (first, last) == (dt.date(2015, 3, 1), dt.date(2015, 3, 31))
    out = {EVENT[0] + dt.timedelta(days=i) for i in range(3)}
    by_hand = _by_hand(seeded_db, targets, first, last, out)
    with_all = _by_hand(seeded_db, targets, first, last, set())
    deducted = pair.deducted.frame.set_index("code")
    included = pair.included.frame.set_index("code")
    moved = 0
    held = [sd for sd in targets.subdistricts if subdistrict_id(sd.code) in with_all]
    assert held, "the seeded history holds March 2015"
    for sd in held:
        sid = subdistrict_id(sd.code)
        assert deducted.loc[sd.code, "mean"] == common._r(by_hand[sid], "pm25", targets)
        assert included.loc[sd.code, "mean"] == common._r(with_all[sid], "pm25", targets)
        moved += deducted.loc[sd.code, "mean"] != included.loc[sd.code, "mean"]
        assert deducted.loc[sd.code, "days"] == 31 - 3
    assert moved > 0, "the event days must change some means"
    assert pair.note == "扣除例外事件 3 天（沙尘 2015-03-14—03-16）"
    # the method lines say exactly what was deducted, and what the published figure includes
    assert pair.deducted.method["events"] == (
        "扣除例外事件 3 天（沙尘 2015-03-14—03-16）；有效天数要求相应减少 3 天（" + targets.exceptional_events.standard + "）")
    assert pair.deducted.method["events_en"] == (
        "exceptional events deducted: 3 days (sand and dust 2015-03-14–03-16); the valid days required are reduced by 3 "
        "(HJ 663—2026 (exceptional events); sand and dust: MEE notice Huanban Jiance [2016] No. 120)")
    assert pair.included.method["events"] == "含例外事件 3 天（沙尘 2015-03-14—03-16），未扣除"
    assert "扣除例外事件 3 天后需 24 个" in pair.deducted.method["validity"]  # March needs 27 valid days, 24 after


def test_side_by_side_district_progress_and_budget_deduct_the_same_days(seeded_db: Engine, targets: Targets) -> None:
    events.flag_event(seeded_db, targets, *EVENT, "sand_dust", "沙尘", ANALYST)
    events.flag_event(seeded_db, targets, "2015-05-02", "2015-05-02", "wildfire", "山火烟羽", ANALYST)
    out = {EVENT[0] + dt.timedelta(days=i) for i in range(3)} | {dt.date(2015, 5, 2)}
    first, last = dt.date(2015, 1, 1), dt.date(2015, 12, 31)
    valid = common._valid_daily(seeded_db, targets, first, last, ("pm25",), set())
    district_daily = common._district_daily(valid[~valid["day"].isin(out)])
    expected = common._r(float(district_daily[district_daily["pollutant"] == "pm25"]["value"].mean()), "pm25", targets)

    d = side_by_side(reports.district, seeded_db, targets, year=2015)
    assert d.deducted is not None
    assert d.deducted.frame.set_index("key").loc["pm25_annual", "value"] == expected
    assert d.deducted.method["events"].startswith(
        "扣除例外事件 4 天（沙尘 2015-03-14—03-16；森林草原火灾（暂定类型） 2015-05-02）；有效天数要求相应减少 4 天")

    b = side_by_side(reports.budget, seeded_db, targets, year=2015)
    assert b.deducted is not None
    assert b.deducted.frame.iloc[-1]["ytd_mean"] == expected  # the district row

    p = side_by_side(reports.progress, seeded_db, targets, year=2015)
    assert p.deducted is not None
    march = p.deducted.frame.set_index("month").loc[3]
    in_march = district_daily[(district_daily["pollutant"] == "pm25") & (district_daily["day"] >= dt.date(2015, 3, 1))
                              & (district_daily["day"] <= dt.date(2015, 3, 31))]
    assert march["monthly_mean"] == common._r(float(in_march["value"].mean()), "pm25", targets)
    assert march["monthly_valid_days"] == len(in_march) <= 31 - 3


def test_no_event_in_the_period_computes_once_and_says_so(seeded_db: Engine, targets: Targets) -> None:
    events.flag_event(seeded_db, targets, *EVENT, "sand_dust", "沙尘", ANALYST)
    calls: list[bool] = []

    def counted(engine: Engine, t: Targets, **kw: object) -> reports.Report:
        calls.append(bool(kw["exclude_events"]))
        return reports.ranking(engine, t, **kw)  # type: ignore[arg-type]

    pair = side_by_side(counted, seeded_db, targets, year=2015, month=4)
    assert pair.deducted is None and not pair.has_events and calls == [False]
    assert (pair.note, pair.note_en) == ("本时段无例外事件", "no exceptional event in the period")
    assert pair.included.method["events"] == "本时段无例外事件"
    days, text = deduction(seeded_db, targets, dt.date(2015, 3, 15), dt.date(2015, 3, 20), True)
    assert days == {dt.date(2015, 3, 15), dt.date(2015, 3, 16)}  # clipped to the period
    assert text["events"].startswith("扣除例外事件 2 天（沙尘 2015-03-15—03-16）")


def test_district_daily_in_sql_leaves_out_every_day_of_a_range(seeded_db: Engine, targets: Targets) -> None:
    events.flag_event(seeded_db, targets, *EVENT, "sand_dust", "沙尘", ANALYST)
    first, last = dt.date(2015, 3, 1), dt.date(2015, 3, 31)
    got = common._district_daily_db(seeded_db, targets, first, last, ("pm25",), True)
    every = common._district_daily_db(seeded_db, targets, first, last, ("pm25",), False)
    assert sorted(set(every["day"]) - set(got["day"])) == [EVENT[0] + dt.timedelta(days=i) for i in range(3)]
    np.testing.assert_allclose(
        got["value"].to_numpy(), every[~every["day"].isin(set(every["day"]) - set(got["day"]))]["value"].to_numpy())


def test_a_day_flagged_by_an_ingest_and_a_report_flag(empty_db: Engine, targets: Targets) -> None:
    rows = [("德胜", f"2026-03-{d:02d}", "pm25", 30.0) for d in range(1, 11)]
    rows[4] = ("德胜", "2026-03-05", "pm25", 300.0)
    _write(empty_db, targets, rows, resolution="d")
    events.flag_event(empty_db, targets, "2026-03-05", "2026-03-05", "other", "烟花集中燃放（经市局认定）", ANALYST)
    kw = {"year": 2026, "month": 3, "through": dt.date(2026, 3, 10)}
    pair = side_by_side(reports.ranking, empty_db, targets, **kw)
    assert pair.deducted is not None
    assert pair.included.frame.set_index("subdistrict").loc["德胜", "mean"] == 57.0
    assert pair.deducted.frame.set_index("subdistrict").loc["德胜", "mean"] == 30.0
    frame = pd.DataFrame(pair.deducted.frame)
    assert frame.set_index("subdistrict").loc["德胜", "days"] == 9


def test_two_analysts_flagging_the_same_days_at_once_store_one_event(make_db: Callable[..., Engine], targets: Targets) -> None:
    import threading

    engine = make_db()
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def flag(i: int) -> None:
        barrier.wait()
        try:
            events.flag_event(engine, targets, "2026-03-14", "2026-03-16", "sand_dust", f"analyst {i}", Actor(f"a{i}", "analyst"))
            outcomes.append("stored")
        except InputError as exc:
            outcomes.append("overlap" if "overlaps" in str(exc) else str(exc))

    threads = [threading.Thread(target=flag, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["overlap"] * 7 + ["stored"]
    assert _count(engine) == 1
