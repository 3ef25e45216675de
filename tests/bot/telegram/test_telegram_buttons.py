"""Old buttons through the real bot: each press does what its label says, once, or nothing.

Each test reproduces a way ordinary taps used to erase or falsify a person's records: an old
confirmation confirming a different question, a double tap on "Paid" paying the next instalment
too, a /delete delivered again bringing the erased person back. Button data is read off the
message as it arrived (keyboards are taken away once answered, as Telegram would show them).
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from bot.store import Store
from tests.support.fake_telegram import FakeTelegram, SentMessage
from tests.support.telegram_helpers import Person, negotiation, running_bot, text_of


def export_of(store: Store, user_id: int) -> dict[str, object]:
    with store.user("telegram", str(user_id)) as user:
        document = user.export()
    assert isinstance(document, dict)
    return document


def button_on(messages: list[SentMessage], label: str) -> tuple[str, int]:
    """The data of the button labelled so, and the message it is on, from a reply as it came."""
    for message in messages:
        for shown, data in message.choices_sent:
            if shown == label:
                return data, message.message_id
    raise AssertionError(f"no button {label!r} in {[m.choices_sent for m in messages]}")


def payment_statuses(store: Store, user_id: int) -> list[str]:
    [debt] = json.loads(json.dumps(export_of(store, user_id)["debts"]))
    return [payment["status"] for payment in debt["payments"]]


def people_rows(store: Store, user_id: int) -> int:
    with store.engine.connect() as conn:
        query = text("SELECT count(*) FROM users WHERE channel = 'telegram' AND external_id = :e")
        return int(conn.execute(query, {"e": str(user_id)}).scalar_one())


async def test_an_ignored_cancel_cannot_confirm_a_later_delete(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex = Person(server, 701)
    async with running_bot(server, store, tmp_path):
        await alex.does(negotiation(until="delinquency given"))  # Capital One, a credit card, $5,000, in writing
        before = export_of(store, 701)["debts"]
        start_over, on_message = button_on(await alex.says("/cancel"), "Yes, start this debt over")
        asked = await alex.says("/delete")
        assert "Erase" in text_of(asked)
        pressed = await alex.sends_data(start_over, message_id=on_message)
        assert "earlier question" in text_of(pressed) and "left everything as it was" in text_of(pressed)
        assert export_of(store, 701)["debts"] == before  # nothing erased, nothing started over
        # The erase question is still the one waiting: its own button does erase, once asked.
        erase, _ = button_on(asked, "Yes, erase everything")
        done = await alex.sends_data(erase)
        assert "Everything I stored about you is erased" in text_of(done)
    assert people_rows(store, 701) == 0
    assert server.errors == []


async def test_a_double_tap_on_paid_records_that_instalment_once(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex = Person(server, 702)
    async with running_bot(server, store, tmp_path):
        signed = await alex.does(negotiation(until="agreement signed"))
        [(_, paid_label)] = negotiation(after="agreement signed", until="first instalment paid")
        paid, on_message = button_on(signed, paid_label)
        before = len(alex.inbox)
        server.user_presses(702, paid, message_id=on_message)  # two taps before any answer
        server.user_presses(702, paid, message_id=on_message)
        await server.wait_messages(702, before + 2, timeout=15)
        both = await alex.settled(before)
        assert "already recorded as paid" in text_of(both)
        later = await alex.sends_data(paid, message_id=on_message)  # the same old message, later
        assert "already recorded as paid" in text_of(later)
    assert payment_statuses(store, 702) == ["paid", "due", "due"]
    assert server.errors == []


async def test_i_missed_it_twice_records_one_missed_instalment(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex = Person(server, 703)
    async with running_bot(server, store, tmp_path):
        signed = await alex.does(negotiation(until="agreement signed"))
        missed, on_message = button_on(signed, "I missed it / can't pay")
        first = await alex.sends_data(missed, message_id=on_message)
        assert "already recorded" not in text_of(first)
        again = await alex.sends_data(missed, message_id=on_message)
        assert "already recorded as missed" in text_of(again)
    assert payment_statuses(store, 703) == ["missed", "due", "due"]
    assert server.errors == []


async def test_a_delete_delivered_again_leaves_the_person_erased(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex = Person(server, 704)
    async with running_bot(server, store, tmp_path):
        await alex.does(negotiation(until="delinquency given"))
        erase, on_message = button_on(await alex.says("/delete"), "Yes, erase everything")
        before = len(alex.inbox)
        update_id = server.user_presses(704, erase, message_id=on_message)
        await alex.answer_since(before)
        assert people_rows(store, 704) == 0
        answered = len(alex.inbox)
        server.redeliver(update_id)  # Telegram was not sure the bot got it
        await server.wait_for(lambda: server.pending_updates() == 0, timeout=15)
        await alex.settled(answered)
    assert people_rows(store, 704) == 0, "the erased person came back"
    with store.engine.connect() as conn:
        for table in ("users", "letters", "reminders"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
    assert server.errors == []
