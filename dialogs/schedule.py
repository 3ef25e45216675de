"""Turning an agreed plan into dated payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_UP, Decimal

from dateutil.relativedelta import relativedelta

from dialogs.money import Money
from dialogs.state import Agreement, Frequency, Payment


def due_dates(first: date, count: int, frequency: Frequency) -> list[date]:
    """Monthly plans keep the day of the month (clamped to short months, never drifting)."""
    if frequency is Frequency.MONTHLY:
        return [first + relativedelta(months=k) for k in range(count)]
    days = 7 if frequency is Frequency.WEEKLY else 14
    return [first + timedelta(days=days * k) for k in range(count)]


def split(total: Money, count: int, each: Money) -> list[Money] | None:
    """`count` payments of `each`, the last one taking the difference; None if that last one
    would be zero or negative (the instalments already add up to more than the total)."""
    last = total - each * (count - 1)
    if count < 1 or last.amount <= 0 or each.amount <= 0:
        return None
    return [each] * (count - 1) + [last]


def even_instalment(total: Money, count: int) -> Money:
    """The instalment that splits the total evenly, rounded up so the last one is not larger."""
    amount = (total.amount / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_UP)
    return Money(amount, total.currency)


def payments_for(agreement: Agreement) -> list[Payment]:
    assert agreement.first_due is not None
    if agreement.instalments == 1 or agreement.instalment_amount is None:
        return [Payment(agreement.first_due, agreement.amount)]
    amounts = split(agreement.amount, agreement.instalments, agreement.instalment_amount) or []
    dates = due_dates(agreement.first_due, agreement.instalments, agreement.frequency)
    return [Payment(d, a) for d, a in zip(dates, amounts, strict=True)]
