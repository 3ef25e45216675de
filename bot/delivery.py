"""One way to deliver the coach's answers, for every channel: the order, the waiting, the keyboards.

A channel (Telegram, the console) is an adapter of `Channel`: it sends a reply, sends a file and
clears a keyboard its own way, cuts a reply to what one of its messages holds, and says what a
failure of its own means. Everything else is decided here, once:

- what the person gets, in order (bot/service.py's `deliveries`, for every channel): the
  notices, the answer's messages, the files they announce, and last the next question;
- that once the first message of an answer is out, the buttons of earlier messages go, so only
  what was just asked can be tapped (a refusal to clear one is shrugged off);
- waiting: a channel that asks to wait is waited for; one that is away (the network, a 5xx) is
  tried again, backing off to once every ten seconds, for as long as it stays away; a retry
  starts again from the message that failed. What the channel refuses for good is dropped;
- pacing: what is sent unasked (a reminder) keeps to the channel's pace (`Pacer`);
- per chat, strictly in order (`Couriers`, from the outbox), while each person's work is kept
  in order by bot/turns.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import partial
from typing import Any, Protocol, TypeVar

from bot.blocking import RunBlocking
from bot.calendar import requested_ics
from bot.inbox import Inbox
from bot.outbox import CALENDAR, EXPORT, LETTER, REPLY, Outbox, Queued, Settled, reply_of
from bot.pacer import Pace
from dialogs.step_io import Reply

log = logging.getLogger(__name__)

RETRY_FIRST = 0.5  # seconds before the first retry of a failed delivery, doubling each time
RETRY_MOST = 10.0
# How long deliveries gather before they are written down together: under load, one commit for
# all that finished meanwhile. A crash forgets at most this much, which is delivered again.
SETTLE_WINDOW = 0.02
SETTLE_RETRY = 1.0

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Letter:
    """A drafted letter, as plain text: each channel makes the file it needs (a PDF, a .txt)."""

    title: str
    text: str
    filename: str  # without extension
    locale: str
    footer: str = ""  # beside each page's number


@dataclass(frozen=True, slots=True)
class Document:
    """A file made for the person: their export (`EXPORT`) or their payment calendar (`CALENDAR`)."""

    kind: str
    filename: str
    content: bytes
    locale: str


Deliverable = Reply | Letter | Document


def deliverable(kind: str, content: dict[str, Any]) -> Deliverable:
    """What an outbox row (or an answer not queued) holds, for a channel to send."""
    if kind == REPLY:
        return reply_of(content)
    if kind == LETTER:
        # A row an earlier version wrote has no footer: the pages then say only their number.
        return Letter(
            content["title"], content["text"], content["filename"], content["locale"], content.get("footer", "")
        )
    if kind == EXPORT:
        return Document(EXPORT, "debtcoach-export.json", content["json"].encode(), content["locale"])
    if kind == CALENDAR:
        # A row an earlier version wrote holds the file itself.
        ics = content["ics"].encode() if "ics" in content else requested_ics(content["request"])
        return Document(CALENDAR, "debtcoach-payments.ics", ics, content["locale"])
    raise ValueError(f"no kind of delivery is called {kind!r}")


class Failure(Enum):
    WAIT = "wait"  # asked to wait (Telegram's 429): send again after the given seconds
    AWAY = "away"  # the network, a timeout, a 5xx: send again, backing off
    REFUSED = "refused"  # for good (blocked, a bad request): sending again cannot succeed


class Channel(Protocol):
    """What a channel does; the rest of delivery is this module's."""

    def parts(self, reply: Reply) -> list[Reply]:
        """The messages a reply becomes in this channel (a long one is cut; the last keeps the buttons)."""
        ...

    async def send_reply(self, recipient: str, reply: Reply) -> int | None:
        """Send one message; the id of the message when it shows buttons, to clear them later."""
        ...

    async def send_file(self, recipient: str, file: Letter | Document) -> None: ...

    async def clear_keyboard(self, recipient: str, message_id: int) -> None:
        """Take the buttons off one of our messages: its question has been answered."""
        ...

    def failure(self, error: Exception) -> tuple[Failure, float] | None:
        """What an error raised by this channel means (and for WAIT, how many seconds); None
        when it is not the channel's (a letter that cannot be made): trying again would not help."""
        ...

    async def close(self, timeout: float) -> None:
        """Let what the channel does on its own (answering button presses) finish."""
        ...


@dataclass(slots=True)
class Delivered:
    """What delivering one item did: the messages now showing buttons, and whether the channel
    refused it."""

    shown: list[int] = field(default_factory=list)
    refused: bool = False


class Sender:
    """Delivers one item at a time to a channel, waiting out whatever the channel does."""

    def __init__(self, channel: Channel, pacer: Pace | None = None) -> None:
        self.channel = channel
        self.pacer = pacer
        self.refused = 0  # items the channel refused for good, for tests and the benchmark
        self.retries = 0

    async def deliver(self, recipient: str, kind: str, content: dict[str, Any], *, paced: bool) -> Delivered:
        """Send the item, part after part, each part until it goes through or is refused."""
        done = Delivered()
        try:
            what = deliverable(kind, content)
        except Exception as exc:  # a row this version cannot read
            log.error("a %s could not be delivered: %s", kind, type(exc).__name__)
            what = None
        if isinstance(what, Reply):
            for part in self.channel.parts(what):
                sent = await self._until_done(kind, recipient, paced, partial_send(self.channel, recipient, part))
                if sent is _REFUSED:
                    done.refused = True
                    break
                if isinstance(sent, int):
                    done.shown.append(sent)
        elif what is not None:
            file = what
            sent = await self._until_done(kind, recipient, paced, lambda: self.channel.send_file(recipient, file))
            done.refused = sent is _REFUSED
        return done

    async def clear(self, recipient: str, message_ids: list[int]) -> list[int]:
        """Take the buttons off these messages (one the channel refuses to edit keeps them)."""
        for message_id in message_ids:
            await self._until_done("keyboard", recipient, False, partial_clear(self.channel, recipient, message_id))
        return message_ids

    async def _until_done(self, what: str, recipient: str, paced: bool, send: Callable[[], Awaitable[T]]) -> T | object:
        """One call, again and again until it goes through; `_REFUSED` if the channel refused it
        for good (or it failed in a way trying again would not mend)."""
        failures = 0
        while True:
            try:
                return await self._paced(recipient, paced, send)
            except Exception as exc:
                meaning = self.channel.failure(exc)
                if meaning is None:
                    log.error("a %s could not be delivered: %s", what, type(exc).__name__)
                    return _REFUSED
                failure, wait = meaning
                if failure is Failure.WAIT:
                    await asyncio.sleep(wait)
                elif failure is Failure.REFUSED:
                    if what == "keyboard":  # too old to edit, deleted, blocked: the buttons stay
                        log.debug("a keyboard stays: %s", type(exc).__name__)
                        return None
                    self.refused += 1
                    log.warning("the channel refused a %s: %s", what, type(exc).__name__)
                    return _REFUSED
                else:
                    failures += 1
                    self.retries += 1
                    delay = backoff(failures)
                    log.warning("a %s was not delivered (%s); trying again in %.1f s", what, type(exc).__name__, delay)
                    await asyncio.sleep(delay)

    async def _paced(self, recipient: str, paced: bool, send: Callable[[], Awaitable[T]]) -> T:
        if self.pacer is None:
            return await send()
        if not paced:
            await self.pacer.admit()
            return await send()
        await self.pacer.wait(recipient)
        try:
            return await send()
        finally:
            await self.pacer.sent(recipient)


_REFUSED = object()


def partial_send(channel: Channel, recipient: str, reply: Reply) -> Callable[[], Awaitable[int | None]]:
    return lambda: channel.send_reply(recipient, reply)


def partial_clear(channel: Channel, recipient: str, message_id: int) -> Callable[[], Awaitable[None]]:
    return lambda: channel.clear_keyboard(recipient, message_id)


class Couriers:
    """The outbox, delivered: a courier per chat, each chat's rows strictly in order.

    Waiting is all done here, by the chat's courier, never by the work that decides what to
    say (bot/turns.py), so nothing saved is given up on because the channel is away.
    Delivered rows, keyboards shown and cleared, reminders refused and the inputs answered (the
    inbox rows to forget) are written down a batch at a time (`keep_settling`): a row delivered
    just before a crash is delivered again after it, an input answered is recognised as such.
    """

    def __init__(
        self,
        channel: Channel,
        outbox: Outbox,
        run_blocking: RunBlocking,
        clock: Callable[[], datetime],
        pacer: Pace | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self.channel = channel
        self._inbox = inbox
        self.sender = Sender(channel, pacer)
        self._outbox = outbox
        self._run_blocking = run_blocking
        self._clock = clock
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
        self._clearing: dict[str, set[asyncio.Task[None]]] = {}  # recipient -> keyboards being taken off
        self.paced_waiting = 0  # paced rows not delivered yet: the reminder dispatcher's back-pressure

    @property
    def refused(self) -> int:
        return self.sender.refused

    @property
    def retries(self) -> int:
        return self.sender.retries

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

    def answered(self, input_id: int) -> None:
        """The input's answer is committed (and posted): its inbox row can go with the next
        batch of what was delivered."""
        self._settled.answered.append(input_id)
        self._changed.set()

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
        channel finish what it does on its own, and write down what was delivered."""
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.channel.close(timeout)
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
                await asyncio.sleep(SETTLE_WINDOW)
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
            forget = None
            if self._inbox is not None and batch.answered:
                forget = partial(self._inbox.forget_answered, update_ids=batch.answered)
            await self._run_blocking(self._outbox.settle, batch, self._clock(), forget)
        except Exception as exc:
            log.warning("could not write down deliveries: %s", type(exc).__name__)
            self._settled = batch + self._settled
            return False
        return True

    async def _courier(self, recipient: str, queue: deque[Queued]) -> None:
        try:
            await self._learn_keyboards(recipient)
            while True:
                while queue:
                    row = queue[0]
                    await self._deliver(recipient, row)
                    queue.popleft()
                    if row.paced:
                        self.paced_waiting -= 1
                    self._settled.delivered.append(row.id)
                    self._changed.set()
                clearing = self._clearing.pop(recipient, set())
                if not clearing:
                    break
                await asyncio.gather(*clearing)  # rows posted meanwhile are delivered next
        finally:
            for task in self._clearing.pop(recipient, ()):
                task.cancel()
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
                await asyncio.sleep(backoff(failures))

    async def _deliver(self, recipient: str, row: Queued) -> None:
        # An answer's first row: the buttons shown so far go once it is out (the person sees the
        # answer first), and not the ones this answer brings.
        keyboards = self._keyboards[recipient]
        stale = list(keyboards) if row.clears else []
        if row.clears:
            keyboards.clear()
        done = await self.sender.deliver(recipient, row.kind, row.content, paced=row.paced)
        keyboards.extend(done.shown)
        self._settled.shown += [(recipient, message_id) for message_id in done.shown]
        if done.refused and row.reminder is not None:
            self._settled.refused_reminders.append(row.reminder)
        if stale:
            # Taken off beside the rest of the answer, not before it: an edit of an old message
            # has no place in the order, and the next message need not wait for it.
            task = asyncio.create_task(self._clear(recipient, stale))
            self._clearing.setdefault(recipient, set()).add(task)
            task.add_done_callback(lambda done: self._clearing.get(recipient, set()).discard(done))

    async def _clear(self, recipient: str, stale: list[int]) -> None:
        cleared = await self.sender.clear(recipient, stale)
        self._settled.taken_away += [(recipient, message_id) for message_id in cleared]
        self._changed.set()


def backoff(failures: int) -> float:
    return min(RETRY_MOST, RETRY_FIRST * 2.0 ** (failures - 1))
