"""`debtcoach webhook`: Telegram posts each update here, and it is written down with its job.
Nothing else: no coaching, no sending (that is the workers', bot/telegram/worker.py).

Behind a reverse proxy that terminates TLS, it listens on `DEBTCOACH_WEBHOOK_LISTEN` at the path
of `DEBTCOACH_WEBHOOK_URL`, which it registers with Telegram (setWebhook) at start, with the
secret Telegram then sends in a header with every post. A post is taken only with that secret,
compared in constant time; without it, or with another, the answer is 403 and nothing is read
or stored. An update is written to the inbox and its job deferred in one transaction, and only
after the commit does Telegram hear 200: when the database is away the answer is 503, and
Telegram posts the update again later. An update posted again (its `update_id` is in the inbox
already) is answered 200 and written, and deferred, once. What the coach does not answer (a
message in a group that is not meant for it) is answered 200 and not kept.

`/healthz` says whether the database answers, for the proxy and the process manager.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web
from procrastinate import App
from sqlalchemy import text
from telegram import Update

from bot.blocking import RunBlocking
from bot.inbox import Inbox
from bot.job_queue import defer_answer, deferring_queue
from bot.settings import Settings
from bot.store import Store
from bot.telegram.app import StartupError, close_bot, meet_telegram, register_commands, run_service, telegram_bot
from bot.telegram.coach import CHANNEL, wanted
from bot.telegram.inbox_entry import inbox_form, incoming
from bot.telegram.ingress import ALLOWED_UPDATES

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - the header's name, not a secret
HEALTH = "/healthz"

NEEDS_URL = (
    "set DEBTCOACH_WEBHOOK_URL to the public https:// address Telegram is to post to,"
    " and DEBTCOACH_WEBHOOK_SECRET to a secret of your own (A-Z a-z 0-9 _ -)."
)


class Webhook:
    def __init__(self, store: Store, jobs: App, secret: str, clock: Callable[[], datetime]) -> None:
        self._engine = store.engine
        # Each post's transaction in a thread, as many at once as the store has connections.
        self._run_blocking = RunBlocking(store)
        self._inbox = Inbox(store, CHANNEL)
        self._jobs = jobs
        self._secret = secret.encode()
        self._clock = clock
        self.stored = 0  # updates written with their job, for tests and the benchmark

    def application(self, path: str) -> web.Application:
        app = web.Application()
        app.router.add_post(path, self.receive)
        app.router.add_get(HEALTH, self.health)
        return app

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403)
        try:
            body = await request.json()
            update = Update.de_json(body, None)
        except Exception:  # not an update: Telegram never sends one; whoever did is told so
            return web.Response(status=400)
        form = inbox_form(update)
        arrived = incoming(form)
        if not wanted(arrived):
            return web.Response()
        assert arrived.chat_id is not None
        payload = json.dumps(form, ensure_ascii=False)
        try:
            await self._run_blocking(self._record, arrived.update_id, arrived.chat_id, payload)
        except Exception as exc:  # the database is away: Telegram posts it again
            log.warning("could not write down update %d: %s", arrived.update_id, type(exc).__name__)
            return web.Response(status=503)
        return web.Response()

    async def health(self, request: web.Request) -> web.Response:
        try:
            await self._run_blocking(self._ping)
        except Exception as exc:
            log.warning("health check: the database does not answer (%s)", type(exc).__name__)
            return web.Response(status=503, text="database unavailable\n")
        return web.Response(text="ok\n")

    def _record(self, update_id: int, chat_id: int, payload: str) -> None:
        with self._engine.begin() as conn:
            if self._inbox.record_in(conn, update_id, str(chat_id), payload, self._clock()):
                # psycopg's own connection, in this transaction: the job commits with the row.
                defer_answer(self._jobs, conn.connection.driver_connection, update_id, chat_id)
                self.stored += 1

    def _ping(self) -> None:
        with self._engine.connect() as conn:
            conn.execute(text("SELECT 1"))


def run(settings: Settings) -> int:
    """The command line's entry."""
    return run_service("webhook", _main, settings)


def listen_address(listen: str) -> tuple[str, int]:
    """"127.0.0.1:8080", "[::1]:8080"; a port alone listens on every interface (in a container
    whose port only the proxy reaches)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - asked for by leaving the host out


async def _main(settings: Settings) -> int:
    url, secret = settings.webhook_url, settings.webhook_secret
    if not url or not url.startswith("https://") or not secret:
        raise StartupError(NEEDS_URL, 2)
    store = await asyncio.to_thread(Store, settings.database_url)
    jobs = deferring_queue(settings.database_url)
    webhook = Webhook(store, jobs, secret, settings.clock())
    bot, requests = telegram_bot(settings)
    runner = web.AppRunner(webhook.application(urlsplit(url).path or "/"), access_log=None)
    try:
        await meet_telegram(bot.initialize(), requests)
        host, port = listen_address(settings.webhook_listen)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        # Listening first: Telegram may post as soon as it knows the address.
        await bot.set_webhook(
            url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, max_connections=settings.webhook_connections
        )
        await register_commands(bot)
        log.info("DebtCoach's webhook is listening on %s:%d for @%s", host, port, bot.username)
        await _until_stopped()
    finally:
        await runner.cleanup()
        await close_bot(bot, requests)
        store.close()
    return 0


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
