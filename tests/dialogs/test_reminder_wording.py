"""What a due reminder says and offers, written from the state at the moment it is sent."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dialogs.engine import step
from dialogs.money import Money
from dialogs.reminder_plan import Kind, plan
from dialogs.reminder_wording import compose
from dialogs.state import Debt, DebtKind, Document, Place, PreNegotiation, ReminderSettings, UserState
from dialogs.step_io import Input


def _taiwan(gathered: list[Document]) -> UserState:
    taishin = Debt(seq=1, creditor="台新銀行", kind=DebtKind.CASH_CARD, balance=Money.of(200_000, "TWD"))
    return UserState(
        locale="zh_TW",
        place=Place.TW,
        place_confirmed=True,
        welcomed=True,
        debts=[taishin],
        active=1,
        prenegotiation=PreNegotiation(date(2027, 3, 1), gathered=gathered),
        reminders=ReminderSettings("Asia/Taipei", zone_confirmed=True),
    )


def test_the_documents_reminder_names_what_is_missing_and_its_buttons_tick_it_off() -> None:
    state = _taiwan([Document.ID_COPY])
    (due,) = [p for p in plan(state) if p.kind is Kind.DOCUMENTS]
    now = datetime(2027, 3, 8, 1, 0, tzinfo=UTC)  # 09:00 in Taipei
    said = compose(state, due, now, late=False)
    assert "寄給台新銀行的前置協商申請" in said.text and "前置協商申請書" in said.text
    assert "身分證正反面影本" not in said.text.split("還缺")[1]  # what is there is not missing
    labels = [c.label for c in said.choices]
    assert "我有了：前置協商申請書" in labels and "我有了：身分證正反面影本" not in labels
    # Pressed from the reminder, a button ticks its document off like any other.
    pressed = next(c.value for c in said.choices if c.label == "我有了：前置協商申請書")
    after = step(state, Input.button(pressed), now).state
    assert after.prenegotiation is not None and Document.APPLICATION_FORM in after.prenegotiation.gathered
