"""The payment plan as an .ics file: read back the way a calendar app would read it.

Each test parses the bytes with icalendar and looks at what the person's calendar shows: which
days carry an event, the title and notes on it, and when the phone will buzz.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from icalendar import Alarm, Calendar, Event

from bot.calendar import calendar_request, payment_plan_ics, requested_ics
from bot.delivery import Document, deliverable
from bot.outbox import CALENDAR
from dialogs.money import Money
from dialogs.schedule import payments_for
from dialogs.state import Agreement, Debt, Frequency, PaymentStatus, UserState

NOW = datetime(2025, 1, 10, 14, 30, tzinfo=UTC)
# Jan 31 on a monthly plan: February is clamped to the 28th, March goes back to the 31st.
DUE_DATES = [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]


def usd(value: str) -> Money:
    return Money.of(value, "USD")


def settled_debt(seq: int = 1, creditor: str = "Acme Bank", first_due: date = DUE_DATES[0]) -> Debt:
    """$5,000 owed, settled for $1,500 in three monthly instalments of $500, agreement signed."""
    agreement = Agreement(
        amount=usd("1500"),
        instalments=3,
        instalment_amount=usd("500"),
        first_due=first_due,
        frequency=Frequency.MONTHLY,
        sign_by=first_due - timedelta(days=7),
        signed_on=first_due - timedelta(days=10),
    )
    return Debt(
        seq=seq,
        state="repaying",
        creditor=creditor,
        balance=usd("5000"),
        agreement=agreement,
        payments=payments_for(agreement),
    )


def person(*debts: Debt, days_before: int = 3) -> UserState:
    state = UserState(currency="USD", debts=list(debts))
    state.reminders.days_before = days_before
    return state


def events(ics: bytes) -> list[Event]:
    return Calendar.from_ical(ics).events


def text(component: Calendar | Event | Alarm, name: str) -> str:
    return str(component[name])


def alarms(event: Event) -> list[Alarm]:
    return [c for c in event.subcomponents if isinstance(c, Alarm)]


def alarm_times(event: Event) -> list[datetime]:
    """When each alarm goes off, as a wall-clock time on the phone (all-day start is midnight)."""
    start = datetime.combine(event.start, time())
    return sorted(start + alarm.TRIGGER for alarm in alarms(event))


def test_one_all_day_event_per_instalment_with_the_amount_in_the_title() -> None:
    ics = payment_plan_ics(person(settled_debt()), now=NOW)

    shown = events(ics)
    assert [e.start for e in shown] == DUE_DATES
    for event, due in zip(shown, DUE_DATES, strict=True):
        # A date, not a datetime: the app shows it in the all-day row, whatever the time zone.
        assert type(event.start) is date
        assert f"DTSTART;VALUE=DATE:{due:%Y%m%d}".encode() in ics
        assert event.end == due + timedelta(days=1)
        assert text(event, "TRANSP") == "TRANSPARENT"
        assert event.DTSTAMP == NOW
    assert [text(e, "SUMMARY") for e in shown] == [
        "Pay $500 to Acme Bank (1 of 3)",
        "Pay $500 to Acme Bank (2 of 3)",
        "Pay $500 to Acme Bank (3 of 3)",
    ]


def test_the_calendar_is_named_and_identified() -> None:
    calendar = Calendar.from_ical(payment_plan_ics(person(settled_debt()), now=NOW))

    assert str(calendar["PRODID"]) == "-//DebtCoach//Payment plan//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "DebtCoach payments"


def test_the_notes_say_what_to_pay_and_what_to_do_if_it_will_be_late() -> None:
    second = events(payment_plan_ics(person(settled_debt()), now=NOW))[1]

    assert text(second, "DESCRIPTION") == (
        "Payment 2 of 3 to Acme Bank: $500 of the $1,500 agreed.\n"
        "If it will be late, call Acme Bank before Fri 28 Feb 2025, not after.\n"
        "Keep proof of every payment: the receipt or the bank statement."
    )


def test_until_the_agreement_is_signed_the_notes_say_to_wait_for_it() -> None:
    debt = settled_debt()
    assert debt.agreement is not None
    debt.agreement.signed_on = None
    debt.state = "awaiting_signature"

    unsigned = events(payment_plan_ics(person(debt), now=NOW))
    debt.agreement.signed_on = date(2025, 1, 20)
    signed = events(payment_plan_ics(person(debt), now=NOW))

    wait = "Pay only once you hold the agreement signed by Acme Bank."
    assert all(wait in text(e, "DESCRIPTION") for e in unsigned)
    assert not any(wait in text(e, "DESCRIPTION") for e in signed)
    assert [text(e, "UID") for e in signed] == [text(e, "UID") for e in unsigned]


def test_a_lump_sum_is_one_event_without_a_count() -> None:
    agreement = Agreement(amount=usd("1200.50"), first_due=date(2025, 2, 15))
    debt = Debt(seq=1, creditor="Acme Bank", balance=usd("5000"), agreement=agreement, payments=payments_for(agreement))

    (only,) = events(payment_plan_ics(person(debt), now=NOW))
    assert text(only, "SUMMARY") == "Pay $1,200.50 to Acme Bank"
    assert "One payment to Acme Bank: the whole $1,200.50 agreed." in text(only, "DESCRIPTION")


def test_uids_are_unique_and_the_same_every_time_the_file_is_sent() -> None:
    state = person(settled_debt(1), settled_debt(2, creditor="Bank Two"))

    first = payment_plan_ics(state, now=NOW)
    again = payment_plan_ics(state, now=NOW + timedelta(days=20))

    uids = [text(e, "UID") for e in events(first)]
    assert len(uids) == 6
    assert len(set(uids)) == 6
    assert uids == [text(e, "UID") for e in events(again)]
    assert all(re.fullmatch(r"[0-9a-f]{32}@debtcoach", uid) for uid in uids)
    # Only the stamp differs, so a re-import replaces each event with the newer copy.
    assert first.replace(b"20250110T143000Z", b"X") == again.replace(b"20250130T143000Z", b"X")


def test_recording_a_payment_keeps_the_uid_so_the_event_is_updated_not_duplicated() -> None:
    state = person(settled_debt())
    before = events(payment_plan_ics(state, now=NOW))
    state.debts[0].payments[0].status = PaymentStatus.PAID
    state.debts[0].payments[0].recorded_on = date(2025, 1, 30)

    after = events(payment_plan_ics(state, now=NOW))

    assert [text(e, "UID") for e in after] == [text(e, "UID") for e in before]
    assert text(after[0], "SUMMARY") == "✓ Paid $500 to Acme Bank (1 of 3)"
    assert "Marked as paid on Thu 30 Jan 2025." in text(after[0], "DESCRIPTION")


def test_a_renegotiated_plan_with_new_dates_gets_new_events() -> None:
    old = events(payment_plan_ics(person(settled_debt()), now=NOW))
    new = events(payment_plan_ics(person(settled_debt(first_due=date(2025, 2, 15))), now=NOW))

    assert {text(e, "UID") for e in old}.isdisjoint(text(e, "UID") for e in new)


def test_uids_carry_nothing_about_the_person() -> None:
    ics = payment_plan_ics(person(settled_debt(creditor="Acme Bank")), now=NOW)

    for event in events(ics):
        uid = text(event, "UID").lower()
        assert "acme" not in uid
        assert "500" not in uid
        assert "2025" not in uid


def test_a_payment_still_due_rings_at_nine_three_days_before_and_on_the_day() -> None:
    ics = payment_plan_ics(person(settled_debt(), days_before=3), now=NOW)
    first = events(ics)[0]

    assert alarm_times(first) == [datetime(2025, 1, 28, 9, 0), datetime(2025, 1, 31, 9, 0)]
    assert ics.count(b"TRIGGER:-P2DT15H\r\n") == ics.count(b"TRIGGER:PT9H\r\n") == 3
    assert sorted(alarm.TRIGGER for alarm in alarms(first)) == [-timedelta(days=2, hours=15), timedelta(hours=9)]
    for alarm in alarms(first):
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert str(alarm["DESCRIPTION"]) == "Pay $500 to Acme Bank (1 of 3)"


@pytest.mark.parametrize(
    ("days_before", "rings"),
    [
        (1, [datetime(2025, 1, 30, 9, 0), datetime(2025, 1, 31, 9, 0)]),
        (7, [datetime(2025, 1, 24, 9, 0), datetime(2025, 1, 31, 9, 0)]),
        (0, [datetime(2025, 1, 31, 9, 0)]),
    ],
)
def test_the_early_alarm_follows_the_persons_days_before(days_before: int, rings: list[datetime]) -> None:
    first = events(payment_plan_ics(person(settled_debt(), days_before=days_before), now=NOW))[0]

    assert alarm_times(first) == rings


def test_paid_and_missed_payments_do_not_ring() -> None:
    debt = settled_debt()
    debt.payments[0].status = PaymentStatus.PAID
    debt.payments[1].status = PaymentStatus.MISSED

    paid, missed, due = events(payment_plan_ics(person(debt), now=NOW))

    assert alarm_times(paid) == []
    assert alarm_times(missed) == []
    assert len(alarm_times(due)) == 2
    assert text(paid, "SUMMARY") == "✓ Paid $500 to Acme Bank (1 of 3)"
    assert text(missed, "SUMMARY") == "Missed: pay $500 to Acme Bank (2 of 3)"
    assert "Call Acme Bank now to agree a new date" in text(missed, "DESCRIPTION")


def test_a_creditor_name_with_ical_and_html_characters_round_trips() -> None:
    name = 'Acme, Inc.; "Debt" Dept\n<b>Collections</b> & Co\nEND:VEVENT'
    ics = payment_plan_ics(person(settled_debt(creditor=name)), now=NOW)

    shown = events(ics)
    # The name cannot end an event or add a property: still exactly three events.
    assert len(shown) == 3
    for event in shown:
        assert name in text(event, "DESCRIPTION")
        assert set(event) == {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "TRANSP"}
    # A title is one line: the name's line breaks show as spaces there, everything else as typed.
    assert text(shown[0], "SUMMARY") == (
        'Pay $500 to Acme, Inc.; "Debt" Dept <b>Collections</b> & Co END:VEVENT (1 of 3)'
    )
    unfolded = ics.replace(b"\r\n ", b"").split(b"\r\n")
    assert all(re.match(rb"^[A-Z-]+[;:]", line) for line in unfolded if line)


def test_control_characters_in_the_creditor_name_are_dropped() -> None:
    ics = payment_plan_ics(person(settled_debt(creditor="Acme\x00 Bank\x07\r\nDept")), now=NOW)

    first = events(ics)[0]
    assert text(first, "SUMMARY") == "Pay $500 to Acme Bank Dept (1 of 3)"
    assert "Acme Bank\nDept" in text(first, "DESCRIPTION")
    assert b"\x00" not in ics
    assert b"\x07" not in ics


def test_every_debt_with_payments_or_just_the_one_asked_for() -> None:
    state = person(settled_debt(1), Debt(seq=2, creditor="Not agreed yet"), settled_debt(3, creditor="Bank Three"))

    everything = events(payment_plan_ics(state, now=NOW))
    only_three = events(payment_plan_ics(state, 3, now=NOW))

    assert [text(e, "SUMMARY") for e in everything] == [
        *(f"Pay $500 to Acme Bank ({n} of 3)" for n in (1, 2, 3)),
        *(f"Pay $500 to Bank Three ({n} of 3)" for n in (1, 2, 3)),
    ]
    assert [text(e, "SUMMARY") for e in only_three] == [f"Pay $500 to Bank Three ({n} of 3)" for n in (1, 2, 3)]


def test_a_debt_without_payments_gives_an_empty_calendar() -> None:
    state = person(Debt(seq=1, creditor="Acme Bank"))

    for ics in (payment_plan_ics(state, now=NOW), payment_plan_ics(state, 1, now=NOW)):
        calendar = Calendar.from_ical(ics)
        assert events(ics) == []
        assert str(calendar["X-WR-CALNAME"]) == "DebtCoach payments"


def test_an_unknown_debt_is_an_error_not_an_empty_file() -> None:
    with pytest.raises(ValueError, match="no debt 9"):
        payment_plan_ics(person(settled_debt()), 9, now=NOW)


def test_the_stamp_is_utc_and_now_must_be_aware() -> None:
    taipei = timezone(timedelta(hours=8))
    ics = payment_plan_ics(person(settled_debt()), now=datetime(2025, 1, 10, 22, 30, tzinfo=taipei))

    assert events(ics)[0].DTSTAMP == NOW
    assert ics.count(b"DTSTAMP:20250110T143000Z\r\n") == 3
    with pytest.raises(ValueError, match="aware"):
        payment_plan_ics(person(settled_debt()), now=datetime(2025, 1, 10, 14, 30))


@pytest.mark.parametrize("debt_seq", [None, 3])
def test_the_calendar_sent_after_the_answer_is_the_one_the_answer_asked_for(debt_seq: int | None) -> None:
    """The outbox keeps what the file is made of, as JSON, and the file is made when it is sent:
    the same file, the person's later changes notwithstanding."""
    state = person(settled_debt(1), settled_debt(3, creditor="Beta Card"), days_before=5)
    state.locale = "en"
    request = json.loads(json.dumps(calendar_request(state, debt_seq, now=NOW)))
    expected = payment_plan_ics(state, debt_seq, now=NOW)
    state.debts[0].creditor, state.reminders.days_before = "Changed meanwhile", 1
    assert requested_ics(request) == expected


def test_a_calendar_for_a_debt_that_is_gone_is_refused_when_asked_not_when_sent() -> None:
    with pytest.raises(ValueError):
        calendar_request(person(settled_debt()), 9, now=NOW)


def test_a_calendar_an_earlier_version_queued_whole_is_still_sent() -> None:
    sent = deliverable(CALENDAR, {"ics": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "locale": "en"})
    assert isinstance(sent, Document) and sent.content.startswith(b"BEGIN:VCALENDAR")
