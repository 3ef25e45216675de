"""Initial schema: users, debts, rounds, agreements, payments, letters, processed inputs.

Written by hand to match bot/models.py exactly (tests compare the two), with constraint names
from the models' naming convention so later migrations can refer to them on any backend.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("budget_lump_sum_cents", sa.BigInteger(), nullable=True),
        sa.Column("budget_monthly_cents", sa.BigInteger(), nullable=True),
        sa.Column("active_debt_seq", sa.Integer(), nullable=True),
        sa.Column("confirming", sa.String(16), nullable=True),
        sa.Column("welcomed", sa.Boolean(), nullable=False),
        sa.Column("undo", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("channel", "external_id", name="uq_users_channel_external_id"),
    )
    op.create_table(
        "debts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("creditor", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("balance_cents", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("in_writing", sa.Boolean(), nullable=True),
        sa.Column("months_delinquent", sa.Integer(), nullable=True),
        sa.Column("holder", sa.String(16), nullable=True),
        sa.Column("lawsuit", sa.Boolean(), nullable=True),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("hardship", sa.Text(), nullable=False),
        sa.Column("offer_basis", sa.String(16), nullable=True),
        sa.Column("offer_opening_cents", sa.BigInteger(), nullable=True),
        sa.Column("offer_target_cents", sa.BigInteger(), nullable=True),
        sa.Column("offer_ceiling_cents", sa.BigInteger(), nullable=True),
        sa.Column("offer_first_round", sa.Integer(), nullable=True),
        sa.Column("pending_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("confirmed_above_ceiling_cents", sa.BigInteger(), nullable=True),
        sa.Column("validation_sent_on", sa.Date(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_debts"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_debts_user_id_users", ondelete="CASCADE"),
        sa.UniqueConstraint("user_id", "seq", name="uq_debts_user_id_seq"),
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("who", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("above_ceiling", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rounds"),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name="fk_rounds_debt_id_debts", ondelete="CASCADE"),
        sa.UniqueConstraint("debt_id", "seq", name="uq_rounds_debt_id_seq"),
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("instalments", sa.Integer(), nullable=False),
        sa.Column("instalment_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("first_due", sa.Date(), nullable=True),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("sign_by", sa.Date(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agreements"),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name="fk_agreements_debt_id_debts", ondelete="CASCADE"),
        sa.UniqueConstraint("debt_id", name="uq_agreements_debt_id"),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name="fk_payments_debt_id_debts", ondelete="CASCADE"),
        sa.UniqueConstraint("debt_id", "seq", name="uq_payments_debt_id_seq"),
    )
    op.create_index("ix_payments_due_on", "payments", ["due_on"])
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("debt_seq", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_letters"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_letters_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_letters_user_id", "letters", ["user_id"])
    op.create_table(
        "processed_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("input_key", sa.String(255), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_processed_inputs"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_processed_inputs_user_id_users",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("user_id", "input_key", name="uq_processed_inputs_user_id_input_key"),
    )


def downgrade() -> None:
    op.drop_table("processed_inputs")
    op.drop_index("ix_letters_user_id", table_name="letters")
    op.drop_table("letters")
    op.drop_index("ix_payments_due_on", table_name="payments")
    op.drop_table("payments")
    op.drop_table("agreements")
    op.drop_table("rounds")
    op.drop_table("debts")
    op.drop_table("users")
