"""One input, one transaction: load the user's state, step the coach, store what came out.

Both channels (console, Telegram) go through `handle`, so the rules live in one place: an input
already processed is not processed again, letters are recorded with the state that drafted them,
and a crash anywhere rolls the whole input back. A channel that delivers later (Telegram) gives
an outbox: what the answer says, its letters and files, is written to it in the same
transaction, in the order the person is to get them, so what is saved is also delivered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from bot.calendar import calendar_request
from bot.outbox import Outbox, Outgoing, Queued
from bot.store import PersonCreatedMeanwhile, Store, UserStore
from dialogs.engine import step, where_we_are
from dialogs.reminder_plan import plan
from dialogs.render import resolve_locale
from dialogs.step_io import (
    CalendarRequested,
    EraseRequested,
    ExportRequested,
    Input,
    LetterDrafted,
    Reply,
    StepResult,
)

# Times an input is tried again when its person was created by another process meanwhile, or
# its connection to the database turned out to be dead (the database restarted).
RETRIES = 2


@dataclass(slots=True)
class Handled:
    """What a channel must deliver. `result` is None when the input was a duplicate; `queued`,
    what was written to the outbox for it (when the channel gave one)."""

    result: StepResult | None
    export: dict[str, Any] | None = None
    erased: bool = False
    letters: list[LetterDrafted] = field(default_factory=list)
    calendar: dict[str, Any] | None = None  # bot/calendar.py's calendar_request
    queued: list[Queued] = field(default_factory=list)


def handle(
    store: Store,
    channel: str,
    external_id: str,
    inp: Input,
    now: datetime,
    *,
    input_key: str | None = None,
    locale_hint: str | None = None,
    on_erase: Callable[[Connection], None] | None = None,
    outbox: Outbox | None = None,
    notices: Sequence[Reply] = (),
) -> Handled:
    """`locale_hint` is the language the channel reports (Telegram's language_code); it sets
    the locale of someone new, and never overrides a language the person chose. `on_erase`
    deletes, in the transaction that erases the person, what the channel still keeps of the
    input (Telegram: the update in the inbox), so nothing of theirs outlives the erasure. With
    an `outbox`, the answer is queued there for `external_id`, after `notices` (what the
    channel has to say first, such as "I can only read text")."""
    for _ in range(RETRIES):
        try:
            return _handle(store, channel, external_id, inp, now, input_key, locale_hint, on_erase, outbox, notices)
        except PersonCreatedMeanwhile:
            continue  # another process saved this new person first: start again from theirs
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            # Nothing of the input was written; SQLAlchemy has dropped the dead connections.
    return _handle(store, channel, external_id, inp, now, input_key, locale_hint, on_erase, outbox, notices)


def _handle(
    store: Store,
    channel: str,
    external_id: str,
    inp: Input,
    now: datetime,
    input_key: str | None,
    locale_hint: str | None,
    on_erase: Callable[[Connection], None] | None,
    outbox: Outbox | None,
    notices: Sequence[Reply],
) -> Handled:
    with store.user(channel, external_id) as user:
        if input_key is not None and not user.claim(input_key, now):
            return Handled(None)
        user.seen(now)
        state = user.load()
        if locale_hint is not None and not state.welcomed:
            state.locale = resolve_locale(locale_hint)
        # The step edits the state in place: what it planned before is taken first.
        planned_before = plan(state)
        result = step(state, inp, now)
        handled = Handled(result)
        for effect in result.effects:
            if isinstance(effect, EraseRequested):
                handled.erased = True
        if handled.erased:
            user.erase()  # what was still waiting for them goes too; the answer comes after
            if on_erase is not None:
                user.write_alongside(on_erase)
            _queue(user, outbox, external_id, handled, notices, now)
            return handled
        if result.changed:
            user.save(result.state, now)
            planned = plan(result.state)
            if planned != planned_before:
                user.sync_reminders(planned, now)
        for effect in result.effects:
            if isinstance(effect, LetterDrafted):
                user.record_letter(effect.debt_seq, effect.kind, effect.title, effect.text, now)
                handled.letters.append(effect)
            elif isinstance(effect, ExportRequested):
                handled.export = user.export()
            elif isinstance(effect, CalendarRequested):
                handled.calendar = calendar_request(result.state, effect.debt_seq, now=now)
        _queue(user, outbox, external_id, handled, notices, now)
        return handled


def deliveries(handled: Handled, notices: Sequence[Reply] = ()) -> list[Outgoing]:
    """What the person gets for an answer, in order, in every channel: the notices, the answer's
    messages, the documents they announce (letters, the export, the calendar), and last the next
    question. The first clears the way: the buttons of earlier questions go (bot/delivery.py)."""
    assert handled.result is not None
    locale = handled.result.state.locale
    *messages, question = handled.result.replies  # the engine always ends by asking something
    items = [Outgoing.reply(reply) for reply in (*notices, *messages)]
    items += [Outgoing.letter(letter, locale) for letter in handled.letters]
    if handled.export is not None:
        items.append(Outgoing.export(handled.export, locale))
    if handled.calendar is not None:
        items.append(Outgoing.calendar(handled.calendar, locale))
    items.append(Outgoing.reply(question))
    items[0] = replace(items[0], clears=True)
    return items


def _queue(
    user: UserStore, outbox: Outbox | None, recipient: str, handled: Handled, notices: Sequence[Reply], now: datetime
) -> None:
    if outbox is None:
        return
    items = deliveries(handled, notices)

    def write(conn: Connection) -> None:
        handled.queued = outbox.write(conn, recipient, items, now)

    user.write_alongside(write)


def show_current(store: Store, channel: str, external_id: str, now: datetime) -> Handled:
    """The person's current question, changing nothing (unless they had no debt yet: then the
    first one is started, as any prompt would)."""
    with store.user(channel, external_id) as user:
        result = where_we_are(user.load(), now)
        if result.changed:
            user.save(result.state, now)
        return Handled(result)
