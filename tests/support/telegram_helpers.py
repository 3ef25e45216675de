"""People talking to the bot through the fake Bot API, and the bot started as `debtcoach run` does.

`running_bot` runs the real PTB Application through `bot.telegram.app.serve`, the same function
the command line runs, against the fake server over HTTP. `Person` sends what a user would
(typed text, a button pressed by its label) and waits for the coach's whole answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

from telegram.ext import Application

from bot.settings import Settings
from bot.store import Store
from bot.telegram.app import build_application, serve
from bot.telegram.coach import PolledCoach
from tests.support.clock import today_of
from tests.support.fake_telegram import TOKEN, FakeTelegram, SentMessage
from tests.support.sample import SAMPLE, telegram_steps

FIXED_NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = today_of(FIXED_NOW)
QUIET = 0.08  # seconds without a new message after which an answer is taken as complete


def negotiation(*, after: str | None = None, until: str | None = None) -> list[tuple[str, str]]:
    """The sample negotiation (tests/support/sample.py) as a Telegram user plays it on TODAY, from
    checkpoint `after` to checkpoint `until`: buttons pressed by label, words and figures typed."""
    return telegram_steps(SAMPLE.part(after=after, until=until), TODAY)


def settings_for(server: FakeTelegram, home: Path, database_url: str | None = None) -> Settings:
    return Settings(
        data_dir=home,
        database_url=database_url or f"sqlite:///{home / 'debtcoach.sqlite3'}",
        telegram_bot_token=TOKEN,
        telegram_api_url=server.url,
    )


@contextlib.asynccontextmanager
async def running_bot(
    server: FakeTelegram,
    store: Store,
    home: Path,
    clock: Callable[[], datetime] = lambda: FIXED_NOW,
    reminder_tick: float = 0.05,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = build_application(settings_for(server, home), store, clock=clock, reminder_tick=reminder_tick)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop))
    polls = sum(1 for method, _ in server.calls if method.lower() == "getupdates")
    await server.wait_for(
        lambda: task.done() or sum(1 for m, _ in server.calls if m.lower() == "getupdates") > polls, timeout=15
    )
    if task.done():
        task.result()  # raises what stopped it
    try:
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


def coach_of(app: Application) -> PolledCoach:  # type: ignore[type-arg]
    coach = app.bot_data["coach"]
    assert isinstance(coach, PolledCoach)
    return coach


class Person:
    def __init__(self, server: FakeTelegram, user_id: int, *, first_name: str = "Alex", language: str = "en") -> None:
        self.server = server
        self.user_id = user_id
        self.first_name = first_name
        self.language = language

    @property
    def inbox(self) -> list[SentMessage]:
        return self.server.messages(self.user_id)

    async def says(self, text: str) -> list[SentMessage]:
        before = len(self.inbox)
        self.server.user_says(self.user_id, text, first_name=self.first_name, language_code=self.language)
        return await self.answer_since(before)

    async def presses(self, label: str, timeout: float = 15.0) -> list[SentMessage]:
        """Press `label` once the latest message with buttons shows it: an answer's last part,
        which carries the buttons, may still be on its way when the first parts have settled."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.shows(label) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(QUIET)
        return await self.sends_data(self.button(label))

    def shows(self, label: str) -> bool:
        with_buttons = [m for m in self.inbox if m.choices]
        return bool(with_buttons) and label in dict(with_buttons[-1].choices)

    async def sends_data(self, data: str, message_id: int | None = None) -> list[SentMessage]:
        before = len(self.inbox)
        self.server.user_presses(
            self.user_id, data, message_id=message_id, first_name=self.first_name, language_code=self.language
        )
        return await self.answer_since(before)

    def button(self, label: str) -> str:
        """The data of the button with this label on the latest message that has buttons."""
        with_buttons = [m for m in self.inbox if m.choices]
        assert with_buttons, "no message with buttons yet"
        choices = dict(with_buttons[-1].choices)
        assert label in choices, f"no button {label!r} in {list(choices)}"
        return choices[label]

    async def answer_since(self, before: int, timeout: float = 15.0) -> list[SentMessage]:
        await self.server.wait_messages(self.user_id, before + 1, timeout=timeout)
        return await self.settled(before)

    async def settled(self, before: int) -> list[SentMessage]:
        """Wait until no new message has come for QUIET seconds; return what came after `before`."""
        seen = -1
        while len(self.inbox) != seen:
            seen = len(self.inbox)
            await asyncio.sleep(QUIET)
        return self.inbox[before:]

    async def does(self, steps: list[tuple[str, str]]) -> list[SentMessage]:
        before = len(self.inbox)
        for kind, value in steps:
            if kind == "say":
                await self.says(value)
            else:
                await self.presses(value)
        return self.inbox[before:]


def text_of(messages: list[SentMessage]) -> str:
    return "\n\n".join(m.text for m in messages)
