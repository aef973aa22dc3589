"""Plan tracking: entered indicator values and key-task status changes (history tables).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), server_default="page", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_values"),
    )
    op.create_index("ix_indicator_values_indicator_day", "indicator_values", ["indicator", "day"])
    op.create_table(
        "task_status_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("measure_id", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started','in_progress','done','late')", name="ck_task_status_changes_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_task_status_changes"),
    )
    op.create_index("ix_task_status_changes_measure_id", "task_status_changes", ["measure_id"])


def downgrade() -> None:
    op.drop_index("ix_task_status_changes_measure_id", table_name="task_status_changes")
    op.drop_table("task_status_changes")
    op.drop_index("ix_indicator_values_indicator_day", table_name="indicator_values")
    op.drop_table("indicator_values")
