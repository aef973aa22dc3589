"""Foundation: subdistricts, stations, runs, readings, daily means, road dust, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written as OR, not IN (…): SQLite evaluates a CHECK's IN list by building a temporary
# table for every row inserted, which made a million-row ingest 2 s slower (see
# docs/PERFORMANCE.md); the OR form is the same rule at no measurable cost.
POLLUTANT_CHECK = " OR ".join(f"pollutant = '{p}'" for p in ("pm25", "pm10", "so2", "no2", "o3", "co"))


def upgrade() -> None:
    op.create_table(
        "subdistricts",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("short_name", sa.String(20), nullable=False),
        sa.Column("pinyin", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subdistricts"),
        sa.UniqueConstraint("code", name="uq_subdistricts_code"),
    )
    op.create_table(
        "stations",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("name_en", sa.String(60), server_default="", nullable=False),
        sa.Column("subdistrict_id", sa.SmallInteger(), nullable=False),
        sa.Column("lng", sa.Float()),
        sa.Column("lat", sa.Float()),
        sa.Column("kind", sa.String(16), server_default="national", nullable=False),
        sa.ForeignKeyConstraint(["subdistrict_id"], ["subdistricts.id"], name="fk_stations_subdistrict_id_subdistricts"),
        sa.PrimaryKeyConstraint("code", name="pk_stations"),
    )
    op.create_table(
        "ingestion_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("data_kind", sa.String(16), server_default="readings", nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("user", sa.String(64), server_default="system", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), server_default="running", nullable=False),
        sa.Column("rows", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accepted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rejected", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duplicates", sa.Integer(), server_default="0", nullable=False),
        sa.Column("conflicts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("replaced", sa.Integer(), server_default="0", nullable=False),
        sa.Column("missing", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_ts", sa.BigInteger()),
        sa.Column("last_ts", sa.BigInteger()),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("options", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name="pk_ingestion_runs"),
    )
    op.create_index("ix_ingestion_runs_source_status", "ingestion_runs", ["source", "status"])
    op.create_table(
        "readings",
        sa.Column("subdistrict_id", sa.SmallInteger(), nullable=False),
        sa.Column("pollutant", sa.String(8), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("resolution", sa.String(1), nullable=False),
        sa.Column("station", sa.String(16), server_default="", nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(POLLUTANT_CHECK, name="ck_readings_pollutant"),
        sa.CheckConstraint("resolution = 'h' OR resolution = 'd'", name="ck_readings_resolution"),
        sa.ForeignKeyConstraint(["subdistrict_id"], ["subdistricts.id"], name="fk_readings_subdistrict_id_subdistricts"),
        sa.ForeignKeyConstraint(["run_id"], ["ingestion_runs.id"], name="fk_readings_run_id_ingestion_runs"),
        sa.PrimaryKeyConstraint("subdistrict_id", "pollutant", "ts", "resolution", "station", name="pk_readings"),
        sqlite_with_rowid=False,
    )
    # no index on readings.run_id: see schema.py (measured, docs/PERFORMANCE.md)
    op.create_table(
        "daily_means",
        sa.Column("subdistrict_id", sa.SmallInteger(), nullable=False),
        sa.Column("pollutant", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("n_hours", sa.SmallInteger()),
        sa.Column("max8h", sa.Float()),
        sa.Column("n_8h", sa.SmallInteger()),
        sa.Column("max1h", sa.Float()),
        sa.Column("demo", sa.Boolean(), server_default="0", nullable=False),
        sa.CheckConstraint(POLLUTANT_CHECK, name="ck_daily_means_pollutant"),
        sa.ForeignKeyConstraint(["subdistrict_id"], ["subdistricts.id"], name="fk_daily_means_subdistrict_id_subdistricts"),
        sa.PrimaryKeyConstraint("subdistrict_id", "pollutant", "day", name="pk_daily_means"),
    )
    op.create_index("ix_daily_means_day_pollutant", "daily_means", ["day", "pollutant"])
    op.create_table(
        "road_dust",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subdistrict_id", sa.SmallInteger(), nullable=False),
        sa.Column("road", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("month_only", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("load", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(2)),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("load >= 0", name="ck_road_dust_load"),
        sa.ForeignKeyConstraint(["subdistrict_id"], ["subdistricts.id"], name="fk_road_dust_subdistrict_id_subdistricts"),
        sa.ForeignKeyConstraint(["run_id"], ["ingestion_runs.id"], name="fk_road_dust_run_id_ingestion_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_road_dust"),
        sa.UniqueConstraint("subdistrict_id", "road", "day", name="uq_road_dust_subdistrict_id_road_day"),
    )
    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_en", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["ingestion_runs.id"], name="fk_rejected_rows_run_id_ingestion_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_rejected_rows"),
    )
    op.create_index("ix_rejected_rows_run_id", "rejected_rows", ["run_id"])
    op.create_table(
        "reading_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("subdistrict_id", sa.SmallInteger(), nullable=False),
        sa.Column("pollutant", sa.String(8), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("resolution", sa.String(1), nullable=False),
        sa.Column("station", sa.String(16), nullable=False),
        sa.Column("old_value", sa.Float(), nullable=False),
        sa.Column("new_value", sa.Float(), nullable=False),
        sa.Column("old_run_id", sa.Integer()),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["ingestion_runs.id"], name="fk_reading_revisions_run_id_ingestion_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_reading_revisions"),
    )
    op.create_index("ix_reading_revisions_run_id", "reading_revisions", ["run_id"])
    op.create_table(
        "dust_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("flagged_by", sa.String(64), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer()),
        sa.ForeignKeyConstraint(["run_id"], ["ingestion_runs.id"], name="fk_dust_days_run_id_ingestion_runs"),
        sa.PrimaryKeyConstraint("day", name="pk_dust_days"),
    )


def downgrade() -> None:
    for table in (
        "dust_days",
        "reading_revisions",
        "rejected_rows",
        "road_dust",
        "daily_means",
        "readings",
        "ingestion_runs",
        "stations",
        "subdistricts",
    ):
        op.drop_table(table)
