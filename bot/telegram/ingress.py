"""Long polling, in our own loop: fetch a batch, write it down, only then ask for the next.

Telegram forgets a batch of updates when the next getUpdates confirms it (its offset goes past
them), so each batch is written to the inbox, in one transaction, before that next call goes
out, and only then handed to the coach. The coach deletes an update from the inbox in the
transaction that answers it (bot/telegram/coach.py), so a crash at any moment loses nothing.
An update Telegram delivers twice is written once and handled twice, the second time as the
duplicate it is.

A 409 Conflict means another process is polling this token (or a webhook is set for it): two
pollers would each get some of the updates, so this one stops and says so. A refused token
stops it too. Anything else (the network, a 5xx page, a 429) is waited out and the poll sent
again; a batch in hand is kept until it is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.inbox import Inbox
from bot.telegram.coach import PolledCoach
from bot.telegram.inbox_entry import Incoming, inbox_form, incoming
from bot.telegram.rate_limiter import retry_after_seconds

log = logging.getLogger(__name__)

POLL_TIMEOUT = timedelta(seconds=10)
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
BACKLOG = 1000  # queued updates above which no more are fetched until the coach catches up
BACKLOG_WAIT = 0.05
RETRY_FIRST = 0.5
RETRY_MOST = 8.0

T = TypeVar("T")


class AnotherPoller(Exception):  # noqa: N818 - it names what was found, like FileExistsError
    """Telegram answered 409 Conflict: someone else polls this token, or a webhook is set."""


class Ingress:
    def __init__(self, bot: ExtBot[None], inbox: Inbox, coach: PolledCoach, clock: Callable[[], datetime]) -> None:
        self._bot = bot
        self._inbox = inbox
        self._coach = coach
        self._clock = clock
        self.polls = 0  # for tests

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set. Raises AnotherPoller or InvalidToken when polling cannot go on."""
        offset: int | None = None
        failures = 0
        while not stop.is_set():
            while self._coach.turns.queued > BACKLOG and not stop.is_set():
                await asyncio.sleep(BACKLOG_WAIT)
            try:
                fetch = self._bot.get_updates(offset=offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES)
                updates = await _unless_stopped(stop, fetch)
            except Conflict as exc:
                raise AnotherPoller from exc
            except InvalidToken:
                raise
            except RetryAfter as exc:
                await _sleep(stop, retry_after_seconds(exc.retry_after))
                continue
            except TelegramError as exc:
                failures += 1
                delay = min(RETRY_MOST, RETRY_FIRST * 2 ** (failures - 1))
                log.warning("polling failed: %s; trying again in %.1f s", type(exc).__name__, delay)
                await _sleep(stop, delay)
                continue
            if updates is None:
                return  # stopped while waiting: nothing fetched is confirmed, Telegram keeps it
            self.polls += 1
            failures = 0
            if not updates:
                continue
            wanted = self._wanted(updates)
            if not await self._write(wanted, stop):
                return
            offset = updates[-1].update_id + 1
            for _, update in wanted:
                self._coach.receive(update)

    def _wanted(self, updates: tuple[Update, ...]) -> list[tuple[str, Incoming]]:
        """The batch's updates the coach will answer, each with its inbox form as JSON."""
        wanted = []
        for update in updates:
            form = inbox_form(update)
            arrived = incoming(form)
            if self._coach.wants(arrived):
                wanted.append((json.dumps(form, ensure_ascii=False), arrived))
        return wanted

    async def _write(self, wanted: list[tuple[str, Incoming]], stop: asyncio.Event) -> bool:
        """Write the batch down, trying again while the database fails; False if told to stop
        first (then the batch is not confirmed, and Telegram sends it again)."""
        rows = [(update.update_id, form) for form, update in wanted]
        failures = 0
        while not stop.is_set():
            try:
                await self._coach.run_blocking(self._inbox.record, rows, self._clock())
                return True
            except Exception as exc:
                failures += 1
                log.warning("could not write down fetched updates: %s", type(exc).__name__)
                await _sleep(stop, min(RETRY_MOST, RETRY_FIRST * 2 ** (failures - 1)))
        return False


async def _unless_stopped(stop: asyncio.Event, work: Awaitable[T]) -> T | None:
    """`work`'s result, or None (and `work` cancelled) if `stop` is set first."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    return None if task.cancelled() else task.result()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
