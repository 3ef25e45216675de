"""One `debtcoach run` per database (bot/lease.py): a second one waits for the lease and, when it
stays taken, refuses to start without reading or sending anything; a rolling restart (the new
process started before the old one stops) hands over with every message answered once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.store import Store
from bot.telegram.app import StartupError, build_application, serve
from tests.support.backends import BACKENDS, database_url
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_helpers import Person, running_bot, settings_for, text_of


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as opened:
        yield opened


def _second(server: FakeTelegram, tmp_path: Path, url: str, wait: float) -> tuple[Settings, Store]:
    """Another process's settings and store on the same database."""
    settings = settings_for(server, tmp_path, url).model_copy(update={"lease_wait": wait})
    return settings, Store(url)


def _calls(server: FakeTelegram, method: str) -> int:
    return sum(1 for name, _ in server.calls if name.lower() == method.lower())


async def test_a_second_run_on_the_same_database_refuses_to_start_and_touches_nothing(
    server: FakeTelegram, tmp_path: Path, url: str
) -> None:
    first = Store(url)
    sam = Person(server, 401)
    try:
        async with running_bot(server, first, tmp_path):
            await sam.says("Capital One")
            settings, store = _second(server, tmp_path, url, wait=0.4)
            try:
                with pytest.raises(StartupError) as refused:
                    await serve(build_application(settings, store), asyncio.Event())
            finally:
                store.close()
            assert refused.value.status == 2 and "another debtcoach run is serving this database" in str(refused.value)
            # It asked Telegram nothing (one getMe: the first one's), and the first one goes on.
            assert _calls(server, "getMe") == 1
            said = text_of(await sam.presses("Credit card"))
            assert "How much do you owe Capital One" in said, said
        assert len([m for m in sam.inbox if "How much do you owe" in m.text]) == 1
    finally:
        first.close()
    assert server.errors == []


async def test_a_rolling_restart_hands_over_and_every_message_is_answered_once(
    server: FakeTelegram, tmp_path: Path, url: str
) -> None:
    old_store = Store(url)
    sam = Person(server, 402)
    settings, new_store = _second(server, tmp_path, url, wait=20)
    new_stop = asyncio.Event()
    try:
        async with running_bot(server, old_store, tmp_path):
            await sam.says("Capital One")
            new = asyncio.create_task(serve(build_application(settings, new_store), new_stop))
            await asyncio.sleep(0.5)
            assert not new.done() and _calls(server, "getMe") == 1  # waiting for the lease
            said = text_of(await sam.presses("Credit card"))
            assert "How much do you owe Capital One" in said, said
        # The old one stopped; the new one takes the lease and answers from here.
        await server.wait_for(lambda: _calls(server, "getMe") == 2, timeout=20)
        said = text_of(await sam.says("5000"))
        assert "Got it: you owe Capital One $5,000" in said, said
        new_stop.set()
        await asyncio.wait_for(new, timeout=30)
    finally:
        new_stop.set()
        new_store.close()
        old_store.close()
    texts = [m.text for m in sam.inbox]
    assert sum("What kind of debt" in t for t in texts) == 1
    assert sum("How much do you owe" in t for t in texts) == 1
    assert sum("Got it: you owe Capital One $5,000" in t for t in texts) == 1
    assert server.errors == []
