"""``init``: create or upgrade the database and load the embedded data into an empty one.

Safe to run again: the schema is migrated only when behind, the reference tables are
synchronised from targets.yaml, and the embedded data is loaded only when the database
holds no readings at all. The app calls the same function when it starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import OperationalError

from monitoring import config, embedded, timeutil
from monitoring.counts import Counts
from monitoring.errors import StorageError
from monitoring.storage import migrate
from monitoring.storage.daily_refresh import DailyRules
from monitoring.storage.engine import describe, make_engine, write_transaction
from monitoring.storage.road_dust_writes import write_road_dust
from monitoring.storage.run_records import RunInfo, finish_run, mark_interrupted_runs, start_run
from monitoring.storage.schema import readings, road_dust, stations, subdistricts
from monitoring.storage.writes import write_readings
from monitoring.targets import Targets, load_targets, subdistrict_id

Progress = Callable[[str], None]


@dataclass
class InitReport:
    """What ``init`` did, for the command line and the app's start-up."""

    database: str
    revision_before: str | None
    revision_after: str
    loaded: dict[str, int] = field(default_factory=dict)
    interrupted_runs: int = 0

    def lines(self) -> list[str]:
        out = [f"database: {self.database}"]
        if self.revision_before == self.revision_after:
            out.append(f"schema: at revision {self.revision_after} (nothing to migrate)")
        else:
            out.append(f"schema: migrated {self.revision_before or 'empty'} -> {self.revision_after}")
        if self.interrupted_runs:
            out.append(f"runs: {self.interrupted_runs} interrupted run(s) marked failed (their data was not stored)")
        if self.loaded:
            for name, n in self.loaded.items():
                out.append(f"loaded: {name}: {n:,} rows")
        else:
            out.append("data: already present, nothing loaded")
        return out


def sync_reference(engine: Engine, targets: Targets) -> None:
    """Make the subdistricts and stations tables match targets.yaml (insert or update)."""
    with engine.begin() as conn:
        known = {row.id for row in conn.execute(select(subdistricts.c.id))}
        for sd in targets.subdistricts:
            sd_values = {"code": sd.code, "name": sd.name, "short_name": sd.short_name, "pinyin": sd.pinyin}
            sid = subdistrict_id(sd.code)
            if sid in known:
                conn.execute(update(subdistricts).where(subdistricts.c.id == sid).values(**sd_values))
            else:
                conn.execute(insert(subdistricts).values(id=sid, **sd_values))
        have = {row.code for row in conn.execute(select(stations.c.code))}
        for st in targets.stations:
            values: dict[str, object] = {
                "name": st.name,
                "name_en": st.name_en,
                "subdistrict_id": subdistrict_id(targets.subdistrict(st.subdistrict).code),
                "lng": st.lng,
                "lat": st.lat,
                "kind": st.kind,
            }
            if st.code in have:
                conn.execute(update(stations).where(stations.c.code == st.code).values(**values))
            else:
                conn.execute(insert(stations).values(code=st.code, **values))


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        has_readings = conn.execute(select(readings.c.ts).limit(1)).first() is not None
        has_dust = conn.execute(select(func.count()).select_from(road_dust)).scalar_one() > 0
    return not (has_readings or has_dust)


def _history_frame(targets: Targets) -> pd.DataFrame:
    """The real station history as canonical readings rows (one station per subdistrict)."""
    history = embedded.read_station_history()
    station_sd = {
        st.code: subdistrict_id(targets.subdistrict(st.subdistrict).code) for st in targets.stations
    }
    return pd.DataFrame(
        {
            "subdistrict_id": history["station"].map(station_sd).astype("int64"),
            "pollutant": history["pollutant"].astype(str),
            "ts": timeutil.labels_to_ts(history["label"]),
            "resolution": "h",
            "station": history["station"].astype(str),
            "value": history["value"].astype("float64"),
        }
    )


def _demo_frame(targets: Targets, through: dt.datetime) -> pd.DataFrame:
    demo = embedded.demo_readings(targets, through.year, through)
    code_to_id = {sd.code: subdistrict_id(sd.code) for sd in targets.subdistricts}
    return pd.DataFrame(
        {
            "subdistrict_id": demo["subdistrict_code"].map(code_to_id).astype("int64"),
            "pollutant": demo["pollutant"].astype(str),
            "ts": timeutil.labels_to_ts(demo["label"]),
            "resolution": "h",
            "station": "",
            "value": demo["value"].astype("float64"),
        }
    )


def _demo_dust_frame(targets: Targets, year: int, through_month: int) -> pd.DataFrame:
    dust = embedded.demo_road_dust(targets, year, through_month)
    code_to_id = {sd.code: subdistrict_id(sd.code) for sd in targets.subdistricts}
    return pd.DataFrame(
        {
            "subdistrict_id": dust["subdistrict_code"].map(code_to_id).astype("int64"),
            "road": dust["road"].astype(str),
            "day": dust["month"],
            "month_only": True,
            "load": dust["load"].astype("float64"),
            "grade": None,
        }
    )


def _load(
    engine: Engine,
    info: RunInfo,
    frame: pd.DataFrame,
    rules: DailyRules,
    *,
    road_dust_rows: bool = False,
) -> int:
    run_id = start_run(engine, info)
    try:
        with write_transaction(engine) as conn:
            if road_dust_rows:
                counts = write_road_dust(conn, run_id, frame, source=info.source)
            else:
                counts = write_readings(conn, run_id, frame, source=info.source, rules=rules)
            finish_run(conn, run_id, "succeeded", counts)  # with its data (see storage.run_records)
    except Exception as exc:
        finish_run(engine, run_id, "failed", Counts(rows=len(frame)), message=str(exc)[:500])
        raise
    return counts.accepted


def load_embedded(
    engine: Engine,
    targets: Targets,
    *,
    with_demo: bool,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Load the real station history and, if asked, the demo year (through ``now``)."""
    say = progress or (lambda _msg: None)
    rules = DailyRules.from_targets(targets)
    loaded: dict[str, int] = {}
    say("loading the real station history 2013-03 … 2017-02 (万寿西宫, 官园)")
    loaded["station history (UCI, CC BY 4.0)"] = _load(
        engine,
        RunInfo(kind="init", source=embedded.HISTORY_SOURCE, options={"attribution": embedded.UCI_ATTRIBUTION}),
        _history_frame(targets),
        rules,
    )
    if with_demo:
        now = now or timeutil.now_beijing()
        through = now.replace(minute=0, second=0, microsecond=0)
        say(f"generating the demo year {through.year} through {through:%Y-%m-%d %H:00}")
        loaded[f"demo readings {through.year}"] = _load(
            engine, RunInfo(kind="demo", source=embedded.DEMO_SOURCE), _demo_frame(targets, through), rules
        )
        last_month = through.month - 1 if through.day < 10 else through.month
        if last_month >= 1:
            loaded[f"demo road dust {through.year}"] = _load(
                engine,
                RunInfo(kind="demo", source=embedded.DEMO_SOURCE, data_kind="road_dust"),
                _demo_dust_frame(targets, through.year, last_month),
                rules,
                road_dust_rows=True,
            )
    return loaded


def init_database(
    engine: Engine | None = None,
    targets: Targets | None = None,
    *,
    load_data: bool = True,
    with_demo: bool | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> InitReport:
    """Create or upgrade the schema, sync the reference tables, load data into an empty DB."""
    engine = engine or make_engine()
    targets = targets or load_targets()
    try:
        before = migrate.current_revision(engine)
    except OperationalError as exc:
        raise StorageError(
            f"cannot open the database {describe(engine)}: {exc.orig}",
            message_zh=f"无法打开数据库 {describe(engine)}",
            hint="check DATABASE_URL and that the database server is running",
            hint_zh="请检查 DATABASE_URL，并确认数据库服务器已启动",
        ) from None
    migrate.upgrade(engine)
    sync_reference(engine, targets)
    with engine.begin() as conn:
        interrupted = mark_interrupted_runs(conn)
    report = InitReport(
        database=describe(engine),
        revision_before=before,
        revision_after=migrate.head_revision(),
        interrupted_runs=interrupted,
    )
    if load_data and _is_empty(engine):
        demo = config.load_demo() if with_demo is None else with_demo
        report.loaded = load_embedded(engine, targets, with_demo=demo, now=now, progress=progress)
    return report
