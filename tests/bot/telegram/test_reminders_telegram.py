"""Reminders through the real bot and the fake Bot API, with a clock the test moves.

The scheduler inside `serve()` looks for due reminders every 50 ms of real time; the test sets
the coach's clock just before and at each moment a reminder is due and watches what arrives.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.models import ReminderRow, User
from bot.store import Store
from tests.support.clock import expand
from tests.support.fake_telegram import FakeTelegram, FloodLimits, SentMessage
from tests.support.seeds import seed_plan
from tests.support.telegram_helpers import TODAY, Person, negotiation, running_bot

START = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
# The sample negotiation, up to the plan: three monthly $600 payments from 15 February
# 2027, so the March and April ones fall after the US clocks go forward (14 March 2027).
UP_TO_THE_PLAN = [
    *negotiation(until="instalments chosen"),
    ("say", "2027-02-15"),
    ("press", "Every month"),
    ("say", expand("{date:+5d}", TODAY)),  # sign by
]
CHICAGO, BERLIN = ZoneInfo("America/Chicago"), ZoneInfo("Europe/Berlin")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, zone: ZoneInfo, *when: int) -> None:
        self.now = datetime(*when, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


async def _quiet(person: Person, seconds: float = 0.3) -> None:
    """Several scheduler ticks pass and nothing arrives."""
    before = len(person.inbox)
    await asyncio.sleep(seconds)
    assert person.inbox[before:] == []


async def _arrives(person: Person) -> list[SentMessage]:
    before = len(person.inbox)
    return await person.answer_since(before)


async def _agree_plan(person: Person, zone_typed: str) -> None:
    got = await person.does(UP_TO_THE_PLAN)
    # Asked once, by the way, with the guess from the language.
    assert sum("Your time zone: America/New_York" in m.text for m in got) == 1
    reply = await person.says(zone_typed)
    assert "Time zone set" in reply[0].text
    await person.presses("The signed copy came back")
    await person.presses("Yes, I have their signed copy")  # drafted today: asked once more


def _statuses(store: Store, user_id: int | None = None) -> dict[str, str]:
    """Each stored reminder's status, by its key (of one person's, if there are several)."""
    query = select(ReminderRow.key, ReminderRow.status)
    if user_id is not None:
        query = query.join(User, User.id == ReminderRow.user_id).where(User.external_id == str(user_id))
    with store.engine.connect() as conn:
        return dict(conn.execute(query).all())  # type: ignore[arg-type]


def _reminders_of(person: Person, since: int) -> list[str]:
    return [m.text for m in person.inbox[since:]]


async def test_a_three_payment_plan_is_reminded_at_local_times_in_two_zones_across_dst(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    clock = Clock(START)
    alex, bea = Person(server, 301), Person(server, 302)
    async with running_bot(server, store, tmp_path, clock=clock):
        await _agree_plan(alex, "Chicago")
        await _agree_plan(bea, "Berlin")
        expected: list[tuple[datetime, Person, str]] = []
        for person, zone in ((alex, CHICAGO), (bea, BERLIN)):
            for month in (2, 3, 4):
                expected.append((datetime(2027, month, 12, 9, 0, tzinfo=zone), person, "Coming up: $600"))
                expected.append((datetime(2027, month, 15, 9, 0, tzinfo=zone), person, "Today: $600"))
                expected.append((datetime(2027, month, 16, 9, 0, tzinfo=zone), person, "was due"))
        expected.sort(key=lambda e: e[0])
        for when, person, words in expected:
            clock.now = when.astimezone(UTC) - timedelta(minutes=1)
            await _quiet(person, 0.2)
            clock.now = when.astimezone(UTC)
            got = await _arrives(person)
            assert len(got) == 1 and words in got[0].text, (when, got)
            assert "Sorry this is late" not in got[0].text
    assert server.errors == []


async def test_a_reminder_due_while_the_bot_was_down_is_sent_once_and_marked_late(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    clock = Clock(START)
    alex = Person(server, 311)
    async with running_bot(server, store, tmp_path, clock=clock):
        await _agree_plan(alex, "Chicago")
    before = len(alex.inbox)
    # Down from Sunday until 11:00 on the day of the first payment: the 3-days-before reminder
    # is moot by now; the morning one goes out, late, and only once.
    clock.at(CHICAGO, 2027, 2, 15, 11, 0)
    async with running_bot(server, store, tmp_path, clock=clock):
        got = await alex.answer_since(before)
        await _quiet(alex, 0.5)
    assert len(alex.inbox) == before + 1
    assert "Sorry this is late" in got[0].text and "Today: $600 to Capital One" in got[0].text
    rows = _statuses(store)
    assert rows["soon:1:0:20270215"] == "skipped"
    assert rows["due:1:0:20270215"] == "sent"


async def test_a_reminder_held_up_longer_than_its_lease_is_still_sent_once(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    """Telegram keeps a reminder waiting (flood control) for five minutes of the coach's clock,
    more than twice the claim's two-minute lease. The scheduler renews the lease meanwhile, so
    no later tick claims the reminder again and the person gets it once."""
    clock = Clock(START)
    alex = Person(server, 321)
    async with running_bot(server, store, tmp_path, clock=clock):
        await _agree_plan(alex, "Chicago")
        before = len(alex.inbox)
        server.hold("sendMessage")
        clock.at(CHICAGO, 2027, 2, 12, 9, 0)  # three days before the first payment
        await server.wait_for(lambda: server.held >= 1, what="the reminder on its way")
        for _ in range(10):  # five minutes in steps of 30 s, a few scheduler ticks each
            clock.now += timedelta(seconds=30)
            await asyncio.sleep(0.15)
        server.release()
        got = await alex.answer_since(before)
        await _quiet(alex, 0.5)
    assert len(alex.inbox) == before + 1
    assert "Coming up: $600" in got[0].text
    rows = _statuses(store)
    assert rows["soon:1:0:20270215"] == "sent"


async def test_paid_stops_an_instalment_and_not_yet_and_cant_pay_lead_on(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    clock = Clock(START)
    alex = Person(server, 321)
    async with running_bot(server, store, tmp_path, clock=clock):
        await _agree_plan(alex, "Chicago")
        clock.at(CHICAGO, 2027, 2, 15, 9, 0)
        await _arrives(alex)
        clock.at(CHICAGO, 2027, 2, 15, 18, 0)
        got = await alex.presses("Paid")
        assert "Recorded: $600 paid" in got[0].text
        # No "did it go through?" the next morning for a payment already made.
        clock.at(CHICAGO, 2027, 2, 16, 9, 0)
        await _quiet(alex)

        clock.at(CHICAGO, 2027, 3, 12, 9, 0)
        await _arrives(alex)
        got = await alex.presses("Not yet")
        assert "I'll check with you the day after" in got[0].text
        clock.at(CHICAGO, 2027, 3, 16, 9, 0)  # the morning reminder of the 15th is moot by now
        got = await _arrives(alex)
        assert "was due Mon 15 Mar 2027" in got[0].text
        got = await alex.presses("I can't pay this one")
        said = "\n".join(m.text for m in got)
        assert "Call Capital One today" in said and "was missed" in said
        got = await alex.presses("Remind me before I call")
        assert "When will you call Capital One?" in got[-1].text
        got = await alex.says("tomorrow 10am")
        assert "Wed 17 Mar, 10:00 AM" in got[0].text
        clock.at(CHICAGO, 2027, 3, 17, 9, 29)
        await _quiet(alex)
        clock.at(CHICAGO, 2027, 3, 17, 9, 30)
        got = await _arrives(alex)
        assert "Your call with Capital One is at 10:00 AM" in got[0].text
        assert "My payment of $600 due Mon 15 Mar 2027 was missed" in got[0].text
    assert server.errors == []


async def test_quiet_hours_hold_and_a_late_reminder_waits_for_morning(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    clock = Clock(START)
    alex = Person(server, 331)
    async with running_bot(server, store, tmp_path, clock=clock):
        await _agree_plan(alex, "Chicago")
        await alex.says("/reminders")
        await alex.presses("Change quiet hours")
        got = await alex.says("10pm to 10:30am")
        assert "10:00 PM to 10:30 AM" in got[0].text
        clock.at(CHICAGO, 2027, 2, 12, 9, 0)
        await _quiet(alex)  # the 09:00 reminder waits for 10:30
    # Down from 09:00 to 23:00: the held reminder is late now, but 23:00 is quiet again.
    clock.at(CHICAGO, 2027, 2, 12, 23, 0)
    before = len(alex.inbox)
    async with running_bot(server, store, tmp_path, clock=clock):
        await asyncio.sleep(0.5)
        assert alex.inbox[before:] == []
        clock.at(CHICAGO, 2027, 2, 13, 10, 30)
        got = await _arrives(alex)
        assert "Sorry this is late" in got[0].text and "Coming up: $600" in got[0].text
        clock.at(CHICAGO, 2027, 2, 15, 10, 29)
        await _quiet(alex)
        clock.at(CHICAGO, 2027, 2, 15, 10, 30)
        got = await _arrives(alex)
        assert "Today: $600" in got[0].text and "late" not in got[0].text


async def test_a_scheduled_call_gets_its_script_half_an_hour_before_with_current_figures(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    clock = Clock(START)
    alex = Person(server, 341)
    async with running_bot(server, store, tmp_path, clock=clock):
        await alex.does(negotiation(until="countered back"))  # the offer is out; they countered, we offered $1,400
        got = await alex.presses("Remind me before I call")
        got = await alex.says("tomorrow at 10am")
        assert "The script comes Mon 23 Nov, 9:30 AM" in got[0].text
        clock.at(ZoneInfo("America/New_York"), 2026, 11, 23, 9, 29)
        await _quiet(alex)
        clock.at(ZoneInfo("America/New_York"), 2026, 11, 23, 9, 30)
        got = await _arrives(alex)
        assert "Your call with Capital One is at 10:00 AM" in got[0].text
        assert "I can offer $1,400 in one payment" in got[0].text  # the latest figure, not the opening one
        clock.at(ZoneInfo("America/New_York"), 2026, 11, 23, 11, 0)
        got = await _arrives(alex)
        assert "How did the call with Capital One go?" in got[0].text
        # Straight into recording the creditor's answer.
        got = await alex.presses("They named another figure")
        assert got[-1].text.startswith("What figure did they name?")


async def test_a_reminder_to_someone_who_blocked_the_bot_is_dropped_and_marked_failed(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    """Telegram refuses it for good (403): it is not tried again, and what comes after it for
    anyone else goes out as usual."""
    clock = Clock(START)
    alex, bea = Person(server, 351), Person(server, 352)
    async with running_bot(server, store, tmp_path, clock=clock):
        await _agree_plan(alex, "New York")
        await _agree_plan(bea, "New York")
        server.blocks(351)
        clock.at(ZoneInfo("America/New_York"), 2027, 2, 12, 9, 0)
        got = await _arrives(bea)
        assert "Coming up: $600" in got[0].text
        await server.wait_for(lambda: _statuses(store, 351)["soon:1:0:20270215"] == "failed", timeout=10)
        await _quiet(alex)
    assert [(e.method, e.error_code) for e in server.errors] == [("sendMessage", 403)]
    assert _statuses(store, 352)["soon:1:0:20270215"] == "sent"


async def test_many_due_at_once_are_paced_within_telegrams_limits(tmp_path: Path) -> None:
    """60 people, a third with two debts, all due the same morning: the scheduler keeps to 25 a
    second and one a second per chat without being told no, and loses nothing."""
    store = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
    chats = list(range(500, 560))
    for chat in chats:
        seed_plan(store, chat, START, debts=2 if chat % 3 == 0 else 1)
    clock = Clock(START)
    clock.at(ZoneInfo("America/New_York"), 2027, 2, 15, 9, 0)
    limits = FloodLimits(overall_per_second=30, per_chat_interval=1.0)
    async with FakeTelegram(flood_limits=limits) as server:
        for chat in chats:
            server.knows(chat)
        async with running_bot(server, store, tmp_path, clock=clock):
            await server.wait_for(
                lambda: sum(len(server.messages(c)) for c in chats) >= 80, timeout=30, what="80 reminders"
            )
            await asyncio.sleep(0.3)
        assert server.flood_refusals == [] and server.errors == []
        assert [len(server.messages(c)) for c in chats] == [2 if c % 3 == 0 else 1 for c in chats]
        assert server.max_in_window(1.0) <= 25
        assert all(server.min_gap(c) >= 1.0 for c in chats)
    store.close()
