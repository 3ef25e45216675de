"""Delivery in Telegram: every saved answer reaches its person, in order, whatever Telegram does
meanwhile (flood control on one chat, the API down, a clean stop), and old buttons go away.

The real bot (`running_bot`, the same `serve` as `debtcoach run`) against the strict fake Bot API.
The figures each test measures are printed (`pytest -s`), for the notes that quote them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.models import Base, InboxUpdate, LiveKeyboard, OutboxMessage
from bot.store import Store
from tests.support.backends import BACKENDS, scratch_postgres
from tests.support.fake_telegram import FakeTelegram, SentMessage
from tests.support.telegram_helpers import Person, coach_of, negotiation, running_bot, text_of


def stored(store: Store, user_id: int) -> str:
    with store.user("telegram", str(user_id)) as user:
        return json.dumps(user.export(), ensure_ascii=False)


def rows(store: Store, model: type[Base]) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def with_buttons(person: Person) -> list[SentMessage]:
    return [m for m in person.inbox if m.choices]


# -- 5: one person never stalls another ------------------------------------------------------------


async def test_one_person_flooding_their_chat_does_not_slow_anyone_else(store: Store, tmp_path: Path) -> None:
    """Sixty messages from one person while Telegram lets their chat have one a second: their
    answers queue up behind 429s, and everyone else is answered as quickly as ever meanwhile."""
    async with FakeTelegram() as server:
        flooder = Person(server, 1501)
        others = [Person(server, 1510 + n) for n in range(5)]
        async with running_bot(server, store, tmp_path):
            for person in (flooder, *others):
                await person.does(negotiation(until="creditor named"))
            server.enforce_flood_limits(overall_per_second=30, per_chat_interval=1.0)
            await asyncio.sleep(1.0)  # every chat's last message a second behind it
            flooded_before = len(flooder.inbox)
            for _ in range(60):
                server.user_says(flooder.user_id, "/debts")
            await server.wait_for(lambda: len(server.flood_refusals) > 0, what="the flooder's chat refused")
            latencies: list[float] = []

            async def answered_in(person: Person) -> float:
                before = len(person.inbox)
                began = time.monotonic()
                server.user_says(person.user_id, "/debts")
                got = await person.answer_since(before, timeout=150)  # long enough to measure a stall
                assert "Your debts" in got[0].text
                return got[0].sent_at - began

            for _ in range(4):
                latencies += await asyncio.gather(*(answered_in(person) for person in others))
                await asyncio.sleep(1.0)  # each of them writes less than once a second
            backlog = 60 - (len(flooder.inbox) - flooded_before)
            server.flood_limits = None
            await server.wait_messages(flooder.user_id, flooded_before + 60, timeout=60)
            await flooder.settled(flooded_before)
    print(
        f"\nothers answered in p50 {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        f" while the flooder's chat still had {backlog} of 60 answers to come"
    )
    assert max(latencies) < 1.0, latencies
    assert backlog > 20, "the flooder's answers were not held up: the test shows nothing"
    assert [m.text.startswith("Your debts") for m in flooder.inbox[flooded_before:]] == [True] * 60
    refused = {(e.method, e.error_code, e.params.get("chat_id")) for e in server.errors}
    assert refused == {("sendMessage", 429, flooder.user_id)}, refused


# -- 6: no reply is lost ---------------------------------------------------------------------------


async def test_answers_saved_while_the_api_is_down_are_all_delivered_in_order_once_it_is_back(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    """Three people send twenty messages each; the bot takes them all, and the Bot API goes down
    for longer than any retry waits (25 s). Nothing is lost: once the API is back every answer
    arrives, in the order of the messages, once."""
    down_for = 25.0
    people = [Person(server, 1600 + n) for n in range(3)]
    async with running_bot(server, store, tmp_path):
        for person in people:
            await person.says("/start")
        before = {p.user_id: len(p.inbox) for p in people}
        server.hold("sendMessage")  # the first answers are on their way when the API goes down
        for number in range(1, 11):
            for person in people:
                server.user_says(person.user_id, "/new")
                server.user_says(person.user_id, f"Bank {number}")
        await server.wait_for(lambda: server.pending_updates() == 0, what="all 60 updates fetched and confirmed")
        server.go_down()
        server.release()
        await asyncio.sleep(down_for)
        server.come_back()
        # Each "/new" is answered with two messages, each bank with one: 90 in all.
        with contextlib.suppress(AssertionError):  # the figure is printed either way
            await server.wait_for(lambda: sum(len(p.inbox) - before[p.user_id] for p in people) >= 90, timeout=60)
        await asyncio.gather(*(p.settled(before[p.user_id]) for p in people))
    delivered = sum(len(p.inbox) - before[p.user_id] for p in people)
    print(f"\nAPI down {down_for:.0f} s: {delivered} of 90 messages (60 answers) delivered; {server.bad_gateways} 502s")
    for person in people:
        answers = [m.text for m in person.inbox[before[person.user_id] :]]
        kinds = [t for t in answers if t.startswith("What kind of debt is it with")]
        assert kinds == [f"What kind of debt is it with Bank {n}?" for n in range(1, 11)], answers
        assert len(answers) == 30
    assert server.errors == []


# -- 7: a clean stop leaves nothing behind -------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on SQLite, and on PostgreSQL too when DEBTCOACH_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        opened = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
        yield opened
        opened.close()
        return
    with scratch_postgres() as url:
        opened = Store(url)
        yield opened
        opened.close()


async def test_after_a_clean_stop_no_answered_update_is_left_in_the_inbox(
    server: FakeTelegram, any_store: Store, tmp_path: Path
) -> None:
    """Thirty people send twenty messages each, each the moment the last is answered, and the
    bot is stopped cleanly once every one is answered. Not one of the 600 answered updates may
    stay in the inbox (the next start would take it for one cut off by a crash), nor anything
    in the outbox, and the next start says nothing."""
    people = [Person(server, 1700 + n) for n in range(30)]

    async def play(person: Person) -> None:
        server.user_says(person.user_id, "/start")  # answered with two messages
        await server.wait_messages(person.user_id, 2, timeout=60)
        for number in range(19):
            server.user_says(person.user_id, "/debts")  # one each
            await server.wait_messages(person.user_id, 3 + number, timeout=60)

    async with running_bot(server, any_store, tmp_path):
        await asyncio.gather(*(play(person) for person in people))
    left = rows(any_store, InboxUpdate), rows(any_store, OutboxMessage)
    backend = any_store.engine.dialect.name
    print(f"\n{backend}: of 600 answered updates {left[0]} left in the inbox, {left[1]} in the outbox")
    assert left == (0, 0)
    assert all(len(p.inbox) == 21 for p in people)
    async with running_bot(server, any_store, tmp_path):
        await asyncio.sleep(0.5)
    assert all(len(p.inbox) == 21 for p in people), "the restart said something"
    assert server.errors == []


# -- 2: answered questions lose their buttons; groups are refused ------------------------------------


async def test_an_answered_question_loses_its_buttons_tapped_or_typed(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex = Person(server, 1801)
    async with running_bot(server, store, tmp_path):
        for step in negotiation(until="first instalment paid"):
            got = await alex.does([step])
            # Only this answer's messages may still show buttons (the question just asked, and
            # a side question such as the time zone).
            assert with_buttons(alex) == [m for m in got if m.choices], step
    assert len(alex.inbox) > 30 and len(with_buttons(alex)) <= 2
    assert server.issued_callbacks == set(server.answered_callbacks)
    assert server.errors == []  # no edit of a message without buttons, no callback answered twice


async def test_buttons_shown_before_a_restart_are_taken_away_after_it(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex = Person(server, 1802)
    async with running_bot(server, store, tmp_path):
        await alex.does(negotiation(until="balance given"))  # asked, with buttons, whether it is in writing
    [asked] = with_buttons(alex)
    assert rows(store, LiveKeyboard) == 1
    async with running_bot(server, store, tmp_path):
        got = await alex.says("yes")
    assert "How long have you been behind" in got[0].text
    assert asked.choices == [] and with_buttons(alex) == [got[-1]]
    assert server.errors == []


async def test_an_edit_telegram_refuses_is_shrugged_off(
    server: FakeTelegram, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alex = Person(server, 1803)
    async with running_bot(server, store, tmp_path) as app:
        await alex.does(negotiation(until="balance given"))
        [asked] = with_buttons(alex)
        server.make_uneditable(1803, asked.message_id, deleted=True)
        got = await alex.presses("Yes")
        assert "How long have you been behind" in got[0].text
        server.make_uneditable(1803, got[-1].message_id)  # too old to edit, say
        got = await alex.says("8 months")
        assert "the original lender (the company" in got[0].text
        assert coach_of(app).failures == 0
    assert [(e.method, e.description) for e in server.errors] == [
        ("editMessageReplyMarkup", "Bad Request: message to edit not found"),
        ("editMessageReplyMarkup", "Bad Request: message can't be edited"),
    ]
    assert "sorry" not in text_of(alex.inbox).lower()
    assert [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []


async def test_a_press_or_a_command_in_a_group_is_refused_and_the_press_still_answered(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    group = -100500
    server.group(group, "Flatmates")
    alex = Person(server, 1804)
    async with running_bot(server, store, tmp_path):
        await alex.does(negotiation(until="balance given"))
        before = stored(store, 1804)
        data = alex.button("Yes")
        server.user_presses(1804, data, chat_id=group)
        await server.wait_messages(group, 1)
        server.user_says(1804, "hello everyone", chat_id=group)  # not for the bot: nothing
        server.user_says(1804, "/start@debtcoach_test_bot", chat_id=group)
        await server.wait_messages(group, 2)
        await asyncio.sleep(0.3)
    assert [m.text for m in server.messages(group)] == [
        "Your debts are private, so I only work in a one-to-one chat. Open a private chat with me to start."
    ] * 2
    assert stored(store, 1804) == before, "the press in the group changed nothing"
    assert len(with_buttons(alex)) == 1 and "in writing" in alex.inbox[-1].text
    assert server.issued_callbacks == set(server.answered_callbacks)
    assert server.errors == []
