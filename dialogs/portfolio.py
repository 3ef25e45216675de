"""Several debts, one budget: what is still free to offer, the totals, and which debt goes first.

Money promised to one creditor is not available to another, so every offer is drafted from the
budget minus what other agreements already take.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from dialogs.money import Money
from dialogs.state import (
    INTEREST_BEARING,
    Budget,
    Debt,
    Frequency,
    Holder,
    PaymentStatus,
    UserState,
)
from dialogs.vocabulary import Tag

# Per-month share of one instalment, by how often it is paid.
PER_MONTH = {
    Frequency.WEEKLY: Decimal(52) / Decimal(12),
    Frequency.BIWEEKLY: Decimal(26) / Decimal(12),
    Frequency.MONTHLY: Decimal(1),
}


def _is(debt: Debt, tag: Tag) -> bool:
    # Read from the table when asked: the table imports the steps, and they import this module.
    from dialogs.conversation import tagged

    return debt.state in tagged(tag)


def committed(user: UserState, *, excluding: int | None) -> Budget:
    """What other agreements already take out of the budget: unpaid lump sums, and the monthly
    equivalent of instalment plans still running."""
    currency = user.currency or "USD"
    lump = Money.zero(currency)
    monthly = Money.zero(currency)
    for debt in user.debts:
        agreement = debt.agreement
        if debt.seq == excluding or agreement is None:
            continue
        if not _is(debt, Tag.UNDER_AGREEMENT):
            continue
        if agreement.amount.currency != currency:
            continue
        if agreement.instalments == 1:
            if any(p.status is not PaymentStatus.PAID for p in debt.payments):
                lump += agreement.amount
        elif agreement.instalment_amount is not None:
            monthly += agreement.instalment_amount * PER_MONTH[agreement.frequency]
    return Budget(lump, monthly)


def available(user: UserState, *, excluding: int | None) -> Budget:
    currency = user.currency or "USD"
    taken = committed(user, excluding=excluding)
    zero = Money.zero(currency)
    lump = (user.budget.lump_sum or zero) - (taken.lump_sum or zero)
    monthly = (user.budget.monthly or zero) - (taken.monthly or zero)
    return Budget(max(lump, zero), max(monthly, zero))


@dataclass(frozen=True, slots=True)
class Totals:
    currency: str
    owed: Money
    agreed: Money
    paid: Money
    remaining: Money
    forgiven: Money


def totals(user: UserState) -> list[Totals]:
    """One line per currency: what is owed, what was agreed, paid, still to pay, forgiven."""
    sums: dict[str, dict[str, Money]] = defaultdict(dict)

    def add(currency: str, key: str, amount: Money) -> None:
        sums[currency][key] = sums[currency].get(key, Money.zero(currency)) + amount

    for debt in user.debts:
        if debt.balance is None:
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
