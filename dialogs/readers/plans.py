"""A bank's repayment plan as people read it out from the bank's letter: how much a month, for how
many months, at what rate ("每月8000，共120期，年利率2%", "分10年，每期6,500元，零利率",
"NT$8,000 a month for 120 months at 2%").

A pre-negotiation plan runs for years (up to 180 monthly payments), longer than any schedule a
single creditor names, so it is read here rather than by `schedules.parse_figure`, whose counts
stop at a few years. The count and the amount must both be there, and only one amount: two
amounts could be the monthly payment and the total, and which is which is for the person to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dialogs.money import Money
from dialogs.readers.amounts import amount_text, amounts_in
from dialogs.readers.numbers import cjk_numeral, numbers_to_digits

__all__ = ["Plan", "parse_plan"]

# A rate: 2%, 2.5 %, 年利率2%, 百分之二.
_RATE = re.compile(r"百分之\s*(\d+(?:\.\d+)?|[零〇一二兩两三四五六七八九十]+)|(\d+(?:\.\d+)?)\s*(?:%|％|percent\b)")
_NO_INTEREST = re.compile(r"零利率|0\s*利率|無息|无息|免息|不計息|不计息|no\s+interest|interest[- ]free")
# How many payments: 120期, 120個月, 120 months, 120 payments, x 120.
_COUNT = re.compile(
    r"(?<![\d.,])(\d{1,3})\s*(?:期|次|個月|个月|months?\b|monthly\s+payments?\b|payments?\b|instal{1,2}ments?\b)"
    r"|(?:x|×|\*)\s*(\d{1,3})(?![\d]|[.,]\d)"
)
# Or how many years: 分10年, 10 years (twelve payments a year).
_YEARS = re.compile(r"(?<![\d.,])(\d{1,2})\s*(?:年|years?\b)")
# Words about the rate that would otherwise read as a figure of their own.
_RATE_WORDS = re.compile(r"年利率|年息|利率|利息|interest\s+rate|interest|rate|apr")


@dataclass(frozen=True, slots=True)
class Plan:
    count: int
    monthly: Money
    rate: Decimal | None  # percent a year; None when not said


def _blank(m: re.Match[str]) -> str:
    return " " * (m.end() - m.start())


def _rate(s: str) -> tuple[Decimal | None, str]:
    if _NO_INTEREST.search(s):
        return Decimal(0), _NO_INTEREST.sub(_blank, s)
    found = list(_RATE.finditer(s))
    if len(found) != 1:
        return None, s
    m = found[0]
    said = m.group(1) or m.group(2)
    try:
        rate = Decimal(said) if said[0].isdigit() else Decimal(cjk_numeral(said))
    except (InvalidOperation, ValueError):
        return None, s
    return rate, s[: m.start()] + _blank(m) + s[m.end() :]


def parse_plan(text: str, currency: str) -> Plan | None:
    """The plan in `text`, or None when its count or its monthly amount is missing or unclear."""
    s = numbers_to_digits(amount_text(text).lower())
    rate, s = _rate(s)
    counts = [int(next(g for g in m.groups() if g is not None)) for m in _COUNT.finditer(s)]
    s = _COUNT.sub(_blank, s)
    if not counts:
        counts = [int(m.group(1)) * 12 for m in _YEARS.finditer(s)]
    s = _RATE_WORDS.sub(_blank, _YEARS.sub(_blank, s))
    if len(set(counts)) != 1:
        return None
    found = amounts_in(s, currency)
    if not found or len(found) != 1:
        return None
    monthly = found[0][0]
    if not monthly or monthly.currency != currency:
        return None
    return Plan(counts[0], monthly, rate)
