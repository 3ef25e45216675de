"""The inbox: updates fetched but not yet answered, so a crash between Telegram's confirmation
and our reply loses nothing (see bot/inbox.py), and an index to prune old processed inputs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "update_id", name="pk_inbox"),
    )
    op.create_index("ix_processed_inputs_processed_at", "processed_inputs", ["processed_at"])


def downgrade() -> None:
    op.drop_index("ix_processed_inputs_processed_at", table_name="processed_inputs")
    op.drop_table("inbox")
