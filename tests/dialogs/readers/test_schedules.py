"""A creditor's figure read as it was said: a total, a schedule, or an amount a month."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.readers.schedules import parse_figure


def amounts(text: str) -> list[str] | str | None:
    figure = parse_figure(text, "USD")
    if figure is None:
        return None
    if figure.monthly is not None:
        return f"{figure.monthly.amount} a month"
    return [str(p.amount) for p in figure.payments]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2500", ["2500.00"]),
        ("no, they said $2,500", ["2500.00"]),
        ("$1,800 in all", ["1800.00"]),
        ("3 x 600", ["600.00"] * 3),
        ("$600 x 3", ["600.00"] * 3),
        ("3x$600", ["600.00"] * 3),
        ("3 payments of $600", ["600.00"] * 3),
        ("three payments of six hundred", ["600.00"] * 3),
        ("$800 over 3 months", ["266.67", "266.67", "266.66"]),
        ("$800 total over 3 months", ["266.67", "266.67", "266.66"]),
        ("$2,000 in 3 payments", ["666.67", "666.67", "666.66"]),
        ("$80 a month for 10 months", ["80.00"] * 10),
        ("$80 a month", "80.00 a month"),
        ("$80/month", "80.00 a month"),
        ("300 monthly", "300.00 a month"),
        ("1000 first then 400 and 400", ["1000.00", "400.00", "400.00"]),
        ("$1,000 down, then 3 payments of $400", ["1000.00", "400.00", "400.00", "400.00"]),
        ("500, 300, 200", ["500.00", "300.00", "200.00"]),
        # Chinese numerals: the place after a digit is its unit, never more digits (3千 was 31,000)
        ("3千", ["3000.00"]),
        ("1萬2千", ["12000.00"]),
        ("1.5千", ["1500.00"]),
        ("三千五", ["3500.00"]),
        ("一萬二", ["12000.00"]),
        ("十二萬", ["120000.00"]),
    ],
)
def test_a_figure_is_read_as_it_was_said(typed: str, read: list[str] | str) -> None:
    assert amounts(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        "between 4 and 5 thousand",  # a range: which one?
        "4-5k",
        "4 or 5 thousand",
        "$80 a month and $500",  # an open-ended amount a month beside another figure
        "they want 2500, my offer was 1000",  # two figures that are not a schedule
        "$500 and €300",
        "1e9",
        "nothing",
        "",
        "61 x 100",  # more payments than any plan here
        "第一銀行",  # First Bank, not 1
        "我一定付",  # "I will pay", not 1
        "千萬不要",  # "never", not ten million
    ],
)
def test_what_cannot_be_told_is_not_guessed(typed: str) -> None:
    assert amounts(typed) is None


@given(st.integers(2, 60), st.integers(1, 10**6))
def test_n_payments_of_an_amount_come_to_n_times_it(count: int, each: int) -> None:
    figure = parse_figure(f"{count} x ${each:,}", "USD")
    assert figure is not None and figure.total is not None
    assert figure.total.amount == Decimal(count * each)
    assert len(figure.payments) == count


@given(st.integers(2, 60), st.integers(100, 10**8))
def test_a_total_spread_over_months_adds_up_to_the_total(count: int, cents: int) -> None:
    total = Decimal(cents * count) / 100  # at least a dollar a payment
    figure = parse_figure(f"${total} over {count} months", "USD")
    assert figure is not None and figure.total is not None
    assert figure.total.amount == total
    assert figure.payments[-1] <= figure.payments[0]


@given(st.text(max_size=80))
def test_any_text_is_read_or_refused_without_an_error(text: str) -> None:
    figure = parse_figure(text, "USD")
    assert figure is None or figure.payments or figure.monthly
