"""storage.writes: new / duplicate / conflict, --replace and its audit, daily-mean maintenance.

Daily means are checked against numbers worked out by hand (multi-station hours, O3
8-hour windows with 5 and 6 hours, a given daily value against the hours), and a file
written in slices must leave exactly what one write leaves.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from monitoring import timeutil
from monitoring.counts import Counts
from monitoring.storage.daily_refresh import DailyRules, compute_daily
from monitoring.storage.road_dust_writes import write_road_dust
from monitoring.storage.run_records import RunInfo, delete_runs, finish_run, start_run
from monitoring.storage.schema import daily_means, reading_revisions, readings, road_dust, road_dust_revisions
from monitoring.storage.writes import write_readings
from monitoring.targets import Targets
from tests.factories import canonical, make_readings

RULES = DailyRules(daily_min_hours=20, o3_8h_min_hours=6)
DESHENG = 10  # 110102010000 → 10
DAY = dt.date(2025, 3, 10)


def _write(engine: Engine, frame: pd.DataFrame, *, replace: bool = False, source: str = "cli", slices: int = 1) -> tuple[int, Counts]:
    run_id = start_run(engine, RunInfo(kind="ingest", source="test.csv"))
    total = Counts()
    with engine.begin() as conn:
        for part in np.array_split(np.arange(len(frame)), slices):
            total += write_readings(conn, run_id, frame.iloc[part], source=source, rules=RULES, replace=replace)
    finish_run(engine, run_id, "succeeded", total)
    return run_id, total


def _hours(day: dt.date, slots: list[int], values: list[float], *, pollutant: str = "pm25", station: str = "", sd: int = DESHENG) -> pd.DataFrame:
    first = timeutil.day_bounds(day)[0]
    return pd.DataFrame(
        {
            "subdistrict_id": sd,
            "pollutant": pollutant,
            "ts": [first + s * timeutil.HOUR_S for s in slots],
            "resolution": "h",
            "station": station,
            "value": values,
        }
    )


def _daily(engine: Engine, pollutant: str = "pm25", sd: int = DESHENG, day: dt.date = DAY) -> dict[str, object] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(daily_means).where(
                daily_means.c.subdistrict_id == sd, daily_means.c.pollutant == pollutant, daily_means.c.day == day
            )
        ).first()
    return None if row is None else dict(row._mapping)


def _all_daily(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(daily_means).order_by(daily_means.c.subdistrict_id, daily_means.c.pollutant, daily_means.c.day)).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in daily_means.columns])
    return frame.round(9)


# -- classification -------------------------------------------------------------------


def test_new_then_duplicates_then_conflicts_kept(make_db: Callable[..., Engine], targets: Targets) -> None:
    engine = make_db()
    rows = canonical(targets, make_readings(targets, days=3, pollutants=("pm25", "o3")))
    _, first = _write(engine, rows)
    assert (first.rows, first.accepted, first.duplicates, first.conflicts) == (len(rows), len(rows), 0, 0)

    _, again = _write(engine, rows)
    assert (again.accepted, again.duplicates, again.conflicts) == (0, len(rows), 0)

    changed = rows.copy()
    picked = [3, 50, 400]
    changed.loc[picked, "value"] += 7.5
    run_id, third = _write(engine, changed)
    assert (third.accepted, third.duplicates, third.conflicts, third.replaced) == (0, len(rows) - 3, 3, 0)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(readings)).scalar_one() == len(rows)
        revisions = conn.execute(select(reading_revisions).where(reading_revisions.c.run_id == run_id)).all()
        stored = conn.execute(
            select(readings.c.value).where(readings.c.ts == int(rows.loc[3, "ts"]), readings.c.subdistrict_id == int(rows.loc[3, "subdistrict_id"]), readings.c.pollutant == rows.loc[3, "pollutant"])
        ).scalar_one()
    assert len(revisions) == 3 and {r.action for r in revisions} == {"kept"}
    assert sorted(r.new_value - r.old_value for r in revisions) == pytest.approx([7.5] * 3)
    assert stored == pytest.approx(rows.loc[3, "value"])  # kept the old value


def test_replace_stores_new_values_keeps_old_in_revisions_and_refreshes_the_day(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    first_run, _ = _write(engine, _hours(DAY, list(range(24)), [10.0] * 24))
    assert _daily(engine)["mean"] == pytest.approx(10.0)

    new = _hours(DAY, list(range(24)), [10.0] * 12 + [34.0] * 12)
    run_id, counts = _write(engine, new, replace=True)
    assert (counts.accepted, counts.duplicates, counts.conflicts, counts.replaced) == (12, 12, 12, 12)
    assert _daily(engine)["mean"] == pytest.approx(22.0)
    with engine.connect() as conn:
        revisions = conn.execute(select(reading_revisions).where(reading_revisions.c.run_id == run_id)).all()
        owners = conn.execute(select(readings.c.run_id, func.count()).group_by(readings.c.run_id)).all()
    assert len(revisions) == 12
    assert {(r.action, r.old_value, r.new_value, r.old_run_id) for r in revisions} == {("replaced", 10.0, 34.0, first_run)}
    assert dict(owners) == {first_run: 12, run_id: 12}


def test_a_slice_that_continues_a_stored_day_completes_it(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    _write(engine, _hours(DAY, list(range(10)), [20.0] * 10))
    assert _daily(engine)["n_hours"] == 10
    _, counts = _write(engine, _hours(DAY, list(range(10, 24)), [34.0] * 14))
    assert counts.accepted == 14
    daily = _daily(engine)
    assert daily["n_hours"] == 24
    assert daily["mean"] == pytest.approx((10 * 20 + 14 * 34) / 24)


# -- daily means ------------------------------------------------------------------------


def test_an_hour_is_the_mean_of_its_stations_first(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    # station A: 24 hours of 10; station B: the first 12 hours at 40.
    frame = pd.concat(
        [_hours(DAY, list(range(24)), [10.0] * 24, station="1001A"), _hours(DAY, list(range(12)), [40.0] * 12, station="1006A")],
        ignore_index=True,
    )
    _write(engine, frame)
    daily = _daily(engine)
    # hours 1-12: (10 + 40) / 2 = 25; hours 13-24: 10 → 17.5 (the mean of all rows would be 20)
    assert daily["mean"] == pytest.approx(17.5)
    assert daily["n_hours"] == 24


@pytest.mark.parametrize(("hours", "valid"), [(5, False), (6, True)])
def test_o3_8h_window_needs_six_hours(make_db: Callable[..., Engine], hours: int, valid: bool) -> None:
    engine = make_db()
    # slots 0..hours-1 hold values; the first window (slots 0-7, ending 08:00) sees `hours` of them.
    values = [60.0 + 10 * i for i in range(hours)]
    _write(engine, _hours(DAY, list(range(hours)), values, pollutant="o3"))
    daily = _daily(engine, "o3")
    assert daily["max1h"] == pytest.approx(max(values))
    if valid:
        assert daily["n_8h"] == 1
        assert daily["max8h"] == pytest.approx(sum(values) / hours)
    else:
        assert daily["n_8h"] == 0
        assert daily["max8h"] is None


def test_o3_max8h_is_the_highest_valid_window(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    values = [float(v) for v in [20, 20, 20, 20, 20, 20, 20, 20, 80, 90, 100, 110, 120, 130, 140, 150, 60, 50, 40, 30, 20, 20, 20, 20]]
    _write(engine, _hours(DAY, list(range(24)), values, pollutant="o3"))
    daily = _daily(engine, "o3")
    windows = [np.mean(values[e - 7 : e + 1]) for e in range(7, 24)]
    assert daily["n_8h"] == 17
    assert daily["max8h"] == pytest.approx(max(windows))
    assert daily["max8h"] == pytest.approx(np.mean(values[8:16]))  # the window ending 16:00


def _given_day(value: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"subdistrict_id": [DESHENG], "pollutant": ["pm25"], "ts": [timeutil.daily_ts(DAY)], "resolution": ["d"], "station": [""], "value": [value]}
    )


def test_a_given_daily_value_stands_in_for_too_few_hours(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    _write(engine, pd.concat([_hours(DAY, list(range(19)), [30.0] * 19), _given_day(42.0)], ignore_index=True))
    daily = _daily(engine)
    assert daily["mean"] == pytest.approx(42.0)
    assert daily["n_hours"] is None


def test_complete_hours_win_over_a_given_daily_value(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    _write(engine, _given_day(42.0))
    assert _daily(engine)["mean"] == pytest.approx(42.0)
    _write(engine, _hours(DAY, list(range(20)), [30.0] * 20))
    daily = _daily(engine)
    assert daily["mean"] == pytest.approx(30.0)
    assert daily["n_hours"] == 20


def test_demo_flag_only_when_every_value_of_the_day_is_demo(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    _write(engine, _hours(DAY, list(range(12)), [10.0] * 12), source="demo")
    assert _daily(engine)["demo"] is True
    _write(engine, _hours(DAY, list(range(12, 24)), [10.0] * 12), source="cli")
    assert _daily(engine)["demo"] is False


def test_slices_in_any_order_leave_what_one_write_leaves(make_db: Callable[..., Engine], targets: Targets) -> None:
    frame = canonical(targets, make_readings(targets, days=6, pollutants=("pm25", "o3", "co"), rng=random.Random(7)))
    # a second station for two subdistricts, and holes, so stations and windows matter
    extra = frame[frame["subdistrict_id"].isin([10, 11])].assign(station="1006A", value=lambda f: f["value"] * 1.5)
    frame = pd.concat([frame.assign(station="1001A"), extra], ignore_index=True)
    frame = frame.sample(frac=0.9, random_state=3).reset_index(drop=True)  # shuffled, 10 % of rows missing
    whole, sliced = make_db(), make_db()
    _write(whole, frame)
    _write(sliced, frame, slices=7)
    left, right = _all_daily(whole), _all_daily(sliced)
    assert len(left) == 15 * 3 * 6
    pd.testing.assert_frame_equal(left, right)


def test_daily_means_equal_a_plain_pandas_computation(make_db: Callable[..., Engine], targets: Targets) -> None:
    frame = canonical(targets, make_readings(targets, days=4, pollutants=("pm25",), rng=random.Random(11)))
    frame = frame.sample(frac=0.8, random_state=5)
    engine = make_db()
    _write(engine, frame)
    expected = (
        frame.assign(day=[timeutil.ts_to_day(t) for t in frame["ts"]])
        .groupby(["subdistrict_id", "day"])["value"]
        .agg(["mean", "size"])
        .reset_index()
    )
    stored = _all_daily(engine)
    stored["day"] = [d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in stored["day"]]
    merged = expected.merge(stored, on=["subdistrict_id", "day"])
    assert len(merged) == len(expected) == len(stored)
    assert np.allclose(merged["mean_x"], merged["mean_y"])
    assert (merged["size"] == merged["n_hours"]).all()


def test_compute_daily_matches_the_stored_statistics(targets: Targets) -> None:
    hourly = _hours(DAY, list(range(24)), [float(v) for v in range(24)], pollutant="o3").assign(demo=False)
    out = compute_daily(hourly, 6)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["day"] == DAY and row["n_hours"] == 24 and row["n_8h"] == 17
    assert row["mean"] == pytest.approx(11.5)
    assert row["max8h"] == pytest.approx(np.mean(range(16, 24)))
    assert row["max1h"] == pytest.approx(23.0)


# -- removing runs ------------------------------------------------------------------------


def test_delete_runs_removes_rows_and_refreshes_the_days(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    demo_run, _ = _write(engine, _hours(DAY, list(range(12)), [100.0] * 12), source="demo")
    _write(engine, _hours(DAY, list(range(12, 24)), [10.0] * 12))
    _write(engine, _hours(DAY + dt.timedelta(days=1), list(range(24)), [50.0] * 24), source="demo")
    assert _daily(engine)["mean"] == pytest.approx(55.0)
    with engine.begin() as conn:
        counts = delete_runs(conn, [demo_run], RULES)
    assert counts.rows == 12
    daily = _daily(engine)
    assert daily["mean"] == pytest.approx(10.0) and daily["n_hours"] == 12
    assert _daily(engine, day=DAY + dt.timedelta(days=1))["mean"] == pytest.approx(50.0)  # another run: kept


@pytest.mark.parametrize("replace", [False, True])
def test_a_file_mixing_new_duplicate_and_conflicting_rows(make_db: Callable[..., Engine], replace: bool) -> None:
    engine = make_db()
    _write(engine, _hours(DAY, list(range(12)), [10.0] * 12))
    # hours 1-6 again (duplicates), 7-12 changed (conflicts), 13-24 new
    mixed = _hours(DAY, list(range(24)), [10.0] * 6 + [22.0] * 6 + [40.0] * 12)
    _, counts = _write(engine, mixed.sample(frac=1.0, random_state=1), replace=replace)
    assert (counts.duplicates, counts.conflicts) == (6, 6)
    assert counts.accepted == (18 if replace else 12) and counts.replaced == (6 if replace else 0)
    daily = _daily(engine)
    assert daily["n_hours"] == 24
    expected = (6 * 10 + 6 * (22.0 if replace else 10.0) + 12 * 40) / 24
    assert daily["mean"] == pytest.approx(expected)


# -- road dust ------------------------------------------------------------------------


def _dust(load: float, grade: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {"subdistrict_id": [DESHENG], "road": ["德胜门外大街"], "day": [dt.date(2026, 3, 1)], "month_only": [True],
         "load": [load], "grade": [grade]}
    )


def _write_dust(engine: Engine, frame: pd.DataFrame, *, replace: bool = False) -> tuple[int, Counts]:
    run_id = start_run(engine, RunInfo(kind="ingest", source="dust.csv", data_kind="road_dust"))
    with engine.begin() as conn:
        counts = write_road_dust(conn, run_id, frame, source="cli", replace=replace)
    finish_run(engine, run_id, "succeeded", counts)
    return run_id, counts


def test_road_dust_conflicts_keep_the_old_load_in_the_audit_trail(make_db: Callable[..., Engine]) -> None:
    engine = make_db()
    first, counts = _write_dust(engine, _dust(0.31))
    assert (counts.accepted, counts.conflicts) == (1, 0)
    _, again = _write_dust(engine, _dust(0.31))
    assert (again.accepted, again.duplicates, again.conflicts) == (0, 1, 0)

    kept_run, kept = _write_dust(engine, _dust(0.52, "中"))
    assert (kept.accepted, kept.conflicts, kept.replaced) == (0, 1, 0)
    replaced_run, replaced = _write_dust(engine, _dust(0.52, "中"), replace=True)
    assert (replaced.accepted, replaced.conflicts, replaced.replaced) == (1, 1, 1)

    with engine.connect() as conn:
        stored = conn.execute(select(road_dust.c.load, road_dust.c.grade, road_dust.c.run_id)).one()
        trail = conn.execute(
            select(road_dust_revisions.c.run_id, road_dust_revisions.c.old_load, road_dust_revisions.c.new_load,
                   road_dust_revisions.c.new_grade, road_dust_revisions.c.old_run_id, road_dust_revisions.c.action)
            .order_by(road_dust_revisions.c.id)
        ).all()
    assert tuple(stored) == (0.52, "中", replaced_run)
    assert [tuple(r) for r in trail] == [
        (kept_run, 0.31, 0.52, "中", first, "kept"),
        (replaced_run, 0.31, 0.52, "中", first, "replaced"),
    ]


# -- the store against a model ----------------------------------------------------------


def _random_readings(rng: random.Random, n: int, *, base_ts: int) -> pd.DataFrame:
    """Distinct keys over 2 subdistricts × 2 pollutants × 3 stations ('' included) × 60
    hours, some given as daily values: the matching must tell every key part apart."""
    keys: set[tuple[int, str, int, str, str]] = set()
    while len(keys) < n:
        res = rng.choice("hhhd")
        hour = rng.randrange(60)
        ts = base_ts + (hour // 24) * timeutil.DAY_S + (timeutil.DAY_S - timeutil.HOUR_S if res == "d" else hour % 24 * timeutil.HOUR_S)
        keys.add((rng.choice([DESHENG, 11]), rng.choice(["pm25", "o3"]), ts, res, rng.choice(["", "1001A", "1002A"])))
    rows = sorted(keys)
    rng.shuffle(rows)
    frame = pd.DataFrame(rows, columns=["subdistrict_id", "pollutant", "ts", "resolution", "station"])
    frame["value"] = [float(rng.randrange(1, 40)) for _ in rows]
    return frame


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("replace", [False, True])
def test_a_second_file_over_a_stored_one_matches_a_dictionary_model(
    make_db: Callable[..., Engine], seed: int, replace: bool
) -> None:
    rng = random.Random(seed)
    engine = make_db()
    base = timeutil.day_bounds(DAY)[0]
    first = _random_readings(rng, 150, base_ts=base)
    second = _random_readings(rng, 150, base_ts=base)
    # a third of the second file repeats stored keys exactly, a third with another value
    stored_keys = first.sample(frac=0.6, random_state=seed)
    same, changed = stored_keys.iloc[: len(stored_keys) // 2], stored_keys.iloc[len(stored_keys) // 2 :].copy()
    changed["value"] = changed["value"] + 0.5
    key = ["subdistrict_id", "pollutant", "ts", "resolution", "station"]
    second = pd.concat([same, changed, second]).drop_duplicates(key).sample(frac=1.0, random_state=seed)

    first_run, _ = _write(engine, first)
    _, counts = _write(engine, second, replace=replace, slices=3)

    model = {tuple(r[:5]): r[5] for r in first.itertuples(index=False)}
    expected = Counts()
    for r in second.itertuples(index=False):
        k, value = tuple(r[:5]), r[5]
        if k not in model:
            expected += Counts(accepted=1)
            model[k] = value
        elif abs(model[k] - value) < 1e-9:
            expected += Counts(duplicates=1)
        else:
            expected += Counts(conflicts=1)
            if replace:
                expected += Counts(replaced=1, accepted=1)
                model[k] = value
    got = (counts.accepted, counts.duplicates, counts.conflicts, counts.replaced)
    assert got == (expected.accepted, expected.duplicates, expected.conflicts, expected.replaced)
    assert expected.conflicts > 0 and expected.duplicates > 0  # the case is exercised

    with engine.connect() as conn:
        stored = {tuple(r[:5]): r[5] for r in conn.execute(select(*[readings.c[c] for c in [*key, "value"]])).all()}
        revisions = conn.execute(select(reading_revisions.c.old_run_id, reading_revisions.c.action)).all()
    assert stored == pytest.approx(model)
    # every conflict names the run that stored the old value
    assert len(revisions) == expected.conflicts
    assert {r.old_run_id for r in revisions} == {first_run}
    assert {r.action for r in revisions} == {"replaced" if replace else "kept"}
    # and the daily means are what one write of the final store gives
    check = make_db()
    _write(check, pd.DataFrame([(*k, v) for k, v in model.items()], columns=[*key, "value"]))
    assert _all_daily(engine).drop(columns="demo").equals(_all_daily(check).drop(columns="demo"))
