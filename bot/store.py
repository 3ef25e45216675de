"""The store: one database transaction per input, holding one person's whole `UserState`.

The adapter opens `Store.user(channel, id)` for each input, claims the input's key (false if it
was processed before), loads the state, runs the pure engine and saves the new state; it all
commits together or not at all, so a crash never half-applies an answer and a redelivered
update is recognised. The user's row is locked for the transaction (SELECT ... FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite), so several processes serialise on one person instead
of overwriting each other's answers.

The typed models in `bot.models` (and the migration that creates them) are the schema; this
module reads and writes their tables with SQLAlchemy Core, not the ORM: an input is a handful
of statements built once at import, with no identity map or unit of work to pay for. `load`
remembers the column values it read, and `save` compares the new state with them and writes
only the rows and columns that differ.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    Delete,
    Engine,
    Insert,
    Table,
    Text,
    Update,
    bindparam,
    cast,
    create_engine,
    delete,
    event,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot import files, reminder_rows, shapes
from bot.migrate import upgrade
from bot.models import (
    CHANNEL_MAX,
    KEY_MAX,
    AgreementRow,
    DebtRow,
    LetterRow,
    LiveKeyboard,
    OutboxMessage,
    PaymentRow,
    ProcessedInput,
    RoundRow,
    UndoStep,
    User,
    table_of,
)
from dialogs.codec import encode
from dialogs.reminders import Planned
from dialogs.state import (
    Budget,
    Debt,
    UserState,
)

EXPORT_FORMAT = "debtcoach-export/1"
# UserState fields the export names as the columns do; the debts have a section of their own.
_EXPORTED_AS = {"active": "active_debt_seq", "reminders": "reminder_settings"}
_SET_ASIDE_BY_A_COMMAND = ("confirming", "asking")

# Applied to every new SQLite connection. busy_timeout goes first: switching a fresh file to
# WAL needs a lock that another starting process may hold for a moment. secure_delete zeroes
# what a DELETE or UPDATE frees, so an erased person's words do not linger in free pages.
SQLITE_PRAGMAS = (
    "busy_timeout=5000",
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    "secure_delete=ON",
)
# SQLite's companions of a database file: it creates them with the database file's mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


_USERS = table_of(User)
_DEBTS = table_of(DebtRow)
_ROUNDS = table_of(RoundRow)
_AGREEMENTS = table_of(AgreementRow)
_PAYMENTS = table_of(PaymentRow)
_LETTERS = table_of(LetterRow)
_PROCESSED = table_of(ProcessedInput)
_UNDO = table_of(UndoStep)
_OUTBOX = table_of(OutboxMessage)
_KEYBOARDS = table_of(LiveKeyboard)

# One row's column values, by column name.
Values = shapes.Values

# The columns each part of the state lives in, in the order the selects below read them. The
# `_*_values` helpers at the bottom produce dicts with exactly these keys.
_USER_FIELDS = (
    "locale",
    "currency",
    "budget_lump_sum_cents",
    "budget_monthly_cents",
    "active_debt_seq",
    "confirming",
    "welcomed",
    "timezone",
    "quiet_start_min",
    "quiet_end_min",
    "days_before",
    "call_lead_minutes",
    "asking",
)
_DEBT_FIELDS = (
    "state",
    "creditor",
    "kind",
    "balance_cents",
    "currency",
    "in_writing",
    "months_delinquent",
    "holder",
    "charged_off",
    "lawsuit",
    "goals",
    "hardship",
    "offer_basis",
    "offer_opening_cents",
    "offer_target_cents",
    "offer_ceiling_cents",
    "offer_first_round",
    "pending_amount_cents",
    "confirmed_above_ceiling_cents",
    "validation_sent_on",
    "call_at",
    "turn",
)
_ROUND_FIELDS = ("on", "who", "outcome", "amount_cents", "terms", "above_ceiling")
_PAYMENT_FIELDS = ("due_on", "amount_cents", "status", "recorded_on")
_AGREEMENT_FIELDS = (
    "amount_cents",
    "instalments",
    "instalment_amount_cents",
    "first_due",
    "frequency",
    "sign_by",
    "signed_on",
    "sent_on",
)

# Statements built once: constructing a statement costs more than running it on SQLite, and
# SQLAlchemy caches each one's compiled form (per set of parameter names for the UPDATEs below,
# which have no values() and so SET exactly the columns passed to execute()).
_SELECT_USER = (
    select(_USERS.c.id, *(_USERS.c[k] for k in _USER_FIELDS))
    .where(_USERS.c.channel == bindparam("channel"), _USERS.c.external_id == bindparam("external_id"))
    .with_for_update()
)
_INSERT_USER = insert(_USERS)
_UPDATE_USER = update(_USERS).where(_USERS.c.id == bindparam("w_id"))
_DELETE_USER = delete(_USERS).where(_USERS.c.id == bindparam("uid"))
_USER_TIMES = select(_USERS.c.created_at, _USERS.c.updated_at).where(_USERS.c.id == bindparam("uid"))

# Returns the new row's id, or nothing on a duplicate (RETURNING: SQLite 3.35 or later).
_CLAIM = {
    "sqlite": sqlite.insert(_PROCESSED).on_conflict_do_nothing().returning(_PROCESSED.c.id),
    "postgresql": postgresql.insert(_PROCESSED).on_conflict_do_nothing().returning(_PROCESSED.c.id),
}

# "Back" snapshots are read as their JSON text and parsed only if the engine looks inside one
# (see _Snapshot); the column is JSON, which both backends return as written.
_SELECT_UNDO = (
    select(_UNDO.c.id, cast(_UNDO.c.snapshot, Text)).where(_UNDO.c.user_id == bindparam("uid")).order_by(_UNDO.c.id)
)
_INSERT_UNDO = insert(_UNDO)
_DELETE_UNDO = delete(_UNDO).where(_UNDO.c.id.in_(bindparam("ids", expanding=True)))

_DELETE_OUTBOX = delete(_OUTBOX).where(
    _OUTBOX.c.channel == bindparam("channel"), _OUTBOX.c.external_id == bindparam("external_id")
)
_SELECT_OUTBOX = (
    select(_OUTBOX.c.kind, _OUTBOX.c.payload, _OUTBOX.c.created_at)
    .where(_OUTBOX.c.channel == bindparam("channel"), _OUTBOX.c.external_id == bindparam("external_id"))
    .order_by(_OUTBOX.c.id)
)
_SELECT_KEYBOARDS = (
    select(_KEYBOARDS.c.message_id)
    .where(_KEYBOARDS.c.channel == bindparam("channel"), _KEYBOARDS.c.external_id == bindparam("external_id"))
    .order_by(_KEYBOARDS.c.message_id)
)
_DELETE_KEYBOARDS = delete(_KEYBOARDS).where(
    _KEYBOARDS.c.channel == bindparam("channel"), _KEYBOARDS.c.external_id == bindparam("external_id")
)

_INSERT_LETTER = insert(_LETTERS)
_SELECT_LETTERS = (
    select(
        _LETTERS.c.id,
        _LETTERS.c.debt_seq,
        _LETTERS.c.kind,
        _LETTERS.c.title,
        _LETTERS.c.body,
        _LETTERS.c.created_at,
    )
    .where(_LETTERS.c.user_id == bindparam("uid"))
    .order_by(_LETTERS.c.id)
)

# Debts with their agreement (one-to-one) in one query, and whether each has any rounds or
# payments, so the two queries for those are skipped when no debt has any.
_SELECT_DEBTS = (
    select(
        _DEBTS.c.id,
        _DEBTS.c.seq,
        *(_DEBTS.c[k] for k in _DEBT_FIELDS),
        exists().where(_ROUNDS.c.debt_id == _DEBTS.c.id),
        exists().where(_PAYMENTS.c.debt_id == _DEBTS.c.id),
        _AGREEMENTS.c.id,
        *(_AGREEMENTS.c[k] for k in _AGREEMENT_FIELDS),
    )
    .select_from(_DEBTS.outerjoin(_AGREEMENTS, _AGREEMENTS.c.debt_id == _DEBTS.c.id))
    .where(_DEBTS.c.user_id == bindparam("uid"))
    .order_by(_DEBTS.c.seq)
)
_D_VALUES = slice(2, 2 + len(_DEBT_FIELDS))
_D_HAS_ROUNDS = _D_VALUES.stop
_D_HAS_PAYMENTS = _D_HAS_ROUNDS + 1
_D_AGREEMENT_ID = _D_HAS_PAYMENTS + 1
_D_AGREEMENT = slice(_D_AGREEMENT_ID + 1, None)
# Children of all the user's debts, by a subquery rather than a list of ids.
_USER_DEBT_IDS = select(_DEBTS.c.id).where(_DEBTS.c.user_id == bindparam("uid"))
_SELECT_ROUNDS = (
    select(_ROUNDS.c.debt_id, _ROUNDS.c.seq, *(_ROUNDS.c[k] for k in _ROUND_FIELDS))
    .where(_ROUNDS.c.debt_id.in_(_USER_DEBT_IDS))
    .order_by(_ROUNDS.c.debt_id, _ROUNDS.c.seq)
)
_SELECT_PAYMENTS = (
    select(_PAYMENTS.c.debt_id, _PAYMENTS.c.seq, *(_PAYMENTS.c[k] for k in _PAYMENT_FIELDS))
    .where(_PAYMENTS.c.debt_id.in_(_USER_DEBT_IDS))
    .order_by(_PAYMENTS.c.debt_id, _PAYMENTS.c.seq)
)
_DEBT_TIMES = (
    select(_DEBTS.c.currency, _DEBTS.c.created_at, _DEBTS.c.updated_at)
    .where(_DEBTS.c.user_id == bindparam("uid"))
    .order_by(_DEBTS.c.seq)
)

_INSERT_DEBT = insert(_DEBTS)
_UPDATE_DEBT = update(_DEBTS).where(_DEBTS.c.id == bindparam("w_id"))
# Their rounds, agreement and payments go with them: ON DELETE CASCADE.
_DELETE_DEBTS = delete(_DEBTS).where(_DEBTS.c.id.in_(bindparam("ids", expanding=True)))


@dataclass(frozen=True, slots=True)
class _Children:
    """Writing one kind of numbered child row (rounds, payments), addressed by (debt_id, seq)."""

    insert: Insert
    update: Update
    delete: Delete


def _children(table: Table) -> _Children:
    where = (table.c.debt_id == bindparam("w_debt_id"),)
    return _Children(
        insert=insert(table),
        update=update(table).where(*where, table.c.seq == bindparam("w_seq")),
        delete=delete(table).where(*where, table.c.seq.in_(bindparam("seqs", expanding=True))),
    )


_ROUND_WRITES = _children(_ROUNDS)
_PAYMENT_WRITES = _children(_PAYMENTS)
_INSERT_AGREEMENT = insert(_AGREEMENTS)
_UPDATE_AGREEMENT = update(_AGREEMENTS).where(_AGREEMENTS.c.debt_id == bindparam("w_debt_id"))
_DELETE_AGREEMENT = delete(_AGREEMENTS).where(_AGREEMENTS.c.debt_id == bindparam("w_debt_id"))


class _JSONText(str):
    """JSON the store has already serialized: `_dump_json` writes it as it is."""

    __slots__ = ()


# json.dumps output exactly (same separators and escaping), minus the check for circular
# references, which the state's plain data cannot have: a fifth faster on a full undo list.
_ENCODER = json.JSONEncoder(check_circular=False)


def _dump_json(value: object) -> str:
    """The engine's JSON serializer (for every backend): json.dumps, as SQLAlchemy's default,
    except for text the store serialized itself to compare it with what it had loaded."""
    if isinstance(value, _JSONText):
        return value
    return _ENCODER.encode(value)


@dataclass(frozen=True, slots=True)
class LetterRecord:
    id: int
    debt_seq: int | None
    kind: str
    title: str
    body: str
    created_at: datetime


@dataclass(slots=True)
class _UserRow:
    """The user's row as it is in the database in this transaction."""

    id: int
    values: Values


class _Snapshot(Mapping[str, object]):
    """A stored "back" snapshot, parsed on first look. Most answers only add a snapshot and never
    read the twenty before it, so they are neither parsed on load nor written again on save: save()
    recognises them by identity in the state's list. Read-only, so that identity means "as stored"."""

    __slots__ = ("_value", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._value: dict[str, object] | None = None

    def _parsed(self) -> dict[str, object]:
        if self._value is None:
            self._value = json.loads(self.text)
        return self._value

    def __getitem__(self, key: str) -> object:
        return self._parsed()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())

    def __repr__(self) -> str:
        return f"_Snapshot({self._parsed()!r})"


@dataclass(slots=True, eq=False)
class _UndoRow:
    """One row of undo_steps as it is in this transaction, and the object in the state's list that
    it was read as (a _Snapshot) or written from (a dict, kept with its text to detect edits)."""

    id: int
    snapshot: Mapping[str, object]
    text: str

    def holds(self, snapshot: Mapping[str, object]) -> bool:
        if snapshot is not self.snapshot:
            return False
        return isinstance(snapshot, _Snapshot) or _ENCODER.encode(snapshot) == self.text


@dataclass(slots=True)
class _DebtRows:
    """One debt's rows as they are in the database in this transaction: what save() diffs."""

    id: int
    values: Values
    rounds: dict[int, Values]  # by seq
    payments: dict[int, Values]  # by seq
    agreement: Values | None


@dataclass(slots=True)
class _WantedDebt:
    seq: int
    values: Values
    rounds: list[Values]
    payments: list[Values]
    agreement: Values | None


class Store:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            _private_sqlite_file(parsed.database)
            self._engine: Engine = create_engine(parsed, json_serializer=_dump_json)
            _configure_sqlite(self._engine)
        else:
            # A long-running bot outlives database restarts; check pooled connections first.
            self._engine = create_engine(parsed, pool_pre_ping=True, json_serializer=_dump_json)
        # Set when an erase's rows may still be in SQLite's log (see _empty_log).
        self._erase_lock = threading.Lock()
        self._erased_in_log = False
        # Once per process, on the store's own connection so its SQLite setup applies.
        with self._engine.begin() as conn:
            upgrade(url, connection=conn)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def checkpoint(self) -> None:
        """Copy SQLite's write-ahead log into the database file now (PASSIVE: it neither waits
        for nor blocks readers and writers). SQLite otherwise does this inside whichever commit
        finds the log past 1,000 pages, and that commit then takes milliseconds instead of
        tens of microseconds. The bot calls this from a worker thread, often enough that the
        log never gets there, so its commits on the event loop stay short. No-op elsewhere.

        After an erase whose log could not be emptied at once (see `user`), this empties it."""
        if self._engine.dialect.name != "sqlite":
            return
        with self._erase_lock:
            truncate, self._erased_in_log = self._erased_in_log, False
        if truncate:
            self._empty_log()
        else:
            self._wal_checkpoint("PASSIVE")

    @contextmanager
    def user(self, channel: str, external_id: str) -> Iterator[UserStore]:
        """One transaction for one input: locks the user's row if there is one (SELECT ... FOR
        UPDATE, a row lock on PostgreSQL so several processes serialise on one user; SQLite's
        BEGIN IMMEDIATE serialises every writer), commits on normal exit, rolls back on
        exception. Someone new gets a row only when something about them is saved, so an input
        that stores nothing (a redelivered /delete) leaves no trace of them."""
        shapes.check_length("channel", channel, CHANNEL_MAX)
        shapes.check_length("external_id", external_id, KEY_MAX)
        # The dialect's do_begin (see _configure_sqlite) makes this BEGIN IMMEDIATE on SQLite.
        with self._engine.begin() as conn:
            person = UserStore(conn, channel, external_id, _lock_user(conn, channel, external_id))
            yield person
        if person.erased and self._engine.dialect.name == "sqlite":
            self._empty_log()

    def _empty_log(self) -> None:
        """secure_delete zeroes what an erase freed, but in WAL mode it does so in new frames of
        the log, whose older frames still hold the rows as they were until the log is reused or
        removed (when the last connection closes, which another process may not do for weeks).
        So after an erase the log is copied in and cut to nothing (TRUNCATE: it waits, for at
        most the busy timeout, for the short transactions under way); if a reader still holds
        it, the next checkpoint() tries again."""
        if self._wal_checkpoint("TRUNCATE"):
            with self._erase_lock:
                self._erased_in_log = True

    def _wal_checkpoint(self, mode: str) -> bool:
        """Whether the checkpoint was blocked (SQLite's `busy`)."""
        raw = self._engine.raw_connection()  # outside any transaction: no BEGIN IMMEDIATE
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(f"PRAGMA wal_checkpoint({mode})")
                row = cursor.fetchone()  # (busy, frames in the log, frames copied)
            finally:
                cursor.close()
        finally:
            raw.close()
        return row is not None and bool(row[0])


class PersonCreatedMeanwhile(Exception):  # noqa: N818 - it names what happened, like TimeoutError
    """Another process saved this new person first, while this transaction worked from an empty
    state: the input must be handled again, from what that process saved."""


class UserStore:
    """Everything one transaction may read or write about one person, and nothing else."""

    def __init__(self, conn: Connection, channel: str, external_id: str, user: _UserRow | None) -> None:
        self._conn = conn
        self._channel = channel
        self._external_id = external_id
        self._user = user
        # The user's row as this input found it (save() replaces the dict, never edits it).
        self._arrived = None if user is None else user.values
        # The user's debts and undo rows as last read or written in this transaction; None until
        # needed, and empty for someone with no row yet.
        self._debts: dict[int, _DebtRows] | None = None if user is not None else {}
        self._undo: list[_UndoRow] | None = None if user is not None else []
        # Set when a save() failed part-way: what it had written is unknown, so read it again.
        self._stale = False
        self._erased = False

    def claim(self, input_key: str, now: datetime) -> bool:
        """Record the input as processed; False when it already was (a redelivery). One INSERT
        that does nothing on a duplicate key, instead of a lookup and then an insert: it is
        undone with everything else if the input fails, so a failed input can be tried again.

        The key is the channel's and names no one, so it stays when the person is erased: a
        /delete delivered again is recognised and cannot bring them back."""
        shapes.check_length("input_key", input_key, KEY_MAX)
        row = {"channel": self._channel, "input_key": input_key, "processed_at": shapes.aware(now)}
        return self._conn.execute(_CLAIM[self._conn.dialect.name], row).first() is not None

    def write_alongside(self, write: Callable[[Connection], None]) -> None:
        """Let the channel write, in this transaction, a row that must commit with the input
        or not at all (the Telegram update's inbox row: see bot/telegram/journal.py)."""
        write(self._conn)

    @property
    def erased(self) -> bool:
        """Whether this transaction erased the person."""
        return self._erased

    @property
    def exists(self) -> bool:
        """Whether anything is stored about this person (in this transaction, so far)."""
        return self._user is not None and not self._erased

    def load(self) -> UserState:
        if self._erased or self._user is None:
            return UserState()
        self._refresh()
        values = self._user.values
        currency = values["currency"]
        return UserState(
            locale=values["locale"],
            currency=currency,
            budget=Budget(
                lump_sum=shapes.money(values["budget_lump_sum_cents"], currency),
                monthly=shapes.money(values["budget_monthly_cents"], currency),
            ),
            debts=self._read_debts()[0],
            active=values["active_debt_seq"],
            confirming=values["confirming"],
            # A fresh list for every load: the engine may edit it in place.
            undo=[row.snapshot for row in self._read_undo()],
            welcomed=values["welcomed"],
            reminders=shapes.reminder_settings(values),
            asking=values["asking"],
        )

    def save(self, state: UserState, now: datetime) -> None:
        """Make the rows say what `state` says, writing only what changed.

        Debts are matched by seq, rounds and payments by their index in the list, so undo and
        "start over" delete what they removed. A state that cannot be stored (mixed currencies,
        two debts with one seq) raises before anything is written. After erase() this is a
        no-op (see claim).
        """
        if self._erased:
            return
        now = shapes.aware(now)
        user_values = shapes.user_values(state)
        if len({d.seq for d in state.debts}) != len(state.debts):
            raise ValueError("two debts share a seq")
        wanted = [
            _WantedDebt(
                seq=debt.seq,
                values=shapes.debt_values(debt),
                rounds=[shapes.round_values(r) for r in debt.rounds],
                payments=[shapes.payment_values(p) for p in debt.payments],
                agreement=None if debt.agreement is None else shapes.agreement_values(debt.agreement),
            )
            for debt in state.debts
        ]
        self._refresh()
        user = self._created(now)
        loaded = self._debts if self._debts is not None else self._read_debts()[1]
        undo_rows = self._undo if self._undo is not None else self._read_undo()
        kept, added = _undo_plan(undo_rows, state.undo)
        try:
            written, changed = self._write_debts(loaded, wanted, now)
            undo_written = self._write_undo(undo_rows, kept, added)
            columns = _changes(user.values, user_values)
            if columns or changed or undo_written is not undo_rows:
                columns["updated_at"] = now
                self._conn.execute(_UPDATE_USER, {"w_id": user.id, **columns})
        except BaseException:
            self._stale = True
            raise
        # What a second save() in this transaction diffs against.
        self._debts = written
        self._undo = undo_written
        user.values = user_values

    def sync_reminders(self, planned: Sequence[Planned], now: datetime) -> None:
        """Bring the reminders table in line with the state's plan (see bot/reminder_rows.py)."""
        if self._erased or (self._user is None and not planned):
            return
        reminder_rows.sync(self._conn, self._created(now).id, planned, shapes.aware(now))

    def update_reminder(self, reminder_id: int, **values: Any) -> None:
        """Change one of this person's reminders (and nobody else's)."""
        self._check_not_erased()
        if self._user is not None:  # someone with no row has no reminders
            reminder_rows.update_own(self._conn, self._user.id, reminder_id, **values)

    def record_letter(self, debt_seq: int | None, kind: str, title: str, body: str, now: datetime) -> int:
        self._check_not_erased()
        result = self._conn.execute(
            _INSERT_LETTER,
            {
                "user_id": self._created(now).id,
                "debt_seq": debt_seq,
                "kind": kind,
                "title": title,
                "body": body,
                "created_at": shapes.aware(now),
            },
        )
        return _new_id(result)

    def letters(self) -> list[LetterRecord]:
        if self._erased or self._user is None:
            return []
        rows = self._conn.execute(_SELECT_LETTERS, {"uid": self._user.id})
        return [LetterRecord(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def export(self) -> dict[str, Any]:
        """Everything stored about this person, as one JSON-ready document (a data request).

        The person's settings are every field of their `UserState` (see _EXPORTED_AS), so a
        field added there is exported without anyone remembering to. The request for an export
        is itself a command, and a command sets a pending question or confirmation aside
        (dialogs/engine.py): those two are reported as they stood when this input arrived."""
        self._check_not_erased()
        state = self.load()
        created_at = updated_at = None
        debt_rows: list[Any] = []
        if self._user is not None:
            params = {"uid": self._user.id}
            created_at, updated_at = self._conn.execute(_USER_TIMES, params).one()
            debt_rows = list(self._conn.execute(_DEBT_TIMES, params).all())
        settings = {
            _EXPORTED_AS.get(f.name, f.name): encode(getattr(state, f.name))
            for f in dataclasses.fields(UserState)
            if f.name != "debts"
        }
        arrived = self._arrived or {}
        settings.update({name: arrived.get(name) for name in _SET_ASIDE_BY_A_COMMAND})
        where = {"channel": self._channel, "external_id": self._external_id}
        return {
            "format": EXPORT_FORMAT,
            "user": {
                "channel": self._channel,
                "external_id": self._external_id,
                **settings,
                "created_at": None if created_at is None else created_at.isoformat(),
                "updated_at": None if updated_at is None else updated_at.isoformat(),
            },
            "debts": [
                {
                    **encode(debt),
                    "currency": currency,
                    "created_at": debt_created.isoformat(),
                    "updated_at": debt_updated.isoformat(),
                }
                for debt, (currency, debt_created, debt_updated) in zip(state.debts, debt_rows, strict=True)
            ],
            "letters": [
                {
                    "id": letter.id,
                    "debt_seq": letter.debt_seq,
                    "kind": letter.kind,
                    "title": letter.title,
                    "body": letter.body,
                    "created_at": letter.created_at.isoformat(),
                }
                for letter in self.letters()
            ],
            "reminders": [] if self._user is None else reminder_rows.export(self._conn, self._user.id),
            # What the channel keeps for them by their id: messages still to deliver, and the
            # messages whose buttons are still shown.
            "outbox": [
                {"kind": kind, "payload": payload, "created_at": at.isoformat()}
                for kind, payload, at in self._conn.execute(_SELECT_OUTBOX, where)
            ],
            "keyboards": [message_id for (message_id,) in self._conn.execute(_SELECT_KEYBOARDS, where)],
        }

    def erase(self) -> None:
        """Delete the person and every row of theirs (the database cascades from their user
        row), with what was waiting to be delivered to them and the keyboards still shown."""
        self._check_not_erased()
        if self._user is not None:
            self._conn.execute(_DELETE_USER, {"uid": self._user.id})
        where = {"channel": self._channel, "external_id": self._external_id}
        self._conn.execute(_DELETE_OUTBOX, where)
        self._conn.execute(_DELETE_KEYBOARDS, where)
        self._erased = True
        self._debts = None
        self._undo = None

    # -- internals ------------------------------------------------------------------------

    def _check_not_erased(self) -> None:
        if self._erased:
            raise RuntimeError("this user was erased in this transaction")

    @property
    def _row(self) -> _UserRow:
        if self._user is None:
            raise RuntimeError("this person has no row yet: save() creates it")
        return self._user

    def _created(self, now: datetime) -> _UserRow:
        """The person's row, inserted now if they have none yet (with `now` as its times)."""
        if self._user is not None:
            return self._user
        params = {"channel": self._channel, "external_id": self._external_id}
        values = shapes.user_values(UserState())
        stamp = shapes.aware(now)
        try:
            with self._conn.begin_nested():
                times = {"created_at": stamp, "updated_at": stamp}
                result = self._conn.execute(_INSERT_USER, {**params, **values, **times})
        except IntegrityError as exc:
            # PostgreSQL only (SQLite's BEGIN IMMEDIATE lets one writer in at a time).
            raise PersonCreatedMeanwhile from exc
        self._user = _UserRow(_new_id(result), values)
        return self._user

    def _refresh(self) -> None:
        if self._stale:
            row = self._conn.execute(_SELECT_USER, {"channel": self._channel, "external_id": self._external_id}).one()
            self._user = _user_row(row)
            self._debts = None
            self._undo = None
            self._stale = False

    def _read_debts(self) -> tuple[list[Debt], dict[int, _DebtRows]]:
        """The user's debts with their agreements, rounds and payments, in one to three
        queries, and their rows by seq, which are also kept for save() to diff against."""
        params = {"uid": self._row.id}
        rows = self._conn.execute(_SELECT_DEBTS, params).all()
        loaded: dict[int, _DebtRows] = {}
        debts: list[Debt] = []
        if rows:
            rounds = (
                _by_debt(self._conn.execute(_SELECT_ROUNDS, params), _ROUND_FIELDS)
                if any(row[_D_HAS_ROUNDS] for row in rows)
                else {}
            )
            payments = (
                _by_debt(self._conn.execute(_SELECT_PAYMENTS, params), _PAYMENT_FIELDS)
                if any(row[_D_HAS_PAYMENTS] for row in rows)
                else {}
            )
            for row in rows:
                debt_id, seq = row[0], row[1]
                values = dict(zip(_DEBT_FIELDS, row[_D_VALUES], strict=True))
                agreement = None
                if row[_D_AGREEMENT_ID] is not None:
                    agreement = dict(zip(_AGREEMENT_FIELDS, row[_D_AGREEMENT], strict=True))
                debt_rounds = rounds.get(debt_id, {})
                debt_payments = payments.get(debt_id, {})
                debts.append(shapes.debt(seq, values, debt_rounds.values(), agreement, debt_payments.values()))
                loaded[seq] = _DebtRows(debt_id, values, debt_rounds, debt_payments, agreement)
        self._debts = loaded
        return debts, loaded

    def _read_undo(self) -> list[_UndoRow]:
        rows = self._conn.execute(_SELECT_UNDO, {"uid": self._row.id})
        self._undo = [_UndoRow(row_id, _Snapshot(text), text) for row_id, text in rows]
        return self._undo

    def _write_undo(
        self, rows: list[_UndoRow], kept: list[_UndoRow], added: list[tuple[Mapping[str, object], str]]
    ) -> list[_UndoRow]:
        """Delete the rows the list no longer holds, insert the snapshots it gained (ids only
        grow, so they sort after the kept ones); returns `rows` itself when nothing changed."""
        if len(kept) == len(rows) and not added:
            return rows
        keep = {row.id for row in kept}
        gone = [row.id for row in rows if row.id not in keep]
        if gone:
            self._conn.execute(_DELETE_UNDO, {"ids": gone})
        written = list(kept)
        for snapshot, text in added:
            result = self._conn.execute(_INSERT_UNDO, {"user_id": self._row.id, "snapshot": _JSONText(text)})
            written.append(_UndoRow(_new_id(result), snapshot, text))
        return written

    def _write_debts(
        self, loaded: dict[int, _DebtRows], wanted: list[_WantedDebt], now: datetime
    ) -> tuple[dict[int, _DebtRows], bool]:
        """INSERT, UPDATE and DELETE what differs; returns the rows as now written, and whether
        anything was."""
        conn = self._conn
        seqs = {w.seq for w in wanted}
        gone = [rows.id for seq, rows in loaded.items() if seq not in seqs]
        if gone:
            conn.execute(_DELETE_DEBTS, {"ids": gone})
        changed = bool(gone)
        written: dict[int, _DebtRows] = {}
        new_rounds: list[Values] = []
        new_payments: list[Values] = []
        new_agreements: list[Values] = []
        for debt in wanted:
            before = loaded.get(debt.seq)
            if before is None:
                values = {
                    "user_id": self._row.id,
                    "seq": debt.seq,
                    **debt.values,
                    "created_at": now,
                    "updated_at": now,
                }
                debt_id = _new_id(conn.execute(_INSERT_DEBT, values))
                new_rounds.extend({"debt_id": debt_id, "seq": i, **v} for i, v in enumerate(debt.rounds))
                new_payments.extend({"debt_id": debt_id, "seq": i, **v} for i, v in enumerate(debt.payments))
                if debt.agreement is not None:
                    new_agreements.append({"debt_id": debt_id, **debt.agreement})
                changed = True
            else:
                debt_id = before.id
                columns = _changes(before.values, debt.values)
                rounds = _write_children(conn, _ROUND_WRITES, debt_id, before.rounds, debt.rounds, new_rounds)
                payments = _write_children(conn, _PAYMENT_WRITES, debt_id, before.payments, debt.payments, new_payments)
                agreement = _write_agreement(conn, debt_id, before.agreement, debt.agreement, new_agreements)
                if columns or rounds or payments or agreement:
                    conn.execute(_UPDATE_DEBT, {"w_id": debt_id, **columns, "updated_at": now})
                    changed = True
            written[debt.seq] = _DebtRows(
                debt_id, debt.values, dict(enumerate(debt.rounds)), dict(enumerate(debt.payments)), debt.agreement
            )
        # executemany, one statement per table.
        if new_rounds:
            conn.execute(_ROUND_WRITES.insert, new_rounds)
        if new_payments:
            conn.execute(_PAYMENT_WRITES.insert, new_payments)
        if new_agreements:
            conn.execute(_INSERT_AGREEMENT, new_agreements)
        return written, changed


def _write_children(
    conn: Connection,
    writes: _Children,
    debt_id: int,
    before: dict[int, Values],
    after: list[Values],
    inserts: list[Values],
) -> bool:
    """Rounds or payments of one debt: an item's index in the state's list is its row's seq.
    New rows are appended to `inserts` for the caller to execute together."""
    changed = False
    gone = [seq for seq in before if not 0 <= seq < len(after)]
    if gone:
        conn.execute(writes.delete, {"w_debt_id": debt_id, "seqs": gone})
        changed = True
    for seq, values in enumerate(after):
        old = before.get(seq)
        if old is None:
            inserts.append({"debt_id": debt_id, "seq": seq, **values})
            changed = True
        elif old != values:
            conn.execute(writes.update, {"w_debt_id": debt_id, "w_seq": seq, **_changes(old, values)})
            changed = True
    return changed


def _write_agreement(
    conn: Connection, debt_id: int, before: Values | None, after: Values | None, inserts: list[Values]
) -> bool:
    if after is None:
        if before is None:
            return False
        conn.execute(_DELETE_AGREEMENT, {"w_debt_id": debt_id})
        return True
    if before is None:
        inserts.append({"debt_id": debt_id, **after})
        return True
    if before == after:
        return False
    conn.execute(_UPDATE_AGREEMENT, {"w_debt_id": debt_id, **_changes(before, after)})
    return True


def _undo_plan(
    rows: list[_UndoRow], undo: list[Mapping[str, object]]
) -> tuple[list[_UndoRow], list[tuple[Mapping[str, object], str]]]:
    """Which stored rows the state's list still begins with, in their order (the engine drops
    snapshots from either end and adds at the end), and the snapshots after them, serialized:
    those are new. Serializing first means a list that cannot be stored raises before any write."""
    kept: list[_UndoRow] = []
    position = 0
    for index, snapshot in enumerate(undo):
        while position < len(rows) and not rows[position].holds(snapshot):
            position += 1
        if position == len(rows):
            return kept, [(s, _undo_text(s)) for s in undo[index:]]
        kept.append(rows[position])
        position += 1
    return kept, []


def _undo_text(snapshot: Mapping[str, object]) -> str:
    return snapshot.text if isinstance(snapshot, _Snapshot) else _ENCODER.encode(snapshot)


def _changes(before: Mapping[str, object], after: Values) -> Values:
    """The columns of `after` whose values differ from `before`."""
    if before == after:
        return {}
    return {key: value for key, value in after.items() if key not in before or before[key] != value}


def _by_debt(rows: Iterable[Sequence[Any]], fields: tuple[str, ...]) -> dict[int, dict[int, Values]]:
    """(debt_id, seq, *fields) rows, ordered by debt and seq, as {debt_id: {seq: values}}."""
    found: dict[int, dict[int, Values]] = {}
    for row in rows:
        found.setdefault(row[0], {})[row[1]] = dict(zip(fields, row[2:], strict=True))
    return found


def _new_id(result: CursorResult[Any]) -> int:
    """The id of the row a single-row INSERT just wrote (lastrowid on SQLite, RETURNING on
    PostgreSQL: SQLAlchemy picks)."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - only for an INSERT that wrote no row
        raise RuntimeError("the INSERT returned no primary key")
    return int(key[0])


def _user_row(row: Sequence[Any]) -> _UserRow:
    return _UserRow(row[0], dict(zip(_USER_FIELDS, row[1:], strict=True)))


def _lock_user(conn: Connection, channel: str, external_id: str) -> _UserRow | None:
    row = conn.execute(_SELECT_USER, {"channel": channel, "external_id": external_id}).first()
    return None if row is None else _user_row(row)


def _private_sqlite_file(database: str | None) -> None:
    """Make the database file owner-only before SQLite opens it: SQLite creates a file 0644
    whatever the umask, and its -wal and -shm with the database file's mode. So a new file is
    made here, 0600, in a folder made 0700 if it is new too (an existing folder is not ours to
    change: the data folder is tightened by whoever owns it, see bot/files.py). A file that
    exists is tightened with chmod, as are the companions an earlier process left, and never
    opened: closing a descriptor of it would drop every POSIX lock this process holds on it,
    another store's included, and SQLite's locking with them."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        files.private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, files.FILE_MODE)
    except FileExistsError:
        path.chmod(files.FILE_MODE)
    else:
        try:
            os.fchmod(descriptor, files.FILE_MODE)  # the umask may have taken bits off
        finally:
            os.close(descriptor)
    for suffix in SQLITE_COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).chmod(files.FILE_MODE)


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas per connection, and transactions that take the write lock when they begin.

    pysqlite defers BEGIN until the first write, so two processes could both read a user and
    then overwrite each other; it also breaks SAVEPOINT. Turning its transaction handling off
    and emitting BEGIN IMMEDIATE ourselves (the recipe in SQLAlchemy's SQLite docs) makes each
    input's transaction exclusive among writers, which is SQLite's equivalent of the row lock
    PostgreSQL takes. WAL keeps readers from blocking behind it. Both apply to every connection
    the engine hands out (and to the migration).

    The docs' recipe emits the BEGIN from a "begin" event. Any connection event, though, makes
    SQLAlchemy dispatch events around every statement, and that was a tenth of an input's
    time (handle(): 0.78 -> 0.70 ms per input without it). So the BEGIN goes where the event
    stands in for: the dialect's do_begin, which SQLAlchemy calls at the start of every
    transaction and which pysqlite leaves empty.
    """

    @event.listens_for(engine, "connect")  # a pool event: it costs nothing per statement
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(f"PRAGMA {pragma}")
        finally:
            cursor.close()

    def _begin_immediate(dbapi_connection: Any) -> None:
        dbapi_connection.execute("BEGIN IMMEDIATE")

    engine.dialect.do_begin = _begin_immediate  # type: ignore[method-assign]
