"""The reminder scheduler inside `debtcoach run`: every tick, claim what is due and send it, paced.

Telegram limits a bot that reaches out on its own to about 30 messages a second overall and one
a second per chat; the pacer keeps under that by construction (24.2 a second, and a second
between the end of one send to a chat and the start of the next) instead of waiting for 429s,
and a 429 that comes anyway is waited out by the bot's rate limiter, so nothing is lost. Each
reminder is composed and sent holding its person's lock, so it never lands in the middle of the
coach's answer to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.reminder_rows import Claimed
from bot.reminders import ReminderQueue
from bot.telegram.coach import TelegramCoach
from bot.telegram.journal import JournalingBot

log = logging.getLogger(__name__)

# Messages a second, overall: Telegram allows 30 and we promise at most 25 in any second, as
# Telegram counts them on arrival; 24.2 leaves room for two messages of network jitter.
RATE = 24.2
PER_CHAT = 1.0  # seconds between two messages to one chat
CEILING = 25  # messages in any one second, as Telegram counts them
TICK = 1.0
BATCH = 25
IN_FLIGHT = 50


class Pacer:
    """Hands out send slots: one every 1/rate seconds overall, and per chat one a `per_chat`.
    A chat that must wait does not hold a slot meanwhile, so other chats keep the pace.

    Slots alone are not a ceiling: after the event loop stalls (a collection, a burst of
    database work) every overdue slot fires at once. So a send also needs room under
    `ceiling`: sends in flight plus sends Telegram answered in the last second. Any message
    Telegram receives within one second was admitted when every earlier one of that second
    was in flight or answered less than a second before, so no second can hold more.
    """

    def __init__(self, rate: float = RATE, per_chat: float = PER_CHAT, ceiling: int = CEILING) -> None:
        self.interval = 1.0 / rate
        self.per_chat = per_chat
        self.ceiling = ceiling
        self._next_slot = 0.0
        self._chat_free: dict[int, float] = {}
        self._in_flight = 0
        self._answered: deque[float] = deque()

    def sent(self, chat_id: int) -> None:
        """The send to the chat is over (answered, or failed: counted all the same, to be safe).
        The chat's second runs from now: a slot time alone would let network jitter bring two
        messages closer than a second."""
        now = asyncio.get_running_loop().time()
        self._in_flight -= 1
        self._answered.append(now)
        self._chat_free[chat_id] = now + self.per_chat

    async def wait(self, chat_id: int) -> None:
        loop = asyncio.get_running_loop()
        while (free := self._chat_free.get(chat_id, 0.0)) > loop.time():
            await asyncio.sleep(free - loop.time())
        now = loop.time()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        self._chat_free[chat_id] = slot + self.per_chat
        if len(self._chat_free) > 10_000:
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
        if slot > now:
            await asyncio.sleep(slot - now)
        while True:
            now = loop.time()
            while self._answered and self._answered[0] <= now - 1.0:
                self._answered.popleft()
            if self._in_flight + len(self._answered) < self.ceiling:
                break
            await asyncio.sleep(self._answered[0] + 1.0 - now if self._answered else self.interval)
        self._in_flight += 1


class ReminderDispatcher:
    def __init__(
        self,
        queue: ReminderQueue,
        coach: TelegramCoach,
        clock: Callable[[], datetime],
        tick: float = TICK,
        pacer: Pacer | None = None,
    ) -> None:
        self.queue = queue
        self.coach = coach
        self.clock = clock
        self.tick = tick
        self.pacer = pacer or Pacer()
        self.sent = 0  # for tests and the benchmark
        self._tasks: set[asyncio.Task[None]] = set()
        self._done: list[int] = []
        self._failed: list[int] = []
        # Claimed and not yet recorded: when each lease was last started, to renew it in time.
        self._leased: dict[int, datetime] = {}

    async def run(self, bot: JournalingBot, stop: asyncio.Event) -> None:
        while not stop.is_set():
            full = False
            try:
                await self._renew()
                if len(self._tasks) < IN_FLIGHT:
                    now = self.clock()
                    claimed = await self.coach.offload(self.queue.claim, now, BATCH)
                    for item in claimed:
                        self._leased[item.id] = now
                        task = asyncio.create_task(self._deliver(bot, item))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                    full = len(claimed) == BATCH
                await self._record()
            except Exception as exc:  # a database hiccup must not end the scheduler
                log.warning("reminder tick failed: %s", type(exc).__name__)
            if full and len(self._tasks) < IN_FLIGHT:
                await asyncio.sleep(0)  # more are due: claim again at once
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.tick if not full else self.pacer.interval * BATCH)
        # Let what was started finish (a few seconds at most), then write it down.
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        await self._record()

    async def _renew(self) -> None:
        """Renew, halfway through, the lease of every reminder still being sent or not yet
        recorded. A send can wait out Telegram's flood control for longer than a lease (the
        limiter obeys up to 20 retry_afters), and an expired lease would hand the reminder to
        the next claim while the first send still goes out: the person would get it twice."""
        now = self.clock()
        due = [i for i, since in self._leased.items() if now - since >= self.queue.lease / 2]
        if due:
            await self.coach.offload(self.queue.renew, due, now)
            for reminder_id in due:
                if reminder_id in self._leased:
                    self._leased[reminder_id] = now

    async def _record(self) -> None:
        done, self._done = self._done, []
        failed, self._failed = self._failed, []
        if done or failed:
            try:
                await self.coach.offload(self.queue.finish, done, self.clock(), failed)
            except Exception:
                self._done.extend(done)
                self._failed.extend(failed)
                raise
            for reminder_id in (*done, *failed):
                self._leased.pop(reminder_id, None)

    async def _deliver(self, bot: JournalingBot, claimed: Claimed) -> None:
        chat_id = int(claimed.external_id)
        finished = False  # to be recorded as sent or failed, which ends its lease
        try:
            async with self.coach.locks.hold(chat_id):
                ready = await self.coach.offload(self.queue.prepare, claimed, self.clock())
                if ready is None:
                    return
                await self.coach.send_reply(bot, chat_id, ready.reply, pace=self.pacer)
            self._done.append(claimed.id)
            finished = True
            self.sent += 1
        except (Forbidden, BadRequest) as exc:
            # Blocked by the person, or refused: sending again will not change it.
            log.warning("reminder %d refused: %s", claimed.id, type(exc).__name__)
            self._failed.append(claimed.id)
            finished = True
        except TelegramError as exc:
            # Outlasted the limiter's retries: the lease runs out and it is tried again.
            log.warning("reminder %d not sent: %s", claimed.id, type(exc).__name__)
        except Exception as exc:
            log.error("reminder %d failed: %s", claimed.id, type(exc).__name__)
        finally:
            if not finished:  # prepared away (moved, skipped), or to be tried again: not renewed
                self._leased.pop(claimed.id, None)
