"""What every store backend offers: one person's transaction, and the export it can make.

A backend (`bot.store.Store` on SQLite or PostgreSQL, `bot.memory_store.MemoryStore` in memory)
opens `user(channel, external_id)` for each input: claim the input (false if it was handled
before), load the state, save the new one, record letters and reminders, or erase the person,
all committed together when the block ends, or none of it if it raises. The state is one
document (bot/document.py) in every backend; only what is looked up across people (processed
inputs, letters, reminders, the outbox) is kept beside it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.document import Stored, currency_of
from dialogs.codec import encode
from dialogs.reminder_plan import Planned
from dialogs.state import UserState

EXPORT_FORMAT = "debtcoach-export/1"
# UserState fields the export names as the columns of an earlier version did.
_EXPORTED_AS = {"active": "active_debt_seq", "reminders": "reminder_settings"}
# A command sets these aside; the export, itself a command, reports them as they arrived.
_SET_ASIDE_BY_A_COMMAND = ("confirming", "asking")


@dataclass(frozen=True, slots=True)
class LetterRecord:
    id: int
    debt_seq: int | None
    kind: str
    title: str
    body: str
    created_at: datetime


class PersonCreatedMeanwhile(Exception):  # noqa: N818 - it names what happened, like TimeoutError
    """Another process saved this new person first, while this transaction worked from an empty
    state: the input must be handled again, from what that process saved."""


class Person(Protocol):
    """Everything one transaction may read or write about one person, and nothing else."""

    @property
    def exists(self) -> bool:
        """Whether anything is stored about this person (in this transaction, so far)."""
        ...

    @property
    def erased(self) -> bool:
        """Whether this transaction erased the person."""
        ...

    def claim(self, input_key: str, now: datetime) -> bool:
        """Record the input as processed; False when it already was. The key is the channel's
        and names no one, so it outlives the person: a /delete delivered again stays done."""
        ...

    def seen(self, now: datetime) -> None:
        """The person wrote: a retention notice no longer holds (bot/retention.py), and their
        inactivity counts from now."""
        ...

    @property
    def noticed_at(self) -> datetime | None:
        """When they were told their data would be erased for inactivity, if they were."""
        ...

    def notice(self, now: datetime) -> None:
        """Record that they have been told their data will be erased for inactivity."""
        ...

    def load(self) -> UserState:
        """A fresh copy each time (the engine edits it in place); an empty state for someone new."""
        ...

    def save(self, state: UserState, now: datetime) -> None:
        """Store `state` as it is, exactly; a no-op after erase() in this transaction."""
        ...

    def erase(self) -> None:
        """The person and everything of theirs, with what waited to be delivered to them."""
        ...

    def record_letter(self, debt_seq: int | None, kind: str, title: str, body: str, now: datetime) -> int: ...

    def letters(self) -> list[LetterRecord]: ...

    def sync_reminders(self, planned: Sequence[Planned], now: datetime) -> None:
        """Bring the person's reminders in line with the state's plan (see bot/reminder_table.py)."""
        ...

    def update_reminder(self, reminder_id: int, **values: Any) -> None: ...

    def export(self) -> dict[str, Any]:
        """Everything stored about this person, as one JSON-ready document (a data request)."""
        ...


class Storage(Protocol):
    def user(self, channel: str, external_id: str) -> AbstractContextManager[Person]: ...

    def close(self) -> None: ...


def check_length(what: str, value: str, limit: int) -> None:
    # SQLite ignores VARCHAR lengths and PostgreSQL enforces them: check here so an overlong
    # key fails the same way on every backend.
    if len(value) > limit:
        raise ValueError(f"{what} longer than {limit} characters")


def aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("naive datetime: the store keeps UTC and needs an aware `now`")
    return now


@dataclass(frozen=True, slots=True)
class Stamped:
    """When the person was first stored and last changed, if they are stored at all."""

    created_at: datetime | None = None
    updated_at: datetime | None = None


def export_of(
    channel: str,
    external_id: str,
    stored: Stored | None,
    arrived: Stored | None,
    stamped: Stamped,
    letters: Sequence[LetterRecord],
    reminders: list[dict[str, Any]],
    outbox: list[dict[str, Any]],
    keyboards: list[int],
) -> dict[str, Any]:
    """The export document, the same from every backend. The person's settings are every field
    of their `UserState`, so a field added there is exported without anyone remembering to."""
    state = stored.state() if stored is not None else UserState()
    settings = {
        _EXPORTED_AS.get(f.name, f.name): encode(getattr(state, f.name))
        for f in dataclasses.fields(UserState)
        if f.name != "debts"
    }
    as_arrived = arrived.encoded if arrived is not None else {}
    settings.update({name: as_arrived.get(name) for name in _SET_ASIDE_BY_A_COMMAND})
    times = stored.times if stored is not None else {}
    debts = []
    for debt in state.debts:
        encoded = encode(debt)
        created, updated = times.get(debt.seq, (None, None))
        debts.append({**encoded, "currency": currency_of(encoded), "created_at": created, "updated_at": updated})
    return {
        "format": EXPORT_FORMAT,
        "user": {
            "channel": channel,
            "external_id": external_id,
            **settings,
            "created_at": None if stamped.created_at is None else stamped.created_at.isoformat(),
            "updated_at": None if stamped.updated_at is None else stamped.updated_at.isoformat(),
        },
        "debts": debts,
        "letters": [
            {
                "id": letter.id,
                "debt_seq": letter.debt_seq,
                "kind": letter.kind,
                "title": letter.title,
                "body": letter.body,
                "created_at": letter.created_at.isoformat(),
            }
            for letter in letters
        ],
        "reminders": reminders,
        # What the channel keeps for them by their id: messages still to deliver, and the
        # messages whose buttons are still shown.
        "outbox": outbox,
        "keyboards": keyboards,
    }
