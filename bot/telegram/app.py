"""`debtcoach run`: build the bot, start it, and keep it running until told to stop.

The pieces, in the order an update meets them: the ingress polls Telegram and writes each batch
to the inbox before confirming it (ingress.py); the coach turns each update into a job in its
person's turn (bot/turns.py), one transaction that saves the answer, queues it in the outbox
and forgets the update (coach.py); the couriers deliver each chat's outbox in order, waiting out
whatever Telegram does (bot/delivery.py, through channel.py). Reminders are jobs in the same
turns, delivered the same way (bot/reminder_dispatch.py). PTB provides the Bot API client
(with our HTTP transport, transport.py, and rate limiter, rate_limiter.py); its Application
only holds the bot and starts and stops it.

`serve` is what both the command line and the tests run, so the tests exercise the bot exactly
as it starts in production. At start-up what was left undelivered goes out first, then the
updates a previous process fetched and did not answer are handled; the menu of commands is
registered in every language we have.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import BotCommand
from telegram.error import EndPointNotFound, InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, ExtBot

from bot import logs
from bot.blocking import RunBlocking
from bot.clock import Clock
from bot.delivery import Couriers
from bot.inbox import Inbox
from bot.lease import PollingLease
from bot.outbox import Outbox
from bot.pacer import Pacer
from bot.reminder_dispatch import TICK, ReminderDispatcher
from bot.reminder_queue import ReminderQueue
from bot.settings import Settings
from bot.store import Store
from bot.telegram.channel import TelegramChannel
from bot.telegram.coach import CHANNEL, PolledCoach
from bot.telegram.inbox_entry import incoming
from bot.telegram.ingress import POLL_TIMEOUT, AnotherPoller, Ingress
from bot.telegram.rate_limiter import RetryingRateLimiter
from bot.telegram.transport import AiohttpRequest
from bot.turns import Turns
from dialogs.commands import COMMANDS
from dialogs.render import DEFAULT_LOCALE, available_locales, label

log = logging.getLogger(__name__)

PRUNE_EVERY = 3600.0
CHECKPOINT_EVERY = 0.1  # seconds
KEEP_PROCESSED = timedelta(days=7)  # Telegram redelivers for a day at most
WORKERS = 32  # people whose updates are handled at once (PostgreSQL: each in a worker thread)
CONNECTIONS = 8
POOL_WAIT = 30.0  # seconds a send may wait for a free connection under load
FINISH_HANDLING = 10.0  # seconds, on stopping, for the updates already fetched to be answered
FINISH_DELIVERING = 5.0  # and for what is in the outbox to go out; the rest goes at the next start

NOT_CONFIGURED = "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token."
REJECTED = "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather."
ANOTHER_POLLER = (
    "another instance is polling this token (Telegram answered 409 Conflict), or a webhook is set for it:"
    " stop the other one (or delete the webhook) and start again."
)

ANOTHER_RUN = (
    "another debtcoach run is serving this database, and did not stop within DEBTCOACH_LEASE_WAIT"
    " ({wait:g} s): stop it, or point this one at a database of its own."
)


class StartupError(Exception):
    """The bot cannot run; the message is one line for a person to act on. Status 2 means the
    configuration must change (no token, a refused one, another instance polling it), 1
    anything else (try again)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def build_application(
    settings: Settings, store: Store, clock: Clock | None = None, reminder_tick: float = TICK
) -> Application:  # type: ignore[type-arg]
    clock = clock or settings.clock()
    bot, requests = telegram_bot(settings)
    inbox, outbox, run_blocking = Inbox(store, CHANNEL), Outbox(store, CHANNEL), RunBlocking(store)
    pacer = Pacer()
    turns = Turns(WORKERS)
    channel = TelegramChannel(bot, run_blocking, settings.cjk_font)
    couriers = Couriers(channel, outbox, run_blocking, clock, pacer, inbox)
    coach = PolledCoach(store, clock, inbox, outbox, couriers, turns, channel, run_blocking)
    reminders = ReminderQueue(store, CHANNEL)
    app = ApplicationBuilder().bot(bot).updater(None).build()
    app.bot_data["coach"] = coach
    app.bot_data["couriers"] = couriers
    app.bot_data["ingress"] = Ingress(bot, inbox, coach, clock)
    app.bot_data["reminders"] = ReminderDispatcher(
        reminders, outbox, turns, couriers, run_blocking, clock, tick=reminder_tick, pacer=pacer
    )
    app.bot_data["requests"] = requests
    app.bot_data["lease"] = PollingLease(store.engine)
    app.bot_data["lease_wait"] = settings.lease_wait
    return app


def telegram_bot(settings: Settings) -> tuple[ExtBot[None], tuple[AiohttpRequest, AiohttpRequest]]:
    """The Bot API client every process uses, and its two HTTP transports (for sending, and
    for long polling), which the process shuts down when it stops."""
    if not settings.telegram_bot_token:
        raise StartupError(NOT_CONFIGURED, 2)
    root = settings.telegram_api_url.rstrip("/")
    requests = (
        AiohttpRequest(connections=CONNECTIONS, pool_timeout=POOL_WAIT),
        AiohttpRequest(connections=1, read_timeout=POLL_TIMEOUT.total_seconds() + 10),
    )
    bot: ExtBot[None] = ExtBot(
        token=settings.telegram_bot_token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=requests[0],
        get_updates_request=requests[1],
        rate_limiter=RetryingRateLimiter(),
    )
    return bot, requests


async def meet_telegram(initialize: Awaitable[None], requests: tuple[AiohttpRequest, AiohttpRequest]) -> None:
    """Initialise the bot or the application (which calls getMe); a refused token or an
    unreachable Bot API is a StartupError."""
    try:
        await initialize
    except BaseException as exc:
        # PTB opened its HTTP sessions before getMe failed, and does not close them itself.
        for request in requests:
            await request.shutdown()
        if isinstance(exc, InvalidToken | EndPointNotFound):
            raise StartupError(REJECTED, 2) from exc
        if isinstance(exc, NetworkError):
            raise StartupError(f"Cannot reach the Bot API ({type(exc).__name__}); check TELEGRAM_API_URL.") from exc
        raise


async def serve(app: Application, stop: asyncio.Event) -> None:  # type: ignore[type-arg]
    """Run until `stop` is set. Raises StartupError when Telegram refuses the token, or when
    another instance polls it."""
    coach: PolledCoach = app.bot_data["coach"]
    couriers: Couriers = app.bot_data["couriers"]
    ingress: Ingress = app.bot_data["ingress"]
    dispatcher: ReminderDispatcher = app.bot_data["reminders"]
    lease: PollingLease = app.bot_data["lease"]
    # Before anything is read or sent: the inbox and outbox are the lease holder's alone.
    if not await lease.acquire(app.bot_data["lease_wait"]):
        for request in app.bot_data["requests"]:
            await request.shutdown()
        raise StartupError(ANOTHER_RUN.format(wait=app.bot_data["lease_wait"]), 2)
    try:
        await _serve_leased(app, stop, coach, couriers, ingress, dispatcher)
    finally:
        await asyncio.to_thread(lease.release)


async def _serve_leased(
    app: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    coach: PolledCoach,
    couriers: Couriers,
    ingress: Ingress,
    dispatcher: ReminderDispatcher,
) -> None:
    await meet_telegram(app.initialize(), app.bot_data["requests"])
    polling: asyncio.Task[None] | None = None
    try:
        await register_commands(app.bot)
        undelivered = await asyncio.to_thread(coach.outbox.waiting)
        couriers.post(undelivered)  # first: the replies to updates answered before the restart
        left = [incoming(json.loads(payload)) for _, payload in await asyncio.to_thread(coach.inbox.unanswered)]
        unanswered = [update for update in left if coach.wants(update)]
        # An earlier version also kept updates with nothing to answer (a membership change).
        await asyncio.to_thread(coach.inbox.forget, [u.update_id for u in left if not coach.wants(u)])
        coach.turns.start()
        for update in unanswered:
            coach.receive(update)
        _freeze_startup_objects()
        log.info(
            "DebtCoach is running as @%s (from before the restart: %d updates to answer, %d messages to deliver)",
            app.bot.username,
            len(unanswered),
            len(undelivered),
        )
        settling = asyncio.create_task(couriers.keep_settling(stop))
        pruning = asyncio.create_task(_prune(coach, stop))
        checkpoints = asyncio.create_task(_checkpoints(coach.store, stop))
        reminding = asyncio.create_task(dispatcher.run(stop))
        polling = asyncio.create_task(ingress.run(stop))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()  # also when polling ended by itself: another instance, a refused token
        await asyncio.gather(polling, return_exceptions=True)
        await reminding
        if not await coach.turns.drain(FINISH_HANDLING):
            log.warning("stopping with updates not yet answered: they are answered at the next start")
        await coach.turns.stop()
        if not await couriers.drain(FINISH_DELIVERING):
            log.warning("stopping with messages not yet delivered: they go out at the next start")
        await settling
        await couriers.stop(FINISH_DELIVERING)
        await pruning
        await checkpoints  # not cancelled: a checkpoint under way finishes before the store closes
    finally:
        await app.shutdown()
    error = polling.exception() if polling is not None and not polling.cancelled() else None
    if isinstance(error, AnotherPoller):
        raise StartupError(ANOTHER_POLLER, 2) from error
    if isinstance(error, InvalidToken):
        raise StartupError(REJECTED, 2) from error
    if error is not None:
        raise error


def run(settings: Settings) -> int:
    """The command line's entry: one line and status 2 for a token problem, 1 for others."""
    if not settings.telegram_bot_token:
        return refuse("run", StartupError(NOT_CONFIGURED, 2))
    logs.configure(logging.INFO)
    store = Store(settings.database_url)
    try:
        return asyncio.run(_main(build_application(settings, store)))
    except StartupError as exc:
        return refuse("run", exc)
    finally:
        store.close()


NEEDS_POSTGRES = "a service shares its work through PostgreSQL: set DATABASE_URL to a PostgreSQL database."


def run_service(command: str, main: Callable[[Settings], Coroutine[Any, Any, int]], settings: Settings) -> int:
    """`debtcoach webhook` and `debtcoach worker`: the token and PostgreSQL are checked first,
    then `main` runs; a StartupError is one line and its status."""
    logs.configure(logging.INFO)
    try:
        if not settings.telegram_bot_token:
            raise StartupError(NOT_CONFIGURED, 2)
        if not settings.database_url.startswith("postgresql"):
            raise StartupError(NEEDS_POSTGRES, 2)
        return asyncio.run(main(settings))
    except StartupError as exc:
        return refuse(command, exc)


async def close_bot(bot: ExtBot[None], requests: tuple[AiohttpRequest, AiohttpRequest]) -> None:
    """The Bot API client of a webhook or a worker, closed with its transports (a bot that never
    met Telegram has nothing of its own to close)."""
    with contextlib.suppress(Exception):
        await bot.shutdown()
    for request in requests:
        await request.shutdown()


def refuse(command: str, exc: StartupError) -> int:
    """One line for a person to act on, and the status."""
    print(f"debtcoach {command}: {exc}", file=sys.stderr, flush=True)
    return exc.status


async def _main(app: Application) -> int:  # type: ignore[type-arg]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(app, stop)
    return 0


async def register_commands(bot: ExtBot[None]) -> None:
    """The menu beside the text field, in each language we speak; Telegram picks by the
    person's app language and falls back to the default (English) list."""
    for locale in available_locales():
        commands = [BotCommand(name, label(locale, f"command_{name}")) for name in COMMANDS]
        language = None if locale == DEFAULT_LOCALE else locale.split("_")[0]
        await bot.set_my_commands(commands, language_code=language)


async def _prune(coach: PolledCoach, stop: asyncio.Event) -> None:
    """Forget processed-input keys older than a week, hourly."""
    while not stop.is_set():
        try:
            await coach.run_blocking(coach.inbox.prune_processed, coach.clock() - KEEP_PROCESSED)
        except Exception as exc:  # a database hiccup must not end the bot; try again next time
            log.warning("pruning processed inputs failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PRUNE_EVERY)


async def _checkpoints(store: Store, stop: asyncio.Event) -> None:
    """Keep SQLite's write-ahead log short from a worker thread (see Store.checkpoint): when a
    commit on the event loop has to do it, that update and every one queued behind it wait.
    Checkpointing every tenth of a second, the log never holds more than that tenth's commits."""
    if store.engine.dialect.name != "sqlite":
        return
    while not stop.is_set():
        try:
            await asyncio.to_thread(store.checkpoint)
        except Exception as exc:  # a busy or full disk: the commits' own checkpoints still work
            log.warning("checkpoint failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CHECKPOINT_EVERY)


def _freeze_startup_objects() -> None:
    """Move everything built so far (modules, templates, locale data: most of the process's
    objects) out of the garbage collector's sight. They live as long as the process, and a full
    collection walking them would hold the event loop, and every update waiting on it."""
    gc.collect()
    gc.freeze()
