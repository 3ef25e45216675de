"""One input, one transaction: load the user's state, step the coach, store what came out.

Both channels (console, Telegram) go through `handle`, so the rules live in one place: an input
already processed is not processed again, letters are recorded with the state that drafted them,
and a crash anywhere rolls the whole input back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from bot.calendar import payment_plan_ics
from bot.store import PersonCreatedMeanwhile, Store
from dialogs.contracts import CalendarRequested, EraseRequested, ExportRequested, Input, LetterDrafted, StepResult
from dialogs.engine import step, where_we_are
from dialogs.reminders import plan
from dialogs.render import resolve_locale
from dialogs.state import UserState

# Times an input is tried again when its person was created by another process meanwhile.
CREATION_RETRIES = 2


@dataclass(frozen=True, slots=True)
class CalendarFile:
    """The payment plan to send as an .ics file, made when it is sent, after the transaction:
    icalendar takes about a millisecond, nothing of it is stored, and the answer's first
    message need not wait for it."""

    state: UserState
    debt_seq: int | None
    made_at: datetime

    def content(self) -> bytes:
        return payment_plan_ics(self.state, self.debt_seq, now=self.made_at)


@dataclass(slots=True)
class Handled:
    """What a channel must deliver. `result` is None when the input was a duplicate."""

    result: StepResult | None
    export: dict[str, Any] | None = None
    erased: bool = False
    letters: list[LetterDrafted] = field(default_factory=list)
    calendar: CalendarFile | None = None


def handle(
    store: Store,
    channel: str,
    external_id: str,
    inp: Input,
    now: datetime,
    *,
    input_key: str | None = None,
    locale_hint: str | None = None,
    alongside: Callable[[Connection], None] | None = None,
) -> Handled:
    """`locale_hint` is the language the channel reports (Telegram's language_code); it sets
    the locale of someone new, and never overrides a language the person chose. `alongside`
    writes what the channel needs committed with the input, or not at all (Telegram: the
    update's inbox row)."""
    for _ in range(CREATION_RETRIES):
        try:
            return _handle(store, channel, external_id, inp, now, input_key, locale_hint, alongside)
        except PersonCreatedMeanwhile:
            continue  # another process saved this new person first: start again from theirs
    return _handle(store, channel, external_id, inp, now, input_key, locale_hint, alongside)


def _handle(
    store: Store,
    channel: str,
    external_id: str,
    inp: Input,
    now: datetime,
    input_key: str | None,
    locale_hint: str | None,
    alongside: Callable[[Connection], None] | None,
) -> Handled:
    with store.user(channel, external_id) as user:
        if alongside is not None:
            user.write_alongside(alongside)
        if input_key is not None and not user.claim(input_key, now):
            return Handled(None)
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
            user.erase()
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
                handled.calendar = CalendarFile(result.state, effect.debt_seq, now)
        return handled


def show_current(store: Store, channel: str, external_id: str, now: datetime) -> Handled:
    """The person's current question, changing nothing (unless they had no debt yet: then the
    first one is started, as any prompt would)."""
    with store.user(channel, external_id) as user:
        result = where_we_are(user.load(), now)
        if result.changed:
            user.save(result.state, now)
        return Handled(result)
