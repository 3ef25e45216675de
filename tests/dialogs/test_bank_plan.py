"""The bank's pre-negotiation plan: checked with the one ledger beside every other promise,
recorded as the largest bank's agreement, and reminded like any plan, with the 毀諾 warning."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from dialogs import bank_plan, portfolio
from dialogs.codec import decode, encode
from dialogs.engine import step
from dialogs.money import Money
from dialogs.reminder_plan import Kind, plan
from dialogs.reminder_wording import compose
from dialogs.state import (
    Agreement,
    BankPlan,
    Budget,
    Debt,
    DebtKind,
    Document,
    Holder,
    Payment,
    Place,
    PreNegotiation,
    ReminderSettings,
    UserState,
)
from dialogs.step_io import Input

TODAY = date(2027, 3, 1)
NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


def nt(amount: int) -> Money:
    return Money.of(amount, "TWD")


def _taiwan(monthly: int, *, bought_debt_plan: bool = False) -> UserState:
    """Three banks, an application mailed, a bank's plan read: NT$4,000 a month for 100 months.
    With `bought_debt_plan`, an asset-management company is already being paid NT$3,000 a month
    for six months under an agreement of its own."""
    debts = [
        Debt(seq=1, state="in_writing", creditor="國泰世華銀行", kind=DebtKind.CREDIT_CARD, balance=nt(120_000)),
        Debt(seq=2, state="in_writing", creditor="台新銀行", kind=DebtKind.CASH_CARD, balance=nt(200_000)),
        Debt(seq=3, state="in_writing", creditor="中國信託", kind=DebtKind.PERSONAL_LOAN, balance=nt(80_000)),
    ]
    if bought_debt_plan:
        payments = [Payment(date(2027, m, 5), nt(3000)) for m in range(3, 9)]
        debts.append(
            Debt(
                seq=4, state="repaying", creditor="良京實業", kind=DebtKind.CREDIT_CARD, balance=nt(50_000),
                holder=Holder.COLLECTOR, agreement=Agreement(nt(18_000), 6, nt(3000), date(2027, 3, 5)),
                payments=payments,
            )
        )
    application = PreNegotiation(date(2027, 1, 5), gathered=list(Document), mailed_on=date(2027, 1, 20))
    application.plan = BankPlan(100, nt(4000), Decimal("1.5"), first_due=date(2027, 4, 10))
    return UserState(
        locale="zh_TW", place=Place.TW, place_confirmed=True, welcomed=True, currency="TWD",
        budget=Budget(nt(0), nt(monthly), as_of=date(2027, 2, 1)),
        debts=debts, active=1, prenegotiation=application,
        reminders=ReminderSettings("Asia/Taipei", zone_confirmed=True),
    )


def test_a_plan_within_the_budget_fits_and_its_cost_is_said() -> None:
    figures = bank_plan.check_figures(_taiwan(6000), TODAY)
    assert figures["short"] is None
    assert figures["total"] == nt(400_000) and figures["owed"] == nt(400_000)
    assert figures["last_due"] == date(2035, 7, 10)


def test_a_plan_that_fits_alone_is_short_beside_another_creditors_payments() -> None:
    """One ledger: NT$4,000 fits NT$6,000 a month, but not while NT$3,000 a month goes to the
    asset-management company: NT$1,000 short each month from April (what March left over
    covers April), NT$2,000 in all by August, and the check says so."""
    figures = bank_plan.check_figures(_taiwan(6000, bought_debt_plan=True), TODAY)
    short = figures["short"]
    assert short is not None and short.amount == nt(2000) and short.month == date(2027, 8, 1)
    said = step(_taiwan(6000, bought_debt_plan=True), Input.button("g:pn:plan"), NOW)
    said = step(said.state, Input.text("每月4000，共100期，年利率1.5%"), NOW)
    said = step(said.state, Input.text("4月10日"), NOW)
    text = "\n".join(r.text for r in said.replies)
    assert "您的預算守不住" in text and "到2027年8月會差NT$2,000" in text and "毀諾" in text, text


def test_signed_it_is_the_largest_banks_agreement_and_the_others_are_in_it() -> None:
    answered = _taiwan(6000)
    answered.active = 2
    answered = step(answered, Input.text("有"), NOW).state  # an answer /back could take back
    result = step(answered, Input.button("g:pn:signed.1"), NOW)
    state = result.state
    taishin, cathay, ctbc = state.debt(2), state.debt(1), state.debt(3)
    assert taishin is not None and cathay is not None and ctbc is not None
    assert (taishin.state, cathay.state, ctbc.state) == ("repaying", "in_plan", "in_plan")
    assert taishin.agreement is not None and taishin.agreement.signed_on == TODAY
    assert [p.amount for p in taishin.payments] == [nt(4000)] * 100
    assert taishin.payments[0].due_on == date(2027, 4, 10) and taishin.payments[-1].due_on == date(2035, 7, 10)
    assert cathay.payments == [] and ctbc.payments == []
    # What another creditor could now be offered each month is what the plan leaves.
    assert portfolio.ledger(state, TODAY, excluding=None).monthly_room() == nt(2000)
    # /back cannot take the signature back, nor an answer from before it under the plan.
    back = step(state, Input.command("back"), NOW).state
    assert back.debt(2) == taishin and back.debt(1) == cathay
    # Pressed again, nothing more is recorded.
    again = step(state, Input.button("g:pn:signed.1"), NOW).state
    assert encode(again) == encode(state)


def test_the_plans_payment_is_reminded_in_taipei_with_the_warning_about_breaking_it() -> None:
    state = step(_taiwan(6000), Input.button("g:pn:signed.1"), NOW).state
    (soon,) = [p for p in plan(state) if p.kind is Kind.PAYMENT_SOON and p.index == 0]
    local = soon.due_at.astimezone(ZoneInfo("Asia/Taipei"))
    assert (local.date(), local.time()) == (date(2027, 4, 7), time(9, 0))
    said = compose(state, soon, soon.due_at, late=False)
    assert "給台新銀行的NT$4,000" in said.text and "第1期（共100期）" in said.text
    assert "前置協商的方案" in said.text and "毀諾" in said.text


def test_the_application_and_its_plan_are_stored_and_read_back_whole() -> None:
    state = step(_taiwan(6000), Input.button("g:pn:signed.1"), NOW).state
    state.prenegotiation.income, state.prenegotiation.assets = nt(32_000), "機車一台"  # type: ignore[union-attr]
    again = decode(UserState, encode(state))
    assert again == state
    assert again.prenegotiation is not None and again.prenegotiation.plan is not None
    assert again.prenegotiation.plan.rate == Decimal("1.5")


def test_a_bank_debt_in_a_lawsuit_stays_on_its_own_road_and_is_not_said_to_be_in_the_plan() -> None:
    state = _taiwan(6000)
    ctbc = state.debt(3)
    assert ctbc is not None
    ctbc.state, ctbc.lawsuit = "not_negotiable", True
    result = step(state, Input.button("g:pn:signed.1"), NOW)
    said = "\n".join(r.text for r in result.replies)
    assert result.state.debt(3).state == "not_negotiable"  # type: ignore[union-attr]
    assert "國泰世華銀行的債務也在這個方案裡" in said and "中國信託" not in said, said


def test_a_plan_question_left_open_when_the_plan_is_signed_cannot_replace_what_was_signed() -> None:
    state = step(_taiwan(6000), Input.button("g:pn:plan"), NOW).state
    assert state.asking == "pn_plan"
    state = step(state, Input.button("g:pn:signed.1"), NOW).state
    state = step(state, Input.text("每月5000，共60期"), NOW).state
    own = state.prenegotiation
    assert own is not None and own.plan is not None
    assert (own.plan.count, own.plan.monthly, own.plan.signed_on) == (100, nt(4000), TODAY)
    assert state.debt(2).agreement.instalments == 100  # type: ignore[union-attr]
