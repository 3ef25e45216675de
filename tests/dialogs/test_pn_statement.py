"""The statement of assets and income for a pre-negotiation: four answers read generously, each
questioned when it cannot be read, then the draft, which says what the figures mean."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dialogs.engine import step
from dialogs.money import Money
from dialogs.state import Debt, DebtKind, Place, PreNegotiation, ReminderSettings, UserState
from dialogs.step_io import Input, LetterDrafted, StepResult

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


def _applying() -> UserState:
    balance = Money.of(200_000, "TWD")
    bank = Debt(seq=1, state="in_writing", creditor="台新銀行", kind=DebtKind.CASH_CARD, balance=balance)
    return UserState(
        locale="zh_TW", place=Place.TW, place_confirmed=True, welcomed=True, currency="TWD", debts=[bank], active=1,
        prenegotiation=PreNegotiation(date(2027, 2, 20)),
        reminders=ReminderSettings("Asia/Taipei", zone_confirmed=True),
    )  # fmt: skip


def _answers(*typed: str) -> tuple[UserState, StepResult]:
    result = step(_applying(), Input.button("g:pn:statement"), NOW)
    for text in typed:
        result = step(result.state, Input.text(text), NOW)
    return result.state, result


def _said(result: StepResult) -> str:
    return "\n".join(r.text for r in result.replies)


def test_out_of_work_and_owning_nothing_are_answers_and_the_draft_says_what_they_mean() -> None:
    state, result = _answers("目前沒有", "兩萬", "3個", "沒有")
    own = state.prenegotiation
    assert own is not None
    assert (own.income, own.expenses, own.dependants, own.assets) == (
        Money.of(0, "TWD"), Money.of(20_000, "TWD"), 3, "")  # fmt: skip
    (letter,) = [e for e in result.effects if isinstance(e, LetterDrafted)]
    assert "收入：NT$0" in letter.text and "扶養人數：3人" in letter.text and "二、財產\n    無" in letter.text
    # Expenses above the income are said plainly, not as a negative amount left over.
    assert "必要支出比收入多NT$20,000" in _said(result) and "剩下" not in _said(result)
    assert state.asking is None


def test_an_answer_that_cannot_be_read_is_asked_again_with_an_example_and_loses_nothing() -> None:
    state, result = _answers("3萬", "很多")
    assert state.asking == "pn_expenses"
    assert "看不出這是多少錢" in _said(result) and "NT$18,000" in _said(result)
    assert state.prenegotiation is not None and state.prenegotiation.income == Money.of(30_000, "TWD")
    state, result = _answers("3萬", "2萬", "一大堆人")
    assert state.asking == "pn_dependants" and "扶養的人數" in _said(result)


def test_asked_again_each_question_shows_what_is_kept() -> None:
    state, _ = _answers("3萬", "2萬", "0", "機車一台")
    result = step(state, Input.button("g:pn:statement"), NOW)
    assert "目前記下的每月收入是NT$30,000" in _said(result)
