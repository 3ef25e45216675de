"""`debtcoach run`: build the PTB Application, start it, and keep it running until told to stop.

`serve` is what both the command line and the tests run, so the tests exercise the bot exactly
as it starts in production. Before polling, updates that a previous process fetched but did not
finish are queued first; the menu of commands is registered in every language we have.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from datetime import timedelta

from telegram import BotCommand, Update
from telegram.error import EndPointNotFound, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import logs
from bot.clock import Clock
from bot.inbox import Inbox
from bot.reminders import ReminderQueue
from bot.settings import Settings
from bot.store import Store
from bot.telegram.coach import CHANNEL, TelegramCoach
from bot.telegram.journal import JournalingBot
from bot.telegram.offload import Offload
from bot.telegram.patience import PatientLimiter
from bot.telegram.reminders import TICK, ReminderDispatcher
from bot.telegram.transport import AiohttpRequest
from dialogs.commands import COMMANDS
from dialogs.render import DEFAULT_LOCALE, available_locales, label

log = logging.getLogger(__name__)

POLL_TIMEOUT = timedelta(seconds=10)
RETRY_AFTER_FAILURE = 1.0
PRUNE_EVERY = 3600.0
CHECKPOINT_EVERY = 0.1  # seconds
FLUSH_YIELDS = 3  # event-loop turns the flush lets pass first (see _housekeeping)
KEEP_PROCESSED = timedelta(days=7)  # Telegram redelivers for a day at most
CONCURRENT_UPDATES = 32
CONNECTIONS = 8
POOL_WAIT = 30.0  # seconds a send may wait for a free connection under load

NOT_CONFIGURED = "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token."


class StartupError(Exception):
    """The bot cannot start; the message is one line for a person to act on. Status 2 means
    the token is missing or refused (fix the configuration), 1 anything else (try again)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def build_application(
    settings: Settings, store: Store, clock: Clock | None = None, reminder_tick: float = TICK
) -> Application:  # type: ignore[type-arg]
    if not settings.telegram_bot_token:
        raise StartupError(NOT_CONFIGURED, 2)
    clock = clock or settings.clock()
    root = settings.telegram_api_url.rstrip("/")
    requests = (
        AiohttpRequest(connections=CONNECTIONS, pool_timeout=POOL_WAIT),
        AiohttpRequest(connections=1, read_timeout=POLL_TIMEOUT.total_seconds() + 10),
    )
    bot = JournalingBot(
        token=settings.telegram_bot_token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        # Updates waiting for their person's lock hold no connection, so a few are enough.
        request=requests[0],
        get_updates_request=requests[1],
        rate_limiter=PatientLimiter(),
        inbox=Inbox(store, CHANNEL),
        offload=Offload(store),
        clock=clock,
    )
    coach = TelegramCoach(store, clock)
    app = ApplicationBuilder().bot(bot).concurrent_updates(CONCURRENT_UPDATES).build()
    app.add_handler(TypeHandler(Update, coach.on_update))
    app.add_error_handler(_log_error)
    app.bot_data["coach"] = coach
    app.bot_data["reminders"] = ReminderDispatcher(ReminderQueue(store, CHANNEL), coach, clock, tick=reminder_tick)
    app.bot_data["requests"] = requests
    return app


async def serve(app: Application, stop: asyncio.Event) -> None:  # type: ignore[type-arg]
    """Run until `stop` is set. Raises StartupError when Telegram refuses the token."""
    bot = app.bot
    assert isinstance(bot, JournalingBot)
    coach: TelegramCoach = app.bot_data["coach"]
    try:
        await app.initialize()
    except BaseException as exc:
        # PTB opened its HTTP sessions before getMe failed, and does not close them itself.
        for request in app.bot_data["requests"]:
            await request.shutdown()
        if isinstance(exc, InvalidToken | EndPointNotFound):
            raise StartupError("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather.", 2) from exc
        if isinstance(exc, NetworkError):
            raise StartupError(f"Cannot reach the Bot API ({type(exc).__name__}); check TELEGRAM_API_URL.") from exc
        raise
    try:
        await _register_commands(bot)
        leftovers = await asyncio.to_thread(bot.unanswered)
        coach.recovered.update(u.update_id for u in leftovers)
        await app.start()
        _freeze_startup_objects()
        for update in leftovers:
            await app.update_queue.put(update)
        assert app.updater is not None
        await app.updater.start_polling(timeout=POLL_TIMEOUT, bootstrap_retries=5, error_callback=_log_polling_error)
        log.info("DebtCoach is running as @%s (%d updates from before the restart)", bot.username, len(leftovers))
        housekeeping = asyncio.create_task(_housekeeping(bot, stop))
        checkpoints = asyncio.create_task(_checkpoints(coach.store, stop))
        dispatcher: ReminderDispatcher = app.bot_data["reminders"]
        reminding = asyncio.create_task(dispatcher.run(bot, stop))
        await stop.wait()
        await reminding
        await app.updater.stop()
        await app.stop()
        housekeeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await housekeeping
        await checkpoints  # not cancelled: a checkpoint under way finishes before the store closes
        await bot.flush()
    finally:
        await app.shutdown()


def run(settings: Settings) -> int:
    """The command line's entry: one line and status 2 for a token problem, 1 for others."""
    if not settings.telegram_bot_token:
        return _refuse(StartupError(NOT_CONFIGURED, 2))
    logs.configure(logging.INFO)
    store = Store(settings.database_url)
    try:
        return asyncio.run(_main(build_application(settings, store)))
    except StartupError as exc:
        return _refuse(exc)
    finally:
        store.close()


def _refuse(exc: StartupError) -> int:
    print(f"debtcoach run: {exc}", file=sys.stderr, flush=True)
    return exc.status


async def _main(app: Application) -> int:  # type: ignore[type-arg]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(app, stop)
    return 0


async def _register_commands(bot: JournalingBot) -> None:
    """The menu beside the text field, in each language we speak; Telegram picks by the
    person's app language and falls back to the default (English) list."""
    for locale in available_locales():
        commands = [BotCommand(name, label(locale, f"command_{name}")) for name in COMMANDS]
        language = None if locale == DEFAULT_LOCALE else locale.split("_")[0]
        await bot.set_my_commands(commands, language_code=language)


async def _housekeeping(bot: JournalingBot, stop: asyncio.Event) -> None:
    """Write down answered updates as soon as there are any, and prune old dedupe keys hourly.

    A group commit: whatever was answered while the last write ran goes in the next, and the
    flush first lets a few turns of the event loop pass, so that under load the answers
    finishing in those turns share its commit (or ride with the next poll's write) instead
    of each taking one: 824 -> 497 such commits for 3,232 updates in the closed loop. When
    the bot is idle those turns take microseconds."""
    loop = asyncio.get_running_loop()
    next_prune = loop.time()
    while not stop.is_set():
        try:
            await bot.flush()
            if loop.time() >= next_prune:
                next_prune = loop.time() + PRUNE_EVERY
                await asyncio.to_thread(bot.inbox.prune_processed, bot.clock() - KEEP_PROCESSED)
        except Exception as exc:  # a database hiccup must not end the bot; try again soon
            log.warning("housekeeping failed: %s", type(exc).__name__)
            await asyncio.sleep(RETRY_AFTER_FAILURE)
        await bot.wait_for_answers(timeout=PRUNE_EVERY)
        for _ in range(FLUSH_YIELDS):
            await asyncio.sleep(0)


async def _checkpoints(store: Store, stop: asyncio.Event) -> None:
    """Keep SQLite's write-ahead log short from a worker thread (see Store.checkpoint): when a
    commit on the event loop had to do it, that update and every one queued behind it waited
    2-4 ms (16 times in 1,200 updates at 100/s, bench/telegram.py). Checkpointing every tenth
    of a second, the log never holds more than that tenth's commits."""
    if store.engine.dialect.name != "sqlite":
        return
    while not stop.is_set():
        try:
            await asyncio.to_thread(store.checkpoint)
        except Exception as exc:  # a busy or full disk: the commits' own checkpoints still work
            log.warning("checkpoint failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CHECKPOINT_EVERY)


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    # Reached only for errors outside the coach's own handling; the type is enough to act on.
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("unhandled %s (update %s)", type(error).__name__, update_id)


def _freeze_startup_objects() -> None:
    """Move everything built so far (modules, templates, locale data: most of the process's
    objects) out of the garbage collector's sight. They live as long as the process, and a full
    collection walking them held the event loop for 50-60 ms, the bot's worst latency."""
    gc.collect()
    gc.freeze()


def _log_polling_error(exc: TelegramError) -> None:
    log.warning("polling failed: %s; retrying", type(exc).__name__)
