"""The payment plan as an .ics file, so the dates live in the person's own calendar.

A reminder from the coach is easy to miss; an alarm on the phone's calendar is not. Every
instalment becomes an all-day event, paid ones too, so the file shows the whole plan and a
re-import after a payment turns "Pay" into "✓ Paid" instead of adding a second copy: the UIDs
depend only on the plan, never on when the file was made.

Alarms are relative to an all-day event's start, which has no time zone: the calendar app reads
"9 hours after the start" as 09:00 wherever the phone is, which is where the person is when they
need the nudge. That is why `ReminderSettings.timezone` is not needed here.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dialogs.codec import decode, encode
from dialogs.money import Money
from dialogs.render import render
from dialogs.state import Debt, Payment, PaymentStatus, UserState

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//DebtCoach//Payment plan//EN"
UID_DOMAIN = "debtcoach"
# Alarms fire at this many hours after the all-day event's midnight start: 09:00 local.
ALARM_HOUR = 9

# C0 and C1 control characters other than tab and newline: the creditor's name is typed by the
# person, and a NUL or a bell has no business in a calendar file (RFC 5545 forbids them in TEXT).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def payment_plan_ics(state: UserState, debt_seq: int | None = None, *, now: datetime) -> bytes:
    """One VCALENDAR with an event per instalment of every debt that has payments, or of the
    debt `debt_seq` only.

    A debt without payments yet gives a calendar with no events rather than an error, so "send
    me my calendar" always has an answer; an unknown `debt_seq` is a stale reference and raises
    ValueError, because sending an empty file for it would hide the mistake. `now` is the DTSTAMP
    (it must be aware): with the UIDs unchanged, the later stamp is what tells a calendar app a
    re-imported event replaces the one it has.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if debt_seq is None:
        debts = [d for d in state.debts if d.payments]
    else:
        debt = state.debt(debt_seq)
        if debt is None:
            raise ValueError(f"no debt {debt_seq}")
        debts = [debt]

    # Imported here: the bot waits for messages far more than it makes calendars, and icalendar
    # would cost every waiting process its memory.
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    # Sets both NAME (RFC 7986) and X-WR-CALNAME, which is what Apple and Google read.
    calendar.calendar_name = render(state.locale, "ics_calendar_name.txt")
    stamp = now.astimezone(UTC)
    for debt in debts:
        for index, payment in enumerate(debt.payments):
            calendar.add_component(_event(state, debt, index, payment, stamp))
    ics: bytes = calendar.to_ical()  # untyped in icalendar
    return ics


def calendar_request(state: UserState, debt_seq: int | None, *, now: datetime) -> dict[str, Any]:
    """What `payment_plan_ics` needs of the person to make their calendar later, as JSON: the
    outbox keeps this, and the file is made when it is sent, after the answer's first message
    (icalendar takes a millisecond or more for a plan, which the answer need not wait for). An
    unknown `debt_seq` raises ValueError now, in the answer's transaction."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if debt_seq is not None and state.debt(debt_seq) is None:
        raise ValueError(f"no debt {debt_seq}")
    debts = [d for d in state.debts if d.payments] if debt_seq is None else [state.debt(debt_seq)]
    return {
        "locale": state.locale,
        "days_before": state.reminders.days_before,
        "debts": [encode(debt) for debt in debts],
        "debt_seq": debt_seq,
        "made_at": now.isoformat(),
    }


def requested_ics(request: dict[str, Any]) -> bytes:
    """The calendar a `calendar_request` describes, as it would have been made then."""
    state = UserState(locale=str(request["locale"]), debts=[decode(Debt, d) for d in request["debts"]])
    state.reminders.days_before = int(request["days_before"])
    seq = request["debt_seq"]
    return payment_plan_ics(state, None if seq is None else int(seq), now=datetime.fromisoformat(request["made_at"]))


def _event(state: UserState, debt: Debt, index: int, payment: Payment, stamp: datetime) -> Event:
    creditor = _plain(debt.creditor)
    values = {
        "payment": payment,
        "number": index + 1,
        "count": len(debt.payments),
        "total": _total(debt),
        # Until the creditor's signed copy arrives the coach says to pay nothing: the note says
        # so too, and a re-import after signing drops it (the UID is the same).
        "signed": debt.agreement is None or debt.agreement.signed_on is not None,
    }
    # A calendar shows the summary on one line: a newline in the creditor's name would be cut
    # or shown raw there, so it becomes a space. The description keeps the name as typed.
    summary = render(state.locale, "ics_summary.txt", creditor=" ".join(creditor.split()), **values)
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", payment_uid(debt, index))
    event.add("dtstamp", stamp)
    event.add("dtstart", payment.due_on)
    event.add("dtend", payment.due_on + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", render(state.locale, "ics_description.txt", creditor=creditor, **values))
    # A payment takes no time: it must not mark the day busy for meeting invitations.
    event.add("transp", "TRANSPARENT")
    if payment.status is PaymentStatus.DUE:
        for trigger in alarm_triggers(state.reminders.days_before):
            event.add_component(Alarm.new_display(description=summary, trigger=trigger))
    return event


def alarm_triggers(days_before: int) -> list[timedelta]:
    """Offsets from the all-day start (00:00 on the due day) that land on 09:00: `days_before`
    days earlier when that is at least one day, and on the day itself.

    Three days before is -3 days + 9 hours, which icalendar writes as -P2DT15H.
    """
    on_the_day = timedelta(hours=ALARM_HOUR)
    if days_before <= 0:
        return [on_the_day]
    return [timedelta(days=-days_before, hours=ALARM_HOUR), on_the_day]


def payment_uid(debt: Debt, index: int) -> str:
    """The same for the same instalment of the same plan every time the file is made.

    Hashed so the UID says nothing about the person (calendar apps sync UIDs to servers and show
    them in exported files), and keyed on the plan's first due date so a renegotiated plan with
    new dates gets new events instead of silently overwriting the old plan's.
    """
    first = _first_due(debt)
    key = f"{debt.seq}/{first.isoformat()}/{index}".encode()
    return f"{hashlib.sha256(key).hexdigest()[:32]}@{UID_DOMAIN}"


def _first_due(debt: Debt) -> date:
    if debt.agreement is not None and debt.agreement.first_due is not None:
        return debt.agreement.first_due
    return min(p.due_on for p in debt.payments)


def _total(debt: Debt) -> Money:
    if debt.agreement is not None:
        return debt.agreement.amount
    total = debt.payments[0].amount
    for payment in debt.payments[1:]:
        total += payment.amount
    return total


def _plain(text: str) -> str:
    """The user's text with line breaks normalised and control characters dropped."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
