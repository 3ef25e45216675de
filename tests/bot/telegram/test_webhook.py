"""`debtcoach webhook` as Telegram and an intruder meet it: the real process on PostgreSQL, a
worker answering behind it, and the fake Bot API posting updates to it as Telegram does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from tests.support.backends import PG_ENV
from tests.support.fake_telegram import FakeTelegram
from tests.support.service import SECRET, WEBHOOK_URL, Service, free_port, service_environment
from tests.support.telegram_helpers import Person, text_of

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(PG_ENV not in os.environ, reason=f"needs PostgreSQL: set {PG_ENV} (CI does)"),
]

PATH = "/telegram/updates"  # WEBHOOK_URL's


@pytest.fixture
async def service(server: FakeTelegram, tmp_path: Path, database: str) -> AsyncIterator[Service]:
    running = Service(server, tmp_path, database)
    try:
        yield running
    finally:
        await running.kill_all()


def jobs_and_inbox(database: str) -> tuple[int, int]:
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            jobs = conn.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
            inbox = conn.execute(text("SELECT count(*) FROM inbox")).scalar_one()
            return int(jobs), int(inbox)
    finally:
        engine.dispose()


async def test_the_webhook_registers_itself_and_a_worker_answers_what_telegram_posts(
    server: FakeTelegram, service: Service, database: str
) -> None:
    await service.start()
    url, secret, connections = server.webhook
    assert (url, secret, connections) == (WEBHOOK_URL, SECRET, 40)
    alex = Person(server, 501)
    said = text_of(await alex.says("/start"))
    assert "Which creditor is this debt with?" in said, said
    said = text_of(await alex.says("Capital One"))
    assert "What kind of debt is it" in said, said
    await service.stop()
    assert server.errors == []
    assert set(server.webhook_statuses) == {200}
    assert jobs_and_inbox(database) == (0, 0), "every job done and deleted, every update forgotten"


async def test_a_post_without_the_secret_or_with_a_wrong_one_is_refused_and_a_replay_is_done_once(
    server: FakeTelegram, service: Service, database: str
) -> None:
    await service.start()
    alex = Person(server, 502)
    await alex.says("/start")
    update = {
        "update_id": 777001,
        "message": {
            "message_id": 90,
            "from": {"id": 502, "is_bot": False, "first_name": "Alex", "language_code": "en"},
            "chat": {"id": 502, "type": "private", "first_name": "Alex"},
            "date": 1_790_000_000,
            "text": "Capital One",
        },
    }
    before = len(alex.inbox)
    async with aiohttp.ClientSession() as session:
        statuses = []
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}):
            async with session.post(f"{service.url}{PATH}", json=update, headers=headers) as response:
                statuses.append(response.status)
        assert statuses == [403, 403]
        assert jobs_and_inbox(database)[1] == 0, "nothing of a refused post is stored"
        assert len(alex.inbox) == before
        for _ in range(2):  # Telegram's post, and the same post again
            async with session.post(
                f"{service.url}{PATH}", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ) as response:
                statuses.append(response.status)
    assert statuses == [403, 403, 200, 200]
    answer = await alex.answer_since(before)
    assert "What kind of debt is it" in text_of(answer)
    await alex.settled(before)
    assert len([m for m in alex.inbox if "What kind of debt is it" in m.text]) == 1, "answered once"
    async with aiohttp.ClientSession() as session, session.get(f"{service.url}/healthz") as health:
        assert health.status == 200
    await service.stop()
    assert "Capital One" not in service.logs()


async def test_a_webhook_or_worker_without_postgresql_or_a_secret_says_so_in_one_line(tmp_path: Path) -> None:
    """Misconfigured, each says what to set and exits with status 2 (systemd and compose do not
    restart it), having touched nothing."""
    async with FakeTelegram() as server:
        cases = [
            ("worker", {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}, "set DATABASE_URL to a PostgreSQL"),
            ("webhook", {"DEBTCOACH_WEBHOOK_SECRET": ""}, "DEBTCOACH_WEBHOOK_SECRET"),
            ("webhook", {"DEBTCOACH_WEBHOOK_URL": "http://coach.example.org/hook"}, "https://"),
        ]
        for command, change, said in cases:
            env = {**service_environment(server, tmp_path, os.environ[PG_ENV], free_port()), **change}
            env = {key: value for key, value in env.items() if value}
            done = subprocess.run(
                [sys.executable, "-m", "bot.cli", command], env=env, capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 2, done.stderr
            [line] = done.stderr.strip().splitlines()
            assert line.startswith(f"debtcoach {command}: ") and said in line, line
        assert server.calls == []
