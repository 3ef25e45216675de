"""The bank's answer to a pre-negotiation: its repayment plan, checked against the person's money,
then recorded as the agreement every bank debt is paid under.

The bank with the largest claim offers one plan for all the banks (so many monthly payments of
so much, at a rate), collects the payments and shares them out. Before the person signs, the
coach reads the plan back and checks it with the ledger (dialogs/ledger.py) beside everything
else they have promised: a plan they cannot keep is worse than none, since breaking it (毀諾)
ends it, brings back the interest and penalties, and may bar court relief later. Signed, the plan
becomes the agreement of that bank's debt, with its monthly payments reminded like any other;
the other banks' debts are in it and are not negotiated on their own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from dialogs import buttons, portfolio
from dialogs import side_questions as sq
from dialogs.context import Ctx
from dialogs.ledger import Shortfall
from dialogs.money import Money, total_of
from dialogs.places import rules
from dialogs.prenegotiation import overview
from dialogs.readers.amounts import parse_amount
from dialogs.readers.dates import parse_date
from dialogs.readers.plans import Plan, parse_plan
from dialogs.reminder_plan import local_now
from dialogs.render import example_money, label
from dialogs.schedule import payments_for
from dialogs.state import Agreement, BankPlan, Frequency, Payment, UserState
from dialogs.step_io import CalendarRequested, Choice, StepResult
from dialogs.vocabulary import SideQuestion, Trigger

# The longest plan pre-negotiation gives: 180 monthly payments (15 years).
MOST_PAYMENTS = 180
# Taiwan's Civil Code caps agreed interest at 16% a year: a higher rate was misread.
HIGHEST_RATE = Decimal(16)
LATEST_FIRST_PAYMENT = timedelta(days=366)


def _currency(state: UserState) -> str:
    return state.currency or rules(state).currency


def _today(state: UserState, now: datetime) -> date:
    return local_now(state, now).date()


# -- the plan, as the bank put it ---------------------------------------------------------------
def read_plan(state: UserState, text: str, now: datetime) -> Plan | None:
    plan = parse_plan(text, _currency(state))
    if plan is None or not 2 <= plan.count <= MOST_PAYMENTS:
        return None
    if plan.rate is not None and plan.rate > HIGHEST_RATE:
        return None
    return plan


def plan_error_shows(state: UserState, now: datetime) -> dict[str, object]:
    return {"example": example_money(270, state), "most": MOST_PAYMENTS}


def take_plan(state: UserState, plan: Plan, now: datetime, result: StepResult) -> None:
    """A new plan replaces one not yet signed (the bank may offer a second one)."""
    own = state.prenegotiation
    assert own is not None, "the plan is asked only once the application is mailed"
    state.asking = None
    if own.plan is not None and own.plan.signed_on is not None:
        return  # signed since the question was asked: what is signed stays
    number = own.plan.number + 1 if own.plan is not None else 1
    own.plan = BankPlan(plan.count, plan.monthly, plan.rate, number=number)
    result.changed = True
    state.asking = SideQuestion.PN_FIRST_DUE.value


def read_first_due(state: UserState, text: str, now: datetime) -> date | None:
    today = _today(state, now)
    when = parse_date(text, today, state.locale)
    if when is None or not today <= when <= today + LATEST_FIRST_PAYMENT:
        return None
    return when


def date_error_shows(state: UserState, now: datetime) -> dict[str, object]:
    return {"example": label(state.locale, "example_date")}


def take_first_due(state: UserState, when: date, now: datetime, result: StepResult) -> None:
    plan = _offered(state)
    assert plan is not None
    plan.first_due = when
    result.changed = True
    if state.budget.monthly is None:
        state.asking = SideQuestion.PN_MONTHLY.value
        return
    state.asking = None
    show_check(state, now, result)


def read_monthly(state: UserState, text: str, now: datetime) -> Money | None:
    amount = parse_amount(text, _currency(state))
    return amount if amount is not None and amount and amount.currency == _currency(state) else None


def monthly_error_shows(state: UserState, now: datetime) -> dict[str, object]:
    return {"example": example_money(300, state)}


def take_monthly(state: UserState, monthly: Money, now: datetime, result: StepResult) -> None:
    """What the person can pay a month becomes their budget's monthly amount, from today."""
    state.budget.monthly = monthly
    state.budget.as_of = state.budget.as_of or _today(state, now)
    state.currency = state.currency or monthly.currency
    state.asking = None
    result.changed = True
    show_check(state, now, result)


# -- the check ------------------------------------------------------------------------------
def _offered(state: UserState) -> BankPlan | None:
    own = state.prenegotiation
    return own.plan if own is not None else None


def payments(plan: BankPlan) -> list[Payment]:
    assert plan.first_due is not None
    return payments_for(_agreement(plan))


def _agreement(plan: BankPlan) -> Agreement:
    total = Money(plan.monthly.amount * plan.count, plan.monthly.currency)
    return Agreement(total, plan.count, plan.monthly, plan.first_due, Frequency.MONTHLY)


def check_figures(state: UserState, today: date) -> dict[str, object]:
    """What the check says: the plan's total and last payment, what the debts it covers come to,
    and whether its payments fit the budget beside every other promise (`short`), with the most
    the budget allows a month (`room`)."""
    plan = _offered(state)
    assert plan is not None and plan.first_due is not None
    schedule = payments(plan)
    seen = overview(state)
    book = portfolio.ledger(state, today, excluding=None)
    short: Shortfall | None = book.shortfall([(p.due_on, p.amount) for p in schedule])
    return {
        "plan": plan,
        "total": total_of([p.amount for p in schedule]),
        "last_due": schedule[-1].due_on,
        "owed": seen.owed_to_banks,
        "short": short,
        "room": book.monthly_room(),
        "bank": seen.apply_to,
    }


def show_check(state: UserState, now: datetime, result: StepResult) -> None:
    figures = check_figures(state, _today(state, now))
    plan = _offered(state)
    assert plan is not None
    choices = (
        Choice(label(state.locale, "pn_signed"), buttons.control("pn", f"signed.{plan.number}")),
        Choice(label(state.locale, "pn_too_much"), buttons.control("pn", f"too_much.{plan.number}")),
    )
    sq.say(state, result, "pn_plan_check.html", choices, **figures)


# -- signed ---------------------------------------------------------------------------------
def sign(state: UserState, today: date, result: StepResult) -> bool:
    """The plan checked last, signed at the bank: the agreement of the largest bank's debt, the
    others in it. False when there is no plan waiting to be signed (already signed, or never
    read to the end)."""
    from dialogs.machine import fire  # the machine is built from the table, which reads this module

    plan = _offered(state)
    bank = overview(state).apply_to
    if plan is None or plan.first_due is None or plan.signed_on is not None or bank is None:
        return False
    others = [d for d in overview(state).covered if d is not bank]
    if not fire(state, bank, Trigger.PLAN_SIGNED, today):
        return False
    bank.agreement = _agreement(plan)
    bank.agreement.signed_on = bank.agreement.sent_on = today
    bank.payments = payments(plan)
    bank.pending_amount, bank.pending_payments = None, []
    # A bank debt with an agreement of its own, or in a lawsuit, stays where it is.
    others = [debt for debt in others if fire(state, debt, Trigger.IN_BANK_PLAN, today)]
    plan.signed_on, plan.with_debt = today, bank.seq
    state.active = bank.seq
    state.asking = None  # a plan question still open is moot now
    # Signed at the bank, it is no answer /back could take back: the answers before it, which
    # /back would otherwise undo under the plan, are history now.
    state.undo = []
    result.changed = True
    result.effects.append(CalendarRequested(bank.seq))
    sq.say(state, result, "pn_plan_signed.html", plan=plan, bank=bank, others=others)
    return True


def lead_figures(ctx: Ctx) -> dict[str, object]:
    """The bank whose plan a debt in it is paid through, and the plan."""
    plan = _offered(ctx.user)
    bank = ctx.user.debt(plan.with_debt) if plan is not None else None
    return {"bank": bank, "plan": plan}
