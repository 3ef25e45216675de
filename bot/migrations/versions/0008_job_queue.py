"""What a service of many processes needs (`debtcoach webhook` and `debtcoach worker`):

- the job queue's tables, on PostgreSQL: procrastinate's schema (bot/job_queue.py). SQLite
  serves one process and has no job queue;
- the chat an inbox row belongs to (nullable: the poller leaves it empty), with an index to read
  a chat's updates in order, on both backends;
- `send_slots`, the send budget the workers share (bot/send_budget.py), on both backends;
- `users.retention_notice_at`, when someone was told their data would be erased for inactivity
  (bot/retention.py), on both backends.

The schema is the one the pinned procrastinate release ships (`SchemaManager.get_schema`), run
as it is. A later procrastinate release brings its own migration files; upgrading it means a
revision here that runs them.

Downgrade drops what the schema created (its tables, functions and types), the slots and the
columns.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROP = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
    LOOP
        EXECUTE 'DROP FUNCTION ' || f.signature || ' CASCADE';
    END LOOP;
END $$;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type, procrastinate_job_status CASCADE;
"""


_INDEX = "ix_inbox_channel_chat_update_id"


def upgrade() -> None:
    op.add_column("inbox", sa.Column("chat", sa.String(255), nullable=True))
    op.create_index(_INDEX, "inbox", ["channel", "chat", "update_id"])
    op.create_table(
        "send_slots",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_send_slots"),
    )
    op.add_column("users", sa.Column("retention_notice_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # On psycopg's own connection (in the migration's transaction): without parameters it runs
    # the script as it is, whose "%" are text, not placeholders.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.connection.driver_connection.execute(_DROP)
    op.drop_column("users", "retention_notice_at")
    op.drop_table("send_slots")
    op.drop_index(_INDEX, "inbox")
    op.drop_column("inbox", "chat")
