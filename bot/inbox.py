"""Updates written down before they are confirmed, so a crash cannot lose one.

This is the channel's half that keeps the rows; what a row holds of a Telegram update is
bot/telegram/inbox_entry.py's.

With long polling Telegram forgets an update as soon as the next getUpdates confirms it, and
that is before the update has been handled. So each fetched batch is written here, in one
transaction, before the next poll goes out (bot/telegram/ingress.py). Once its answer is
committed (with the input's processed-input key), an update is forgotten, a batch at a time,
with the delivery records (`forget_answered`, from bot/delivery.py's settling); an update that
erases its person is forgotten in the erasing transaction itself (`forget_in`), so nothing of
theirs outlives it. Whatever is still here at start-up was fetched by a process that stopped or
died before it was forgotten, and is handled then: the store's processed-input key recognises
one answered already (or delivered twice by Telegram) and nothing is done twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.models import InboxUpdate, ProcessedInput
from bot.storage import aware
from bot.store import Store

_INBOX = InboxUpdate.__table__
# Built once: every answer runs it, and building a statement costs more than running it.
_FORGET = delete(InboxUpdate).where(
    InboxUpdate.channel == bindparam("channel"), InboxUpdate.update_id == bindparam("update_id")
)
_OF_CHAT = (
    select(_INBOX.c.update_id, _INBOX.c.payload)
    .where(_INBOX.c.channel == bindparam("channel"), _INBOX.c.chat == bindparam("chat"))
    .order_by(_INBOX.c.update_id)
)


class Inbox:
    def __init__(self, store: Store, channel: str) -> None:
        self._engine = store.engine
        self._channel = channel
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        # A redelivered update is already here; keeping the first copy is exactly right.
        self._insert = dialect.insert(_INBOX).on_conflict_do_nothing()

    def record(self, updates: Sequence[tuple[int, str]], now: datetime) -> None:
        """Write a fetched batch (update id, inbox form) in one transaction: one commit per
        poll, not one per update."""
        if not updates:
            return
        received_at = aware(now)
        rows = [
            {"channel": self._channel, "update_id": uid, "payload": payload, "received_at": received_at}
            for uid, payload in updates
        ]
        with self._engine.begin() as conn:
            conn.execute(self._insert, rows)

    def record_in(self, conn: Connection, update_id: int, chat: str, payload: str, now: datetime) -> bool:
        """Write one update of `chat` in the caller's transaction (the webhook's, with its job);
        False when it is here already (Telegram posted it again)."""
        row = {"channel": self._channel, "update_id": update_id, "payload": payload, "received_at": aware(now)}
        written = conn.execute(self._insert.returning(_INBOX.c.update_id), {**row, "chat": chat})
        return written.first() is not None

    def waiting_in(self, chat: str) -> list[tuple[int, str]]:
        """The chat's updates not yet forgotten, in the order of their ids."""
        with self._engine.connect() as conn:
            rows = conn.execute(_OF_CHAT, {"channel": self._channel, "chat": chat})
            return [(int(uid), str(payload)) for uid, payload in rows]

    def forget_in(self, conn: Connection, update_id: int) -> None:
        """The update is answered: delete it in the caller's transaction (the answer's)."""
        conn.execute(_FORGET, {"channel": self._channel, "update_id": update_id})

    def forget_answered(self, conn: Connection, update_ids: Sequence[int]) -> None:
        """Updates whose answers are committed, in the caller's transaction (a batch of them)."""
        if update_ids:
            conn.execute(_FORGET, [{"channel": self._channel, "update_id": uid} for uid in update_ids])

    def forget(self, update_ids: Sequence[int]) -> None:
        if update_ids:
            with self._engine.begin() as conn:
                conn.execute(_FORGET, [{"channel": self._channel, "update_id": uid} for uid in update_ids])

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
            result = conn.execute(delete(ProcessedInput).where(ProcessedInput.processed_at < aware(before)))
            return int(result.rowcount)
