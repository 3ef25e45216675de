"""State documents and letter bodies kept zlib-compressed: `users.document` and `letters.body`
become binary columns (BLOB on SQLite, bytea on PostgreSQL) holding the zlib stream of the UTF-8
text, which the store's `Compressed` column type reads back as the same text.

Each column is first turned into the UTF-8 bytes of its text, then every row is compressed in
place, here with the standard library and nothing of the bot's, so that a later change to the
code cannot change what this migration writes. PostgreSQL changes the column's type in place,
rewriting the table (so no copy of the text stays behind in dropped columns). SQLite cannot
change a column's type, and copying `users` the way batch mode does would drop the old table,
which with foreign keys on deletes every letter and reminder with it; so on SQLite the binary
column is added beside the text one, filled, the text column dropped and the new one renamed
(SQLite 3.35 or later). The added column keeps a default of empty bytes on SQLite, which it
cannot drop without copying the table; every row is written with its own value.

Processed inputs are keyed by (channel, input_key) alone: the surrogate id and the unique index
beside it go, and on SQLite the table is WITHOUT ROWID, so it is that key's index itself. The
table is rebuilt through a plain copy, as in 0005, so the new one takes the old one's names.

Downgrade decompresses in place and turns the columns back into text, and gives processed inputs
an id again: nothing is lost.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): text in 0006, compressed from here on.
_COMPRESSED = (("users", "document"), ("letters", "body"))
_LEVEL = 6  # what bot/models.py's Compressed wrote when this migration was written
_BATCH = 500  # rows read and written at a time, so a large table is never all in memory


def _compress(data: bytes) -> bytes:
    return zlib.compress(data, _LEVEL)


def _rewrite(conn: sa.Connection, table_name: str, column: str, change: Callable[[bytes], bytes]) -> None:
    """Every row's value of a binary column through `change`, a batch at a time in id order."""
    table = sa.table(table_name, sa.column("id", sa.Integer()), sa.column(column, sa.LargeBinary()))
    read = sa.select(table.c.id, table.c[column]).where(table.c.id > sa.bindparam("after"))
    read = read.order_by(table.c.id).limit(_BATCH)
    write = table.update().where(table.c.id == sa.bindparam("row_id")).values({column: sa.bindparam("value")})
    after = 0
    while rows := conn.execute(read, {"after": after}).all():
        conn.execute(write, [{"row_id": row_id, "value": change(bytes(value))} for row_id, value in rows])
        after = rows[-1][0]


def _retype(conn: sa.Connection, table: str, column: str, *, binary: bool) -> None:
    """The column as the UTF-8 bytes of its text (binary), or back as that text."""
    if conn.dialect.name == "postgresql":
        if binary:
            op.alter_column(table, column, type_=sa.LargeBinary(), postgresql_using=f"convert_to({column}, 'UTF8')")
        else:
            op.alter_column(table, column, type_=sa.Text(), postgresql_using=f"convert_from({column}, 'UTF8')")
        return
    kind, default = ("BLOB", "X''") if binary else ("TEXT", "''")
    new = f"{column}_new"
    op.execute(f'ALTER TABLE {table} ADD COLUMN "{new}" {kind} NOT NULL DEFAULT {default}')
    # A CAST between text and BLOB keeps the bytes, in the database's encoding: UTF-8, the one
    # every DebtCoach database is created in.
    both = sa.table(table, sa.column(column), sa.column(new))
    op.execute(both.update().values({new: sa.cast(both.c[column], sa.LargeBinary() if binary else sa.Text())}))
    op.execute(f'ALTER TABLE {table} DROP COLUMN "{column}"')
    op.execute(f'ALTER TABLE {table} RENAME COLUMN "{new}" TO "{column}"')


def _rebuild_processed_inputs(*, keyed: bool) -> None:
    """The table again with the same rows: keyed by (channel, input_key), or by an id with a
    unique (channel, input_key) as in 0005."""

    def columns() -> list[sa.Column[Any]]:
        return [
            sa.Column("channel", sa.String(32), nullable=False),
            sa.Column("input_key", sa.String(255), nullable=False),
            sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        ]

    op.create_table("processed_inputs_copy", *columns())
    op.execute(
        "INSERT INTO processed_inputs_copy (channel, input_key, processed_at)"
        " SELECT channel, input_key, processed_at FROM processed_inputs"
    )
    op.drop_index("ix_processed_inputs_processed_at", table_name="processed_inputs")
    op.drop_table("processed_inputs")
    if keyed:
        op.create_table(
            "processed_inputs",
            *columns(),
            sa.PrimaryKeyConstraint("channel", "input_key", name="pk_processed_inputs"),
            sqlite_with_rowid=False,
        )
    else:
        op.create_table(
            "processed_inputs",
            sa.Column("id", sa.Integer(), nullable=False),
            *columns(),
            sa.PrimaryKeyConstraint("id", name="pk_processed_inputs"),
            sa.UniqueConstraint("channel", "input_key", name="uq_processed_inputs_channel_input_key"),
        )
    op.create_index("ix_processed_inputs_processed_at", "processed_inputs", ["processed_at"])
    op.execute(
        "INSERT INTO processed_inputs (channel, input_key, processed_at)"
        " SELECT channel, input_key, processed_at FROM processed_inputs_copy"
    )
    op.drop_table("processed_inputs_copy")


def upgrade() -> None:
    conn = op.get_bind()
    for table, column in _COMPRESSED:
        _retype(conn, table, column, binary=True)
        _rewrite(conn, table, column, _compress)
    _rebuild_processed_inputs(keyed=True)


def downgrade() -> None:
    conn = op.get_bind()
    for table, column in _COMPRESSED:
        _rewrite(conn, table, column, zlib.decompress)
        _retype(conn, table, column, binary=False)
    _rebuild_processed_inputs(keyed=False)
