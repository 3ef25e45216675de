"""Which reminders a negotiation calls for, at which local times: the pure plan, no clock, no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.engine import step
from dialogs.money import Money
from dialogs.reminder_plan import Kind, plan, superseded
from dialogs.schedule import payments_for
from dialogs.state import (
    Agreement,
    Debt,
    DebtKind,
    Document,
    Frequency,
    PaymentStatus,
    Place,
    PreNegotiation,
    ReminderSettings,
    UserState,
)
from dialogs.step_io import Input


def _plan_state(zone: str | None, first_due: date = date(2027, 2, 15), **settings: object) -> UserState:
    deal = Agreement(
        Money.of("1800", "USD"),
        instalments=3,
        instalment_amount=Money.of("600", "USD"),
        first_due=first_due,
        frequency=Frequency.MONTHLY,
        sign_by=first_due - timedelta(days=5),
        signed_on=first_due - timedelta(days=7),
    )
    debt = Debt(seq=1, state="repaying", creditor="Capital One", agreement=deal, payments=payments_for(deal))
    return UserState(debts=[debt], active=1, reminders=ReminderSettings(timezone=zone, **settings))  # type: ignore[arg-type]


def _local(state: UserState, kind: Kind) -> list[datetime]:
    zone = ZoneInfo(state.reminders.timezone or "America/New_York")
    return [p.due_at.astimezone(zone).replace(tzinfo=None) for p in plan(state) if p.kind is kind]


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin"])
def test_three_instalments_are_reminded_at_nine_local_across_the_clock_change(zone: str) -> None:
    # US clocks go forward on 14 March 2027, Europe's on 28 March: the March and April
    # payments straddle both changes, and every reminder stays at 09:00 on the wall clock.
    state = _plan_state(zone)
    nine = time(9, 0)
    assert _local(state, Kind.PAYMENT_SOON) == [
        datetime.combine(d, nine) for d in (date(2027, 2, 12), date(2027, 3, 12), date(2027, 4, 12))
    ]
    assert _local(state, Kind.PAYMENT_DUE) == [
        datetime.combine(d, nine) for d in (date(2027, 2, 15), date(2027, 3, 15), date(2027, 4, 15))
    ]
    assert _local(state, Kind.OVERDUE) == [
        datetime.combine(d, nine) for d in (date(2027, 2, 16), date(2027, 3, 16), date(2027, 4, 16))
    ]


def test_the_utc_moment_moves_with_daylight_saving_and_the_zone() -> None:
    new_york = [p.due_at for p in plan(_plan_state("America/New_York")) if p.kind is Kind.PAYMENT_DUE]
    berlin = [p.due_at for p in plan(_plan_state("Europe/Berlin")) if p.kind is Kind.PAYMENT_DUE]
    assert [d.hour for d in new_york] == [14, 13, 13]  # EST, then EDT from 14 March
    assert [d.hour for d in berlin] == [8, 8, 7]  # CET, then CEST from 28 March
    assert all(d.tzinfo is UTC for d in new_york + berlin)


def test_a_paid_instalment_plans_nothing_more() -> None:
    state = _plan_state("America/Chicago")
    state.debts[0].payments[0].status = PaymentStatus.PAID
    indexes = {p.index for p in plan(state)}
    assert indexes == {1, 2}


def test_reminder_keys_stay_the_same_when_planned_again() -> None:
    assert [p.key for p in plan(_plan_state("Asia/Taipei"))] == [p.key for p in plan(_plan_state("Asia/Taipei"))]
    keys = [p.key for p in plan(_plan_state("Asia/Taipei"))]
    assert len(keys) == len(set(keys)) == 9


def test_days_before_is_the_persons_choice_and_zero_means_none() -> None:
    assert _local(_plan_state("UTC", days_before=7), Kind.PAYMENT_SOON)[0] == datetime(2027, 2, 8, 9, 0)
    assert _local(_plan_state("UTC", days_before=0), Kind.PAYMENT_SOON) == []


def test_quiet_hours_that_reach_past_nine_hold_the_morning_reminders() -> None:
    state = _plan_state("UTC", quiet_start=time(22, 0), quiet_end=time(10, 30))
    assert {t.time() for t in _local(state, Kind.PAYMENT_DUE)} == {time(10, 30)}


def _call_state(call_local: datetime, zone: str = "America/New_York", **settings: object) -> UserState:
    debt = Debt(seq=2, state="awaiting_reply", creditor="Midland")
    debt.call_at = call_local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return UserState(debts=[debt], active=2, reminders=ReminderSettings(timezone=zone, **settings))  # type: ignore[arg-type]


def test_a_call_gets_its_script_half_an_hour_before_and_a_follow_up_after() -> None:
    state = _call_state(datetime(2026, 11, 23, 10, 0))
    assert _local(state, Kind.CALL_SCRIPT) == [datetime(2026, 11, 23, 9, 30)]
    assert _local(state, Kind.CALL_FOLLOW_UP) == [datetime(2026, 11, 23, 11, 0)]


def test_the_lead_before_a_call_is_configurable() -> None:
    state = _call_state(datetime(2026, 11, 23, 10, 0), call_lead_minutes=60)
    assert _local(state, Kind.CALL_SCRIPT) == [datetime(2026, 11, 23, 9, 0)]


def test_an_early_call_gets_its_script_before_the_quiet_hours_not_after_the_call() -> None:
    # 07:50 call, script due 07:20 inside the quiet hours: 08:00 would be too late.
    state = _call_state(datetime(2026, 11, 23, 7, 50))
    assert _local(state, Kind.CALL_SCRIPT) == [datetime(2026, 11, 22, 20, 30)]
    # 08:40 call, script due 08:10: after the quiet hours and still before the call.
    assert _local(_call_state(datetime(2026, 11, 23, 8, 40)), Kind.CALL_SCRIPT) == [datetime(2026, 11, 23, 8, 10)]


def test_a_late_evening_call_is_followed_up_next_morning() -> None:
    state = _call_state(datetime(2026, 11, 23, 20, 30))
    assert _local(state, Kind.CALL_FOLLOW_UP) == [datetime(2026, 11, 24, 8, 0)]


def test_no_quiet_hours_means_any_time() -> None:
    state = _call_state(datetime(2026, 11, 23, 20, 30), quiet_start=None, quiet_end=None)
    assert _local(state, Kind.CALL_FOLLOW_UP) == [datetime(2026, 11, 23, 21, 30)]


def test_follow_ups_for_the_signed_copy_and_the_validation_window() -> None:
    state = _plan_state("America/New_York")
    debt = state.debts[0]
    debt.state = "awaiting_signature"
    assert debt.agreement is not None
    debt.agreement.signed_on, debt.agreement.sent_on = None, date(2027, 2, 1)
    assert _local(state, Kind.SIGNATURE) == [datetime(2027, 2, 11, 9, 0)]
    debt.agreement.signed_on = date(2027, 2, 5)
    assert _local(state, Kind.SIGNATURE) == []
    collector = Debt(seq=3, state="awaiting_validation", creditor="LVNV", validation_sent_on=date(2026, 11, 22))
    state.debts.append(collector)
    assert _local(state, Kind.VALIDATION_POSTED) == [datetime(2026, 11, 25, 9, 0)]
    assert _local(state, Kind.VALIDATION_WINDOW) == [datetime(2026, 12, 22, 9, 0)]


def test_after_an_outage_only_the_latest_reminder_of_an_instalment_counts() -> None:
    state = _plan_state("UTC")
    every = plan(state)
    first = [p for p in every if p.index == 0]
    soon, due, overdue = sorted(first, key=lambda p: p.due_at)
    back_online = overdue.due_at + timedelta(hours=1)
    assert superseded(soon, every, back_online) and superseded(due, every, back_online)
    assert not superseded(overdue, every, back_online)
    assert not superseded(soon, every, soon.due_at + timedelta(minutes=5))


def test_reminders_lists_each_coming_reminder_on_its_own_line() -> None:
    state = _plan_state("America/New_York")
    state.welcomed = True
    said = step(state, Input.command("reminders"), datetime(2027, 2, 1, 12, 0, tzinfo=UTC)).replies[0].text
    items = [line for line in said.splitlines() if line.startswith("•")]
    assert len(items) == 9, said
    assert items[0] == "• Fri 12 Feb, 9:00 AM: $600 to Capital One coming up", said
    assert all(line.count("•") <= 1 for line in said.splitlines()), said


def test_a_pre_negotiation_application_still_missing_papers_is_reminded_a_week_on_at_the_largest_bank() -> None:
    cathay = Debt(seq=1, creditor="國泰世華", kind=DebtKind.CREDIT_CARD, balance=Money.of(120_000, "TWD"))
    taishin = Debt(seq=2, creditor="台新", kind=DebtKind.CASH_CARD, balance=Money.of(200_000, "TWD"))
    started = PreNegotiation(date(2027, 3, 1), gathered=[Document.ID_COPY])
    state = UserState(
        place=Place.TW, debts=[cathay, taishin], prenegotiation=started, reminders=ReminderSettings("Asia/Taipei")
    )
    (due,) = [p for p in plan(state) if p.kind is Kind.DOCUMENTS]
    assert due.debt_seq == 2  # the application goes to the largest claim
    assert due.due_at.astimezone(ZoneInfo("Asia/Taipei")).replace(tzinfo=None) == datetime(2027, 3, 8, 9, 0)
    started.gathered = list(Document)  # everything there: nothing to remind
    assert [p for p in plan(state) if p.kind is Kind.DOCUMENTS] == []
    started.gathered, started.mailed_on = [], date(2027, 3, 5)  # sent: nothing to remind either
    assert [p for p in plan(state) if p.kind is Kind.DOCUMENTS] == []
