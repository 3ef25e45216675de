"""The one reminder dispatcher, for every channel: each tick, claim what is due and hand it over.

Each claimed reminder becomes a job in its person's turn (bot/turns.py), so it never lands in
the middle of the coach's answer to them: in the person's one transaction it is decided (send
it, move it, skip it: bot/reminder_queue.py), and one to send is queued in the outbox, paced,
and recorded as sent. The couriers deliver it like any other message (bot/delivery.py),
spaced by the pacer to stay within the channel's limits for messages sent unasked
(bot/pacer.py); a wait the channel asks for anyway is waited out, so nothing is lost. No more are
claimed while IN_FLIGHT are claimed and not yet delivered, so the outbox does not fill up with
reminders far ahead of the pace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from bot.blocking import RunBlocking
from bot.delivery import Couriers
from bot.outbox import Outbox
from bot.pacer import RATE, Pacer
from bot.reminder_queue import ReminderQueue
from bot.reminder_table import Claimed
from bot.turns import Turns

__all__ = ["BATCH", "IN_FLIGHT", "RATE", "TICK", "ReminderDispatcher"]

log = logging.getLogger(__name__)

TICK = 1.0
BATCH = 25
IN_FLIGHT = 50


class ReminderDispatcher:
    def __init__(
        self,
        queue: ReminderQueue,
        outbox: Outbox,
        turns: Turns,
        couriers: Couriers,
        run_blocking: RunBlocking,
        clock: Callable[[], datetime],
        tick: float = TICK,
        pacer: Pacer | None = None,
    ) -> None:
        self.queue = queue
        self.outbox = outbox
        self.turns = turns
        self.couriers = couriers
        self.run_blocking = run_blocking
        self.clock = clock
        self.tick = tick
        self.pacer = pacer or Pacer()
        self.sent = 0  # handed over to the outbox, for tests and the benchmark
        self._deciding = 0  # claimed, their job not run yet

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            full = False
            try:
                if self._in_flight() < IN_FLIGHT:
                    claimed = await self.run_blocking(self.queue.claim, self.clock(), BATCH)
                    for item in claimed:
                        self._deciding += 1
                        self.turns.submit(item.external_id, partial(self._hand_over, item))
                    full = len(claimed) == BATCH
            except Exception as exc:  # a database hiccup must not end the scheduler
                log.warning("reminder tick failed: %s", type(exc).__name__)
            if full and self._in_flight() < IN_FLIGHT:
                await asyncio.sleep(0)  # more are due: claim again at once
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.tick if not full else self.pacer.interval * BATCH)

    def _in_flight(self) -> int:
        return self._deciding + self.couriers.paced_waiting

    async def _hand_over(self, claimed: Claimed) -> None:
        try:
            queued = await self.run_blocking(self.queue.hand_over, claimed, self.clock(), self.outbox)
        except Exception as exc:  # its lease runs out, and it is claimed again
            log.error("reminder %d failed: %s", claimed.id, type(exc).__name__)
            return
        finally:
            self._deciding -= 1
        if queued:
            self.couriers.post(queued)
            self.sent += 1
