"""Fixtures the Telegram tests share: the fake Bot API server, and the store at the path where
`debtcoach run` puts it (DEBTCOACH_HOME=tmp_path), so in-process and process tests read the same
file. tests/bot/test_store.py defines its own `store`, parametrized over backends, which takes precedence.
Under pytest-xdist each worker gets a PostgreSQL database of its own."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.support.backends import PG_ENV, database_of_worker
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_helpers import running_bot


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get(PG_ENV):
        os.environ[PG_ENV] = database_of_worker(os.environ[PG_ENV], worker)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test in a module that runs the bot in this process (it imports `running_bot`) is marked
    `bot`: it waits on real time (answers, ticks, flood windows), so `make test-fast` leaves it
    out. Under pytest-xdist, the long tests go first (the fuzz, then those that start processes):
    the workers share out the short ones while those run, instead of one waiting for the last."""
    for item in items:
        module = getattr(item, "module", None)
        if getattr(module, "running_bot", None) is running_bot:
            item.add_marker(pytest.mark.bot)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: [item.get_closest_marker(m) is None for m in ("slow", "process")])


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
    yield opened
    opened.close()
