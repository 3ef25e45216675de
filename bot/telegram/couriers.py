"""The outbox, delivered to Telegram: a courier per chat, each chat's rows strictly in order.

A row becomes one or more Bot API calls: a reply is split where Telegram needs it (4,096
characters, at paragraphs) with its buttons on the last part; a letter becomes a PDF when it is
sent; the export and the calendar go as documents, each with its caption. Once the first row
of the answer to an input is out, the buttons of the coach's earlier messages in that chat are
taken off, so only what was just asked can be tapped.

Waiting is all done here, by the chat's courier, never by the work that decides what to say
(bot/turns.py): a 429 waits out its retry_after (the bot's rate limiter waits the first twenty,
then this does); a network failure, a timeout or a 5xx page is tried again, backing off to once
every ten seconds, for as long as Telegram stays away. So nothing saved is given up on because
Telegram is down. What Telegram refuses for good (400 Bad Request, 403 the bot was blocked) is
dropped, logged by type: sending it again cannot succeed. A failed attempt to take a keyboard
away (the message is too old to edit, or deleted) is shrugged off.

Delivered rows, keyboards shown and taken away are written down a batch at a time
(`keep_settling`): a row delivered just before a crash is delivered again after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.blocking import RunBlocking
from bot.outbox import CALENDAR, EXPORT, LETTER, REPLY, Outbox, Queued, Settled
from bot.pdf import letter_pdf
from bot.telegram.pacer import Pacer
from bot.telegram.rate_limiter import retry_after_seconds
from bot.telegram.split import split_html
from dialogs.render import render

log = logging.getLogger(__name__)

CALLBACK_DATA_MAX = 64
RETRY_FIRST = 0.5  # seconds before the first retry of a failed delivery, doubling each time
RETRY_MOST = 10.0
SETTLE_YIELDS = 3  # event-loop turns to let pass first, so deliveries finishing then share the commit
SETTLE_RETRY = 1.0

T = TypeVar("T")
Keyboard = dict[str, list[list[dict[str, str]]]]
Step = Callable[[], Awaitable[None]]


class Couriers:
    def __init__(
        self, bot: ExtBot[None], outbox: Outbox, run_blocking: RunBlocking, clock: Callable[[], datetime], pacer: Pacer
    ) -> None:
        self._bot = bot
        self._outbox = outbox
        self._run_blocking = run_blocking
        self._clock = clock
        self._pacer = pacer
        self._queues: dict[str, deque[Queued]] = {}  # recipient -> rows to deliver, in order
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # recipient -> our messages there still showing buttons, for every chat this process has
        # delivered to (a few ids each: the latest question's), read from the database once.
        self._keyboards: dict[str, list[int]] = {}
        self._settled = Settled()
        self._changed = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._waiters: dict[str, asyncio.Event] = {}
        self._answers: set[asyncio.Task[None]] = set()
        self.paced_waiting = 0  # paced rows not delivered yet: the reminder scheduler's back-pressure
        self.refused = 0  # rows Telegram refused for good, for tests and the benchmark
        self.retries = 0

    def post(self, rows: Iterable[Queued]) -> None:
        """Deliver these rows (committed in the outbox) after what each chat already has."""
        for row in rows:
            queue = self._queues.get(row.recipient)
            if queue is None:
                queue = self._queues[row.recipient] = deque()
                self._tasks[row.recipient] = asyncio.create_task(self._courier(row.recipient, queue))
                self._idle.clear()
            queue.append(row)
            if row.paced:
                self.paced_waiting += 1

    def answer(self, query_id: str, update_id: int) -> None:
        """Stop the spinner of a button press, without waiting for it: an answer comes once,
        and a press too old to answer is handled all the same."""
        task = asyncio.create_task(self._answer(query_id, update_id))
        self._answers.add(task)
        task.add_done_callback(self._answers.discard)

    def idle(self, recipient: str) -> bool:
        return recipient not in self._queues

    async def delivered(self, recipient: str) -> None:
        """Wait until nothing is waiting to be delivered to `recipient`."""
        if self.idle(recipient):
            return
        await self._waiters.setdefault(recipient, asyncio.Event()).wait()

    async def drain(self, timeout: float) -> bool:
        """Wait until every chat's rows are delivered (False if `timeout` ran out first)."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def stop(self, timeout: float) -> None:
        """End every courier (what is left stays in the outbox for the next start), let the
        answers to presses finish, and write down what was delivered."""
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._answers:
            await asyncio.wait(self._answers, timeout=timeout)
            for task in list(self._answers):  # Telegram is away: the spinners stop by themselves
                task.cancel()
            await asyncio.gather(*self._answers, return_exceptions=True)
        await self.settle()

    async def keep_settling(self, stop: asyncio.Event) -> None:
        """Write down deliveries as soon as there are any: whatever finished while the last write
        ran goes in the next, so under load many share one commit."""
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                changed = asyncio.create_task(self._changed.wait())
                await asyncio.wait({changed, stopping}, return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                for _ in range(SETTLE_YIELDS):
                    await asyncio.sleep(0)
                if not await self.settle():
                    await asyncio.sleep(SETTLE_RETRY)
        finally:
            stopping.cancel()

    async def settle(self) -> bool:
        """Write down what was done since the last time; False if the database failed (it is
        kept, for the next attempt)."""
        self._changed.clear()
        batch, self._settled = self._settled, Settled()
        if not batch:
            return True
        try:
            await self._run_blocking(self._outbox.settle, batch, self._clock())
        except Exception as exc:
            log.warning("could not write down deliveries: %s", type(exc).__name__)
            later = self._settled
            self._settled = Settled(
                batch.delivered + later.delivered,
                batch.shown + later.shown,
                batch.taken_away + later.taken_away,
                batch.refused_reminders + later.refused_reminders,
            )
            return False
        return True

    # -- one chat ---------------------------------------------------------------------------

    async def _courier(self, recipient: str, queue: deque[Queued]) -> None:
        try:
            await self._learn_keyboards(recipient)
            while queue:
                row = queue[0]
                await self._deliver(int(recipient), recipient, row)
                queue.popleft()
                if row.paced:
                    self.paced_waiting -= 1
                self._settled.delivered.append(row.id)
                self._changed.set()
        finally:
            del self._queues[recipient]
            del self._tasks[recipient]
            waiter = self._waiters.pop(recipient, None)
            if waiter is not None:
                waiter.set()
            if not self._queues:
                self._idle.set()

    async def _learn_keyboards(self, recipient: str) -> None:
        """Which of our messages in this chat show buttons: from the database, the first time
        this process delivers to it (after that, this process knows)."""
        failures = 0
        while recipient not in self._keyboards:
            try:
                self._keyboards[recipient] = await self._run_blocking(self._outbox.keyboards, recipient)
            except Exception as exc:
                failures += 1
                log.warning("could not read a chat's keyboards: %s", type(exc).__name__)
                await asyncio.sleep(_backoff(failures))

    async def _deliver(self, chat_id: int, recipient: str, row: Queued) -> None:
        # An answer's first row: the buttons shown so far go once it is out (the person sees the
        # answer first), and not the ones this answer brings.
        stale = self._keyboards[recipient] if row.clears else []
        if row.clears:
            self._keyboards[recipient] = []
        try:
            steps = self._steps(chat_id, recipient, row)
        except Exception as exc:  # a row this version cannot read
            log.error("a %s could not be delivered: %s", row.kind, type(exc).__name__)
            steps = []
        if not await self._perform(row.kind, steps) and row.reminder is not None:
            self._settled.refused_reminders.append(row.reminder)
        if stale:
            await self._perform("keyboard", [partial(self._take_keyboards_away, chat_id, recipient, stale)])

    async def _perform(self, what: str, steps: list[Step]) -> bool:
        """Make the calls in order, waiting out Telegram for as long as it takes; a retry starts
        again from the call that failed. False if Telegram refused one for good (the rest are
        dropped), or it failed in a way that trying again would not mend."""
        done = failures = 0
        while done < len(steps):
            try:
                await steps[done]()
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc.retry_after))
                continue
            except (BadRequest, Forbidden, ChatMigrated) as exc:
                self.refused += 1
                log.warning("Telegram refused a %s: %s", what, type(exc).__name__)
                return False
            except TelegramError as exc:  # the network, a timeout, a 5xx: Telegram is away for now
                failures += 1
                self.retries += 1
                delay = _backoff(failures)
                log.warning("a %s was not delivered (%s); trying again in %.1f s", what, type(exc).__name__, delay)
                await asyncio.sleep(delay)
                continue
            except Exception as exc:  # ours (a letter that cannot be made): trying again would not help
                log.error("a %s could not be delivered: %s", what, type(exc).__name__)
                return False
            done += 1
            failures = 0
        return True

    def _steps(self, chat_id: int, recipient: str, row: Queued) -> list[Step]:
        """The row's Bot API calls, in order."""
        steps: list[Step] = []
        content, paced = row.content, row.paced
        if row.kind == REPLY:
            *parts, last = split_html(content["text"]) or ["…"]
            for part in parts:
                steps.append(partial(self._send_text, chat_id, recipient, part, None, paced))
            steps.append(partial(self._send_text, chat_id, recipient, last, keyboard(content["buttons"]), paced))
        elif row.kind == LETTER:
            caption = render(content["locale"], "telegram_letter_caption.html", title=content["title"])
            pdf = _Once(partial(self._run_blocking, letter_pdf, content["title"], content["text"]))
            steps.append(partial(self._send_file, chat_id, pdf, f"{content['filename']}.pdf", caption, paced))
        elif row.kind == EXPORT:
            caption = render(content["locale"], "telegram_export_caption.html")
            export = _Once(partial(_encoded, content["json"]))
            steps.append(partial(self._send_file, chat_id, export, "debtcoach-export.json", caption, paced))
        elif row.kind == CALENDAR:
            caption = render(content["locale"], "telegram_calendar_caption.html")
            ics = _Once(partial(_encoded, content["ics"]))
            steps.append(partial(self._send_file, chat_id, ics, "debtcoach-payments.ics", caption, paced))
        else:
            log.error("outbox row %d is of no kind this channel knows", row.id)
        return steps

    async def _take_keyboards_away(self, chat_id: int, recipient: str, stale: list[int]) -> None:
        while stale:
            message_id = stale[0]
            try:
                await self._bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
            except (BadRequest, Forbidden) as exc:  # too old to edit, deleted, blocked: it stays
                log.debug("a keyboard stays: %s", type(exc).__name__)
            stale.pop(0)
            self._settled.taken_away.append((recipient, message_id))

    async def _send_text(self, chat_id: int, recipient: str, html: str, markup: Keyboard | None, paced: bool) -> None:
        # The buttons are kept as the Bot API's JSON and passed on as they are.
        extra = None if markup is None else {"reply_markup": markup}
        send = partial(self._bot.send_message, chat_id, html, parse_mode=ParseMode.HTML, api_kwargs=extra)
        message: Message = await self._call(chat_id, paced, send)
        if markup is not None:
            self._keyboards[recipient].append(message.message_id)
            self._settled.shown.append((recipient, message.message_id))

    async def _send_file(self, chat_id: int, content: _Once, filename: str, caption: str, paced: bool) -> None:
        document = await content()
        send = partial(
            self._bot.send_document, chat_id, document, filename=filename, caption=caption, parse_mode=ParseMode.HTML
        )
        await self._call(chat_id, paced, send)

    async def _call(self, chat_id: int, paced: bool, send: Callable[[], Awaitable[T]]) -> T:
        if not paced:
            return await send()
        await self._pacer.wait(chat_id)
        try:
            return await send()
        finally:
            self._pacer.sent(chat_id)

    async def _answer(self, query_id: str, update_id: int) -> None:
        try:
            await self._bot.answer_callback_query(query_id)
        except TelegramError as exc:
            # Too old, or the network gave out: the spinner stops by itself after a while.
            log.info("callback query of update %d not answered: %s", update_id, type(exc).__name__)


class _Once:
    """A document's bytes, made the first time they are needed and kept for a retry."""

    def __init__(self, make: Callable[[], Awaitable[bytes]]) -> None:
        self._make = make
        self._made: bytes | None = None

    async def __call__(self) -> bytes:
        if self._made is None:
            self._made = await self._make()
        return self._made


async def _encoded(text: str) -> bytes:
    return text.encode()


def keyboard(buttons: list[list[Any]]) -> Keyboard | None:
    """The buttons, one per row, as the Bot API's InlineKeyboardMarkup; data Telegram would
    refuse (empty, over 64 bytes) is left out rather than losing the whole message."""
    rows = [
        [{"text": str(label), "callback_data": str(value)}]
        for label, value in buttons
        if 0 < len(str(value).encode()) <= CALLBACK_DATA_MAX
    ]
    return {"inline_keyboard": rows} if rows else None


def _backoff(failures: int) -> float:
    return min(RETRY_MOST, RETRY_FIRST * 2.0 ** (failures - 1))
