"""Exact buttons and exact erasure: a debt's answer counter, processed inputs that outlive the
person who sent them, the outbox of replies still to deliver, and the keyboards still shown.

Processed inputs were rows of the person (erased with them), so a /delete delivered again
found no record of itself and brought the person back. They are now keyed by channel and
input alone; existing ones keep their channel, read from their user.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("debts") as debts:
        debts.add_column(sa.Column("turn", sa.Integer(), nullable=False, server_default="0"))

    # Through a plain copy: the new table takes the old one's constraint names.
    op.create_table(
        "processed_inputs_copy",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("input_key", sa.String(255), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO processed_inputs_copy (channel, input_key, processed_at)"
        " SELECT users.channel, processed_inputs.input_key, MIN(processed_inputs.processed_at)"
        " FROM processed_inputs JOIN users ON users.id = processed_inputs.user_id"
        " GROUP BY users.channel, processed_inputs.input_key"
    )
    op.drop_index("ix_processed_inputs_processed_at", table_name="processed_inputs")
    op.drop_table("processed_inputs")
    op.create_table(
        "processed_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("input_key", sa.String(255), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_processed_inputs"),
        sa.UniqueConstraint("channel", "input_key", name="uq_processed_inputs_channel_input_key"),
    )
    op.create_index("ix_processed_inputs_processed_at", "processed_inputs", ["processed_at"])
    op.execute(
        "INSERT INTO processed_inputs (channel, input_key, processed_at)"
        " SELECT channel, input_key, processed_at FROM processed_inputs_copy"
    )
    op.drop_table("processed_inputs_copy")

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_channel_external_id_id", "outbox", ["channel", "external_id", "id"])
    op.create_table(
        "keyboards",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id", "message_id", name="pk_keyboards"),
    )


def downgrade() -> None:
    op.drop_table("keyboards")
    op.drop_index("ix_outbox_channel_external_id_id", table_name="outbox")
    op.drop_table("outbox")
    # Processed inputs go back to belonging to a person. The keys say nothing of whose they
    # were, so they go: for a day, a redelivered update could be applied again.
    op.drop_index("ix_processed_inputs_processed_at", table_name="processed_inputs")
    op.drop_table("processed_inputs")
    op.create_table(
        "processed_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("input_key", sa.String(255), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_processed_inputs"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_processed_inputs_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("user_id", "input_key", name="uq_processed_inputs_user_id_input_key"),
    )
    op.create_index("ix_processed_inputs_processed_at", "processed_inputs", ["processed_at"])
    with op.batch_alter_table("debts") as debts:
        debts.drop_column("turn")
