"""Whether the original lender has charged the account off: asked once a debt is months behind
with the original lender, and None for every debt stored before the question existed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("debts") as debts:
        debts.add_column(sa.Column("charged_off", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("debts") as debts:
        debts.drop_column("charged_off")
