"""One send budget for every worker of a service: what the token may send, shared through the
database.

Telegram counts what a bot sends per token: about 30 messages a second overall, and one a second
to a chat for messages sent unasked. Each worker's own pacer (bot/pacer.py) would allow that
much per worker. So a service's workers take their slots from rows here instead: one for
everything sent, one per chat for what is sent unasked (reminders). Taking a slot is one
statement that moves the row's next free moment on by the interval and returns the slot, so
two workers never get the same one; the moments are the database's clock, the one clock every
machine of the service shares.

Replies count against the same budget but do not wait for it: someone who just wrote is
answered at once, as with one process (Telegram's 30 a second is for what a bot sends unasked,
and a 429 is waited out where the message is sent). Each reply moves the overall row on by a
slot, no further than a second ahead, so reminders give way to a burst of answers and are held
back a second at most by it.
Slots come 22 a second: workers on several machines cannot count each other's sends in flight
as one process's pacer does (its ceiling of 25 in any second), so the margin under Telegram's 30
is wider instead, for the network jitter that bunches sends up. A 429 that comes anyway is
waited out where the message is sent (bot/delivery.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Hashable

from sqlalchemy import Engine, bindparam, delete, func, update
from sqlalchemy.dialects import postgresql

from bot.blocking import RunBlocking
from bot.models import SendSlot, table_of
from bot.pacer import PER_CHAT
from bot.store import send_slot_key

log = logging.getLogger(__name__)

_SLOTS = table_of(SendSlot)
OVERALL = "all"
RATE = 22.0  # slots a second, overall
_NOW = func.extract("epoch", func.clock_timestamp())
_STARTED = postgresql.insert(_SLOTS).values(key=bindparam("key"), next_at=_NOW + bindparam("gap"))
# The slot is the row's next free moment, or now if that has passed; the row moves on by `gap`
# from it. Returns how many seconds there are until the slot.
_TAKE = _STARTED.on_conflict_do_update(
    index_elements=[_SLOTS.c.key], set_={"next_at": func.greatest(_SLOTS.c.next_at, _NOW) + bindparam("gap")}
).returning(_SLOTS.c.next_at - bindparam("gap") - _NOW)
_COUNT = _STARTED.on_conflict_do_update(
    index_elements=[_SLOTS.c.key],
    set_={
        "next_at": func.least(
            func.greatest(_SLOTS.c.next_at, _NOW) + bindparam("gap"), _NOW + bindparam("ahead")
        )
    },
)
COUNT_EVERY = 0.1  # seconds between two counts of the replies sent
REPLIES_AHEAD = 1.0  # seconds: how far replies may push the reminders' next slot
_PUSH = (
    update(_SLOTS)
    .where(_SLOTS.c.key == bindparam("w_key"))
    .values(next_at=func.greatest(_SLOTS.c.next_at, _NOW + bindparam("gap")))
)
_FORGET_CHATS = delete(_SLOTS).where(_SLOTS.c.key != OVERALL, _SLOTS.c.next_at < _NOW - bindparam("idle"))
FORGET_AFTER = 60.0  # seconds after a chat's slot that its row goes


class SharedPacer:
    """bot/pacer.py's Pacer, its slots kept in the database for every worker of the service."""

    def __init__(
        self,
        engine: Engine,
        run_blocking: RunBlocking,
        channel: str,
        rate: float = RATE,
        per_chat: float = PER_CHAT,
    ) -> None:
        self._engine = engine
        self._channel = channel
        self._replies = 0  # sent since they were last counted
        self._counting: asyncio.Task[None] | None = None
        self._run_blocking = run_blocking
        self.interval = 1.0 / rate
        self.per_chat = per_chat

    async def wait(self, chat_id: Hashable) -> None:
        """Until this chat's slot, then until an overall slot (a message sent unasked). The
        overall one is taken once the chat's has come, so no one's waits idle the budget."""
        chat = send_slot_key(self._channel, str(chat_id))
        await self._sleep(await self._run_blocking(self._take, chat, self.per_chat))
        await self._sleep(await self._run_blocking(self._take, OVERALL, self.interval))

    async def sent(self, chat_id: Hashable) -> None:
        """The chat's next slot is a second from now at the earliest: from the end of this send,
        not its start, or network jitter could bring two messages closer than a second."""
        await self._run_blocking(self._push, send_slot_key(self._channel, str(chat_id)), self.per_chat)

    async def admit(self) -> None:
        """A reply: it takes an overall slot, and goes without waiting for it. The slots are
        taken a tenth of a second's worth at a time, in one statement, not one per message."""
        self._replies += 1
        if self._counting is None:
            self._counting = asyncio.create_task(self._count_replies())

    async def close(self) -> None:
        if self._counting is not None:
            self._counting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._counting
            self._counting = None

    async def _count_replies(self) -> None:
        while True:
            await asyncio.sleep(COUNT_EVERY)
            replies, self._replies = self._replies, 0
            if replies:
                try:
                    await self._run_blocking(self._count, OVERALL, self.interval * replies)
                except Exception as exc:  # the budget is a courtesy; the sends have gone
                    log.warning("counting replies against the send budget failed: %s", type(exc).__name__)

    def forget_idle_chats(self) -> None:
        with self._engine.begin() as conn:
            conn.execute(_FORGET_CHATS, {"idle": FORGET_AFTER})

    def _push(self, key: str, gap: float) -> None:
        with self._engine.begin() as conn:
            conn.execute(_PUSH, {"w_key": key, "gap": gap})

    def _count(self, key: str, gap: float) -> None:
        with self._engine.begin() as conn:
            conn.execute(_COUNT, {"key": key, "gap": gap, "ahead": REPLIES_AHEAD})

    def _take(self, key: str, gap: float) -> float:
        with self._engine.begin() as conn:
            return float(conn.execute(_TAKE, {"key": key, "gap": gap}).scalar_one())

    @staticmethod
    async def _sleep(wait: float) -> None:
        if wait > 0:
            await asyncio.sleep(wait)
