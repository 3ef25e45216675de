"""What a channel still has to deliver, kept in the database until it is delivered.

An answer's messages and files are written here in the transaction that saves the answer
(see bot/service.py), so whatever is saved reaches the person: if the channel cannot deliver
now (Telegram down for an hour, the process killed in the middle of a reply), the rest goes
out later, in order. The channel delivers each recipient's rows in id order and deletes what
it has delivered, several at a time; a row delivered just before a crash is delivered again
after it. Delivery is at least once.

Rows are keyed by the channel's id of the chat, not by the person's row: "everything is
erased" must still reach someone who has just been erased, and erasing someone deletes what
was waiting for them (UserStore.erase). The same goes for `keyboards`: the messages of ours
that still show buttons, to take them away once the question is answered.

What a row holds is channel-neutral: a reply's spans of text (each with its emphasis) and buttons, a letter's title and
text (the channel makes the PDF when it sends it), the export's JSON, what the calendar is made
of (made when it is sent). The channel decides how each looks (Telegram splits long texts, adds captions).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from bot import reminder_table
from bot.models import LiveKeyboard, OutboxMessage, table_of
from bot.reminder_table import FAILED
from bot.storage import aware
from bot.store import Store
from dialogs.render import Span
from dialogs.step_io import Choice, LetterDrafted, Reply

REPLY, LETTER, EXPORT, CALENDAR = "reply", "letter", "export", "calendar"

_OUTBOX = table_of(OutboxMessage)
_KEYBOARDS = table_of(LiveKeyboard)
_INSERT = insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=True)
_WAITING = (
    select(_OUTBOX.c.id, _OUTBOX.c.external_id, _OUTBOX.c.kind, _OUTBOX.c.payload)
    .where(_OUTBOX.c.channel == bindparam("channel"))
    .order_by(_OUTBOX.c.id)
)
_WAITING_FOR = (
    select(_OUTBOX.c.id, _OUTBOX.c.kind, _OUTBOX.c.payload)
    .where(_OUTBOX.c.channel == bindparam("channel"), _OUTBOX.c.external_id == bindparam("external_id"))
    .order_by(_OUTBOX.c.id)
)
_DELIVERED = delete(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
_SHOWN = insert(_KEYBOARDS)
_KEYBOARDS_OF = select(_KEYBOARDS.c.message_id).where(
    _KEYBOARDS.c.channel == bindparam("channel"), _KEYBOARDS.c.external_id == bindparam("external_id")
)
_TAKEN_AWAY = delete(_KEYBOARDS).where(
    _KEYBOARDS.c.channel == bindparam("channel"),
    _KEYBOARDS.c.external_id == bindparam("w_external_id"),
    _KEYBOARDS.c.message_id == bindparam("w_message_id"),
)
_ENCODER = json.JSONEncoder(check_circular=False, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One thing to deliver. `clears`: the answer to an input starts here, so the buttons of
    earlier messages go first; `paced`: sent unasked (a reminder), so it keeps to the pace the
    channel allows for that; `reminder`: the reminder it delivers, marked failed if refused."""

    kind: str
    content: dict[str, Any]
    clears: bool = False
    paced: bool = False
    reminder: int | None = None

    @classmethod
    def reply(cls, reply: Reply, *, paced: bool = False, reminder: int | None = None) -> Outgoing:
        spans = [[span.text, _EMPHASIS[span.bold, span.italic]] for span in reply.spans]
        content: dict[str, Any] = {"spans": spans, "buttons": [[c.label, c.value] for c in reply.choices]}
        if reply.numeric:
            content["numeric"] = True
        return cls(REPLY, content, paced=paced, reminder=reminder)

    @classmethod
    def letter(cls, letter: LetterDrafted, locale: str) -> Outgoing:
        content = {
            "title": letter.title,
            "text": letter.text,
            "filename": letter.filename,
            "locale": locale,
            "footer": letter.footer,
        }
        return cls(LETTER, content)

    @classmethod
    def export(cls, export: dict[str, Any], locale: str) -> Outgoing:
        return cls(EXPORT, {"json": json.dumps(export, indent=2, ensure_ascii=False), "locale": locale})

    @classmethod
    def calendar(cls, request: dict[str, Any], locale: str) -> Outgoing:
        """`request`: bot/calendar.py's `calendar_request`, the file made when it is sent."""
        return cls(CALENDAR, {"request": request, "locale": locale})

    def stored(self) -> dict[str, Any]:
        """The row's payload: the content, and the flags that are set."""
        flags = {"clears": self.clears, "paced": self.paced, "reminder": self.reminder}
        return {**self.content, **{name: value for name, value in flags.items() if value}}


# A span's emphasis as the row keeps it: "" plain, "b" bold, "i" italic, "bi" both.
_EMPHASIS = {(False, False): "", (True, False): "b", (False, True): "i", (True, True): "bi"}


def reply_of(content: dict[str, Any]) -> Reply:
    """The reply a row holds. A row an earlier version wrote has the template's markup instead
    of spans ("text"), which reads into the same spans."""
    choices = tuple(Choice(str(label), str(value)) for label, value in content.get("buttons", []))
    numeric = bool(content.get("numeric"))
    if "spans" not in content:
        return Reply(str(content["text"]), choices, numeric)
    spans = [Span(str(text), "b" in emphasis, "i" in emphasis) for text, emphasis in content["spans"]]
    return Reply(spans, choices, numeric)


@dataclass(frozen=True, slots=True)
class Queued:
    """A row of the outbox: what to deliver to `recipient`, and where it stands in the order."""

    id: int
    recipient: str
    kind: str
    content: dict[str, Any]

    @property
    def clears(self) -> bool:
        return bool(self.content.get("clears"))

    @property
    def paced(self) -> bool:
        return bool(self.content.get("paced"))

    @property
    def reminder(self) -> int | None:
        reminder = self.content.get("reminder")
        return reminder if isinstance(reminder, int) else None


@dataclass(slots=True)
class Settled:
    """What a channel has done since it last wrote it down: rows delivered (or given up on),
    keyboards shown and taken away, reminders refused. Written in one transaction."""

    delivered: list[int] = field(default_factory=list)
    shown: list[tuple[str, int]] = field(default_factory=list)
    taken_away: list[tuple[str, int]] = field(default_factory=list)
    refused_reminders: list[int] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)  # inputs whose answers are committed (see bot/inbox.py)

    def __bool__(self) -> bool:
        return bool(self.delivered or self.shown or self.taken_away or self.refused_reminders or self.answered)

    def __add__(self, later: Settled) -> Settled:
        return Settled(
            self.delivered + later.delivered,
            self.shown + later.shown,
            self.taken_away + later.taken_away,
            self.refused_reminders + later.refused_reminders,
            self.answered + later.answered,
        )


class Outbox:
    def __init__(self, store: Store, channel: str) -> None:
        self._engine = store.engine
        self.channel = channel

    def write(self, conn: Connection, recipient: str, items: Sequence[Outgoing], now: datetime) -> list[Queued]:
        """Queue `items` for `recipient`, in order, in the caller's transaction."""
        if not items:
            return []
        stamp = aware(now)
        contents = [item.stored() for item in items]
        rows = [
            {
                "channel": self.channel,
                "external_id": recipient,
                "kind": item.kind,
                "payload": _ENCODER.encode(content),
                "created_at": stamp,
            }
            for item, content in zip(items, contents, strict=True)
        ]
        ids = [row_id for (row_id,) in conn.execute(_INSERT, rows)]
        return [
            Queued(row_id, recipient, item.kind, content)
            for row_id, item, content in zip(ids, items, contents, strict=True)
        ]

    def waiting(self) -> list[Queued]:
        """Everything not delivered yet (by a process that stopped or died), oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(_WAITING, {"channel": self.channel}).all()
        return [Queued(int(i), str(recipient), str(kind), json.loads(payload)) for i, recipient, kind, payload in rows]

    def waiting_for(self, recipient: str) -> list[Queued]:
        """What is not delivered yet to `recipient`, oldest first (a worker delivers a chat's
        rows itself, whichever job of theirs left them)."""
        with self._engine.connect() as conn:
            rows = conn.execute(_WAITING_FOR, {"channel": self.channel, "external_id": recipient}).all()
        return [Queued(int(i), recipient, str(kind), json.loads(payload)) for i, kind, payload in rows]

    def keyboards(self, recipient: str) -> list[int]:
        """The messages to `recipient` that still show buttons, as far as the database knows."""
        with self._engine.connect() as conn:
            found = conn.execute(_KEYBOARDS_OF, {"channel": self.channel, "external_id": recipient})
            return sorted(int(message_id) for (message_id,) in found)

    def settle(self, settled: Settled, now: datetime, alongside: Callable[[Connection], None] | None = None) -> None:
        """Write down what was done, and (`alongside`) what the channel writes with it: the
        answered inputs it forgets."""
        with self._engine.begin() as conn:
            if alongside is not None:
                alongside(conn)
            if settled.delivered:
                conn.execute(_DELIVERED, {"ids": settled.delivered})
            # A message shown and taken away since the last time has no row, and needs none.
            both = set(settled.shown) & set(settled.taken_away)
            shown = [kept for kept in settled.shown if kept not in both]
            taken_away = [gone for gone in settled.taken_away if gone not in both]
            if shown:
                conn.execute(
                    _SHOWN,
                    [
                        {"channel": self.channel, "external_id": recipient, "message_id": message_id}
                        for recipient, message_id in shown
                    ],
                )
            if taken_away:
                conn.execute(
                    _TAKEN_AWAY,
                    [
                        {"channel": self.channel, "w_external_id": recipient, "w_message_id": message_id}
                        for recipient, message_id in taken_away
                    ],
                )
            reminder_table.mark(conn, settled.refused_reminders, FAILED, aware(now))
