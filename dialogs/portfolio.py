"""Several debts, one budget: what is still free to offer, the totals, and which debt goes first.

Money promised to one creditor is not available to another: every offer is drafted from the
ledger (dialogs/ledger.py) of the budget, what was paid from it and what other agreements take.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dialogs.ledger import Dated, Ledger
from dialogs.money import Money
from dialogs.state import INTEREST_BEARING, Debt, Holder, PaymentStatus, UserState
from dialogs.vocabulary import State, Tag


def _is(debt: Debt, tag: Tag) -> bool:
    # Read from the table when asked: the table imports the steps, and they import this module.
    from dialogs.conversation import tagged

    return debt.state in tagged(tag)


def ledger(user: UserState, today: date, *, excluding: int | None) -> Ledger:
    """The person's budget with what is spent and promised: every payment made since the budget
    was given, and every payment still owed under an agreement except those of debt `excluding`
    (the one being negotiated, whose own figures are to be worked out)."""
    currency = user.currency or "USD"
    zero = Money.zero(currency)
    budget = user.budget
    spent: list[Dated] = []
    owed: list[Dated] = []
    for debt in user.debts:
        for payment in debt.payments:
            if payment.amount.currency != currency:
                continue
            if payment.status is PaymentStatus.PAID:
                day = payment.recorded_on or payment.due_on
                if budget.as_of is not None and day >= budget.as_of:
                    spent.append((day, payment.amount))
            elif debt.seq != excluding and _is(debt, Tag.UNDER_AGREEMENT):
                owed.append((payment.due_on, payment.amount))
    book = Ledger.of(budget.as_of or today, today, budget.lump_sum or zero, budget.monthly or zero)
    return book.with_spent(spent).with_payments(owed)


def spent(user: UserState) -> Money:
    """What was paid to any creditor since the budget was given, in all."""
    total = Money.zero(user.currency or "USD")
    as_of = user.budget.as_of
    for debt in user.debts:
        for payment in debt.payments:
            day = payment.recorded_on or payment.due_on
            paid = payment.status is PaymentStatus.PAID and as_of is not None and day >= as_of
            if paid and payment.amount.currency == total.currency:
                total += payment.amount
    return total


def promised(user: UserState, *, excluding: int | None) -> Money:
    """What agreements with other creditors still have to be paid, in all."""
    total = Money.zero(user.currency or "USD")
    for debt in user.debts:
        if debt.seq == excluding or not _is(debt, Tag.UNDER_AGREEMENT):
            continue
        for payment in debt.payments:
            if payment.status is not PaymentStatus.PAID and payment.amount.currency == total.currency:
                total += payment.amount
    return total


@dataclass(frozen=True, slots=True)
class Totals:
    currency: str
    owed: Money
    agreed: Money
    paid: Money
    remaining: Money
    forgiven: Money


def side_doors(user: UserState) -> list[Debt]:
    """The debts not for settlement (secured, tax, in a lawsuit...): they have their own route,
    and are left out of the settlement totals, which /debts says."""
    return [debt for debt in user.debts if debt.state == State.NOT_NEGOTIABLE]


def totals(user: UserState) -> list[Totals]:
    """One line per currency for the debts to settle (not the side doors): what is owed, what was
    agreed, paid, still to pay, forgiven."""
    sums: dict[str, dict[str, Money]] = defaultdict(dict)

    def add(currency: str, key: str, amount: Money) -> None:
        sums[currency][key] = sums[currency].get(key, Money.zero(currency)) + amount

    for debt in user.debts:
        if debt.balance is None or debt.state == State.NOT_NEGOTIABLE:
            continue
        currency = debt.balance.currency
        add(currency, "owed", debt.balance)
        if debt.agreement is not None and _is(debt, Tag.SCHEDULED):
            paid = paid_so_far(debt)
            add(currency, "agreed", debt.agreement.amount)
            add(currency, "paid", paid)
            add(currency, "remaining", debt.agreement.amount - paid)
            add(currency, "forgiven", forgiven(debt) or Money.zero(currency))
    return [
        Totals(c, *(v.get(k, Money.zero(c)) for k in ("owed", "agreed", "paid", "remaining", "forgiven")))
        for c, v in sorted(sums.items())
    ]


def paid_so_far(debt: Debt) -> Money:
    currency = debt.balance.currency if debt.balance else "USD"
    total = Money.zero(currency)
    for payment in debt.payments:
        if payment.status is PaymentStatus.PAID:
            total += payment.amount
    return total


@dataclass(frozen=True, slots=True)
class Ranked:
    debt: Debt
    reasons: tuple[str, ...]


def suggested_order(user: UserState) -> list[Ranked]:
    """Open negotiations, most urgent first: interest or lawsuit risk before the rest, then the
    largest balance, so each settlement makes a real dent in the total."""
    ranked: list[tuple[tuple[int, Decimal], Ranked]] = []
    for debt in user.debts:
        if _is(debt, Tag.CLOSED) or debt.balance is None:
            continue
        reasons: list[str] = []
        if debt.kind in INTEREST_BEARING:
            reasons.append("interest")
        if debt.holder is Holder.COLLECTOR or (debt.months_delinquent or 0) >= 4:
            reasons.append("lawsuit_risk")
        urgency = 0 if reasons else 1
        ranked.append(((urgency, -debt.balance.amount), Ranked(debt, tuple(reasons))))
    ranked.sort(key=lambda pair: pair[0])
    return [r for _, r in ranked]


def forgiven(debt: Debt) -> Money | None:
    """What the creditor lets go of: the balance less the agreed settlement."""
    if debt.balance is None or debt.agreement is None:
        return None
    return max(debt.balance - debt.agreement.amount, Money.zero(debt.balance.currency))
