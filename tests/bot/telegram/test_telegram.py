"""The bot in Telegram: the real PTB Application, started as `debtcoach run` starts it, talking
HTTP to a fake Bot API server on 127.0.0.1 that refuses whatever Telegram refuses."""

from __future__ import annotations

import json
import zlib
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import text
from telegram import Update

from bot.store import Store
from bot.telegram.inbox_entry import Incoming, inbox_form, incoming
from dialogs.commands import COMMANDS
from dialogs.money import Money
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_helpers import Person, coach_of, negotiation, running_bot, text_of


def stored(store: Store, user_id: int) -> str:
    """Everything stored about one Telegram user, as the export would show it."""
    with store.user("telegram", str(user_id)) as user:
        return json.dumps(user.export(), ensure_ascii=False)


async def test_a_whole_negotiation_by_buttons_and_text(server: FakeTelegram, store: Store, tmp_path: Path) -> None:
    alex = Person(server, 101)
    async with running_bot(server, store, tmp_path):
        got = await alex.does(negotiation(until="first instalment paid"))

    said = text_of(got)
    assert said.startswith("Hi, I'm DebtCoach")
    assert "open at $1,000 (20%)" in said
    assert "$1,800 to Capital One, in 3 monthly instalments" in said
    assert "Paid so far: $600 of $1,800. Next: $600 due" in said
    documents = server.documents(101)
    names = [m.document.filename for m in documents if m.document]
    assert names == ["debt1-offer-letter-1.pdf", "debt1-settlement-agreement.pdf", "debtcoach-payments.ics"]
    *letters, calendar = documents
    for message in letters:
        assert message.document is not None and message.document.content.startswith(b"%PDF-")
        assert "sign it, keep a copy" in message.text  # the short summary beside the file
    # Once the signed copy is back, the plan comes as a calendar file, one event per payment.
    assert calendar.document is not None
    events = Calendar.from_ical(calendar.document.content).walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events] == [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert all(m.choices or m.document or m.text for m in got)
    assert server.errors == []
    # Every button press got its spinner stopped.
    assert server.issued_callbacks == set(server.answered_callbacks)
    # The menu beside the text field lists every command.
    assert [c["command"] for c in server.commands[None]] == list(COMMANDS)


async def test_export_sends_the_json_and_delete_erases_after_confirming(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex, sam = Person(server, 201), Person(server, 202)
    async with running_bot(server, store, tmp_path):
        await alex.does(negotiation(until="offer drafted"))
        await sam.does([("say", "/start"), ("say", "Other Bank")])
        exported = await alex.says("/export")
        # The question that waits comes again, with its buttons: the earlier ones were cleared.
        assert "They accepted" in dict(exported[-1].choices), exported[-1].text
        export = server.documents(201)[-1]
        assert export.document is not None and export.document.filename == "debtcoach-export.json"
        document = json.loads(export.document.content)
        dumped = json.dumps(document)
        assert "Capital One" in dumped and "I lost my job in June." in dumped and "Other Bank" not in dumped

        asked = await alex.says("/delete")
        assert asked[-1].choices, "deletion asks with buttons first"
        assert "Capital One" in stored(store, 201)  # nothing erased by asking
        await alex.presses(asked[-1].choices[0][0])
        assert "Capital One" not in stored(store, 201)
        assert "Other Bank" in stored(store, 202)
        fresh = await alex.says("/status")
    assert "We were working on" not in text_of(fresh) and "$5,000" not in text_of(fresh)
    assert server.errors == []


def debts_of(store: Store, user_id: int) -> list[dict[str, object]]:
    debts = json.loads(stored(store, user_id))["debts"]
    assert isinstance(debts, list)
    return debts


async def test_the_same_update_delivered_twice_gets_one_reply_and_one_change(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex = Person(server, 401)
    async with running_bot(server, store, tmp_path):
        await alex.does(negotiation(until="kind given"))  # now asked for the balance
        before = len(alex.inbox)
        update_id = server.user_says(401, "$5,000")
        answer = await alex.answer_since(before)
        assert "in writing" in text_of(answer)
        # Read again at the next question, "$5,000" would be refused with a yes/no hint.
        server.redeliver(update_id)
        server.redeliver(update_id)
        await server.wait_for(lambda: server.pending_updates() == 0)
        assert await alex.settled(before) == answer

        # And twice before the first copy is handled: still one answer.
        before = len(alex.inbox)
        update_id = server.user_says(401, "yes")
        server.redeliver(update_id)
        once = await alex.answer_since(before)
    assert len(once) == 1 and "How long have you been behind" in once[0].text
    [debt] = debts_of(store, 401)
    assert debt["state"] == "delinquency" and debt["balance"] == {"amount": "5000.00", "currency": "USD"}
    assert server.errors == []


async def test_two_quick_presses_and_a_burst_are_handled_in_order_once(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex = Person(server, 501)
    async with running_bot(server, store, tmp_path):
        await alex.does(negotiation(until="creditor named"))  # asked what kind of debt
        credit_card = alex.button("Credit card")
        before = len(alex.inbox)
        server.user_presses(501, credit_card)
        server.user_presses(501, credit_card)
        got = await alex.answer_since(before)
        assert "How much do you owe" in got[0].text
        assert "belongs to an earlier question" in got[-2].text
        assert [debt["kind"] for debt in debts_of(store, 501)] == ["credit_card"]

        before = len(alex.inbox)
        for text in ("$5,000", "yes", "8 months"):  # typed faster than the bot answers
            server.user_says(501, text)
        await server.wait_messages(501, before + 3)
        burst = await alex.settled(before)
    assert "in writing" in burst[0].text
    assert "How long have you been behind" in burst[1].text
    assert "the original lender (the company" in burst[2].text
    assert len(burst) == 3
    [debt] = debts_of(store, 501)
    assert (debt["state"], debt["months_delinquent"]) == ("holder", 8)
    assert debt["balance"] == {"amount": "5000.00", "currency": "USD"}
    assert server.issued_callbacks == set(server.answered_callbacks)
    assert server.errors == []


async def test_forged_button_data_naming_another_users_debt_is_refused(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    alex, sam = Person(server, 601), Person(server, 602)
    async with running_bot(server, store, tmp_path):
        await alex.does([("say", "/start"), ("say", "Capital One"), ("say", "/new"), ("say", "Chase")])
        await sam.does([("say", "/start"), ("say", "Other Bank")])
        alex_before, sam_before = debts_of(store, 601), debts_of(store, 602)
        alex_data = alex.button("Credit card")
        assert alex_data.startswith("2:")  # Alex's second debt: Sam has only one
        for forged in (alex_data, "g:debt:2", "2:holder:original", "1:nowhere:x", "x" * 200, "g:lang:../../etc"):
            refused = await sam.sends_data(forged)
            assert "Nothing was changed" in refused[0].text or "left everything as it was" in refused[0].text
            assert "Capital One" not in text_of(refused) and "Chase" not in text_of(refused)
    assert debts_of(store, 601) == alex_before
    assert debts_of(store, 602) == sam_before
    assert server.issued_callbacks == set(server.answered_callbacks)
    assert server.errors == []


async def test_flood_control_is_waited_out_and_nothing_is_lost_or_doubled(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    steps = negotiation(until="lump sum given")
    calm, flooded = Person(server, 701), Person(server, 702)
    async with running_bot(server, store, tmp_path):
        expected = [m.text for m in await calm.does(steps)]
        got: list[str] = []
        for number, (kind, value) in enumerate(steps):
            if number in (2, 5, 6):
                server.fail_with_429(2, retry_after=1)
            got += [m.text for m in await (flooded.says(value) if kind == "say" else flooded.presses(value))]
    assert server.injected == 6
    assert got == expected
    assert server.errors == []


async def test_a_reply_longer_than_telegram_allows_is_split_at_paragraphs(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    """Thirty debts with long names full of "&" and "<", each five characters once escaped for
    HTML: the list is far over 4,096 characters as sent."""
    names = [f"#{n:02} A&B <Holdings> & Sons & Daughters & Co <Collections> & Recoveries & Ltd" for n in range(30)]
    alex = Person(server, 801)
    async with running_bot(server, store, tmp_path):
        await alex.says("/start")
        for number, name in enumerate(names):
            await alex.says(name)
            if number < len(names) - 1:
                await alex.says("/new")
        listing = await alex.says("/debts")
    assert len(listing) >= 2, "the list does not fit one message"
    assert all(len(m.html) <= 4096 for m in listing)
    said = text_of(listing)
    assert all(name in said for name in names)  # shown exactly as typed, escaped once
    assert listing[-1].choices, "the buttons stay on the last part"
    assert server.errors == []


async def test_a_press_too_old_to_answer_is_still_handled(store: Store, tmp_path: Path) -> None:
    """Telegram refuses to answer a callback query after a while (or after a restart); the
    press must still do what it says, and the refusal must not reach the person."""
    async with FakeTelegram(callback_query_ttl=0.0) as slow:
        alex = Person(slow, 901)
        async with running_bot(slow, store, tmp_path) as app:
            got = await alex.does(negotiation(until="kind given"))
            assert "How much do you owe" in got[-1].text
            assert coach_of(app).failures == 0
        assert {e.method for e in slow.errors} == {"answerCallbackQuery"}  # refused, and shrugged off


async def test_one_persons_broken_record_does_not_stop_the_bot_or_touch_anyone_else(
    server: FakeTelegram, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A row no version of the coach could have written (a bad restore, a hand edit): that
    person hears an apology and keeps their data as it was; everyone else carries on."""
    alex, sam = Person(server, 1001, first_name="Zebulon"), Person(server, 1002)
    async with running_bot(server, store, tmp_path) as app:
        await alex.does(negotiation(until="kind given"))
        await sam.does(negotiation(until="kind given"))
        with store.engine.begin() as conn:
            mine = "WHERE channel = 'telegram' AND external_id = '1001'"
            packed = conn.execute(text(f"SELECT document FROM users {mine}")).scalar_one()
            broken = json.loads(zlib.decompress(packed))
            broken["state"]["debts"][0]["state"] = "no_such_step"
            document = zlib.compress(json.dumps(broken).encode())
            conn.execute(text(f"UPDATE users SET document = :document {mine}"), {"document": document})
        before = stored(store, 1001)
        sorry = await alex.says("$5,000")
        assert "something went wrong on my side" in sorry[-1].text
        assert stored(store, 1001) == before, "nothing half-applied"
        onwards = await sam.says("$5,000")
        assert "in writing" in onwards[-1].text
        assert coach_of(app).failures == 1
    assert server.errors == []
    failures = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(failures) == 1 and "KeyError" in failures[0]
    assert "Zebulon" not in caplog.text and "5,000" not in caplog.text and "5000" not in caplog.text


def test_the_inbox_keeps_who_where_and_what_and_nothing_else() -> None:
    """Live updates reach the coach through their inbox form too, so it must keep what the
    coach reads: a press keeps its chat (where the answer goes), not the keyboard, text or names."""
    person = {"id": 7, "is_bot": False, "first_name": "Alex", "last_name": "Doe", "language_code": "en"}
    chat = {"id": 7, "type": "private", "first_name": "Alex"}
    group = {"id": -5, "type": "supergroup", "title": "Doe family"}
    keyboard = {"inline_keyboard": [[{"text": "Yes", "callback_data": "1:in_writing:yes"}]]}
    shown = {"message": {"message_id": 5, "date": 1, "chat": chat, "text": "In writing?", "reply_markup": keyboard}}
    pressed = {
        "update_id": 2,
        "callback_query": {"id": "q1", "from": person, "chat_instance": "c", "data": "1:in_writing:yes", **shown},
    }
    said = {"update_id": 3, "message": {"message_id": 6, "date": 1, "chat": chat, "from": person, "text": "hi"}}
    photo = {"update_id": 4, "edited_message": {"message_id": 6, "date": 1, "chat": chat, "from": person, "photo": []}}
    inline = {"update_id": 5, "callback_query": {"id": "q2", "from": person, "chat_instance": "c", "data": "x"}}
    member = {
        "update_id": 6,
        "my_chat_member": {
            "chat": chat,
            "from": person,
            "date": 1,
            "old_chat_member": {"status": "member", "user": person},
            "new_chat_member": {"status": "kicked", "user": person, "until_date": 0},
        },
    }
    in_group = {"update_id": 7, "message": {"message_id": 9, "date": 1, "chat": group, "from": person, "text": "/go"}}

    raw = (pressed, said, photo, inline, member, in_group)
    forms = [inbox_form(Update.de_json(update, None)) for update in raw]
    assert "Alex" not in json.dumps(forms) and "In writing" not in json.dumps(forms) and "Doe" not in json.dumps(forms)
    assert [incoming(json.loads(json.dumps(form))) for form in forms] == [
        Incoming(2, user_id=7, chat_id=7, private=True, language="en", query_id="q1", data="1:in_writing:yes"),
        Incoming(3, user_id=7, chat_id=7, private=True, language="en", text="hi"),
        Incoming(4, user_id=7, chat_id=7, private=True, language="en", edited=True),
        Incoming(5),
        Incoming(6),
        Incoming(7, user_id=7, chat_id=-5, private=False, language="en", text="/go"),
    ]
    # What an earlier version kept of a press and of a message, still in an inbox after upgrading.
    before = [
        {
            "update_id": 8,
            "callback_query": {
                "id": "q3",
                "from": {"id": 7, "is_bot": False, "first_name": "-", "language_code": "de"},
                "chat_instance": "c",
                "message": {"message_id": 5, "date": 1, "chat": {"id": 7, "type": "private"}},
                "data": "g:new",
            },
        },
        {
            "update_id": 9,
            "message": {
                "message_id": 6,
                "date": 1,
                "chat": {"id": 7, "type": "private"},
                "from": {"id": 7, "is_bot": False, "first_name": "-"},
                "text": "$5,000",
            },
        },
    ]
    assert [incoming(form) for form in before] == [
        Incoming(8, user_id=7, chat_id=7, private=True, language="de", query_id="q3", data="g:new"),
        Incoming(9, user_id=7, chat_id=7, private=True, text="$5,000"),
    ]


async def test_a_newcomers_first_message_naming_a_creditor_is_welcomed_and_taken(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    """Someone who opens the bot and types a creditor's name, not /start, gets the welcome and
    the name taken as the first answer, not the welcome and the question the name answered."""
    sam = Person(server, 131)
    async with running_bot(server, store, tmp_path):
        said = text_of(await sam.says("Capital One"))
        assert said.startswith("Hi, I'm DebtCoach"), said
        assert "What kind of debt is it with Capital One?" in said, said
        assert "Which creditor" not in said, said
        said = text_of(await sam.presses("Credit card"))
        assert "How much do you owe Capital One" in said, said
        # A greeting is only a greeting: welcomed, and asked the first question.
        said = text_of(await Person(server, 132).says("hi"))
        assert said.startswith("Hi, I'm DebtCoach") and "Which creditor" in said, said
    assert server.errors == []


@pytest.mark.parametrize("language", ["zh-TW", "zh-hant", "zh-hant-tw", "zh-HK", "zh"])
async def test_a_chinese_reader_is_coached_in_chinese_on_taipei_time_and_in_nt_dollars(
    server: FakeTelegram, store: Store, tmp_path: Path, language: str
) -> None:
    """Telegram's language_code picks the locale; the place is asked once, and Taiwan's answers
    the time zone too (reminders at 9 in the morning in Taipei, not in New York)."""
    mei = Person(server, 141, first_name="美玲", language=language)
    async with running_bot(server, store, tmp_path):
        said = text_of(await mei.says("/start"))
        assert said.startswith("您好，我是 DebtCoach") and "您住在台灣還是美國" in said, said
        said = text_of(await mei.presses("台灣"))
        assert "以台灣為準" in said and "債權人是哪一家" in said, said
        await mei.says("國泰世華銀行")
        await mei.presses("信用卡")
        said = text_of(await mei.says("12萬"))
        assert "NT$120,000" in said, said
    with store.user("telegram", "141") as user:
        state = user.load()
    assert (state.locale, state.place, state.reminders.timezone) == ("zh_TW", "tw", "Asia/Taipei")
    assert state.active_debt is not None and state.active_debt.balance == Money.of(120000, "TWD")
    # The command menu is offered in Chinese to Chinese clients.
    assert [c["command"] for c in server.commands["zh"]] == list(COMMANDS)
    assert server.commands["zh"][0]["description"] != server.commands[None][0]["description"]
    assert server.errors == []
