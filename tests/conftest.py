"""Fixtures the Telegram tests share: the fake Bot API server, and the store at the path where
`debtcoach run` puts it (DEBTCOACH_HOME=tmp_path), so in-process and process tests read the same
file. test_store.py defines its own `store`, parametrized over backends, which takes precedence."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.support.fake_telegram import FakeTelegram


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
    yield opened
    opened.close()
