"""One Telegram update in, the coach's answer into the outbox: the adapter between Telegram and
`bot.service`.

Each update is a job in its person's turn (bot/turns.py), so one person's messages are handled
strictly in the order Telegram numbered them while other people are served alongside. The job
is one transaction: the input's key is claimed, the state stepped and saved and the answer
queued in the outbox, all or nothing; the update leaves the inbox after it (bot/inbox.py). So
an update stays in the inbox until its answer is safe, a redelivered update is recognised and changes nothing,
and what the answer says is delivered (by the couriers, bot/delivery.py) even if
Telegram is away meanwhile or the process dies.

Whatever happens, the person hears something: an unreadable message gets the current
question's hint, a failure gets an apology, and a button press is answered. Logs name updates
by id and errors by type only: no names, no amounts, no text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from time import perf_counter

from bot.blocking import RunBlocking
from bot.delivery import Couriers
from bot.inbox import Inbox
from bot.outbox import Outbox, Outgoing, Queued
from bot.service import handle
from bot.store import Store
from bot.telegram.channel import CALLBACK_DATA_MAX, TelegramChannel
from bot.telegram.inbox_entry import Incoming
from bot.turns import Turns
from dialogs.render import render, resolve_locale
from dialogs.step_io import Input, Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"


class TelegramCoach:
    """The answering, which both ingresses share once an update is in the inbox: the poller's
    turns (`PolledCoach`) and a worker's jobs (bot/telegram/worker.py)."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        inbox: Inbox,
        outbox: Outbox,
        channel: TelegramChannel,
        run_blocking: RunBlocking,
    ) -> None:
        self.store = store
        self.clock = clock
        self.inbox = inbox
        self.outbox = outbox
        self.channel = channel
        self.run_blocking = run_blocking
        self.failures = 0  # updates that ended in an apology, for tests and the benchmark

    def wants(self, update: Incoming) -> bool:
        return wanted(update)

    async def answer(self, update: Incoming) -> list[Queued] | None:
        """The update's answer, committed in the outbox: what it queued (nothing for a
        redelivery), or None when not even an apology could be written down."""
        try:
            return await self.run_blocking(self._handle, update)
        except Exception as exc:
            self._failed(update, exc)
            return await self._apologise(update)

    def _handle(self, update: Incoming) -> list[Queued]:
        """The update's one transaction; returns what it queued (nothing for a redelivery)."""
        assert update.user_id is not None and update.chat_id is not None
        locale = resolve_locale(update.language)
        if not update.private:
            return self._say(update, render(locale, "telegram_groups.html"))
        if update.edited:
            return self._say(update, render(locale, "telegram_edited.html"))
        notices: list[Reply] = []
        inp = _input_of(update)
        if inp is None:
            notices.append(Reply(render(locale, "telegram_text_only.html")))
            inp = Input.text("")  # the coach repeats what it expects, with an example
        handled = handle(
            self.store,
            CHANNEL,
            str(update.user_id),
            inp,
            self.clock(),
            input_key=f"update:{update.update_id}",
            locale_hint=update.language,
            on_erase=partial(self.inbox.forget_in, update_id=update.update_id),
            outbox=self.outbox,
            notices=notices,
        )
        return handled.queued

    def _say(self, update: Incoming, markup: str) -> list[Queued]:
        """A message that is not an answer (it changes nothing, and takes no buttons away), in
        the chat the update came from, in the transaction that forgets the update."""
        assert update.chat_id is not None
        with self.store.engine.begin() as conn:
            self.inbox.forget_in(conn, update.update_id)
            return self.outbox.write(conn, str(update.chat_id), [Outgoing.reply(Reply(markup))], self.clock())

    async def _apologise(self, update: Incoming) -> list[Queued] | None:
        """The update failed and nothing of it was saved: it is answered with an apology (trying
        it again would fail again). None if even that cannot be written down."""
        try:
            return await self.run_blocking(
                self._say, update, render(resolve_locale(update.language), "telegram_sorry.html")
            )
        except Exception as exc:
            log.warning("could not apologise for update %d: %s", update.update_id, type(exc).__name__)
            return None

    def _failed(self, update: Incoming, exc: BaseException) -> None:
        self.failures += 1
        where = ""
        if exc.__traceback__ is not None:
            tb = exc.__traceback__
            while tb.tb_next is not None:
                tb = tb.tb_next
            where = f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        # The exception's message may quote what the person typed, so only its type is logged.
        log.error("update %d failed: %s%s", update.update_id, type(exc).__name__, where)


class PolledCoach(TelegramCoach):
    """With long polling: each update a job in its person's turn (bot/turns.py), its answer
    handed to the couriers (bot/delivery.py)."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        inbox: Inbox,
        outbox: Outbox,
        couriers: Couriers,
        turns: Turns,
        channel: TelegramChannel,
        run_blocking: RunBlocking,
    ) -> None:
        super().__init__(store, clock, inbox, outbox, channel, run_blocking)
        self.couriers = couriers
        self.turns = turns
        # Told of each update once its answer is queued for delivery (or it was a redelivery):
        # tests that play many people at once wait on it instead of on quiet spells.
        self.on_answered: Callable[[Incoming], None] | None = None

    def receive(self, update: Incoming) -> None:
        """Queue the update (written to the inbox already) in its person's turn."""
        assert update.user_id is not None
        self.turns.submit(str(update.user_id), partial(self._answer, update))

    async def _answer(self, update: Incoming) -> None:
        started = perf_counter()
        queued = await self.answer(update)
        if queued is None:
            return  # left in the inbox, to be handled at the next start
        self.couriers.post(queued)
        self.couriers.answered(update.update_id)
        if update.query_id is not None and queued:  # nothing queued: a redelivery, answered before
            self.channel.answer(update.query_id, update.update_id)
        if self.on_answered is not None:
            self.on_answered(update)
        log.debug("update %d handled in %.1f ms", update.update_id, (perf_counter() - started) * 1000)


def wanted(update: Incoming) -> bool:
    """Whether the update is to be answered, and so kept in the inbox until it is. Not: what
    has no person or chat, and what people say to each other in a group."""
    if update.user_id is None or update.chat_id is None:
        return False
    return update.private or update.pressed or (update.text or "").startswith("/")


def _input_of(update: Incoming) -> Input | None:
    if update.pressed:
        data = update.data or ""
        # Data is checked against the presser's own records by the engine; anything that is not
        # one of our short ASCII values is refused the same way, without being looked at.
        return Input.button(data if data.isascii() and len(data.encode()) <= CALLBACK_DATA_MAX else "?")
    text = update.text
    if text is None:
        return None
    if text.startswith("/"):
        word, _, arg = text[1:].partition(" ")
        name = word.split("@", 1)[0]
        if name:
            return Input.command(name, arg.strip())
    return Input.text(text)
