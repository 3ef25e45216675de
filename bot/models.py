"""The tables behind the store: one row per person, per debt, per round, agreement and payment.

Money is integer cents in BIGINT columns so no float or backend-specific decimal ever touches
it; each amount's currency lives beside it (one column per debt, one for the user's budget).
Nothing here is SQLite-only: the same schema runs on PostgreSQL with several processes, and
`bot/migrations/versions` creates exactly these tables. Deleting a user cascades in the database
(ON DELETE CASCADE) and in the ORM, so an erase cannot leave anything behind.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table a model maps, for the statements the store builds once at import."""
    table = model.__table__
    if not isinstance(table, Table):  # pragma: no cover - every model maps one table
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX))
    external_id: Mapped[str] = mapped_column(String(KEY_MAX))
    locale: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(String(8))
    budget_lump_sum_cents: Mapped[int | None] = mapped_column(BigInteger)
    budget_monthly_cents: Mapped[int | None] = mapped_column(BigInteger)
    active_debt_seq: Mapped[int | None] = mapped_column(Integer)
    confirming: Mapped[str | None] = mapped_column(String(16))
    welcomed: Mapped[bool] = mapped_column(Boolean)
    # Reminder settings: an IANA zone (None until first asked), quiet hours as minutes after
    # midnight (both None: off), and the leads before a payment (days) and a call (minutes).
    timezone: Mapped[str | None] = mapped_column(String(64))
    quiet_start_min: Mapped[int | None] = mapped_column(Integer)
    quiet_end_min: Mapped[int | None] = mapped_column(Integer)
    days_before: Mapped[int] = mapped_column(Integer, server_default="3")
    call_lead_minutes: Mapped[int] = mapped_column(Integer, server_default="30")
    asking: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # passive_deletes: the database's ON DELETE CASCADE removes rows the session never loaded,
    # so erasing a user does not first SELECT everything it is about to delete.
    debts: Mapped[list[DebtRow]] = relationship(
        back_populates="user",
        order_by="DebtRow.seq",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    letters: Mapped[list[LetterRow]] = relationship(
        order_by="LetterRow.id", cascade="all, delete-orphan", passive_deletes=True
    )
    undo_steps: Mapped[list[UndoStep]] = relationship(
        order_by="UndoStep.id", cascade="all, delete-orphan", passive_deletes=True
    )
    reminders: Mapped[list[ReminderRow]] = relationship(
        order_by="ReminderRow.id", cascade="all, delete-orphan", passive_deletes=True
    )


class DebtRow(Base):
    __tablename__ = "debts"
    __table_args__ = (UniqueConstraint("user_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))
    creditor: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(32))
    balance_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(8))
    in_writing: Mapped[bool | None] = mapped_column(Boolean)
    months_delinquent: Mapped[int | None] = mapped_column(Integer)
    holder: Mapped[str | None] = mapped_column(String(16))
    charged_off: Mapped[bool | None] = mapped_column(Boolean)
    lawsuit: Mapped[bool | None] = mapped_column(Boolean)
    goals: Mapped[list[str]] = mapped_column(JSON)
    hardship: Mapped[str] = mapped_column(Text)
    offer_basis: Mapped[str | None] = mapped_column(String(16))
    offer_opening_cents: Mapped[int | None] = mapped_column(BigInteger)
    offer_target_cents: Mapped[int | None] = mapped_column(BigInteger)
    offer_ceiling_cents: Mapped[int | None] = mapped_column(BigInteger)
    offer_first_round: Mapped[int | None] = mapped_column(Integer)
    pending_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    confirmed_above_ceiling_cents: Mapped[int | None] = mapped_column(BigInteger)
    validation_sent_on: Mapped[date | None] = mapped_column(Date)
    call_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many answers this debt has taken: its buttons carry it, so a stale one is recognised.
    turn: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="debts")
    rounds: Mapped[list[RoundRow]] = relationship(
        order_by="RoundRow.seq", cascade="all, delete-orphan", passive_deletes=True
    )
    agreement: Mapped[AgreementRow | None] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    payments: Mapped[list[PaymentRow]] = relationship(
        order_by="PaymentRow.seq", cascade="all, delete-orphan", passive_deletes=True
    )


class RoundRow(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("debt_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("debts.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    on: Mapped[date] = mapped_column(Date)
    who: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    terms: Mapped[str] = mapped_column(Text)
    above_ceiling: Mapped[bool] = mapped_column(Boolean, default=False)


class AgreementRow(Base):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("debts.id", ondelete="CASCADE"), unique=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    instalments: Mapped[int] = mapped_column(Integer)
    instalment_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    first_due: Mapped[date | None] = mapped_column(Date)
    frequency: Mapped[str] = mapped_column(String(16))
    sign_by: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)


class PaymentRow(Base):
    __tablename__ = "payments"
    # The reminder scheduler looks payments up by due date across all users.
    __table_args__ = (UniqueConstraint("debt_id", "seq"), Index(None, "due_on"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("debts.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    recorded_on: Mapped[date | None] = mapped_column(Date)


class LetterRow(Base):
    __tablename__ = "letters"
    # PostgreSQL does not index foreign keys by itself; listing and cascading need this one.
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    debt_seq: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UndoStep(Base):
    """One "back" snapshot (the active debt and the budget before an answer); a user's snapshots
    in id order, newest last. A row each, so an answer writes the one it adds and the one that
    falls off the end, rather than the whole list."""

    __tablename__ = "undo_steps"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class ProcessedInput(Base):
    """An input already handled, by its channel's key (a Telegram update's id), so a redelivered
    or replayed update is never applied twice: not even a /delete, after which the person who
    sent it is gone. It names no one and holds nothing they said; old keys are pruned by age."""

    __tablename__ = "processed_inputs"
    __table_args__ = (UniqueConstraint("channel", "input_key"), Index(None, "processed_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX))
    input_key: Mapped[str] = mapped_column(String(KEY_MAX))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboxUpdate(Base):
    """An update fetched from a channel and not yet fully answered.

    Telegram forgets an update once the next poll confirms it, and that happens before the bot
    has handled it; writing it here first means a crash loses nothing. The row goes when the
    replies have been delivered, usually within a second, so it holds no one's words for long.
    """

    __tablename__ = "inbox"

    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


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
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LiveKeyboard(Base):
    """A message of ours that still shows buttons, so they can be taken away once its question
    is answered and no old button lingers in the chat."""

    __tablename__ = "keyboards"

    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
