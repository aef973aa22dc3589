"""Road-dust audit: a replaced or conflicting load keeps its old value, as readings do.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "road_dust_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("subdistrict_id", sa.SmallInteger(), nullable=False),
        sa.Column("road", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("old_load", sa.Float(), nullable=False),
        sa.Column("new_load", sa.Float(), nullable=False),
        sa.Column("old_grade", sa.String(2)),
        sa.Column("new_grade", sa.String(2)),
        sa.Column("old_run_id", sa.Integer()),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["ingestion_runs.id"], name="fk_road_dust_revisions_run_id_ingestion_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_road_dust_revisions"),
    )
    op.create_index("ix_road_dust_revisions_run_id", "road_dust_revisions", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_road_dust_revisions_run_id", table_name="road_dust_revisions")
    op.drop_table("road_dust_revisions")
