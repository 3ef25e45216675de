"""What a person can still pay, and when: one budget, and every payment promised or made from it.

The budget is cash in hand on the day it was given (month 0) and an amount each month from the
next month on, so by month k it has brought in cash + k x monthly. Every payment promised to any
creditor, and every payment made since that day, takes its amount in its month: money paid is
spent, whether its debt is settled or not. What is left by month k is the difference. Money is
free to promise by month k only if no later month is left short by it, so what can still be
spent by month k is the least of what is left from month k on (`spendable_by`).

Every figure the coach gives about money across debts comes from here: what is free now and
each month, whether a schedule of payments fits, and the most an offer can reach on its schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta

from dialogs.money import Money

CENT = Decimal("0.01")

Dated = tuple[date, Money]


def month_index(start: date, day: date) -> int:
    """Whole calendar months from `start`'s month to `day`'s; 0 for any day before."""
    return max((day.year - start.year) * 12 + day.month - start.month, 0)


@dataclass(frozen=True, slots=True)
class Free:
    """What is free: `now`, then `monthly` each month from next month on; when promised payments
    take part of the monthly amount for a while, the whole of it, `full_monthly`, is free again
    from `full_from`."""

    now: Money
    monthly: Money
    full_monthly: Money
    full_from: date | None = None


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A schedule that does not fit: by `month` it needs `amount` more than is free."""

    amount: Money
    month: date


@dataclass(frozen=True, slots=True)
class Ledger:
    start: date  # the day the budget was given: month 0
    today: date
    cash: Money
    monthly: Money
    taken: tuple[Decimal, ...] = ()  # what payments take in each month from `start`

    @classmethod
    def of(cls, start: date, today: date, cash: Money, monthly: Money, payments: Iterable[Dated] = ()) -> Ledger:
        return cls(start, today, cash, monthly).with_payments(payments)

    @property
    def currency(self) -> str:
        return self.cash.currency

    def with_payments(self, payments: Iterable[Dated]) -> Ledger:
        """This ledger with `payments` taken too. A payment due before today is still owed, so it
        takes today's month, not a month already gone."""
        taken = list(self.taken)
        for day, amount in payments:
            if amount.currency != self.currency:
                raise ValueError(f"a payment in {amount.currency} against a budget in {self.currency}")
            month = max(month_index(self.start, day), self._now)
            taken.extend([Decimal(0)] * (month + 1 - len(taken)))
            taken[month] += amount.amount
        return Ledger(self.start, self.today, self.cash, self.monthly, tuple(taken))

    def with_spent(self, payments: Iterable[Dated]) -> Ledger:
        """This ledger with payments already made taken in the months they were made."""
        taken = list(self.taken)
        for day, amount in payments:
            month = month_index(self.start, day)
            taken.extend([Decimal(0)] * (month + 1 - len(taken)))
            taken[month] += amount.amount
        return Ledger(self.start, self.today, self.cash, self.monthly, tuple(taken))

    # -- reading it ----------------------------------------------------------------------
    @property
    def _now(self) -> int:
        return month_index(self.start, self.today)

    @property
    def last_month(self) -> int:
        """The last month anything is taken in (at least this month)."""
        return max(len(self.taken) - 1, self._now)

    def left(self, month: int) -> Decimal:
        """What the budget has left by `month` (months from the start), after what is taken."""
        return self.cash.amount + self.monthly.amount * month - sum(self.taken[: month + 1], Decimal(0))

    def spendable_by(self, month: int) -> Decimal:
        """The most that can be spent in all by `month`, leaving every later month covered (after
        the last payment the budget only grows, so no month past it can be the least)."""
        if month > self.last_month:
            return self.left(month)
        return self._spendable()[month]

    def _spendable(self) -> list[Decimal]:
        """`spendable_by` of every month to the last payment's, in one pass each way."""
        lefts = [self.cash.amount - self.taken_in(0)]
        for month in range(1, self.last_month + 1):
            lefts.append(lefts[-1] + self.monthly.amount - self.taken_in(month))
        for month in range(len(lefts) - 2, -1, -1):
            lefts[month] = min(lefts[month], lefts[month + 1])
        return lefts

    def free_now(self) -> Money:
        return self._money(max(self.spendable_by(self._now), Decimal(0)))

    def free_within(self, months: int) -> Money:
        """The most that can be paid in all over the next `months` months, as the money comes."""
        return self._money(max(self.spendable_by(self._now + months), Decimal(0)))

    def monthly_room(self) -> Money:
        """The most that can be paid each month from next month on, for as long as needed, out of
        the monthly amount: what is free now stays free."""
        now, spendable = self._now, self._spendable()
        base = spendable[now]
        if base < 0:
            return Money.zero(self.currency)
        spendable.append(self.left(self.last_month + 1))
        rates = ((spendable[k] - base) / (k - now) for k in range(now + 1, len(spendable)))
        room = min(min(rates), self.monthly.amount)
        return self._money(max(room, Decimal(0)).quantize(CENT, rounding=ROUND_FLOOR))

    def free(self) -> Free:
        room = self.monthly_room()
        full_from = None
        if room < self.monthly:
            full_from = self._month_start(self.last_month + 1)
        return Free(self.free_now(), room, self.monthly, full_from)

    def shortfall(self, payments: Iterable[Dated]) -> Shortfall | None:
        """Whether `payments` on top of what is taken leave any month from now on short, and by
        how much at worst (the first such month if several are as short)."""
        after = self.with_payments(payments)
        worst: tuple[Decimal, int] | None = None
        left = after.left(self._now)
        for month in range(self._now, after.last_month + 1):
            if month > self._now:
                left += after.monthly.amount - after.taken_in(month)
            if left < 0 and (worst is None or -left > worst[0]):
                worst = (-left, month)
        if worst is None:
            return None
        return Shortfall(self._money(worst[0]), self._month_start(worst[1]))

    def fundable(self, payments: Iterable[Dated]) -> Money:
        """The most a schedule shaped like `payments` (the same dates, the same proportions) can
        come to in all and still fit: how far "3 x $600" could go before some month is short."""
        shape = [(max(month_index(self.start, day), self._now), amount.amount) for day, amount in payments]
        whole = sum((amount for _, amount in shape), Decimal(0))
        if whole <= 0:
            return Money.zero(self.currency)
        last = max(self.last_month, max(month for month, _ in shape))
        share, scale = Decimal(0), None
        left = self.left(self._now)
        for month in range(self._now, last + 1):
            if month > self._now:
                left += self.monthly.amount - self.taken_in(month)
            share += sum((amount for m, amount in shape if m == month), Decimal(0)) / whole
            if share > 0:
                scale = left / share if scale is None else min(scale, left / share)
        most = max(scale or Decimal(0), Decimal(0))
        return self._money(most.quantize(CENT, rounding=ROUND_FLOOR))

    def fits(self, payments: Iterable[Dated]) -> bool:
        return self.shortfall(payments) is None

    def taken_in(self, month: int) -> Decimal:
        """What payments take in `month` (months from the start)."""
        return self.taken[month] if month < len(self.taken) else Decimal(0)

    def _month_start(self, month: int) -> date:
        return self.start.replace(day=1) + relativedelta(months=month)

    def _money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency).quantized()
