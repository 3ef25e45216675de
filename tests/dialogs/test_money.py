"""Money: exact, one currency at a time, and written as people of the locale write it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.money import Money, format_money

USD = "USD"
TWD = "TWD"


def m(amount: str, currency: str = USD) -> Money:
    return Money(Decimal(amount), currency)


@pytest.mark.parametrize(
    ("money", "locale", "expected"),
    [
        (m("5000"), "en", "$5,000"),
        (m("1666.67"), "en", "$1,666.67"),
        (m("1666.666"), "en", "$1,666.67"),
        (m("0.005"), "en", "$0.01"),  # half-up, where Babel alone rounds half-even
        (m("5000.10"), "en_US", "$5,000.10"),
        (m("120000", TWD), "en", "NT$120,000"),
        (m("120000", TWD), "zh-TW", "NT$120,000"),  # never a bare "$": US dollars are US$ there
        (m("1666.67", TWD), "zh_TW", "NT$1,666.67"),
        (m("5000"), "zh_TW", "US$5,000"),
        (m("5000", "EUR"), "de_DE", "5.000\u00a0€"),
        (m("5000", "EUR"), "fr_FR", "5\u202f000\u00a0€"),
        (m("5000.5", "EUR"), "de-DE", "5.000,50\u00a0€"),
        (m("5000"), "xx", "$5,000"),  # unknown locale: en_US
    ],
)
def test_format_money(money: Money, locale: str, expected: str) -> None:
    assert format_money(money, locale) == expected


def test_money_rejects_float() -> None:
    with pytest.raises(TypeError):
        Money(1.5, USD)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(1.5, USD)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        m("1") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        m("1").share(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        Money(Decimal("NaN"), USD)


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_money_rejects_currency_mismatch(operation: object) -> None:
    assert callable(operation)
    with pytest.raises(ValueError, match="currency mismatch"):
        operation(m("1"), m("1", TWD))


def test_money_arithmetic() -> None:
    assert m("1.10") + m("2.20") == m("3.30")
    assert m("5") - m("7.5") == m("-2.5")
    assert -m("5") == m("-5")
    assert m("0.05") * Decimal("0.5") == m("0.03")  # 0.025 rounds half-up
    assert 3 * m("1.111") == m("3.33")
    assert m("100").share(30) == m("30")
    assert m("1666.67").share(Decimal("33.3")) == m("555.00")
    assert m("5000") > m("4999.99")
    assert m("1") <= m("1.00")
    assert m("1") >= m("1")
    assert not m("4999.99") > m("5000")
    assert not Money.zero(USD)
    assert m("0.01")
    assert m("5") == m("5.00")
    assert hash(m("5")) == hash(m("5.00"))
    assert max(m("1"), m("2")) == m("2")
    assert Money.of("12.345", USD).quantized() == m("12.35")
    assert Money.from_cents(123456, TWD) == m("1234.56", TWD)
    assert m("12.345").cents == 1235


@settings(max_examples=200)
@given(a=st.integers(-(10**12), 10**12), b=st.integers(-(10**12), 10**12))
def test_money_cents_and_sums(a: int, b: int) -> None:
    x, y = Money.from_cents(a, USD), Money.from_cents(b, USD)
    assert x.cents == a
    assert (x + y).cents == a + b
    assert (x + y) - y == x
    assert (x < y) == (a < b)
