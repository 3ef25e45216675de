"""One budget, one ledger: what is free and when, across every creditor's payments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.ledger import Ledger
from dialogs.money import Money
from dialogs.offer import MAX_SETTLEMENT_MONTHS

TODAY = date(2027, 3, 10)


def usd(amount: int | str) -> Money:
    return Money(Decimal(amount), "USD")


def monthly(count: int, each: int, first: date) -> list[tuple[date, Money]]:
    return [(first + relativedelta(months=k), usd(each)) for k in range(count)]


def budget(cash: int, per_month: int, payments: Sequence[tuple[date, Money]] = ()) -> Ledger:
    return Ledger.of(TODAY, TODAY, usd(cash), usd(per_month), payments)


def test_a_plan_above_the_monthly_amount_takes_the_rest_from_the_cash() -> None:
    """DOMAIN.md: 10 x $400 against $250 a month takes $150 a month of the $2,000 cash, so about
    $500 is left for the next creditor, not $2,000; the monthly amount is all taken until the
    plan ends."""
    book = budget(2000, 250, monthly(10, 400, date(2027, 4, 10)))
    free = book.free()
    assert free.now == usd(500)
    assert free.monthly == usd(0)
    assert (free.full_monthly, free.full_from) == (usd(250), date(2028, 2, 1))
    assert book.fits([(TODAY, usd(500))])
    assert not book.fits([(TODAY, usd("500.01"))])


def test_a_three_payment_offer_that_fits_cash_and_two_months_is_not_above_the_budget() -> None:
    """DOMAIN.md: 3 x $600 fits $1,500 cash + $200 a month (1,500 + 200 + 200 = 1,900)."""
    book = budget(1500, 200)
    assert book.fits(monthly(3, 600, TODAY))
    assert not book.fits(monthly(3, 700, TODAY))
    short = book.shortfall(monthly(3, 700, TODAY))
    assert short is not None and (short.amount, short.month) == (usd(200), date(2027, 5, 1))


def test_money_paid_stays_spent() -> None:
    """A payment made is gone from the budget, whether or not its debt is settled since."""
    book = budget(2000, 300).with_spent([(TODAY, usd(1200))])
    assert book.free_now() == usd(800)
    assert book.free_within(MAX_SETTLEMENT_MONTHS) == usd(800 + 12 * 300)


def test_an_overdue_payment_is_still_owed_now() -> None:
    book = Ledger.of(date(2027, 1, 5), TODAY, usd(1000), usd(100), [(date(2027, 2, 1), usd(600))])
    # Two months of the monthly amount came in since January; the overdue $600 is owed today.
    assert book.free_now() == usd(1000 + 200 - 600)


def test_the_limits_of_each_kind_of_offer() -> None:
    book = budget(1000, 200, monthly(5, 300, date(2027, 4, 1)))
    assert book.free_now() == usd(500)  # 1,000 + 5 x 200 - 5 x 300 by August
    assert book.free_within(12) == usd(1000 + 12 * 200 - 1500)
    assert book.monthly_room() == usd(0)  # the plan takes more than the monthly amount for 5 months
    assert budget(1000, 200).monthly_room() == usd(200)
    assert budget(1000, 200, monthly(5, 50, date(2027, 4, 1))).monthly_room() == usd(150)


# -- the money rule, for any budget and any agreements ----------------------------------------
amounts = st.integers(min_value=0, max_value=5000)
schedules = st.lists(
    st.tuples(st.integers(min_value=-3, max_value=30), st.integers(min_value=1, max_value=36), amounts),
    max_size=4,
)


def schedule(start_offset: int, count: int, each: int) -> list[tuple[date, Money]]:
    return monthly(count, each, TODAY + relativedelta(months=start_offset))


@settings(max_examples=300, deadline=None)
@given(cash=amounts, per_month=amounts, plans=schedules)
def test_no_month_is_promised_more_than_is_free_by_then(
    cash: int, per_month: int, plans: list[tuple[int, int, int]]
) -> None:
    """Agreements are taken one after another, each only if the ledger says it fits: then by
    no month do the payments promised exceed the cash plus the monthly amounts come in by then."""
    book = budget(cash, per_month)
    taken: list[tuple[date, Money]] = []
    for plan in plans:
        payments = schedule(*plan)
        if book.fits(payments):
            book = book.with_payments(payments)
            taken += payments
    for months in range(0, 80):
        by = TODAY.replace(day=1) + relativedelta(months=months + 1)
        due = sum((max(day, TODAY) < by) * amount.amount for day, amount in taken)
        assert due <= cash + per_month * months


@settings(max_examples=300, deadline=None)
@given(cash=amounts, per_month=amounts, plans=schedules)
def test_no_ceiling_is_more_than_the_ledger_can_fund(
    cash: int, per_month: int, plans: list[tuple[int, int, int]]
) -> None:
    """Whatever is already promised, each kind of offer's ceiling can be paid on its schedule:
    a lump sum today; a settlement in instalments as the money comes over twelve months; a
    payment plan's monthly figure every month for five years. And a cent more than the lump sum
    does not fit."""
    book = budget(cash, per_month)
    for plan in plans:
        payments = schedule(*plan)
        if book.fits(payments):
            book = book.with_payments(payments)
    lump = book.free_now()
    assert book.fits([(TODAY, lump)])
    assert not book.fits([(TODAY, lump + usd("0.01"))])
    total = book.free_within(MAX_SETTLEMENT_MONTHS)
    assert total >= lump
    as_it_comes = [(TODAY, lump)]
    reached = lump
    for months in range(1, MAX_SETTLEMENT_MONTHS + 1):
        more = min(Money(book.spendable_by(months), "USD"), total) - reached
        if more.amount > 0:
            as_it_comes.append((TODAY + relativedelta(months=months), more))
            reached += more
    assert reached == total and book.fits(as_it_comes)
    room = book.monthly_room()
    if room:
        assert book.fits([(TODAY + relativedelta(months=k), room) for k in range(1, 61)])


def test_a_schedule_can_reach_what_cash_and_its_months_bring_in() -> None:
    """3 x $600 against $1,500 cash + $200 a month could go to $1,900 in all (three payments of
    $633.33), though as one payment today only $1,500."""
    book = budget(1500, 200)
    assert book.fundable(monthly(3, 600, TODAY)) == usd(1900)
    assert book.fundable([(TODAY, usd(1))]) == usd(1500)


@settings(max_examples=300, deadline=None)
@given(cash=amounts, per_month=amounts, plans=schedules, shape=schedules)
def test_a_schedule_scaled_to_what_is_fundable_fits_and_a_dollar_more_does_not(
    cash: int, per_month: int, plans: list[tuple[int, int, int]], shape: list[tuple[int, int, int]]
) -> None:
    book = budget(cash, per_month)
    for plan in plans:
        payments = schedule(*plan)
        if book.fits(payments):
            book = book.with_payments(payments)
    wanted = [p for plan in shape for p in schedule(*plan)]
    whole = sum((amount.amount for _, amount in wanted), Decimal(0))
    if not wanted or whole <= 0:
        return
    most = book.fundable(wanted).amount
    cent = Decimal("0.01")
    scaled = [
        (day, Money((amount.amount * most / whole).quantize(cent, rounding=ROUND_FLOOR), "USD"))
        for day, amount in wanted
    ]
    assert book.fits(scaled)
    over = [(day, Money(amount.amount * (most + 1) / whole, "USD")) for day, amount in wanted]
    assert not book.fits(over)
