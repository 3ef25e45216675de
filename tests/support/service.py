"""The service as it runs for many people: `debtcoach webhook` and `debtcoach worker` processes on
one PostgreSQL database, against the fake Bot API, which posts updates to the webhook as
Telegram does (standing for the TLS proxy too: FakeTelegram.proxy_webhook)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from tests.support.fake_telegram import TOKEN, FakeTelegram

WEBHOOK_URL = "https://coach.example.org/telegram/updates"
SECRET = "a-secret-of-the-tests_0123456789"
READY = 30.0  # seconds a process may take to start
WEBHOOK_READY = "webhook is listening"
WORKER_READY = "worker is running"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def service_environment(
    server: FakeTelegram, home: Path, database_url: str, port: int, **settings: str
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DEBTCOACH_")}
    env.update(
        {
            "TELEGRAM_API_URL": server.url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": database_url,
            "DEBTCOACH_HOME": str(home),
            "DEBTCOACH_WEBHOOK_URL": WEBHOOK_URL,
            "DEBTCOACH_WEBHOOK_SECRET": SECRET,
            "DEBTCOACH_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
    )
    return env


class ServiceProcess:
    """One `debtcoach <command>` process, its stderr in `log`."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.command = command
        self.env = env
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, server: FakeTelegram, ready_line: str) -> None:
        """Start it and wait until its log says `ready_line` (once more than it did before)."""
        before = self._count(ready_line)
        with self.log.open("ab") as log:
            command = (sys.executable, "-m", "bot.cli", self.command)
            self.process = await asyncio.create_subprocess_exec(
                *command, env=self.env, stderr=log, stdin=asyncio.subprocess.DEVNULL
            )
        process = self.process
        await server.wait_for(
            lambda: process.returncode is not None or self._count(ready_line) > before,
            timeout=READY,
            what=f"debtcoach {self.command} to start",
        )
        assert process.returncode is None, self.log.read_text()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout)

    def _count(self, line: str) -> int:
        return self.log.read_text(errors="replace").count(line) if self.log.exists() else 0


class Service:
    """The webhook and its workers, on `database`, each process's log in `home`."""

    def __init__(self, server: FakeTelegram, home: Path, database: str, **settings: str) -> None:
        self.server = server
        self.port = free_port()
        self.env = service_environment(server, home, database, self.port, **settings)
        self.webhook = ServiceProcess("webhook", self.env, home / "webhook.log")
        self.workers: list[ServiceProcess] = []
        self.home = home
        self.url = f"http://127.0.0.1:{self.port}"

    async def start(self, workers: int = 1) -> None:
        self.server.proxy_webhook(self.url)
        await self.webhook.start(self.server, WEBHOOK_READY)
        for n in range(workers):
            worker = ServiceProcess("worker", self.env, self.home / f"worker-{n}.log")
            await worker.start(self.server, WORKER_READY)
            self.workers.append(worker)

    async def kill_all(self) -> None:
        for process in [*self.workers, self.webhook]:
            if process.running:
                await process.kill()

    async def stop(self) -> None:
        for process in [*self.workers, self.webhook]:
            if process.running:
                assert await process.stop() == 0, process.log.read_text()

    def logs(self) -> str:
        return "\n".join(p.log.read_text(errors="replace") for p in [self.webhook, *self.workers])
