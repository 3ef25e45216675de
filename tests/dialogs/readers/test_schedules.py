"""A creditor's figure read as it was said: a total, a schedule, or an amount a month."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.readers.schedules import names_a_range, parse_figure


def amounts(text: str, currency: str = "USD") -> list[str] | str | None:
    figure = parse_figure(text, currency)
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
        "$2500, 3 months",  # 3 is a count, not a second payment of $3
    ],
)
def test_what_cannot_be_told_is_not_guessed(typed: str) -> None:
    assert amounts(typed) is None


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        # an amount a month
        ("每月6000", "6000.00 a month"),
        ("每個月6000", "6000.00 a month"),
        ("6000/月", "6000.00 a month"),
        ("6000元/月", "6000.00 a month"),
        ("月付6000", "6000.00 a month"),
        ("月繳5000元", "5000.00 a month"),
        ("一個月6000", "6000.00 a month"),
        ("6000一個月", "6000.00 a month"),
        ("每月六千", "6000.00 a month"),
        ("我每月只能付6000", "6000.00 a month"),
        ("每月5號付6000", "6000.00 a month"),  # the 5th is the day, not a figure
        ("每月6000，12月開始", "6000.00 a month"),
        # so much a month, so many times
        ("每月6000，付10個月", ["6000.00"] * 10),
        ("每月6000共10期", ["6000.00"] * 10),
        ("月付6000分10期", ["6000.00"] * 10),
        ("每月六千，付十個月", ["6000.00"] * 10),
        # a total in equal instalments
        ("3萬分3期", ["10000.00"] * 3),
        ("三萬分三期", ["10000.00"] * 3),
        ("1萬分3期", ["3333.34", "3333.34", "3333.32"]),
        # so much an instalment, so many times
        ("分3期每期1萬", ["10000.00"] * 3),
        ("分三期，每期一萬", ["10000.00"] * 3),
        ("每期1萬共3期", ["10000.00"] * 3),
        ("10期，每期6000", ["6000.00"] * 10),
        ("1萬x3期", ["10000.00"] * 3),
        ("3x1萬", ["10000.00"] * 3),
        # a down payment, then the rest
        ("先付1萬，再付5000和5000", ["10000.00", "5000.00", "5000.00"]),
        ("先付1萬再付5000", ["10000.00", "5000.00"]),
        ("頭期款1萬，之後每月5000共4期", ["10000.00"] + ["5000.00"] * 4),
        ("先付3萬，剩下的分5期每期1萬", ["30000.00"] + ["10000.00"] * 5),
        ("第1期5000，第2期5000", ["5000.00", "5000.00"]),
        ("一次付清5萬", ["50000.00"]),  # paid at once
        # lists: full-width commas and 、
        ("1000，400，400", ["1000.00", "400.00", "400.00"]),
        ("1000、400、400", ["1000.00", "400.00", "400.00"]),
        ("NT$120，000", ["120000.00"]),  # "，" between thousands
        ("國泰世華要我付5萬", ["50000.00"]),
    ],
)
def test_a_figure_is_read_as_it_was_said_in_taiwan(typed: str, read: list[str] | str) -> None:
    assert amounts(typed, "TWD") == read


@pytest.mark.parametrize(
    "typed",
    [
        "4到5萬",  # a range: which one?
        "4萬到5萬",
        "四五萬",
        "4萬或5萬",
        "4至5萬",
        "介於4萬和5萬之間",
        "6000，10期",  # 6,000 an instalment, or in all?
        "3萬共3期",
        "每期1萬",  # how many?
        "每月6000，總共6萬",  # an amount a month beside another figure
        "6萬分2年",  # over two years: not read here
        "500，300，200",  # 500,300,200 or three amounts
        "國泰世華",  # a creditor's name
        "第一銀行",
    ],
)
def test_what_cannot_be_told_is_not_guessed_in_chinese(typed: str) -> None:
    assert amounts(typed, "TWD") is None


@pytest.mark.parametrize(
    ("typed", "is_range"),
    [
        ("4到5萬", True),
        ("4萬到5萬", True),
        ("四五萬", True),
        ("兩三萬", True),
        ("4萬或5萬", True),
        ("4～5萬", True),
        ("介於4萬和5萬之間", True),
        ("4-5k", True),
        ("5萬", False),
        ("每月6000到12月", False),  # 6,000 until December
        ("國泰世華", False),
    ],
)
def test_names_a_range(typed: str, is_range: bool) -> None:
    assert names_a_range(typed) is is_range


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


# Pieces of what a Taiwanese bank or the person says about a figure, jumbled.
ZH_PIECES = ["每月", "每期", "月付", "分", "共", "期", "個月", "萬", "千", "一", "三", "十", "先付", "再付", "和",
             "，", "、", "/月", "x", "到", "第", "次", "6000", "1", "3", "10", "5000", "元", "NT$", " "]  # fmt: skip


@given(st.lists(st.sampled_from(ZH_PIECES), max_size=10).map("".join))
def test_any_chinese_phrasing_is_read_or_refused_without_an_error(text: str) -> None:
    figure = parse_figure(text, "TWD")
    assert figure is None or figure.monthly or 1 <= len(figure.payments) <= 60
