"""Spacing for the messages a channel sends unasked (reminders), within the channel's limits.

Telegram limits a bot that reaches out on its own to about 30 messages a second overall and one
a second per chat; the pacer keeps under that by construction (24.2 a second, and a second
between the end of one send to a chat and the start of the next) instead of waiting for 429s.
A 429 that comes anyway is waited out where the message is sent (bot/delivery.py). The
defaults are Telegram's, the strictest channel we have.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Hashable
from typing import Protocol

# Messages a second, overall: Telegram allows 30 and we promise at most 25 in any second, as
# Telegram counts them on arrival; 24.2 leaves room for two messages of network jitter.
RATE = 24.2
PER_CHAT = 1.0  # seconds between two messages to one chat
CEILING = 25  # messages in any one second, as Telegram counts them


class Pace(Protocol):
    """Spacing sends: this process's Pacer, or a service's SharedPacer (bot/send_budget.py)."""

    interval: float

    async def wait(self, chat_id: Hashable) -> None:
        """Until a message sent unasked may go to this chat."""
        ...

    async def sent(self, chat_id: Hashable) -> None:
        """That message has gone (or failed): the chat's second runs from now."""
        ...

    async def admit(self) -> None:
        """Until a reply may go."""
        ...


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
        self._chat_free: dict[Hashable, float] = {}
        self._in_flight = 0
        self._answered: deque[float] = deque()

    async def admit(self) -> None:
        """A reply goes at once: one process's replies are the person's own answers, and the
        polling bot leaves Telegram's overall limit to its rate limiter (a 429 is waited out)."""

    async def sent(self, chat_id: Hashable) -> None:
        """The send to the chat is over (answered, or failed: counted all the same, to be safe).
        The chat's second runs from now: a slot time alone would let network jitter bring two
        messages closer than a second."""
        now = asyncio.get_running_loop().time()
        self._in_flight -= 1
        self._answered.append(now)
        self._chat_free[chat_id] = now + self.per_chat

    async def wait(self, chat_id: Hashable) -> None:
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
