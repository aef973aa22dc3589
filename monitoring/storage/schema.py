"""The database schema, as SQLAlchemy Core tables.

The migrations in ``migrations/versions`` create exactly these tables; a test compares
the two (Alembic's autogenerate must find nothing to do). Time columns:
``readings.ts`` is the UTC Unix time of the hour-ending label (see monitoring.timeutil);
``*_at`` columns are timezone-aware UTC instants; ``day`` columns are Beijing dates.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from monitoring.targets import POLLUTANTS

# Names for constraints, so migrations on SQLite (batch mode) and PostgreSQL agree.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Written as OR, not IN (…): SQLite evaluates a CHECK's IN list by building a temporary
# table for every row inserted, which made a million-row ingest 2 s slower (see
# docs/PERFORMANCE.md); the OR form is the same rule at no measurable cost.
POLLUTANT_CHECK = " OR ".join(f"pollutant = '{p}'" for p in POLLUTANTS)

subdistricts = Table(
    "subdistricts",
    metadata,
    # The id is the 3-digit street number inside the area code (110102|010|000 → 10):
    # stable across databases and small enough to keep the readings key narrow.
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("code", String(12), nullable=False, unique=True),
    Column("name", String(40), nullable=False),
    Column("short_name", String(20), nullable=False),
    Column("pinyin", String(40), nullable=False),
)

stations = Table(
    "stations",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(40), nullable=False),
    Column("name_en", String(60), nullable=False, server_default=""),
    Column("subdistrict_id", SmallInteger, ForeignKey("subdistricts.id"), nullable=False),
    Column("lng", Float),
    Column("lat", Float),
    Column("kind", String(16), nullable=False, server_default="national"),
)

ingestion_runs = Table(
    "ingestion_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # How the data came: upload (page), ingest (command line), pull (HTTP source),
    # init (embedded real data), demo (generated demo year), manual (a page form).
    Column("kind", String(16), nullable=False),
    # The data in it: readings or road_dust.
    Column("data_kind", String(16), nullable=False, server_default="readings"),
    # The file name, or the HTTP source's name.
    Column("source", String(255), nullable=False),
    Column("sha256", String(64)),
    Column("user", String(64), nullable=False, server_default="system"),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    # running → succeeded | failed | refused | dry_run | removed (demo data removed).
    Column("status", String(16), nullable=False, server_default="running"),
    Column("rows", Integer, nullable=False, server_default="0"),
    Column("accepted", Integer, nullable=False, server_default="0"),
    Column("rejected", Integer, nullable=False, server_default="0"),
    Column("duplicates", Integer, nullable=False, server_default="0"),
    Column("conflicts", Integer, nullable=False, server_default="0"),
    Column("replaced", Integer, nullable=False, server_default="0"),
    Column("missing", Integer, nullable=False, server_default="0"),
    Column("first_ts", BigInteger),
    Column("last_ts", BigInteger),
    Column("message", Text, nullable=False, server_default=""),
    Column("options", JSON),
    Index("ix_ingestion_runs_source_status", "source", "status"),
)

readings = Table(
    "readings",
    metadata,
    Column("subdistrict_id", SmallInteger, ForeignKey("subdistricts.id"), nullable=False),
    Column("pollutant", String(8), nullable=False),
    # UTC Unix seconds of the hour-ending label; a daily value sits at the label ending its day.
    Column("ts", BigInteger, nullable=False),
    # 'h' hourly, 'd' daily: a file may hold either.
    Column("resolution", String(1), nullable=False),
    # The station code, or '' for a value given for the whole subdistrict.
    Column("station", String(16), nullable=False, server_default=""),
    Column("value", Float, nullable=False),
    Column("source", String(32), nullable=False),
    Column("run_id", Integer, ForeignKey("ingestion_runs.id"), nullable=False),
    # The key of INTERFACES.md (subdistrict, station, pollutant, time), ordered so that the
    # common read (one subdistrict and pollutant over a time span) is one index range.
    # WITHOUT ROWID on SQLite: the key is the table, so no second copy of it is kept.
    CheckConstraint(POLLUTANT_CHECK, name="pollutant"),
    CheckConstraint("resolution = 'h' OR resolution = 'd'", name="resolution"),
    PrimaryKeyConstraint("subdistrict_id", "pollutant", "ts", "resolution", "station"),
    # No index on run_id, measured: on a WITHOUT ROWID table it is a second copy of the
    # whole key, and it made a million-row ingest ~0.8 s (+50 % of the insert) slower.
    # A run's rows are found by key ranges over its [first_ts, last_ts] (delete_runs).
    sqlite_with_rowid=False,
)

daily_means = Table(
    "daily_means",
    metadata,
    Column("subdistrict_id", SmallInteger, ForeignKey("subdistricts.id"), primary_key=True),
    Column("pollutant", String(8), primary_key=True),
    Column("day", Date, primary_key=True),
    # Mean of the day's hourly values (each hour: the mean of its stations), or the daily
    # value given directly. Unrounded: rounding is applied once, to the published figure.
    Column("mean", Float, nullable=False),
    # Hours with a value (NULL when the day came as a daily value).
    Column("n_hours", SmallInteger),
    # O3 only: daily maximum 8-hour mean (windows ending 08:00–24:00 with >= the
    # standard's hours) and the number of valid windows; and the maximum 1-hour value.
    Column("max8h", Float),
    Column("n_8h", SmallInteger),
    Column("max1h", Float),
    # True when every value of the day came from the demo generator.
    Column("demo", Boolean, nullable=False, server_default="0"),
    CheckConstraint(POLLUTANT_CHECK, name="pollutant"),
    # day first: the district-wide reads (every subdistrict over a period) are one range.
    # Measured on ten years (329 k rows, no ANALYZE): the only choice that never scans —
    # a year of all pollutants 38 ms (a (pollutant, day) index or the key alone: full
    # scans), the last day of a year 0.0 ms (vs 17 ms); see docs/PERFORMANCE.md.
    Index("ix_daily_means_day_pollutant", "day", "pollutant"),
)

road_dust = Table(
    "road_dust",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subdistrict_id", SmallInteger, ForeignKey("subdistricts.id"), nullable=False),
    Column("road", String(100), nullable=False),
    # The measurement date; a file giving only a month stores its first day.
    Column("day", Date, nullable=False),
    Column("month_only", Boolean, nullable=False, server_default="0"),
    Column("load", Float, nullable=False),
    # 优 / 良 / 中 / 差 as given in the file; NULL when the file gave none.
    Column("grade", String(2)),
    Column("source", String(32), nullable=False),
    Column("run_id", Integer, ForeignKey("ingestion_runs.id"), nullable=False),
    UniqueConstraint("subdistrict_id", "road", "day"),
    CheckConstraint("load >= 0", name="load"),
)

rejected_rows = Table(
    "rejected_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("ingestion_runs.id"), nullable=False, index=True),
    # Line number in the file (1 = the header line), or 0 when the file as a whole failed.
    Column("line", Integer, nullable=False),
    Column("raw", Text, nullable=False),
    # Why, in Chinese (pages) and English (command line).
    Column("reason", Text, nullable=False),
    Column("reason_en", Text, nullable=False, server_default=""),
)

reading_revisions = Table(
    "reading_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The run that changed the value (--replace) or reported the conflict.
    Column("run_id", Integer, ForeignKey("ingestion_runs.id"), nullable=False, index=True),
    Column("subdistrict_id", SmallInteger, nullable=False),
    Column("pollutant", String(8), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("resolution", String(1), nullable=False),
    Column("station", String(16), nullable=False),
    Column("old_value", Float, nullable=False),
    Column("new_value", Float, nullable=False),
    Column("old_run_id", Integer),
    # replaced: the new value was stored; kept: a conflict reported, the old value kept.
    Column("action", String(8), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# -- exceptional events (migration 0004; replaced the one-day table dust_days) ----------------

exceptional_events = Table(
    "exceptional_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # A day range (Beijing dates, both included) deducted from assessment (HJ 663—2026 例外事件;
    # sand and dust under 环办监测〔2016〕120号); figures are given with and without.
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    # A key of targets.yaml exceptional_events.kinds (checked by monitoring.events: the kinds are data).
    Column("kind", String(32), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("flagged_by", String(64), nullable=False),
    Column("flagged_at", DateTime(timezone=True), nullable=False),
    # The ingest that flagged it (a dust-flag column), else NULL (a person or the command line).
    Column("run_id", Integer, ForeignKey("ingestion_runs.id")),
    # Removal keeps the row (nothing is lost): only rows with removed_at NULL are deducted.
    Column("removed_by", String(64)),
    Column("removed_at", DateTime(timezone=True)),
    Column("removed_reason", Text),
    CheckConstraint("first_day <= last_day", name="range"),
    Index("ix_exceptional_events_first_day_last_day", "first_day", "last_day"),
)

# -- plan tracking (migration 0002): history tables, the current value is the latest row --

indicator_values = Table(
    "indicator_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The key of a targets.yaml indicator (checked by monitoring.plan, not by a foreign key:
    # the indicators live in targets.yaml, not in the database).
    Column("indicator", String(64), nullable=False),
    # The Beijing date the value describes ("as of").
    Column("day", Date, nullable=False),
    Column("value", Float, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("entered_by", String(64), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    # How it came: page (a form), csv (a file, page or command line), cli (indicators set).
    Column("source", String(16), nullable=False, server_default="page"),
    Index("ix_indicator_values_indicator_day", "indicator", "day"),
)

task_status_changes = Table(
    "task_status_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # measure_id of data/plan_2026_tasks.csv, e.g. 1-03-2.
    Column("measure_id", String(16), nullable=False),
    # not_started (未开始) | in_progress (进行中) | done (已完成) | late (滞后).
    Column("status", String(16), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    # The Beijing date the status holds from.
    Column("day", Date, nullable=False),
    Column("set_by", String(64), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('not_started','in_progress','done','late')", name="status"),
    Index("ix_task_status_changes_measure_id", "measure_id"),
)

# -- road-dust audit (migration 0003) ------------------------------------------------------

road_dust_revisions = Table(
    "road_dust_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The run that replaced the load (--replace) or reported the conflict and kept it.
    Column("run_id", Integer, ForeignKey("ingestion_runs.id"), nullable=False, index=True),
    Column("subdistrict_id", SmallInteger, nullable=False),
    Column("road", String(100), nullable=False),
    Column("day", Date, nullable=False),
    Column("old_load", Float, nullable=False),
    Column("new_load", Float, nullable=False),
    Column("old_grade", String(2)),
    Column("new_grade", String(2)),
    Column("old_run_id", Integer),
    # replaced: the new load was stored; kept: a conflict reported, the old load kept.
    Column("action", String(8), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
