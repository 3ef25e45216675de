"""Which reminders a person's state calls for, and when, in their own time zone.

The reminders are derived from the state, never kept beside it: `plan(state)` lists every one
the negotiation calls for now (a payment still due, a call the person said they would make, a
signed copy still awaited). The store keeps the list in a table and reconciles it after every
answer, so "Paid" stops that instalment's reminders simply because a paid instalment plans none,
and /back brings them back. A reminder's time is a local wall-clock time (09:00 on the day), turned
into UTC with the person's zone for that date, so a daylight-saving change never moves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogs.places import rules
from dialogs.prenegotiation import overview
from dialogs.state import Debt, PaymentStatus, ReminderSettings, UserState
from dialogs.vocabulary import State, Tag

MORNING = time(9, 0)
CALL_FOLLOW_UP = timedelta(hours=1)
SIGNATURE_WAIT = timedelta(days=10)
# The validation request should be in the mail within days, and the collector has 30 days.
VALIDATION_POSTED = timedelta(days=3)
VALIDATION_WINDOW = timedelta(days=30)
# A week after the pre-negotiation checklist is started, what is still missing.
DOCUMENTS_WAIT = timedelta(days=7)


class Kind(StrEnum):
    PAYMENT_SOON = "soon"
    PAYMENT_DUE = "due"
    OVERDUE = "overdue"
    CALL_SCRIPT = "call"
    CALL_FOLLOW_UP = "after_call"
    SIGNATURE = "signature"
    VALIDATION_POSTED = "posted"
    VALIDATION_WINDOW = "window"
    DOCUMENTS = "documents"


@dataclass(frozen=True, slots=True)
class Planned:
    """One reminder: `key` names it uniquely for its person, and stays the same while it means
    the same thing (so a plan computed again matches the stored row); `group` is what it is
    about (one instalment, one call), so a later reminder of a group makes an earlier one moot."""

    key: str
    kind: Kind
    debt_seq: int
    due_at: datetime  # aware, UTC; already moved out of the quiet hours
    group: str
    index: int | None = None  # the payment's index, for payment reminders


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_name(state: UserState) -> str:
    return state.reminders.timezone or rules(state).zone


def zone(state: UserState) -> ZoneInfo:
    try:
        return _zone(zone_name(state))
    except (ZoneInfoNotFoundError, ValueError):  # a zone removed from the database since
        return _zone("UTC")


def local_now(state: UserState, now: datetime) -> datetime:
    """The person's wall clock (aware, in their zone)."""
    return now.astimezone(zone(state))


def in_quiet_hours(settings: ReminderSettings, at: time) -> bool:
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return False
    if start > end:  # across midnight, as 21:00-08:00
        return at >= start or at < end
    return start <= at < end


def out_of_quiet(settings: ReminderSettings, local: datetime) -> datetime:
    """The first moment at or after `local` (naive, wall clock) outside the quiet hours."""
    if not in_quiet_hours(settings, local.time()):
        return local
    assert settings.quiet_end is not None
    end = datetime.combine(local.date(), settings.quiet_end)
    return end if end > local else end + timedelta(days=1)


def _before_quiet(settings: ReminderSettings, local: datetime, lead: timedelta) -> datetime:
    """`lead` before the quiet hours that `local` falls in began."""
    assert settings.quiet_start is not None
    start = datetime.combine(local.date(), settings.quiet_start)
    if start > local:
        start -= timedelta(days=1)
    return start - lead


def to_utc(tz: ZoneInfo, local: datetime) -> datetime:
    """A wall-clock time in `tz` as UTC. A time skipped by a spring-forward change is read
    with the offset before it (fold=0), so it still happens, an hour later on the clock."""
    return local.replace(tzinfo=tz).astimezone(UTC)


def _is(debt: Debt, tag: Tag) -> bool:
    # Read from the table when asked: the table imports the steps, and they import this module.
    from dialogs.conversation import tagged

    return debt.state in tagged(tag)


def _may_remind(debt: Debt) -> bool:
    return _is(debt, Tag.UNDER_AGREEMENT) or debt.state == State.AWAITING_VALIDATION or debt.call_at is not None


def plan(state: UserState) -> list[Planned]:
    """Runs for every input (the service compares the plans before and after an answer), and
    most inputs come from people still negotiating: for them it returns before the time zone."""
    if not any(_may_remind(debt) for debt in state.debts) and not _gathering(state):
        return []
    tz = zone(state)
    settings = state.reminders
    planned: list[Planned] = []
    for debt in state.debts:
        planned.extend(_payments(debt, settings, tz))
        planned.extend(_call(debt, settings, tz))
        planned.extend(_follow_ups(debt, settings, tz))
    planned.extend(_documents(state, settings, tz))
    return planned


def _gathering(state: UserState) -> bool:
    own = state.prenegotiation
    return own is not None and own.mailed_on is None and bool(own.missing)


def _documents(state: UserState, settings: ReminderSettings, tz: ZoneInfo) -> list[Planned]:
    """What the pre-negotiation application still lacks, a week after the checklist began, to the
    bank it goes to (the largest claim: another debt entered since may be the one)."""
    own, bank = state.prenegotiation, overview(state).apply_to
    if own is None or bank is None or not _gathering(state):
        return []
    group = f"{bank.seq}:docs:{own.started_on:%Y%m%d}"
    due = _morning(settings, tz, own.started_on + DOCUMENTS_WAIT)
    return [Planned(f"{Kind.DOCUMENTS}:{group}", Kind.DOCUMENTS, bank.seq, due, group)]


def _morning(settings: ReminderSettings, tz: ZoneInfo, day: date) -> datetime:
    return to_utc(tz, out_of_quiet(settings, datetime.combine(day, MORNING)))


def _payments(debt: Debt, settings: ReminderSettings, tz: ZoneInfo) -> list[Planned]:
    if not _is(debt, Tag.UNDER_AGREEMENT):
        return []
    found: list[Planned] = []
    for index, payment in enumerate(debt.payments):
        if payment.status is not PaymentStatus.DUE:
            continue
        group = f"{debt.seq}:{index}:{payment.due_on:%Y%m%d}"
        days = [(Kind.PAYMENT_DUE, payment.due_on), (Kind.OVERDUE, payment.due_on + timedelta(days=1))]
        if settings.days_before > 0:
            days.insert(0, (Kind.PAYMENT_SOON, payment.due_on - timedelta(days=settings.days_before)))
        for kind, day in days:
            found.append(Planned(f"{kind}:{group}", kind, debt.seq, _morning(settings, tz, day), group, index))
    return found


def _call(debt: Debt, settings: ReminderSettings, tz: ZoneInfo) -> list[Planned]:
    if debt.call_at is None or not _is(debt, Tag.CALLING):
        return []
    call = debt.call_at.astimezone(tz).replace(tzinfo=None)
    lead = timedelta(minutes=settings.call_lead_minutes)
    script = out_of_quiet(settings, call - lead)
    if script >= call:
        # The quiet hours run until the call itself: send the script the evening before.
        script = _before_quiet(settings, call - lead, lead)
    group = f"{debt.seq}:{debt.call_at:%Y%m%dT%H%M}"
    after = out_of_quiet(settings, call + CALL_FOLLOW_UP)
    return [
        Planned(f"{Kind.CALL_SCRIPT}:{group}", Kind.CALL_SCRIPT, debt.seq, to_utc(tz, script), group),
        Planned(f"{Kind.CALL_FOLLOW_UP}:{group}", Kind.CALL_FOLLOW_UP, debt.seq, to_utc(tz, after), group),
    ]


def _follow_ups(debt: Debt, settings: ReminderSettings, tz: ZoneInfo) -> list[Planned]:
    found: list[Planned] = []
    deal = debt.agreement
    if debt.state == State.AWAITING_SIGNATURE and deal is not None and deal.sent_on and deal.signed_on is None:
        group = f"{debt.seq}:{deal.sent_on:%Y%m%d}"
        day = deal.sent_on + SIGNATURE_WAIT
        found.append(Planned(f"{Kind.SIGNATURE}:{group}", Kind.SIGNATURE, debt.seq, _morning(settings, tz, day), group))
    if debt.state == State.AWAITING_VALIDATION and debt.validation_sent_on is not None:
        group = f"{debt.seq}:{debt.validation_sent_on:%Y%m%d}"
        for kind, wait in ((Kind.VALIDATION_POSTED, VALIDATION_POSTED), (Kind.VALIDATION_WINDOW, VALIDATION_WINDOW)):
            day = debt.validation_sent_on + wait
            found.append(Planned(f"{kind}:{group}", kind, debt.seq, _morning(settings, tz, day), group))
    return found


def superseded(planned: Planned, every: list[Planned], now: datetime) -> bool:
    """A reminder whose moment a later one of the same group has also reached says nothing
    the later one does not: after a long outage only the latest goes out."""
    return any(p.group == planned.group and planned.due_at < p.due_at <= now for p in every)
