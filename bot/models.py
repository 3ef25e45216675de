"""The tables behind the store: one row per person holding their state as a document, and rows
for what is looked up across people (letters, reminders, processed inputs, inbox and outbox).

Nothing here is SQLite-only: the same schema runs on PostgreSQL with several processes, and
`bot/migrations/versions` creates exactly these tables. Deleting a user cascades in the database
(ON DELETE CASCADE) and in the ORM, so an erase cannot leave anything behind.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot import sealing

# Explicit constraint names: the hand-written migration must name them identically on every
# backend, and a later migration can only drop a constraint it can name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Lengths of the identifiers that come from a channel; the store checks them before writing.
CHANNEL_MAX = 32
KEY_MAX = 255


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes in and out, on every backend.

    SQLite has no timezone type and hands back naive values; storing UTC and re-attaching it on
    the way out makes a round trip give the same aware datetime that PostgreSQL's timestamptz
    gives.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (e.g. datetime.now(UTC))")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Compressed(TypeDecorator[str]):
    """Text that is kept zlib-compressed (BLOB on SQLite, bytea on PostgreSQL) and read back as
    the same text. A state document and a letter are written once and read whole, and repeat
    their words and keys a great deal, so they take a fraction of the space; everything above
    the column (a save comparing the new text with the stored one, the export, the erasure)
    still sees text.

    zlib's own default level: a higher one saves next to nothing on texts this short, and a
    document is compressed again on every answer that changes it."""

    impl = LargeBinary
    cache_ok = True
    LEVEL = 6

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else zlib.compress(value.encode(), self.LEVEL)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        return None if value is None else zlib.decompress(value).decode()


class Sealed(Compressed):
    """Compressed, then sealed with the process's keys when it has some (bot/sealing.py)."""

    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        packed = super().process_bind_param(value, dialect)
        return None if packed is None else sealing.seal(packed)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        return super().process_result_value(None if value is None else sealing.unseal(value), dialect)


class SealedText(TypeDecorator[str]):
    """Text sealed with the process's keys when it has some (bot/sealing.py). A sealed value is
    ASCII, so the column stays a text column, and a value written in the clear reads as it is."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not sealing.sealing():
            return value
        return sealing.seal(value.encode()).decode("ascii")

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not value.startswith(SEALED_TEXT):
            return value
        return sealing.unseal(value.encode("ascii")).decode()


SEALED_TEXT = sealing.SEALED_PREFIX.decode("ascii")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table a model maps, for the statements the store builds once at import."""
    table = model.__table__
    if not isinstance(table, Table):  # pragma: no cover - every model maps one table
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


class User(Base):
    """One person: their whole state is one JSON document (see bot/document.py), so a field
    added to the coach's state needs no column and no migration. Only what is looked up across
    people has rows of its own: letters, reminders, processed inputs, the inbox and outbox."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX))
    external_id: Mapped[str] = mapped_column(String(KEY_MAX))
    document: Mapped[str] = mapped_column(Sealed)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When they were told that their data would be erased for inactivity (bot/retention.py);
    # cleared by their next message.
    retention_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # passive_deletes: the database's ON DELETE CASCADE removes rows the session never loaded,
    # so erasing a user does not first SELECT everything it is about to delete.
    letters: Mapped[list[LetterRow]] = relationship(
        order_by="LetterRow.id", cascade="all, delete-orphan", passive_deletes=True
    )
    reminders: Mapped[list[ReminderRow]] = relationship(
        order_by="ReminderRow.id", cascade="all, delete-orphan", passive_deletes=True
    )


class LetterRow(Base):
    __tablename__ = "letters"
    # PostgreSQL does not index foreign keys by itself; listing and cascading need this one.
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    debt_seq: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(SealedText)
    body: Mapped[str] = mapped_column(Sealed)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedInput(Base):
    """An input already handled, by its channel's key (a Telegram update's id), so a redelivered
    or replayed update is never applied twice: not even a /delete, after which the person who
    sent it is gone. It names no one and holds nothing they said; old keys are pruned by age."""

    __tablename__ = "processed_inputs"
    # Keyed by what is looked up, with no id beside it: the table is the key's index (on SQLite,
    # WITHOUT ROWID) instead of rows by id plus a unique index copying the key. The hourly prune
    # finds old keys by `processed_at` instead of reading every key of the week it keeps, inside
    # a transaction that on SQLite holds up every answer until it ends.
    __table_args__ = (Index(None, "processed_at"), {"sqlite_with_rowid": False})

    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX), primary_key=True)
    input_key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboxUpdate(Base):
    """An update fetched from a channel and not yet fully answered.

    Telegram forgets an update once the next poll confirms it, and that happens before the bot
    has handled it; writing it here first means a crash loses nothing. The row goes when the
    replies have been delivered, usually within a second, so it holds no one's words for long.
    """

    __tablename__ = "inbox"
    # A worker answers a chat's updates in the order of their ids (bot/telegram/worker.py).
    __table_args__ = (Index(None, "channel", "chat", "update_id"),)

    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(SealedText)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The chat's id, written by the webhook; the poller answers in the order it fetched, and
    # leaves it empty.
    chat: Mapped[str | None] = mapped_column(String(KEY_MAX), nullable=True)


class ReminderRow(Base):
    """A reminder the person's state calls for (see dialogs/reminders.py), and its delivery.

    `pending` until due; a scheduler claims it (`sending`, with `claimed_at` as a lease), sends
    it, and marks it `sent`. A claim whose lease ran out (the process died mid-send) is claimed
    again, so a crash can repeat a reminder but never lose one. `skipped` when a later one of
    the same group made it moot, `failed` when the chat refused it (the bot was blocked).
    Pending rows the state no longer calls for are deleted; sent ones stay as the history.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        # The scheduler's only query: what is due, oldest first.
        Index(None, "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    debt_seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    # Held back past its time (the bot was down, or it waited out the quiet hours for that).
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """Something to deliver to a person (a message, a document, a keyboard to take away), written
    in the transaction of the answer it belongs to and deleted once the channel has it, so a
    reply that could not go out (the API down, the process killed mid-reply) goes out later,
    in order. Keyed by the person's channel id rather than their row: "everything is erased"
    must still reach someone who has just been erased."""

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "channel", "external_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX))
    external_id: Mapped[str] = mapped_column(String(KEY_MAX))
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(SealedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LiveKeyboard(Base):
    """A message of ours that still shows buttons, so they can be taken away once its question
    is answered and no old button lingers in the chat."""

    __tablename__ = "keyboards"

    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class SendSlot(Base):
    """The next moment something may be sent, overall (`key` "all") or to one chat, shared by
    every worker of a service (bot/send_budget.py). Seconds since the epoch, by the database's
    clock, which is the one clock all the workers' machines share."""

    __tablename__ = "send_slots"

    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)
