"""The store in memory: the same `Person` as the SQL store (bot/storage.py), for fast tests and
for trying the coach without a database. Nothing survives the process.

It keeps each person's state as the same document the SQL store writes (bot/document.py), so
what it loads back is exactly what a database would give. A transaction works on a copy of the
person and replaces them only when its block ends without an exception; one lock serialises
transactions, as SQLite does. Reminders are kept as their plan says, with no scheduler: sending
them needs the reminders table the SQL store has.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot import document, reminder_table
from bot.document import Stored
from bot.models import CHANNEL_MAX, KEY_MAX
from bot.storage import LetterRecord, Stamped, aware, check_length, export_of
from dialogs.reminder_plan import Planned
from dialogs.state import UserState


@dataclass(slots=True)
class _Reminder:
    id: int
    key: str
    debt_seq: int
    kind: str
    due_at: datetime
    status: str = reminder_table.PENDING
    late: bool = False
    sent_at: datetime | None = None


@dataclass(slots=True)
class _Record:
    stored: Stored
    stamped: Stamped
    letters: list[LetterRecord] = field(default_factory=list)
    reminders: list[_Reminder] = field(default_factory=list)
    noticed_at: datetime | None = None

    def copy(self) -> _Record:
        reminders = [replace(r) for r in self.reminders]
        return _Record(self.stored, self.stamped, list(self.letters), reminders, self.noticed_at)


class MemoryStore:
    def __init__(self) -> None:
        self._people: dict[tuple[str, str], _Record] = {}
        self._claimed: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def close(self) -> None:
        """Nothing to release: the store is this process's memory."""

    @contextmanager
    def user(self, channel: str, external_id: str) -> Iterator[MemoryPerson]:
        check_length("channel", channel, CHANNEL_MAX)
        check_length("external_id", external_id, KEY_MAX)
        with self._lock:
            found = self._people.get((channel, external_id))
            person = MemoryPerson(self, channel, external_id, None if found is None else found.copy())
            yield person
            # Only on a normal exit: an exception leaves everything as it was.
            self._claimed |= {(channel, key) for key in person.claimed}
            if person.record is None:
                self._people.pop((channel, external_id), None)
            else:
                self._people[(channel, external_id)] = person.record

    def is_claimed(self, channel: str, input_key: str) -> bool:
        return (channel, input_key) in self._claimed

    def next_id(self) -> int:
        return next(self._ids)


class MemoryPerson:
    """One person in one transaction of a MemoryStore (bot/storage.py's `Person`)."""

    def __init__(self, store: MemoryStore, channel: str, external_id: str, record: _Record | None) -> None:
        self._store = store
        self._channel = channel
        self._external_id = external_id
        self.record = record
        self._arrived = None if record is None else record.stored
        self.claimed: set[str] = set()
        self._erased = False

    @property
    def exists(self) -> bool:
        return self.record is not None and not self._erased

    @property
    def erased(self) -> bool:
        return self._erased

    def claim(self, input_key: str, now: datetime) -> bool:
        check_length("input_key", input_key, KEY_MAX)
        aware(now)
        if input_key in self.claimed or self._store.is_claimed(self._channel, input_key):
            return False
        self.claimed.add(input_key)
        return True

    def seen(self, now: datetime) -> None:
        if self._erased or self.record is None or self.record.noticed_at is None:
            return
        self.record.noticed_at = None
        self.record.stamped = Stamped(self.record.stamped.created_at, aware(now))

    @property
    def noticed_at(self) -> datetime | None:
        return None if self.record is None else self.record.noticed_at

    def notice(self, now: datetime) -> None:
        if self.record is not None:
            self.record.noticed_at = aware(now)

    def load(self) -> UserState:
        if self.record is None:
            return UserState()
        return self.record.stored.state()

    def save(self, state: UserState, now: datetime) -> None:
        if self._erased:
            return
        now = aware(now)
        before = None if self.record is None else self.record.stored
        written = document.write(state, now, before)
        if self.record is None:
            self.record = _Record(written, Stamped(now, now))
        elif before is None or written.text != before.text:
            self.record.stored = written
            self.record.stamped = Stamped(self.record.stamped.created_at, now)

    def erase(self) -> None:
        self._check_not_erased()
        self.record = None
        self._erased = True

    def record_letter(self, debt_seq: int | None, kind: str, title: str, body: str, now: datetime) -> int:
        self._check_not_erased()
        letter = LetterRecord(self._store.next_id(), debt_seq, kind, title, body, aware(now))
        self._created(now).letters.append(letter)
        return letter.id

    def letters(self) -> list[LetterRecord]:
        return [] if self.record is None else list(self.record.letters)

    def sync_reminders(self, planned: Sequence[Planned], now: datetime) -> None:
        """As bot/reminder_table.sync does with rows: pending ones follow the plan, sent ones stay."""
        if self._erased or (self.record is None and not planned):
            return
        now = aware(now)
        record = self._created(now)
        wanted = {p.key: p for p in planned}
        kept: list[_Reminder] = []
        known = set()
        for reminder in record.reminders:
            known.add(reminder.key)
            p = wanted.get(reminder.key)
            if reminder.status != reminder_table.PENDING:
                kept.append(reminder)
            elif p is not None and (p.due_at == reminder.due_at or p.due_at > now):
                reminder.due_at = p.due_at
                kept.append(reminder)
        for p in wanted.values():
            if p.key not in known and p.due_at > now:
                kept.append(_Reminder(self._store.next_id(), p.key, p.debt_seq, p.kind.value, p.due_at))
        record.reminders = kept

    def update_reminder(self, reminder_id: int, **values: Any) -> None:
        self._check_not_erased()
        for reminder in [] if self.record is None else self.record.reminders:
            if reminder.id == reminder_id:
                for name, value in values.items():
                    setattr(reminder, name, value)

    def export(self) -> dict[str, Any]:
        self._check_not_erased()
        record = self.record
        reminders = [] if record is None else sorted(record.reminders, key=lambda r: (r.due_at, r.id))
        return export_of(
            self._channel,
            self._external_id,
            None if record is None else record.stored,
            self._arrived,
            Stamped() if record is None else record.stamped,
            self.letters(),
            [
                {
                    "debt_seq": r.debt_seq,
                    "kind": r.kind,
                    "due_at": r.due_at.isoformat(),
                    "status": r.status,
                    "late": r.late,
                    "sent_at": None if r.sent_at is None else r.sent_at.isoformat(),
                }
                for r in reminders
            ],
            [],  # no channel delivers from memory: nothing waits in an outbox
            [],
        )

    def _check_not_erased(self) -> None:
        if self._erased:
            raise RuntimeError("this user was erased in this transaction")

    def _created(self, now: datetime) -> _Record:
        if self.record is None:
            self.record = _Record(document.write(UserState(), aware(now), None), Stamped(now, now))
        return self.record
