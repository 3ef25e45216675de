"""Reminders: the table the scheduler claims from, each person's reminder settings, when they
will call a creditor, and the day an agreement went out for signature.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("timezone", sa.String(64), nullable=True))
        # Existing people keep the default quiet hours, 21:00-08:00.
        users.add_column(sa.Column("quiet_start_min", sa.Integer(), nullable=True, server_default="1260"))
        users.add_column(sa.Column("quiet_end_min", sa.Integer(), nullable=True, server_default="480"))
        users.add_column(sa.Column("days_before", sa.Integer(), nullable=False, server_default="3"))
        users.add_column(sa.Column("call_lead_minutes", sa.Integer(), nullable=False, server_default="30"))
        users.add_column(sa.Column("asking", sa.String(32), nullable=True))
    with op.batch_alter_table("debts") as debts:
        debts.add_column(sa.Column("call_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("agreements") as agreements:
        agreements.add_column(sa.Column("sent_on", sa.Date(), nullable=True))
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("debt_seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_reminders_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
        sa.UniqueConstraint("user_id", "key", name="uq_reminders_user_id_key"),
    )
    op.create_index("ix_reminders_status_due_at", "reminders", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_reminders_status_due_at", table_name="reminders")
    op.drop_table("reminders")
    with op.batch_alter_table("agreements") as agreements:
        agreements.drop_column("sent_on")
    with op.batch_alter_table("debts") as debts:
        debts.drop_column("call_at")
    with op.batch_alter_table("users") as users:
        for column in ("asking", "call_lead_minutes", "days_before", "quiet_end_min", "quiet_start_min", "timezone"):
            users.drop_column(column)
