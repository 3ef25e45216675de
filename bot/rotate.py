"""`debtcoach rotate-keys`: every sealed column written again with the newest key.

Each row is read through its column type (opened with whichever key sealed it, or read as it is
when it was written in the clear) and written back through it (sealed with the first key of
DEBTCOACH_KEYS), a batch of rows per transaction, so the command can run beside the bot: a row
the bot changes meanwhile is written by the bot with the newest key anyway. After it, the old
keys can be taken out of DEBTCOACH_KEYS.
"""

from __future__ import annotations

from sqlalchemy import Column, Table, select, tuple_, update

from bot import sealing
from bot.models import InboxUpdate, LetterRow, OutboxMessage, User, table_of
from bot.store import Store

BATCH = 500

# Each table with what is sealed in it.
SEALED: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (table_of(User), ("document",)),
    (table_of(LetterRow), ("title", "body")),
    (table_of(InboxUpdate), ("payload",)),
    (table_of(OutboxMessage), ("payload",)),
)


def rotate(store: Store) -> dict[str, int]:
    """Write every sealed value again with the newest key; the rows written, by table."""
    if not sealing.sealing():
        raise sealing.KeysMissing("set DEBTCOACH_KEYS, the new key first")
    return {table.name: _rotate_table(store, table, columns) for table, columns in SEALED}


def _rotate_table(store: Store, table: Table, names: tuple[str, ...]) -> int:
    key: list[Column[object]] = list(table.primary_key.columns)
    sealed = [table.c[name] for name in names]
    written = 0
    after: tuple[object, ...] | None = None
    while True:
        query = select(*key, *sealed).order_by(*key).limit(BATCH)
        if after is not None:
            query = query.where(tuple_(*key) > tuple_(*after))
        with store.engine.begin() as conn:
            rows = conn.execute(query).all()
            for row in rows:
                where = [column == row[n] for n, column in enumerate(key)]
                values = {name: row[len(key) + n] for n, name in enumerate(names)}
                conn.execute(update(table).where(*where).values(**values))
        if not rows:
            return written
        written += len(rows)
        after = tuple(rows[-1][: len(key)])
