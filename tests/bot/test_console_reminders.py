"""Reminders in `debtcoach chat`: shown while the session is open, answerable like any question."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from bot.console import Console
from bot.store import Store
from dialogs.money import Money
from dialogs.reminder_plan import plan
from dialogs.schedule import payments_for
from dialogs.state import Agreement, Debt, Frequency, ReminderSettings, UserState


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _agreed(store: Store, user: str, at: datetime) -> None:
    deal = Agreement(
        Money.of("900", "USD"),
        instalments=3,
        instalment_amount=Money.of("300", "USD"),
        first_due=date(2027, 1, 10),
        frequency=Frequency.MONTHLY,
        sign_by=date(2026, 12, 20),
        signed_on=date(2026, 12, 15),
    )
    debt = Debt(seq=1, state="repaying", creditor="Acme Bank", balance=Money.of("3000", "USD"), agreement=deal)
    debt.payments = payments_for(deal)
    state = UserState(welcomed=True, currency="USD", debts=[debt], active=1)
    state.reminders = ReminderSettings(timezone="Europe/London")
    with store.user("console", user) as person:
        person.save(state, at)
        person.sync_reminders(plan(state), at)


def test_a_due_reminder_shows_in_the_console_once_and_its_numbers_answer_it(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    clock = Clock(datetime(2026, 12, 16, 12, 0, tzinfo=UTC))
    _agreed(store, "me", clock.now)
    out = io.StringIO()
    console = Console(store, "me", tmp_path / "files", out=out, clock=clock)
    console.run(["/status"])
    assert console.remind() == 0
    clock.now = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)  # 09:00 in London on the due date
    assert console.remind() == 1
    assert console.remind() == 0  # once
    shown = out.getvalue()
    assert "Today: $300 to Acme Bank (payment 1 of 3)" in shown
    assert "1) Paid\n  2) Not yet\n  3) I can't pay this one" in shown
    console.send(console.to_input("1"))
    assert "Recorded: $300 paid" in out.getvalue()
    clock.now = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
    assert console.remind() == 0  # paid: no "did it go through?"
    store.close()
