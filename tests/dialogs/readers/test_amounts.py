"""Amounts as people type them, and as the coach writes them, read back exactly."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dialogs.money import SUPPORTED_CURRENCIES, Money, format_money
from dialogs.readers.amounts import amount_text, amounts_in, means_nothing, parse_amount
from tests.dialogs.readers.junk import HUGE_NUMBER, LONG_JUNK, junk

USD = "USD"
TWD = "TWD"
LOCALES = ("en", "en_US", "en_GB", "zh_TW", "de_DE", "fr_FR")
CURRENCIES = tuple(sorted(SUPPORTED_CURRENCIES))


def m(amount: str, currency: str = USD) -> Money:
    return Money(Decimal(amount), currency)


AMOUNTS_USD = [
    ("5000", m("5000")),
    ("$5,000", m("5000")),
    ("5k", m("5000")),
    ("5K", m("5000")),
    ("5 000", m("5000")),
    ("5\u00a0000", m("5000")),  # no-break space
    ("5\u202f000", m("5000")),  # narrow no-break space (French)
    ("5\u2009000", m("5000")),  # thin space
    ("5.000,00", m("5000")),
    ("5,000.50", m("5000.50")),
    ("5,5", m("5.50")),
    ("5.000", m("5000")),
    ("5,000", m("5000")),
    ("1.2", m("1.20")),
    ("1.234.567", m("1234567")),
    ("1,234,567.89", m("1234567.89")),
    ("USD 5000", m("5000")),
    ("5000 usd", m("5000")),
    ("5000 dollars", m("5000")),
    ("US$5,000", m("5000")),
    ("NT$120,000", m("120000", TWD)),
    ("NTD 120000", m("120000", TWD)),
    ("TWD 120,000", m("120000", TWD)),
    ("120000元", m("120000", TWD)),
    ("12萬", m("120000")),
    ("1.2萬", m("12000")),
    ("1.2万", m("12000")),
    ("3千", m("3000")),
    ("12萬元", m("120000", TWD)),
    ("1萬2千", m("12000")),
    ("€1.234,56", m("1234.56", "EUR")),
    ("£300", m("300", "GBP")),
    ("1.5m", m("1500000")),
    ("2 million", m("2000000")),
    ("5 thousand dollars", m("5000")),
    ("about $5,000", m("5000")),
    ("I owe 5000 dollars", m("5000")),
    ("$ 5,000.00", m("5000")),
    ("5,000.00$", m("5000")),
    ("$.50", m("0.50")),
    ("0", m("0")),
    ("\uff15\uff10\uff10\uff10", m("5000")),  # full-width digits
    ("5000 US dollars", m("5000")),
    ("5000 canadian dollars", m("5000", "CAD")),
    ("A$300", m("300", "AUD")),
    ("a $300 fee", m("300")),  # lower-case "a" is not the AUD prefix
    ("CA$5", m("5", "CAD")),
    ("5000 euros", m("5000", "EUR")),
    ("between $5,000 and $6,000", m("5000")),  # the first amount
    ("30% of $5000", m("5000")),  # a percentage is not an amount
    ("1,2345", m("1.23")),  # more than two decimals: half-up to cents
    ("0.125", m("0.13")),  # half-up, not half-even
    ("0.500", m("0.50")),  # a zero integer part makes the point decimal
    ("1000000000000", m("1000000000000")),  # 10**12 is the largest accepted
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS_USD)
def test_parse_amount_examples(text: str, expected: Money) -> None:
    got = parse_amount(text, USD)
    assert got == expected
    assert got is not None
    assert got.currency == expected.currency
    assert got.amount.as_tuple().exponent == -2  # quantized to cents


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("$300", TWD, m("300", TWD)),  # a bare $ is the default dollar currency
        ("5000 dollars", TWD, m("5000", TWD)),
        ("$300", "CAD", m("300", "CAD")),
        ("$300", "AUD", m("300", "AUD")),
        ("$300", "EUR", m("300", USD)),  # ... unless the default is not a dollar
        ("300", "EUR", m("300", "EUR")),  # no marker: the default currency
        ("12萬", TWD, m("120000", TWD)),
        ("US$300", TWD, m("300", USD)),
        ("300", " twd ", m("300", TWD)),
        ("NT 5000", USD, m("5000", TWD)),
        ("5000 NT dollars", USD, m("5000", TWD)),
        ("5 000,00\u00a0$AU", "EUR", m("5000", "AUD")),  # fr_FR spelling
        ("5 000,00\u00a0$CA", USD, m("5000", "CAD")),
        ("1 234,50\u00a0$US", TWD, m("1234.50", USD)),
        ("300\u00a0£GB", USD, m("300", "GBP")),
        ("5.000,00\u00a0NT$", USD, m("5000", TWD)),  # de_DE spelling
        ("AU$5,000.00", TWD, m("5000", "AUD")),  # zh_TW spelling
    ],
)
def test_parse_amount_currency(text: str, default: str, expected: Money) -> None:
    got = parse_amount(text, default)
    assert got == expected
    assert got is not None
    assert got.currency == expected.currency


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "😀💸",
        "-50",
        "-$50",
        "$-50",
        "I owe \u221250",  # U+2212 minus sign
        "10000000000001",  # above 10**12
        "2000000m",
        "¥5000",  # a currency the coach cannot work in is refused, not relabelled
        "5000 JPY",
        "$5000 EUR",  # contradictory markers
        "NT$5000 USD",
        "50%",
        "9" * 40,
    ],
)
def test_parse_amount_rejects(text: str) -> None:
    assert parse_amount(text, USD) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一萬二", "12000"),  # a bare digit after 萬 is the next place down
        ("兩萬", "20000"),
        ("三千五", "3500"),
        ("十二萬", "120000"),
        ("3萬5", "35000"),
        ("一萬二千", "12000"),
        ("一萬零五百", "10500"),
        ("三十五萬", "350000"),
        ("兩百五十萬", "2500000"),
        ("一億兩千萬", "120000000"),
        ("五千元", "5000"),
        ("我欠卡債三十五萬", "350000"),
        ("一次付清5萬", "50000"),  # 一次 is "at once", not a figure
        ("第3期5000", "5000"),  # the third instalment
        ("12月1日付5000", "5000"),  # a date
        ("3家銀行共50萬", "500000"),  # three banks
        ("120，000", "120000"),  # "，" from a Chinese keyboard, between groups of 000
        ("NT$１２０，０００", "120000"),
        ("1，000，000", "1000000"),
        ("1000，400，400", "1000"),  # three amounts, the first
        ("1000、400、400", "1000"),
    ],
)
def test_parse_amount_reads_what_people_type_in_taiwan(text: str, expected: str) -> None:
    assert parse_amount(text, TWD) == m(expected, TWD)


@pytest.mark.parametrize(
    "text",
    [
        "國泰世華",  # a creditor's name
        "第一銀行",  # First Bank
        "千萬不要",  # "never"
        "萬一",  # "in case"
        "一定",
        "打5折",  # pay half: a discount, not NT$5
        "3成",  # 30%
        "百分之五十",
        "三千五萬",  # 3,005 or 3,500 ten-thousands
        "500，300，200",  # 500,300,200 or three amounts
        "1，500",
    ],
)
def test_parse_amount_does_not_guess_in_chinese(text: str) -> None:
    assert parse_amount(text, TWD) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000，400，400", ["1000", "400", "400"]),
        ("1000、400、400", ["1000", "400", "400"]),
        ("1，000、2，000", ["1000", "2000"]),
        ("1,000，500", ["1000", "500"]),
        ("一萬二", ["12000"]),  # the 2 is read with the 萬, not again alone
        ("3萬5，5000", ["35000", "5000"]),
    ],
)
def test_full_width_commas_and_enumeration_commas_part_a_list(text: str, expected: list[str]) -> None:
    found = amounts_in(text, TWD)
    assert found is not None
    assert [str(money.amount.normalize()) for money, _, _ in found] == [str(Decimal(e).normalize()) for e in expected]


@settings(max_examples=200, deadline=None)
@given(text=junk)
def test_amount_text_is_read_once(text: str) -> None:
    """The schedule reader hands `amounts_in` text it has already rewritten; the places it gets
    back must be in that text."""
    once = amount_text(text)
    assert amount_text(once) == once


def test_parse_amount_needs_a_currency() -> None:
    assert parse_amount("5000", "") is None
    assert parse_amount("5000 usd", "") == m("5000")


DEFAULT_CURRENCIES = st.sampled_from([*CURRENCIES, "JPY", "", "xx"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=junk, default=DEFAULT_CURRENCIES)
def test_parse_amount_never_raises(text: str, default: str) -> None:
    got = parse_amount(text, default)
    if got is not None:
        assert Decimal(0) <= got.amount <= Decimal(10) ** 12
        assert got.amount.as_tuple().exponent == -2
        assert got.currency in SUPPORTED_CURRENCIES or got.currency == default


def test_parse_amount_survives_long_junk() -> None:
    for blob in LONG_JUNK:
        parse_amount(blob, USD)


def test_an_absurdly_long_number_is_refused_not_raised() -> None:
    assert parse_amount(HUGE_NUMBER, "USD") is None


# format_money -> parse_amount round trip
cents_amounts = st.decimals(
    min_value=0,
    max_value=Decimal("999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=800, deadline=None)
@given(
    amount=cents_amounts,
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(LOCALES),
)
@example(amount=Decimal("1.23"), currency="EUR", locale="de_DE")  # "1,23 €"
@example(amount=Decimal("1234.00"), currency="EUR", locale="de_DE")  # "1.234 €"
@example(amount=Decimal("1234.50"), currency="USD", locale="fr_FR")  # 1 234,50 $US
@example(amount=Decimal("1000000.00"), currency="GBP", locale="fr_FR")  # 1 000 000 £GB
@example(amount=Decimal("0.05"), currency="TWD", locale="zh_TW")  # "NT$0.05"
@example(amount=Decimal("120000.00"), currency="TWD", locale="en")  # "NT$120,000"
@example(amount=Decimal("5.00"), currency="AUD", locale="en_GB")  # "A$5"
@example(amount=Decimal("999999999.99"), currency="CAD", locale="de_DE")
@example(amount=Decimal("0.00"), currency="USD", locale="en")
def test_format_then_parse_round_trips(amount: Decimal, currency: str, locale: str) -> None:
    money = Money(amount, currency)
    assert parse_amount(format_money(money, locale), currency) == money


BARE_DOLLAR = re.compile(r"(?<![A-Za-z])\$(?![A-Za-z])")


@settings(max_examples=300, deadline=None)
@given(
    amount=cents_amounts,
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(LOCALES),
    default=st.sampled_from(CURRENCIES),
)
def test_formatted_currency_wins_over_the_default(amount: Decimal, currency: str, locale: str, default: str) -> None:
    """Only a bare "$" defers to the default; every other symbol names its currency."""
    text = format_money(Money(amount, currency), locale)
    expected = currency
    if BARE_DOLLAR.search(text):
        expected = default if default in ("USD", "TWD", "CAD", "AUD") else "USD"
    assert parse_amount(text, default) == Money(amount, expected)


@pytest.mark.parametrize(
    "text", ["nothing", "none", "0", "沒有", "目前沒有", "沒有收入", "現在沒錢", "無", "一毛都沒有"]
)
def test_nothing_said_in_either_language_means_zero(text: str) -> None:
    assert means_nothing(text)


@pytest.mark.parametrize("text", ["有", "3萬", "沒有工作但有3萬", "not much", "沒有很多"])
def test_something_is_not_nothing(text: str) -> None:
    assert not means_nothing(text)
