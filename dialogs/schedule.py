"""Turning an agreed plan into dated payments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal

from dateutil.relativedelta import relativedelta

from dialogs.money import Money, total_of
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
    if agreement.schedule:
        dates = due_dates(agreement.first_due, len(agreement.schedule), agreement.frequency)
        return [Payment(d, a) for d, a in zip(dates, agreement.schedule, strict=True)]
    if agreement.instalments == 1 or agreement.instalment_amount is None:
        return [Payment(agreement.first_due, agreement.amount)]
    amounts = split(agreement.amount, agreement.instalments, agreement.instalment_amount) or []
    dates = due_dates(agreement.first_due, agreement.instalments, agreement.frequency)
    return [Payment(d, a) for d, a in zip(dates, amounts, strict=True)]


@dataclass(frozen=True, slots=True)
class Shape:
    """A schedule as a person reads it: a `first` payment unlike the rest (a down payment), then
    `count` payments of `each` (the last one `last` when the split leaves it smaller), `total`
    in all; `listed` when the payments follow no such pattern."""

    total: Money
    count: int
    each: Money | None = None
    first: Money | None = None
    last: Money | None = None
    listed: tuple[Money, ...] = ()


def shape(payments: Sequence[Money]) -> Shape:
    total = total_of(payments)
    first = None
    rest = list(payments)
    if len(rest) > 2 and rest[0] != rest[1]:
        first, rest = rest[0], rest[1:]
    each, last = rest[0], None
    if len(rest) > 1 and rest[-1] != each:
        last = rest[-1]
    if any(p != each for p in rest[:-1]) or (last is not None and last > each):
        return Shape(total, len(payments), listed=tuple(payments))
    return Shape(total, len(rest), each, first, last)
