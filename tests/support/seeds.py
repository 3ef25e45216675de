"""People put straight into the store, for tests about what happens to many of them at once."""

from __future__ import annotations

from datetime import date, datetime

from bot.store import Store
from dialogs.money import Money
from dialogs.reminder_plan import plan
from dialogs.schedule import payments_for
from dialogs.state import Agreement, Debt, Frequency, ReminderSettings, UserState

FIRST_DUE = date(2027, 2, 15)


def seed_plan(store: Store, chat: int, deal_at: datetime, debts: int = 1) -> None:
    """Someone in New York who agreed a plan with `debts` creditors in Telegram at `deal_at`,
    two payments of $600 each, the first on 15 Feb 2027; their reminders are planned."""
    with store.user("telegram", str(chat)) as user:
        state = UserState(welcomed=True, currency="USD", reminders=ReminderSettings(timezone="America/New_York"))
        for seq in range(1, debts + 1):
            agreement = Agreement(
                Money.of("1200", "USD"),
                instalments=2,
                instalment_amount=Money.of("600", "USD"),
                first_due=FIRST_DUE,
                frequency=Frequency.MONTHLY,
                sign_by=date(2026, 11, 27),
                signed_on=date(2026, 11, 25),
            )
            state.debts.append(
                Debt(
                    seq=seq,
                    state="repaying",
                    creditor=f"Creditor {seq}",
                    balance=Money.of("4000", "USD"),
                    agreement=agreement,
                    payments=payments_for(agreement),
                )
            )
        state.active = 1
        user.save(state, deal_at)
        user.sync_reminders(plan(state), deal_at)
