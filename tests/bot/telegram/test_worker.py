"""`debtcoach worker`s behind the webhook, several at once and killed without warning: the real
processes on PostgreSQL, and the fake Bot API posting every person's updates to the webhook as
Telegram does (up to 40 posts at once, so one person's updates may arrive out of order)."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import ReminderRow
from bot.store import Store
from tests.support.backends import PG_ENV
from tests.support.fake_telegram import FakeTelegram, FloodLimits
from tests.support.sample import SAMPLE
from tests.support.seeds import seed_plan
from tests.support.service import WORKER_READY, Service
from tests.support.telegram_helpers import Person

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(PG_ENV not in os.environ, reason=f"needs PostgreSQL: set {PG_ENV} (CI does)"),
]

# The morning the first instalment of everyone seeded with a plan is due: their reminder is due.
DUE_MORNING = datetime(2027, 2, 15, 14, 0, tzinfo=UTC)  # 09:00 in New York
PEOPLE = 50
REMINDED = 20
KILLS = 4
REPEATED_AT_MOST = 4  # messages in one answer of the sample's (all of them sent again after a crash)
FAST_RECOVERY = {"DEBTCOACH_WORKER_HEARTBEAT": "0.5", "DEBTCOACH_WORKER_STALLED_AFTER": "3"}


@pytest.fixture
async def service(server: FakeTelegram, tmp_path: Path, database: str) -> AsyncIterator[Service]:
    running = Service(
        server,
        tmp_path,
        database,
        DEBTCOACH_NOW=DUE_MORNING.isoformat(),
        DEBTCOACH_WORKER_CONCURRENCY="8",
        **FAST_RECOVERY,
    )
    try:
        yield running
    finally:
        await running.kill_all()


def typed_lines() -> list[str]:
    """The sample negotiation from the creditor's name to the budget, every answer typed (a
    button's label for the button): a person can send them all without waiting."""
    return [move.text for move in SAMPLE.part(until="budget set") if move.kind != "command"]


def transcript(person: Person) -> tuple[list[str], int]:
    """What the person was sent, in order, with what was sent again after a crash left out (a
    worker killed after sending an answer's messages and before writing that down: the answer's
    messages, a few at most, come again right after), and how many messages that was."""
    told: list[str] = []
    again = 0
    for message in person.inbox:
        told.append(message.text)
        for size in range(1, REPEATED_AT_MOST + 1):
            if len(told) >= 2 * size and told[-size:] == told[-2 * size : -size]:
                del told[-size:]
                again += size
                break
    return told, again


def debts_of(store: Store, chat: int) -> list[dict[str, Any]]:
    """The person's debts as their export gives them, but for when each was entered and last
    changed."""
    with store.user("telegram", str(chat)) as user:
        debts: list[dict[str, Any]] = user.export()["debts"]
    return [{key: value for key, value in debt.items() if key not in ("created_at", "updated_at")} for debt in debts]


async def test_fifty_people_at_once_on_three_workers_killed_in_turn_each_answered_once_and_in_order(
    server: FakeTelegram, service: Service, database: str
) -> None:
    store = Store(database)
    try:
        for chat in range(900, 900 + REMINDED):
            seed_plan(store, chat, DUE_MORNING.replace(year=2026, month=11, day=25))
            server.knows(chat)
        await service.start(workers=3)
        # Someone alone first, answer by answer: what everyone must be told, in this order.
        reference = Person(server, 100)
        await reference.says("/start")
        for line in typed_lines():
            await reference.says(line)
        expected, _ = transcript(reference)
        assert "Capital One" in expected[-1] or len(expected) > len(typed_lines()), expected

        people = [Person(server, 200 + n) for n in range(PEOPLE)]
        for person in people:  # everything at once: /start and every answer, without waiting
            for line in ["/start", *typed_lines()]:
                server.user_says(person.user_id, line, first_name=person.first_name)
        killed = 0
        rng = random.Random(7)
        while killed < KILLS:
            await asyncio.sleep(1.5)
            victim = rng.choice(service.workers)
            await victim.kill()
            killed += 1
            await victim.start(server, WORKER_READY)
        await server.wait_for(
            lambda: all(len(transcript(p)[0]) >= len(expected) for p in people),
            timeout=120,
            what="everyone's answers",
        )
        await server.wait_for(
            lambda: all(server.messages(chat) for chat in range(900, 900 + REMINDED)),
            timeout=60,
            what="every reminder",
        )
        await asyncio.sleep(1.0)  # anything sent twice arrives now
        await service.stop()

        repeats = 0
        for person in people:
            said, again = transcript(person)
            assert said == expected, f"person {person.user_id} was told another story:\n{_difference(said, expected)}"
            assert again <= KILLS * REPEATED_AT_MOST
            repeats += again
        assert debts_of(store, 100) != []
        for person in people:
            assert debts_of(store, person.user_id) == debts_of(store, 100), "every answer applied once"
        for chat in range(900, 900 + REMINDED):
            reminders = [m.text for m in server.messages(chat)]
            assert 1 <= len(reminders) <= 2 and len(set(reminders)) == 1, reminders
            assert "Creditor 1" in reminders[0] and "$600" in reminders[0]
        with store.engine.connect() as conn:
            statuses = conn.execute(select(ReminderRow.status, ReminderRow.due_at)).all()
        # Each one due is sent, or skipped for a later one of the same payment: none left behind.
        assert {status for status, due in statuses if due <= DUE_MORNING} == {"sent", "skipped"}
        assert server.errors == [] or {e.method for e in server.errors} == {"editMessageReplyMarkup"}
        print(f"killed {killed} workers; {repeats} messages repeated in all")
    finally:
        store.close()


def _told(server: FakeTelegram, chat: int, words: str) -> bool:
    return any(words in message.text for message in server.messages(chat))


def _difference(said: list[str], expected: list[str]) -> str:
    """Where the two first part, and what each says from there (shortened)."""
    parted = (n for n, (a, b) in enumerate(zip(said, expected, strict=False)) if a != b)
    at = next(parted, min(len(said), len(expected)))
    told = "\n".join(f"  {n}: {text[:90]!r}" for n, text in enumerate(said[at : at + 4], start=at))
    meant = "\n".join(f"  {n}: {text[:90]!r}" for n, text in enumerate(expected[at : at + 4], start=at))
    return f"told, from message {at}:\n{told}\nwhere the reference was told:\n{meant}"


async def test_two_workers_keep_to_one_send_budget_for_the_token(tmp_path: Path, database: str) -> None:
    """Sixty people, a third with two debts, all reminded the same morning by two workers: the
    workers share one budget (22 slots a second in all, a second between two messages to a
    chat), so Telegram never says no and never sees 30 in a second, and nothing is lost."""
    store = Store(database)
    chats = list(range(500, 560))
    try:
        for chat in chats:
            seed_plan(store, chat, DUE_MORNING.replace(year=2026, month=11, day=25), debts=2 if chat % 3 == 0 else 1)
        limits = FloodLimits(overall_per_second=30, per_chat_interval=1.0)
        async with FakeTelegram(flood_limits=limits) as server:
            for chat in chats:
                server.knows(chat)
            service = Service(server, tmp_path, database, DEBTCOACH_NOW=DUE_MORNING.isoformat())
            try:
                await service.start(workers=2)
                await server.wait_for(
                    lambda: sum(len(server.messages(c)) for c in chats) >= 80, timeout=30, what="80 reminders"
                )
                await asyncio.sleep(0.3)
                await service.stop()
            finally:
                await service.kill_all()
            assert server.flood_refusals == [] and server.errors == []
            assert [len(server.messages(c)) for c in chats] == [2 if c % 3 == 0 else 1 for c in chats]
            assert server.max_in_window(1.0) < 30
            assert all(server.min_gap(c) >= 1.0 for c in chats)
    finally:
        store.close()


async def test_a_service_with_a_retention_rule_tells_the_silent_and_says_so_in_privacy(
    server: FakeTelegram, tmp_path: Path, database: str
) -> None:
    """DEBTCOACH_RETENTION_DAYS=365: someone silent for eleven months hears from a worker that
    their data goes in a month unless they write, and /privacy says the rule."""
    signed = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    store = Store(database)
    try:
        seed_plan(store, 951, signed)
        server.knows(951)
        later = signed.replace(year=2027, month=11, day=1)
        service = Service(server, tmp_path, database, DEBTCOACH_NOW=later.isoformat(), DEBTCOACH_RETENTION_DAYS="365")
        try:
            await service.start(workers=1)
            # Reminders missed while nobody ran may come first, late; the notice is among them.
            told = "You haven't written to me since Wed 25 Nov 2026"
            await server.wait_for(lambda: _told(server, 951, told), timeout=30, what="the notice")
            server.user_says(951, "/privacy")
            rule = "haven't written to me for 365 days: 30 days before, I tell you"
            await server.wait_for(lambda: _told(server, 951, rule), timeout=30, what="/privacy")
            await service.stop()
        finally:
            await service.kill_all()
        with store.user("telegram", "951") as user:
            assert user.noticed_at is None, "their /privacy was a message: the notice no longer holds"
    finally:
        store.close()
