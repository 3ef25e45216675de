"""The SQL store (SQLite by default, PostgreSQL at scale): one database transaction per input.

The adapter opens `Store.user(channel, id)` for each input, claims the input's key (false if it
was processed before), loads the state, runs the pure engine and saves the new state; it all
commits together or not at all, so a crash never half-applies an answer and a redelivered
update is recognised. Loading locks the person's row for the transaction (SELECT ... FOR UPDATE
on PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE), so several processes serialise
on one person instead of overwriting each other's answers.

The person's state is one document in `users.document` (see bot/document.py): a claim, a load
and a save are one statement each. Letters, reminders, processed inputs and the outbox are rows,
because they are looked up across people. The interface is bot/storage.py's `Person`.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    bindparam,
    create_engine,
    delete,
    event,
    exists,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from bot import document, files, reminder_table
from bot.document import Stored
from bot.migrate import upgrade
from bot.models import (
    CHANNEL_MAX,
    KEY_MAX,
    LetterRow,
    LiveKeyboard,
    OutboxMessage,
    ProcessedInput,
    SendSlot,
    User,
    table_of,
)
from bot.reminder_table import Claimed
from bot.storage import (
    EXPORT_FORMAT,
    LetterRecord,
    PersonCreatedMeanwhile,
    Stamped,
    aware,
    check_length,
    export_of,
)
from dialogs.reminder_plan import Planned
from dialogs.state import UserState

__all__ = ["EXPORT_FORMAT", "LetterRecord", "PersonCreatedMeanwhile", "Store", "UserStore"]

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

# Connections kept open to a database server: one for each of the bot's database threads
# (bot/blocking.py), and SQLAlchemy's overflow of 10 beyond for the rest.
POOL_SIZE = 16

_USERS = table_of(User)
_LETTERS = table_of(LetterRow)
_PROCESSED = table_of(ProcessedInput)
_OUTBOX = table_of(OutboxMessage)
_KEYBOARDS = table_of(LiveKeyboard)

_WHO = (_USERS.c.channel == bindparam("channel"), _USERS.c.external_id == bindparam("external_id"))
_SELECT_USER = (
    select(_USERS.c.id, _USERS.c.document, _USERS.c.created_at, _USERS.c.updated_at, _USERS.c.retention_notice_at)
    .where(*_WHO)
    .with_for_update()
)
# Returns the new row's id, or nothing on a duplicate (RETURNING: SQLite 3.35 or later).
_INSERT_USER = {
    "sqlite": sqlite.insert(_USERS).on_conflict_do_nothing().returning(_USERS.c.id),
    "postgresql": postgresql.insert(_USERS).on_conflict_do_nothing().returning(_USERS.c.id),
}
_UPDATE_USER = update(_USERS).where(_USERS.c.id == bindparam("w_id"))
_DELETE_USER = delete(_USERS).where(_USERS.c.id == bindparam("uid"))
_CLAIM = {
    "sqlite": sqlite.insert(_PROCESSED).on_conflict_do_nothing().returning(_PROCESSED.c.input_key),
    "postgresql": postgresql.insert(_PROCESSED).on_conflict_do_nothing().returning(_PROCESSED.c.input_key),
}

# On PostgreSQL, where each statement is a round trip: the claim and the locked read of the
# person in one statement (the INSERT in the WITH runs once, whatever the SELECT reads of it).
_CLAIMED = (
    postgresql.insert(_PROCESSED)
    .values(channel=bindparam("channel"), input_key=bindparam("input_key"), processed_at=bindparam("processed_at"))
    .on_conflict_do_nothing()
    .returning(_PROCESSED.c.input_key)
    .cte("claimed")
)
_PERSON = _SELECT_USER.subquery("person")
_FRESH = "fresh"  # whether the claim was new
_CLAIM_AND_LOCATE = select(
    exists(select(_CLAIMED.c.input_key)).label(_FRESH),
    _PERSON.c.id,
    _PERSON.c.document,
    _PERSON.c.created_at,
    _PERSON.c.updated_at,
    _PERSON.c.retention_notice_at,
).select_from(select(literal(1)).subquery("one").outerjoin(_PERSON, true()))

_OF_RECIPIENT = (_OUTBOX.c.channel == bindparam("channel"), _OUTBOX.c.external_id == bindparam("external_id"))
_DELETE_OUTBOX = delete(_OUTBOX).where(*_OF_RECIPIENT)
_SELECT_OUTBOX = (
    select(_OUTBOX.c.kind, _OUTBOX.c.payload, _OUTBOX.c.created_at).where(*_OF_RECIPIENT).order_by(_OUTBOX.c.id)
)
_KEYBOARDS_OF = (_KEYBOARDS.c.channel == bindparam("channel"), _KEYBOARDS.c.external_id == bindparam("external_id"))
_SELECT_KEYBOARDS = select(_KEYBOARDS.c.message_id).where(*_KEYBOARDS_OF).order_by(_KEYBOARDS.c.message_id)
_DELETE_KEYBOARDS = delete(_KEYBOARDS).where(*_KEYBOARDS_OF)
_SLOTS = table_of(SendSlot)
_DELETE_SEND_SLOT = delete(_SLOTS).where(_SLOTS.c.key == bindparam("key"))


def send_slot_key(channel: str, external_id: str) -> str:
    """The send budget's row for one chat (bot/send_budget.py)."""
    return f"{channel}:{external_id}"

_INSERT_LETTER = insert(_LETTERS)
_SELECT_LETTERS = (
    select(
        _LETTERS.c.id, _LETTERS.c.debt_seq, _LETTERS.c.kind, _LETTERS.c.title, _LETTERS.c.body, _LETTERS.c.created_at
    )
    .where(_LETTERS.c.user_id == bindparam("uid"))
    .order_by(_LETTERS.c.id)
)


class Store:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            _private_sqlite_file(parsed.database)
            self._engine: Engine = create_engine(parsed)
            _configure_sqlite(self._engine)
        else:
            # A long-running bot outlives database restarts. Pooled connections are not pinged
            # before each use (a round trip per transaction): a dead one fails its first
            # statement, SQLAlchemy then discards the whole pool, and the input is tried again
            # on a new connection (bot/service.py).
            self._engine = create_engine(parsed, pool_size=POOL_SIZE)
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
        finds the log past 1,000 pages, and that commit then takes much longer than the others.
        The bot calls this from a worker thread, often enough that the log never gets there, so
        its commits on the event loop stay short. No-op elsewhere.

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
        """One transaction for one input: commits on normal exit, rolls back on exception.
        Someone new gets a row only when something about them is saved, so an input that
        stores nothing (a redelivered /delete) leaves no trace of them."""
        check_length("channel", channel, CHANNEL_MAX)
        check_length("external_id", external_id, KEY_MAX)
        with self._engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite: see _configure_sqlite
            person = UserStore(conn, channel, external_id)
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


class UserStore:
    """One person in one transaction (bot/storage.py's `Person`, on SQL)."""

    def __init__(self, conn: Connection, channel: str, external_id: str) -> None:
        self._conn = conn
        self._channel = channel
        self._external_id = external_id
        self._located = False
        self._id: int | None = None
        # The document as it is in the database in this transaction, and as the input found it.
        self._stored: Stored | None = None
        self._arrived: Stored | None = None
        self._stamped = Stamped()
        self._noticed_at: datetime | None = None  # when they were told their data would go
        self._erased = False

    def claim(self, input_key: str, now: datetime) -> bool:
        """One INSERT that does nothing on a duplicate key, instead of a lookup and then an
        insert: it is undone with everything else if the input fails, so a failed input can be
        tried again."""
        check_length("input_key", input_key, KEY_MAX)
        row = {"channel": self._channel, "input_key": input_key, "processed_at": aware(now)}
        if self._conn.dialect.name == "postgresql" and not self._located:
            found = self._conn.execute(_CLAIM_AND_LOCATE, {**row, "external_id": self._external_id}).one()
            self._found(found[1:])
            return bool(found[0])
        return self._conn.execute(_CLAIM[self._conn.dialect.name], row).first() is not None

    def write_alongside(self, write: Callable[[Connection], None]) -> None:
        """Let the channel write, in this transaction, a row that must commit with the input
        or not at all (the Telegram update's inbox row: see bot/telegram/journal.py)."""
        write(self._conn)

    @property
    def erased(self) -> bool:
        return self._erased

    @property
    def exists(self) -> bool:
        return not self._erased and self._locate() is not None

    def load(self) -> UserState:
        if self._erased:
            return UserState()
        self._locate()
        return self._stored.state() if self._stored is not None else UserState()

    def save(self, state: UserState, now: datetime) -> None:
        """One statement: the new document, or nothing when it is the one stored. A state that
        cannot be stored raises before anything is written."""
        if self._erased:
            return
        now = aware(now)
        self._locate()
        written = document.write(state, now, self._stored)
        if self._id is None:
            self._insert(written, now)
        elif self._stored is None or written.text != self._stored.text:
            self._conn.execute(_UPDATE_USER, {"w_id": self._id, "document": written.text, "updated_at": now})
            self._stamped = Stamped(self._stamped.created_at, now)
        self._stored = written

    def sync_reminders(self, planned: Sequence[Planned], now: datetime) -> None:
        if self._erased or (self._locate() is None and not planned):
            return
        reminder_table.sync(self._conn, self._created(now), planned, aware(now))

    def update_reminder(self, reminder_id: int, **values: Any) -> None:
        """Change one of this person's reminders (and nobody else's)."""
        self._check_not_erased()
        user_id = self._locate()
        if user_id is not None:  # someone with no row has no reminders
            reminder_table.update_own(self._conn, user_id, reminder_id, **values)

    def seen(self, now: datetime) -> None:
        """The person wrote: a retention notice they were sent no longer holds, and their
        inactivity starts again from now (bot/retention.py). Nothing to write otherwise."""
        if not self._erased and self._locate() is not None and self._noticed_at is not None:
            self._conn.execute(_UPDATE_USER, {"w_id": self._id, "retention_notice_at": None, "updated_at": aware(now)})
            self._noticed_at = None
            self._stamped = Stamped(self._stamped.created_at, aware(now))

    @property
    def noticed_at(self) -> datetime | None:
        """When they were told their data would be erased for inactivity, if they were."""
        self._locate()
        return self._noticed_at

    @property
    def last_active(self) -> datetime | None:
        self._locate()
        return self._stamped.updated_at

    def notice(self, now: datetime) -> None:
        """Record that they have been told their data will be erased for inactivity."""
        if self._locate() is not None:
            self._conn.execute(_UPDATE_USER, {"w_id": self._id, "retention_notice_at": aware(now)})
            self._noticed_at = aware(now)

    def claimed_reminder(self, reminder_id: int) -> Claimed | None:
        """This person's reminder `reminder_id`, if it is claimed and not yet sent."""
        user_id = None if self._erased else self._locate()
        if user_id is None:
            return None
        return reminder_table.claimed_own(self._conn, user_id, self._external_id, reminder_id)

    def record_letter(self, debt_seq: int | None, kind: str, title: str, body: str, now: datetime) -> int:
        self._check_not_erased()
        values = {
            "user_id": self._created(now),
            "debt_seq": debt_seq,
            "kind": kind,
            "title": title,
            "body": body,
            "created_at": aware(now),
        }
        return _new_id(self._conn.execute(_INSERT_LETTER, values))

    def letters(self) -> list[LetterRecord]:
        user_id = None if self._erased else self._locate()
        if user_id is None:
            return []
        rows = self._conn.execute(_SELECT_LETTERS, {"uid": user_id})
        return [LetterRecord(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def export(self) -> dict[str, Any]:
        self._check_not_erased()
        user_id = self._locate()
        where = {"channel": self._channel, "external_id": self._external_id}
        return export_of(
            self._channel,
            self._external_id,
            self._stored,
            self._arrived,
            self._stamped,
            self.letters(),
            [] if user_id is None else reminder_table.export(self._conn, user_id),
            [
                {"kind": kind, "payload": payload, "created_at": at.isoformat()}
                for kind, payload, at in self._conn.execute(_SELECT_OUTBOX, where)
            ],
            [message_id for (message_id,) in self._conn.execute(_SELECT_KEYBOARDS, where)],
        )

    def erase(self) -> None:
        """Delete the person and every row of theirs (the database cascades from their user
        row), with what was waiting to be delivered to them, the keyboards still shown and when
        their chat may next be sent to (bot/send_budget.py)."""
        self._check_not_erased()
        user_id = self._locate()
        if user_id is not None:
            self._conn.execute(_DELETE_USER, {"uid": user_id})
        where = {"channel": self._channel, "external_id": self._external_id}
        self._conn.execute(_DELETE_OUTBOX, where)
        self._conn.execute(_DELETE_KEYBOARDS, where)
        self._conn.execute(_DELETE_SEND_SLOT, {"key": send_slot_key(self._channel, self._external_id)})
        self._erased = True
        self._id, self._stored = None, None

    # -- internals ------------------------------------------------------------------------

    def _check_not_erased(self) -> None:
        if self._erased:
            raise RuntimeError("this user was erased in this transaction")

    def _locate(self) -> int | None:
        """The person's row id, read (and locked) on first need in this transaction."""
        if not self._located:
            row = self._conn.execute(_SELECT_USER, {"channel": self._channel, "external_id": self._external_id}).first()
            self._found(row)
        return self._id

    def _found(self, row: Sequence[Any] | None) -> None:
        """(id, document, created_at, updated_at, retention_notice_at) as read, or no row or an
        id of None: no one."""
        self._located = True
        if row is not None and row[0] is not None:
            self._id = row[0]
            self._stored = self._arrived = document.read(row[1])
            self._stamped = Stamped(row[2], row[3])
            self._noticed_at = row[4]

    def _created(self, now: datetime) -> int:
        """The person's row id, inserted now with an empty state if they have none yet."""
        user_id = self._locate()
        if user_id is not None:
            return user_id
        written = document.write(UserState(), aware(now), None)
        self._insert(written, aware(now))
        self._stored = written
        assert self._id is not None
        return self._id

    def _insert(self, written: Stored, now: datetime) -> None:
        values = {
            "channel": self._channel,
            "external_id": self._external_id,
            "document": written.text,
            "created_at": now,
            "updated_at": now,
        }
        row = self._conn.execute(_INSERT_USER[self._conn.dialect.name], values).first()
        if row is None:
            # PostgreSQL only (SQLite's BEGIN IMMEDIATE lets one writer in at a time).
            raise PersonCreatedMeanwhile
        self._id = row[0]
        self._stamped = Stamped(now, now)


def _new_id(result: CursorResult[Any]) -> int:
    """The id of the row a single-row INSERT just wrote (lastrowid on SQLite, RETURNING on
    PostgreSQL: SQLAlchemy picks)."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - only for an INSERT that wrote no row
        raise RuntimeError("the INSERT returned no primary key")
    return int(key[0])


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
    then overwrite each other; it also breaks SAVEPOINT. SQLAlchemy's documented recipe for
    pysqlite turns the driver's transaction handling off when a connection is made and emits
    BEGIN IMMEDIATE when SQLAlchemy begins a transaction, which makes each input's transaction
    exclusive among writers: SQLite's equivalent of the row lock PostgreSQL takes. WAL keeps
    readers from blocking behind it. Both apply to every connection the engine hands out (and
    to the migration).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(f"PRAGMA {pragma}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
