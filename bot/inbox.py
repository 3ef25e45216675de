"""Updates written down before they are confirmed, so a crash cannot lose one.

With long polling Telegram forgets an update as soon as the next getUpdates confirms it, and
python-telegram-bot sends that next request while the update is still waiting to be handled.
The Telegram adapter therefore writes every fetched update here before that request goes out,
or earlier, together with the answer it produced (see bot/telegram/journal.py), and forgets
an update only after its replies went out. Whatever is still here at start-up was
fetched by a process that died: it is handled again, and the store's processed-input keys make
sure that an answer already applied is not applied twice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot import shapes
from bot.models import InboxUpdate, ProcessedInput
from bot.store import Store

_INBOX = InboxUpdate.__table__
# Built once: building an ORM delete per call cost more than running it (py-spy, bench/telegram.py).
_FORGET = delete(InboxUpdate).where(
    InboxUpdate.channel == bindparam("channel"), InboxUpdate.update_id.in_(bindparam("ids", expanding=True))
)


class Inbox:
    def __init__(self, store: Store, channel: str) -> None:
        self._engine = store.engine
        self._channel = channel
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        # A redelivered update is already here; keeping the first copy is exactly right.
        self._insert = dialect.insert(_INBOX).on_conflict_do_nothing()

    def record(self, updates: Sequence[tuple[int, str]], answered: Collection[int], now: datetime) -> None:
        """Write a fetched batch and drop the updates answered since the last call, in one
        transaction, so the inbox costs one commit per poll rather than one per update."""
        with self._engine.begin() as conn:
            self._forget(conn, answered)
            if updates:
                received_at = shapes.aware(now)
                conn.execute(
                    self._insert,
                    [
                        {"channel": self._channel, "update_id": uid, "payload": payload, "received_at": received_at}
                        for uid, payload in updates
                    ],
                )

    def keep(self, conn: Connection, update_id: int, payload: str, now: datetime) -> None:
        """Write one update in the caller's transaction (the one that handles it)."""
        row = {"channel": self._channel, "update_id": update_id, "payload": payload, "received_at": shapes.aware(now)}
        conn.execute(self._insert, row)

    def forget(self, answered: Collection[int]) -> None:
        if answered:
            with self._engine.begin() as conn:
                self._forget(conn, answered)

    def unanswered(self) -> list[tuple[int, str]]:
        """What a previous process fetched and did not finish answering, oldest first."""
        query = (
            select(_INBOX.c.update_id, _INBOX.c.payload)
            .where(_INBOX.c.channel == self._channel)
            .order_by(_INBOX.c.update_id)
        )
        with self._engine.connect() as conn:
            return [(int(uid), str(payload)) for uid, payload in conn.execute(query)]

    def prune_processed(self, before: datetime) -> int:
        """Forget processed-input keys older than `before`. Telegram redelivers an update for
        at most a day, so keys older than that only cost space and index depth."""
        with self._engine.begin() as conn:
            result = conn.execute(delete(ProcessedInput).where(ProcessedInput.processed_at < shapes.aware(before)))
            return int(result.rowcount)

    def _forget(self, conn: Connection, answered: Collection[int]) -> None:
        if answered:
            conn.execute(_FORGET, {"channel": self._channel, "ids": list(answered)})
