"""Exceptional events (HJ 663—2026 例外事件): day ranges with a kind and a reason replace the
one-day sand-and-dust flags; every dust day becomes a one-day ``sand_dust`` event.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_dust_days = sa.table(
    "dust_days",
    sa.column("day", sa.Date()),
    sa.column("note", sa.Text()),
    sa.column("flagged_by", sa.String(64)),
    sa.column("flagged_at", sa.DateTime(timezone=True)),
    sa.column("run_id", sa.Integer()),
)
_events = sa.table(
    "exceptional_events",
    sa.column("first_day", sa.Date()),
    sa.column("last_day", sa.Date()),
    sa.column("kind", sa.String(32)),
    sa.column("reason", sa.Text()),
    sa.column("flagged_by", sa.String(64)),
    sa.column("flagged_at", sa.DateTime(timezone=True)),
    sa.column("run_id", sa.Integer()),
    sa.column("removed_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "exceptional_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("flagged_by", sa.String(64), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer()),
        sa.Column("removed_by", sa.String(64)),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.Column("removed_reason", sa.Text()),
        sa.CheckConstraint("first_day <= last_day", name="ck_exceptional_events_range"),
        sa.ForeignKeyConstraint(["run_id"], ["ingestion_runs.id"], name="fk_exceptional_events_run_id_ingestion_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_exceptional_events"),
    )
    op.create_index("ix_exceptional_events_first_day_last_day", "exceptional_events", ["first_day", "last_day"])
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_dust_days.c.day, _dust_days.c.note, _dust_days.c.flagged_by, _dust_days.c.flagged_at, _dust_days.c.run_id)
        .order_by(_dust_days.c.day)
    ).all()
    if rows:
        # one day each, as flagged: who flagged it and when are kept, the note becomes the reason
        op.bulk_insert(
            _events,
            [
                {"first_day": r.day, "last_day": r.day, "kind": "sand_dust", "reason": r.note or "", "flagged_by": r.flagged_by,
                 "flagged_at": r.flagged_at, "run_id": r.run_id}
                for r in rows
            ],
        )
    op.drop_table("dust_days")


def downgrade() -> None:
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
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_events.c.first_day, _events.c.last_day, _events.c.reason, _events.c.flagged_by, _events.c.flagged_at, _events.c.run_id)
        .where(_events.c.kind == "sand_dust", _events.c.removed_at.is_(None))
    ).all()
    days: dict[dt.date, dict[str, object]] = {}
    for r in rows:
        first = r.first_day if isinstance(r.first_day, dt.date) else dt.date.fromisoformat(str(r.first_day))
        last = r.last_day if isinstance(r.last_day, dt.date) else dt.date.fromisoformat(str(r.last_day))
        for i in range((last - first).days + 1):
            day = first + dt.timedelta(days=i)
            days[day] = {"day": day, "note": r.reason, "flagged_by": r.flagged_by, "flagged_at": r.flagged_at, "run_id": r.run_id}
    if days:
        op.bulk_insert(_dust_days, [days[d] for d in sorted(days)])
    # other kinds and removed events have no place in the old table: a downgrade drops them
    op.drop_index("ix_exceptional_events_first_day_last_day", table_name="exceptional_events")
    op.drop_table("exceptional_events")
