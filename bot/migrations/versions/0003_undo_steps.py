""""Back" snapshots get a table of their own, one row per snapshot, instead of one JSON list on
the user's row: an answer then writes the snapshot it adds, not all twenty again (the list was
half of each commit's pages, and encoding and parsing it a tenth of the bot's CPU per update).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables as this migration sees them. Values go in as Python objects, which the JSON type
# serializes as each backend wants (PostgreSQL will not take TEXT into a JSON column).
_users = sa.table("users", sa.column("id", sa.Integer()), sa.column("undo", sa.JSON()))
_undo_steps = sa.table(
    "undo_steps", sa.column("id", sa.Integer()), sa.column("user_id", sa.Integer()), sa.column("snapshot", sa.JSON())
)


def upgrade() -> None:
    op.create_table(
        "undo_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_undo_steps"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_undo_steps_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_undo_steps_user_id", "undo_steps", ["user_id"])
    conn = op.get_bind()
    # Inserted in list order, so the ids keep each user's snapshots oldest first.
    rows = [
        {"user_id": uid, "snapshot": snapshot}
        for uid, undo in conn.execute(sa.select(_users.c.id, _users.c.undo).order_by(_users.c.id))
        for snapshot in undo or []
    ]
    for row in rows:
        conn.execute(_undo_steps.insert(), row)
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch "move and copy" would drop the
    # users table, and with foreign keys on, that cascades to every debt.
    op.drop_column("users", "undo")


def downgrade() -> None:
    op.add_column("users", sa.Column("undo", sa.JSON(), nullable=False, server_default="[]"))
    conn = op.get_bind()
    lists: dict[int, list[object]] = {}
    query = sa.select(_undo_steps.c.user_id, _undo_steps.c.snapshot).order_by(_undo_steps.c.id)
    for uid, snapshot in conn.execute(query):
        lists.setdefault(uid, []).append(snapshot)
    for uid, undo in lists.items():
        conn.execute(_users.update().where(_users.c.id == uid).values(undo=undo))
    op.drop_index("ix_undo_steps_user_id", table_name="undo_steps")
    op.drop_table("undo_steps")
