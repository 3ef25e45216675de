"""A bank's plan read out from its letter: the monthly amount, the count, the rate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dialogs.money import Money
from dialogs.readers.plans import Plan, parse_plan

TWD = "TWD"


@pytest.mark.parametrize(
    ("text", "count", "monthly", "rate"),
    [
        ("每月8000，共120期，年利率2%", 120, 8000, "2"),
        ("分120期，每期8,000元，利率2%", 120, 8000, "2"),
        ("120期 每期8000 2%", 120, 8000, "2"),
        ("月付8000元 120期 年息2%", 120, 8000, "2"),
        ("每月8000元，分180期，利率3.5%", 180, 8000, "3.5"),
        ("一百二十期，每期八千，年利率百分之二", 120, 8000, "2"),
        ("每月三千七，分120期，年利率2%", 120, 3700, "2"),
        # Years are twelve payments each; no interest is a rate of 0.
        ("分10年，每期6,500元，零利率", 120, 6500, "0"),
        ("NT$8,000 a month for 120 months at 2%", 120, 8000, "2"),
        ("8000 x 120, 2%", 120, 8000, "2"),
        ("２９００元　１５０期　１．５％", 150, 2900, "1.5"),
    ],
)
def test_a_plan_is_read_as_people_read_it_out(text: str, count: int, monthly: int, rate: str) -> None:
    assert parse_plan(text, TWD) == Plan(count, Money.of(monthly, TWD), Decimal(rate))


def test_a_plan_without_its_rate_is_read_and_says_so() -> None:
    assert parse_plan("每月8000，共120期", TWD) == Plan(120, Money.of(8000, TWD), None)


@pytest.mark.parametrize(
    "text",
    [
        "每月8000",  # how many?
        "120期",  # how much?
        "每月8000，共120期，總共96萬",  # two amounts: which is the monthly one?
        "每月8000，共120期或150期",  # two counts
        "8000",
        "銀行說可以",
        "",
    ],
)
def test_a_plan_missing_a_part_or_with_two_of_one_is_not_guessed(text: str) -> None:
    assert parse_plan(text, TWD) is None
