"""The negotiation figures: what to open with, what to aim for, where to walk away.

The percentages are the ones debt counsellors quote (DOMAIN.md): open at 15-25% of the balance,
30% is a good result, try not to go above 50%; original banks want 40-60%, debt buyers often take
20-35%. The ceiling is also capped by what the person can actually pay, because an offer they
cannot keep is worse than no offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from dialogs.ledger import Ledger
from dialogs.money import Money, total_of
from dialogs.schedule import due_dates
from dialogs.state import Basis, Debt, Frequency, Goal, Holder, Offer, Outcome, Round, Who

# (opening, target, ceiling) as percentages of the balance.
COLLECTOR_FIGURES = (15, 25, 35)
ORIGINAL_FIGURES = (25, 40, 50)
# Close to charge-off (about six months late) a bank has more reason to take less; from here
# on the coach also asks whether the account has been charged off.
CHARGED_OFF_FIGURES = (20, 35, 50)
CHARGE_OFF_MONTHS = 5
# A settlement paid in instalments should end within a year; longer is a payment plan.
MAX_SETTLEMENT_MONTHS = 12
# Payment plans: open below what fits the budget, leaving room to concede.
PLAN_FIGURES = (80, 90, 100)
# After this many answers from the creditor without a deal, stop conceding and change tack.
ROUNDS_BEFORE_CHANGING_TACK = 3


class Action(StrEnum):
    AGREE = "agree"
    ACCEPT = "accept"
    COUNTER = "counter"
    SUPERVISOR = "supervisor"
    PAUSE = "pause"
    SWITCH_TO_PLAN = "plan"


@dataclass(frozen=True, slots=True)
class Recommendation:
    action: Action
    # The figure to counter with when action is COUNTER, or the next counter still available.
    counter: Money | None


def basis_for(goals: list[Goal]) -> Basis:
    if Goal.LUMP_SUM in goals:
        return Basis.LUMP_SUM
    if Goal.INSTALMENTS in goals:
        return Basis.INSTALMENTS
    return Basis.PAYMENT_PLAN


def figures_for(debt: Debt) -> tuple[int, int, int]:
    if debt.holder is Holder.COLLECTOR:
        return COLLECTOR_FIGURES
    if (debt.months_delinquent or 0) >= CHARGE_OFF_MONTHS:
        return CHARGED_OFF_FIGURES
    return ORIGINAL_FIGURES


def affordable(basis: Basis, book: Ledger) -> Money:
    """The most the ledger can fund on the offer's schedule: a lump sum out of what is free now;
    a settlement in instalments out of what comes in over the months it may run; a payment
    plan's monthly figure out of the monthly amount, for as long as the plan lasts."""
    if basis is Basis.LUMP_SUM:
        return book.free_now()
    if basis is Basis.INSTALMENTS:
        return book.free_within(MAX_SETTLEMENT_MONTHS)
    return book.monthly_room()


def limit_for(debt: Debt, payments: Sequence[Money], book: Ledger, today: date) -> Money:
    """The walk-away limit, in all, for a figure paid as `payments` (monthly, the first this
    month): what the ledger can fund on that schedule, never more than the balance, and for a
    settlement (less than the balance) the counsellors' percentage of it too. "3 x $600" against
    $1,500 now and $200 a month can reach $1,900, though as one payment only $1,500."""
    offer = debt.offer
    assert offer is not None
    if len(payments) < 2 or debt.balance is None:
        return offer.ceiling
    limit = min(book.fundable(dated(payments, today, offer.basis)), debt.balance)
    if total_of(payments) < debt.balance:
        limit = min(limit, round_down(debt.balance.share(figures_for(debt)[2])))
    return limit


def budget_reach(debt: Debt, payments: Sequence[Money], book: Ledger, today: date) -> Money:
    """What the budget alone can fund for a figure paid as `payments` (one payment: on the
    offer's own schedule), before any percentage: when the limit is this, "that's all your budget
    allows" is true, and otherwise it is not."""
    offer = debt.offer
    assert offer is not None
    if len(payments) < 2:
        return round_down(affordable(offer.basis, book))
    return book.fundable(dated(payments, today, offer.basis))


def dated(payments: Sequence[Money], today: date, basis: Basis) -> list[tuple[date, Money]]:
    """A creditor's schedule on its likely dates, monthly: a settlement's first payment this
    month (the cash is there for it); a payment plan's from next month, as the monthly amount
    comes in."""
    first = today if basis is not Basis.PAYMENT_PLAN else today + relativedelta(months=1)
    return list(zip(due_dates(first, len(payments), Frequency.MONTHLY), payments, strict=True))


def within_limit(debt: Debt, amount: Money, payments: Sequence[Money], book: Ledger, today: date) -> bool:
    """Whether a figure is within the walk-away limit on its own schedule: one amount against the
    offer's ceiling (in the offer's units), a schedule by its total against `limit_for` it."""
    offer = debt.offer
    assert offer is not None
    if len(payments) < 2:
        return amount <= offer.ceiling
    return total_of(payments) <= limit_for(debt, payments, book, today)


def offer_terms(debt: Debt, figure: Money | None, book: Ledger) -> dict[str, object]:
    """What the script and the offer letter may say truthfully: whether the cash free now covers
    the whole balance (then "I can't pay it all" would be a lie, and paying in full is an option),
    and on a payment plan how many months `figure` takes to pay the balance (its term)."""
    balance, free_now = debt.balance, book.free_now()
    covers = balance is not None and balance.currency == free_now.currency and free_now >= balance
    months = None
    plan = debt.offer is not None and debt.offer.basis is Basis.PAYMENT_PLAN
    if plan and balance is not None and figure:
        months = int((balance.amount / figure.amount).to_integral_value(rounding=ROUND_CEILING))
    return {"covers": covers, "months": months}


def round_down(money: Money) -> Money:
    """Offers in round figures sound deliberate, and rounding down never passes a ceiling: whole
    units under 100, tens under 1,000, fifties from 1,000 up ($397 is offered as $390, $1,530
    as $1,500)."""
    step = round_unit(money)
    amount = (money.amount / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return Money(amount, money.currency).quantized()


def round_unit(money: Money) -> Decimal:
    """The step figures of this size are rounded to (see round_down)."""
    if money.amount >= 1000:
        return Decimal(50)
    return Decimal(10) if money.amount >= 100 else Decimal(1)


def draft(debt: Debt, basis: Basis, book: Ledger) -> Offer | None:
    """The three figures, or None when the budget cannot reach even an opening offer."""
    assert debt.balance is not None
    currency = debt.balance.currency
    can_pay = affordable(basis, book)
    if basis is Basis.PAYMENT_PLAN:
        percents = PLAN_FIGURES
        reference = can_pay
    else:
        percents = figures_for(debt)
        reference = debt.balance
    opening, target, ceiling = (round_down(reference.share(p)) for p in percents)
    ceiling = min(ceiling, round_down(can_pay))
    if not ceiling or (ceiling < opening and basis is not Basis.PAYMENT_PLAN):
        return None
    # Tiny balances round their percentages down to nothing: one unit is the least to offer.
    one = Money.of(1, currency)
    target = min(max(target, one), ceiling)
    opening = min(max(opening, one), target)
    return Offer(basis, opening, target, ceiling)


def current_rounds(debt: Debt) -> list[Round]:
    start = debt.offer.first_round if debt.offer is not None else 0
    return debt.rounds[start:]


def our_offers(debt: Debt) -> list[Money]:
    return [r.amount for r in current_rounds(debt) if r.who is Who.USER and r.amount is not None]


def creditor_answers(debt: Debt) -> int:
    return sum(1 for r in current_rounds(debt) if r.who is Who.CREDITOR)


def next_counter(debt: Debt) -> Money | None:
    """The next figure to offer: each concession half the size of the last, never past the
    ceiling. None when there is no room left to concede."""
    offer = debt.offer
    assert offer is not None
    made = our_offers(debt)
    last = made[-1] if made else offer.opening
    if len(made) >= 2:
        step = (made[-1] - made[-2]).amount / 2
    else:
        step = (offer.ceiling - offer.opening).amount * Decimal("0.4")
    unit = round_unit(offer.ceiling)
    step = (step / unit).to_integral_value(rounding=ROUND_FLOOR) * unit
    if step <= 0:
        return None
    candidate = min(last + Money(step, last.currency).quantized(), offer.ceiling)
    return candidate if candidate > last else None


def recommend(debt: Debt, book: Ledger, today: date) -> Recommendation:
    """What the coach suggests after the creditor's latest answer."""
    offer = debt.offer
    assert offer is not None
    latest = next(r for r in reversed(current_rounds(debt)) if r.who is Who.CREDITOR)
    if latest.outcome is Outcome.ACCEPTED:
        return Recommendation(Action.AGREE, None)
    counter = next_counter(debt)
    their = latest.amount if latest.outcome is Outcome.COUNTERED else None
    if their is not None and len(latest.payments) > 1:
        # A schedule is judged whole, on its dates: within the limit, it is worth taking when it
        # settles for no more than the target, or is a plan that pays the balance as it can.
        if within_limit(debt, their, latest.payments, book, today):
            total = total_of(latest.payments)
            good = total <= offer.target if offer.basis is not Basis.PAYMENT_PLAN else True
            if good or creditor_answers(debt) >= ROUNDS_BEFORE_CHANGING_TACK:
                return Recommendation(Action.ACCEPT, counter)
    elif their is not None:
        if their <= offer.target or (counter is not None and their <= counter):
            return Recommendation(Action.ACCEPT, counter)
        if their <= offer.ceiling and creditor_answers(debt) >= ROUNDS_BEFORE_CHANGING_TACK:
            return Recommendation(Action.ACCEPT, counter)
    if counter is not None and creditor_answers(debt) < ROUNDS_BEFORE_CHANGING_TACK:
        return Recommendation(Action.COUNTER, counter)
    return Recommendation(_change_of_tack(debt), counter)


def _change_of_tack(debt: Debt) -> Action:
    """Supervisor first, then a pause, then a payment plan instead of a reduced payoff."""
    answers = creditor_answers(debt)
    assert debt.offer is not None
    if answers <= ROUNDS_BEFORE_CHANGING_TACK:
        return Action.SUPERVISOR
    if answers == ROUNDS_BEFORE_CHANGING_TACK + 1 or debt.offer.basis is Basis.PAYMENT_PLAN:
        return Action.PAUSE
    return Action.SWITCH_TO_PLAN
