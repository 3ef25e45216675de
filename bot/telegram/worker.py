"""`debtcoach worker`: a service's jobs (bot/job_queue.py), run on any number of machines.

A job names a chat, and the job queue runs one chat's jobs one at a time, oldest first, so
whatever the job does for the chat is done before its next job starts, on this worker or
another:

- an update's job answers the chat's updates waiting in the inbox in the order of their ids
  (Telegram may post two of one chat at once, and they may commit the other way round); the
  job of an update a job before it answered finds nothing left;
- a reminder's job decides and queues the reminder in the person's transaction;
- a retention job carries out the retention rule for them, if the service has one
  (bot/retention.py: told, or erased);
- then, in both, everything the chat's outbox holds is delivered in order, the buttons of
  earlier questions taken away (bot/delivery.py's couriers, one set per job, so what they know
  of the chat's keyboards is read from the database and not remembered from an earlier job
  that may have run elsewhere), and written down with the update it answered, in one
  transaction: a worker killed before that sends that answer's messages again.

A worker killed in the middle of a job leaves it stalled, and the others put it back in the
queue (`STALLED_CHECK`): whatever it had committed is found done (the processed-input key, the
reminder's status), and what it had not delivered is delivered; a message sent just before the
kill is sent again. Each worker also claims the reminders that are due, a batch at a time,
deferring each one's job in the claiming transaction (claims skip rows another worker holds).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import signal
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from procrastinate import App, PsycopgConnector
from psycopg_pool import AsyncConnectionPool

from bot import reminder_table
from bot.blocking import RunBlocking
from bot.delivery import Couriers
from bot.inbox import Inbox
from bot.job_queue import QUEUES, WORK, conninfo, defer_reminder, defer_retention, deferring_queue, job_queue
from bot.outbox import Outbox
from bot.pacer import Pace
from bot.reminder_queue import ReminderQueue
from bot.retention import BATCH as RETENTION_BATCH
from bot.retention import Retainer
from bot.send_budget import FORGET_AFTER, SharedPacer
from bot.settings import Settings
from bot.store import Store
from bot.telegram.app import close_bot, meet_telegram, run_service, telegram_bot
from bot.telegram.channel import TelegramChannel
from bot.telegram.coach import CHANNEL, TelegramCoach, wanted
from bot.telegram.inbox_entry import incoming
from dialogs.policy import enforce_retention

log = logging.getLogger(__name__)

STALLED_CHECK = 1.0  # seconds between looks for the jobs of workers that stopped answering
REMINDER_TICK = 1.0
REMINDER_BATCH = 25
# A reminder's claim outlives its job's wait in a long queue: it is let go only by its job.
REMINDER_LEASE = timedelta(hours=6)
# A worker is woken by PostgreSQL's NOTIFY when a job is deferred, but one that comes while it is
# fetching another is lost (the wake-up is cleared after the fetch), and that job would wait for
# the next look: procrastinate's default of 5 s, a long time for someone waiting for an answer.
FETCH_EVERY = 0.1  # seconds
RESTART_AFTER = 0.2  # seconds (and up to as much again, so that two workers do not meet again)
RETENTION_SWEEP = 3600.0  # seconds between two looks for whom the retention rule reaches
FINISH_JOBS = 10.0  # seconds, on stopping, for the jobs under way to finish


class CouldNotAnswer(Exception):  # noqa: N818 - it says what happened, like TimeoutError
    """Not even an apology could be written down: the job is tried again."""


class ChatWork:
    """What a worker does with each kind of job (bot/job_queue.py's `Work`)."""

    def __init__(
        self,
        coach: TelegramCoach,
        reminders: ReminderQueue,
        pacer: Pace,
        clock: Callable[[], datetime],
        retainer: Retainer | None = None,
    ) -> None:
        self.coach = coach
        self.reminders = reminders
        self.retainer = retainer
        self.pacer = pacer
        self.clock = clock

    async def answer(self, update_id: int, chat_id: int) -> None:
        chat = str(chat_id)
        coach = self.coach
        waiting = await coach.run_blocking(coach.inbox.waiting_in, chat)
        for waiting_id, payload in waiting:
            update = incoming(json.loads(payload))
            if wanted(update):
                queued = await coach.answer(update)
                if queued is None:
                    raise CouldNotAnswer
                if update.query_id is not None and queued:  # nothing queued: answered before
                    coach.channel.answer(update.query_id, update.update_id)
            # Each answer delivered and written down before the next: a kill repeats one answer.
            await self._deliver(chat, [waiting_id])
        if not waiting:
            # Nothing left to answer (a job before this one answered it), but maybe something to
            # deliver: what a job killed after its commit left, the words that followed an erase.
            await self._deliver(chat)

    async def remind(self, reminder_id: int, chat_id: int) -> None:
        chat = str(chat_id)
        coach = self.coach
        await coach.run_blocking(self.reminders.hand_over_job, reminder_id, chat, self.clock(), coach.outbox)
        await self._deliver(chat)

    async def retain(self, chat_id: int) -> None:
        chat = str(chat_id)
        if self.retainer is not None:  # the rule was dropped since the job was deferred: nothing
            await self.coach.run_blocking(self.retainer.carry_out, chat, self.clock(), self.coach.outbox)
        await self._deliver(chat)

    async def _deliver(self, chat: str, answered: list[int] | None = None) -> None:
        coach = self.coach
        couriers = Couriers(coach.channel, coach.outbox, coach.run_blocking, self.clock, self.pacer, coach.inbox)
        couriers.post(await coach.run_blocking(coach.outbox.waiting_for, chat))
        for update_id in answered or ():
            couriers.answered(update_id)
        await couriers.delivered(chat)
        if not await couriers.settle():
            raise CouldNotAnswer  # delivered, not written down: the job delivers it again


class ReminderClaims:
    """Each tick, claim what is due and defer a job for each, in one transaction."""

    def __init__(self, store: Store, jobs: App, clock: Callable[[], datetime]) -> None:
        self._engine = store.engine
        self._jobs = jobs
        self._clock = clock

    def claim(self) -> int:
        with self._engine.begin() as conn:
            claimed = reminder_table.claim(conn, CHANNEL, self._clock(), REMINDER_BATCH, REMINDER_LEASE)
            for reminder in claimed:
                defer_reminder(self._jobs, conn.connection.driver_connection, reminder.id, int(reminder.external_id))
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                full = await asyncio.to_thread(self.claim) == REMINDER_BATCH
            except Exception as exc:  # a database hiccup must not end the worker
                log.warning("claiming reminders failed: %s", type(exc).__name__)
                full = False
            if not full:
                await _sleep(stop, REMINDER_TICK)


class RetentionSweep:
    """At start and then hourly: a job for each person the retention rule reaches."""

    def __init__(self, store: Store, retainer: Retainer, jobs: App, clock: Callable[[], datetime]) -> None:
        self._engine = store.engine
        self._retainer = retainer
        self._jobs = jobs
        self._clock = clock

    def sweep(self) -> int:
        """Everyone due, a batch per transaction; how many."""
        after, found = "", 0
        while True:
            with self._engine.begin() as conn:
                due = self._retainer.due(conn, self._clock(), after)
                for chat in due:
                    defer_retention(self._jobs, conn.connection.driver_connection, int(chat))
            found += len(due)
            if len(due) < RETENTION_BATCH:
                return found
            after = due[-1]

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.sweep)
            except Exception as exc:
                log.warning("the retention sweep failed: %s", type(exc).__name__)
            await _sleep(stop, RETENTION_SWEEP)


async def retry_stalled(jobs: App, stalled_after: float, stop: asyncio.Event) -> None:
    """Put the jobs of workers that stopped saying they are alive back in the queue, where they
    keep their place in their chat's order. Every worker looks; one of them succeeds."""
    while not stop.is_set():
        try:
            for job in await jobs.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
                with contextlib.suppress(Exception):  # another worker put it back first
                    await jobs.job_manager.retry_job(job)
                    log.info("job %s of a stopped worker is queued again", job.id)
        except Exception as exc:
            log.warning("looking for stalled jobs failed: %s", type(exc).__name__)
        await _sleep(stop, STALLED_CHECK)


def run(settings: Settings) -> int:
    """The command line's entry."""
    return run_service("worker", _main, settings)


async def _main(settings: Settings) -> int:
    clock = settings.clock()
    store = await asyncio.to_thread(Store, settings.database_url)
    bot, requests = telegram_bot(settings)
    run_blocking = RunBlocking(store)
    channel = TelegramChannel(bot, run_blocking, settings.cjk_font)
    coach = TelegramCoach(store, clock, Inbox(store, CHANNEL), Outbox(store, CHANNEL), channel, run_blocking)
    pacer = SharedPacer(store.engine, run_blocking, CHANNEL)
    rule = settings.retention()
    enforce_retention(rule)  # /privacy says so
    retainer = None if rule is None else Retainer(store, CHANNEL, rule)
    work = ChatWork(coach, ReminderQueue(store, CHANNEL, lease=REMINDER_LEASE), pacer, clock, retainer)
    jobs = job_queue(PsycopgConnector(conninfo=conninfo(settings.database_url), pool_factory=_unchecked_pool))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await meet_telegram(bot.initialize(), requests)
        async with jobs.open_async():
            helpers = [
                asyncio.create_task(retry_stalled(jobs, settings.worker_stalled_after, stop)),
                asyncio.create_task(ReminderClaims(store, deferring_queue(settings.database_url), clock).run(stop)),
                asyncio.create_task(_forget_idle_chats(pacer, stop)),
            ]
            if retainer is not None:
                sweep = RetentionSweep(store, retainer, deferring_queue(settings.database_url), clock)
                helpers.append(asyncio.create_task(sweep.run(stop)))
            log.info("DebtCoach's worker is running for @%s", bot.username)
            await _keep_working(jobs, settings, work, stop)
            stop.set()
            await asyncio.gather(*helpers)
        await channel.close(FINISH_JOBS)
        await pacer.close()
    finally:
        await close_bot(bot, requests)
        store.close()
    return 0


async def _forget_idle_chats(pacer: SharedPacer, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await _sleep(stop, FORGET_AFTER)
        try:
            await asyncio.to_thread(pacer.forget_idle_chats)
        except Exception as exc:
            log.warning("forgetting idle chats' send slots failed: %s", type(exc).__name__)


async def _keep_working(jobs: App, settings: Settings, work: ChatWork, stop: asyncio.Event) -> None:
    """Run procrastinate's worker until `stop`. It ends when a statement of its own fails: the
    database restarting, or two workers fetching one chat's jobs at the same moment (the later
    fetch breaks the lock's unique index: procrastinate issue #1242). The jobs under way finish
    first; then it starts again, a moment later."""
    while not stop.is_set():
        worker = asyncio.create_task(
            jobs.run_worker_async(
                queues=list(QUEUES),
                concurrency=settings.worker_concurrency,
                additional_context={WORK: work},
                install_signal_handlers=False,
                update_heartbeat_interval=settings.worker_heartbeat,
                stalled_worker_timeout=settings.worker_stalled_after,
                shutdown_graceful_timeout=FINISH_JOBS,
                delete_jobs="always",  # a job's row is its work queued, not a record of it
                fetch_job_polling_interval=FETCH_EVERY,
            )
        )
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({worker, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not worker.done():
            worker.cancel()  # procrastinate lets the jobs under way finish (FINISH_JOBS at most)
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            return
        error = None if worker.cancelled() else worker.exception()
        if error is None:
            return
        log.warning("the job queue's worker stopped (%s); starting it again", type(error).__name__)
        await _sleep(stop, RESTART_AFTER * (1 + random.random()))


def _unchecked_pool(**options: Any) -> AsyncConnectionPool:
    """procrastinate's pool, without its check of every connection as it is taken (a round trip
    before each of the queue's statements, two or three a job). A connection the database closed
    fails its statement instead; the worker loop then starts again (`_keep_working`) and the
    pool replaces the connection."""
    return AsyncConnectionPool(**{**options, "check": None})


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
