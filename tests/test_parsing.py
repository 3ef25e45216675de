"""What people type, read back: amounts, counts, months late, yes/no, dates, Money."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dialogs.money import SUPPORTED_CURRENCIES, Money, format_money
from dialogs.parsing import (
    _date_parser,
    parse_amount,
    parse_count,
    parse_date,
    parse_months,
    parse_yes_no,
)

USD = "USD"
TWD = "TWD"
LOCALES = ("en", "en_US", "en_GB", "zh_TW", "de_DE", "fr_FR")
CURRENCIES = tuple(sorted(SUPPORTED_CURRENCIES))
TODAY = datetime.date(2026, 12, 5)  # a Saturday


def m(amount: str, currency: str = USD) -> Money:
    return Money(Decimal(amount), currency)


# --------------------------------------------------------------------------------------
# parse_amount: examples
# --------------------------------------------------------------------------------------

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


def test_parse_amount_needs_a_currency() -> None:
    assert parse_amount("5000", "") is None
    assert parse_amount("5000 usd", "") == m("5000")


# --------------------------------------------------------------------------------------
# parse_count / parse_months / parse_yes_no / parse_date: examples
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("three", 3),
        ("3 payments", 3),
        ("twelve", 12),
        ("Twelve!", 12),
        ("twenty-four", 24),
        ("one hundred and twenty", 120),
        ("a dozen", 12),
        ("1,000", 1000),
        ("三期", 3),
        ("十二", 12),
        ("0", None),
        ("zero", None),
        ("1001", None),
        ("-3", None),
        ("3.5", None),
        ("", None),
        ("some", None),
    ],
)
def test_parse_count(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6", 6),
        ("6 months", 6),
        ("18 mo", 18),
        ("2 years", 24),
        ("1.5 years", 18),
        ("1,5 years", 18),
        ("a year", 12),
        ("two years", 24),
        ("3 yrs", 36),
        ("0", 0),
        ("not late", 0),
        ("current", 0),
        ("I'm current", 0),
        ("never", 0),
        ("half a year", 6),
        ("a year and a half", 18),
        ("one and a half years", 18),
        ("1 year 6 months", 18),
        ("1 year and 6 months", 18),
        ("90 days", 3),
        ("6 months late since 2023", 6),
        ("一年半", 18),
        ("半年", 6),
        ("兩年", 24),
        ("6個月", 6),
        ("1200", 1200),
        ("1201", None),
        ("since 2023", None),
        ("-6", None),
        ("no idea", None),
        ("", None),
    ],
)
def test_parse_months(text: str, expected: int | None) -> None:
    assert parse_months(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, True) for t in ("yes", "Y", "yeah", "yep", "sure", "OK", "okay")],
        *[(t, True) for t in ("correct", "true", "1", "Yes please", "yes, not yet")],
        *[(t, True) for t in ("是", "是的", "好", "可以", "沒問題", "對", "👍")],
        *[(t, False) for t in ("no", "N", "nope", "not", "false", "0", "not yet")],
        *[(t, False) for t in ("No thanks", "that's not correct", "I don't", "👎")],
        *[(t, False) for t in ("不是", "不要", "沒有", "還沒", "否")],
        *[(t, None) for t in ("", "hello", "not sure", "maybe", "I don't know")],
        *[(t, None) for t in ("不知道", "?")],
    ],
)
def test_parse_yes_no(text: str, expected: bool | None) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("next friday", "en", datetime.date(2026, 12, 11)),
        ("in two weeks", "en", datetime.date(2026, 12, 19)),
        ("December 1", "en", datetime.date(2027, 12, 1)),  # already past this year
        ("Dec 1st", "en", datetime.date(2027, 12, 1)),
        ("December 24", "en", datetime.date(2026, 12, 24)),
        ("December 5", "en", TODAY),  # today counts for a month and day
        ("1 Dec 2026", "en", datetime.date(2026, 12, 1)),  # an explicit year stays
        ("2026-12-01", "en", datetime.date(2026, 12, 1)),
        ("2027-02-30", "en", None),
        ("12/1", "en", datetime.date(2027, 12, 1)),
        ("12/1", "en_US", datetime.date(2027, 12, 1)),
        ("12/1", "en_GB", datetime.date(2027, 1, 12)),
        ("12/1", "de-DE", datetime.date(2027, 1, 12)),
        ("12/1", "zh_TW", datetime.date(2027, 12, 1)),
        ("12/24", "en", datetime.date(2026, 12, 24)),
        ("12/1/2026", "en", datetime.date(2026, 12, 1)),
        ("1/12/2026", "en_GB", datetime.date(2026, 12, 1)),
        ("2/29", "en", datetime.date(2028, 2, 29)),
        ("1st of the month", "en", datetime.date(2027, 1, 1)),
        ("the 1st", "en", datetime.date(2027, 1, 1)),
        ("on the 15th", "en", datetime.date(2026, 12, 15)),
        ("the 5th", "en", datetime.date(2027, 1, 5)),  # strictly after today
        ("the 32nd", "en", None),
        ("today", "en", TODAY),
        ("Tomorrow.", "en", datetime.date(2026, 12, 6)),
        ("明天", "zh_TW", datetime.date(2026, 12, 6)),
        ("12月24日", "zh_TW", datetime.date(2026, 12, 24)),
        ("每月15號", "zh_TW", datetime.date(2026, 12, 15)),
        ("5000", "en", None),
        ("yes", "en", None),
        ("", "en", None),
    ],
)
def test_parse_date(text: str, locale: str, expected: datetime.date | None) -> None:
    got = parse_date(text, TODAY, locale)
    assert got == expected
    assert type(got) is (datetime.date if expected is not None else type(None))


@pytest.mark.parametrize(
    ("text", "days_after_a_sunday"),
    [
        ("friday", 5),
        ("next friday", 5),
        ("by next Fri", 5),
        ("next wed", 3),  # dateparser alone reads nothing here
        ("thurs", 4),
        ("Sunday", 7),  # strictly after today
        ("this sunday", 0),  # "this" includes today
        ("this tue", 2),
    ],
)
def test_parse_date_reads_weekdays(text: str, days_after_a_sunday: int) -> None:
    sunday = datetime.date(2026, 11, 22)
    assert parse_date(text, sunday) == sunday + datetime.timedelta(days=days_after_a_sunday)


def test_weekdays_read_as_dateparser_reads_them_wherever_it_reads_them() -> None:
    """The weekday forms skip dateparser (a millisecond each); they must not change a date it
    would have given, on any day of the week."""
    names = ["monday", "tue", "wednesday", "thu", "friday", "sat", "sunday", "mon", "fri", "sun"]
    compared = 0
    for offset in range(7):
        today = datetime.date(2026, 11, 22) + datetime.timedelta(days=offset)
        for text in [f"{prefix}{name}" for name in names for prefix in ("", "next ", "this ")]:
            found = _date_parser("en", today).get_date_data(text).date_obj
            if found is not None:
                compared += 1
                assert parse_date(text, today) == found.date(), (today, text)
    assert compared > 150


def test_parse_date_rolls_a_past_day_of_month_into_next_month() -> None:
    d = datetime.date
    assert parse_date("the 15th", d(2026, 12, 15)) == d(2027, 1, 15)
    assert parse_date("the 31st", d(2027, 1, 31)) == d(2027, 3, 31)  # Feb has none


# --------------------------------------------------------------------------------------
# Never raise
# --------------------------------------------------------------------------------------

TOKENS = [
    *"0123456789",
    *",. -+%/$€£¥元萬万千億亿kKmM",
    "\u00a0", "\u202f", "\u3000", "\u2212", "\uff11", "\uff0c",
    "NT$", "US$", "$US", "A$", "CA$", "£GB", "USD", "twd", "ntd", "dollars",
    "million", "thousand", "half", "a", "and", "year", "years", "mo", "months",
    "days", "年", "個月", "半", "yes", "no", "not", "sure", "是", "不", "the", "1st",
    "of", "month", "next", "friday", "in", "two", "weeks", "december", "dec", "12/1",
    "2026-12-01", "tomorrow", "😀",
]  # fmt: skip
# Digits, separators, currency markers, CJK units and words, jumbled.
tokens = st.sampled_from(TOKENS)
numbers = st.integers(0, 10**16).map(str)
junk = st.one_of(
    st.text(max_size=60),
    st.lists(tokens, max_size=14).map("".join),
    st.lists(tokens | numbers, max_size=8).map(" ".join),
)
DEFAULT_CURRENCIES = st.sampled_from([*CURRENCIES, "JPY", "", "xx"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=junk, default=DEFAULT_CURRENCIES)
def test_parse_amount_never_raises(text: str, default: str) -> None:
    got = parse_amount(text, default)
    if got is not None:
        assert Decimal(0) <= got.amount <= Decimal(10) ** 12
        assert got.amount.as_tuple().exponent == -2
        assert got.currency in SUPPORTED_CURRENCIES or got.currency == default


@settings(max_examples=300, deadline=None)
@given(text=junk)
def test_parse_count_months_yes_no_never_raise(text: str) -> None:
    count = parse_count(text)
    assert count is None or 1 <= count <= 1000
    months = parse_months(text)
    assert months is None or 0 <= months <= 1200
    assert parse_yes_no(text) in (True, False, None)


@settings(max_examples=150, deadline=None)
@given(text=junk, locale=st.sampled_from([*LOCALES, "zh-TW", "xx_YY", ""]))
def test_parse_date_never_raises(text: str, locale: str) -> None:
    got = parse_date(text, TODAY, locale)
    assert got is None or type(got) is datetime.date


def test_parsers_survive_long_junk() -> None:
    blobs = ["x" * 10_000, "1" * 10_000, "1," * 5_000, "萬" * 10_000, "-$" * 5_000]
    blobs += ["5 000 " * 1_700, "one " * 2_500, "😀" * 10_000]
    for blob in blobs:
        parse_amount(blob, USD)
        parse_count(blob)
        parse_months(blob)
        parse_yes_no(blob)
        assert parse_date(blob, TODAY) is None  # too long to be a date


# --------------------------------------------------------------------------------------
# format_money -> parse_amount round trip
# --------------------------------------------------------------------------------------

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
@example(amount=Decimal("0.05"), currency="TWD", locale="zh_TW")  # "$0.05"
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
    ("money", "locale", "expected"),
    [
        (m("5000"), "en", "$5,000"),
        (m("1666.67"), "en", "$1,666.67"),
        (m("1666.666"), "en", "$1,666.67"),
        (m("0.005"), "en", "$0.01"),  # half-up, where Babel alone rounds half-even
        (m("5000.10"), "en_US", "$5,000.10"),
        (m("120000", TWD), "en", "NT$120,000"),
        (m("120000", TWD), "zh-TW", "$120,000"),
        (m("5000", "EUR"), "de_DE", "5.000\u00a0€"),
        (m("5000", "EUR"), "fr_FR", "5\u202f000\u00a0€"),
        (m("5000.5", "EUR"), "de-DE", "5.000,50\u00a0€"),
        (m("5000"), "xx", "$5,000"),  # unknown locale: en_US
    ],
)
def test_format_money(money: Money, locale: str, expected: str) -> None:
    assert format_money(money, locale) == expected


# --------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------


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


def test_absurdly_long_numbers_are_refused_not_raised() -> None:
    huge = "1" + "0" * 28
    assert parse_months(huge) is None
    assert parse_count(huge) is None
    assert parse_amount(huge, "USD") is None
