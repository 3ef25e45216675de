"""A figure as people say it: one amount, or how it is paid ("3 x 600", "$800 over 3 months",
"$80 a month for 10 months", "1000 first then 400 and 400", "$1,000 down, then 3 payments of $400"),
in English and as said in Taiwan (每月6000共10期, 3萬分3期, 分3期每期1萬, 頭期款1萬，之後每月5000共4期).

A creditor's figure can be a total or a monthly amount (DOMAIN.md, "Money over time"), and taking
one for the other is how "$800 total over 3 months" once became "$800 a month". This reader says
which it was; what is unclear it does not guess (`parse_figure` returns None, and the coach asks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from dialogs.money import Money, total_of
from dialogs.readers.amounts import amount_text, amounts_in
from dialogs.readers.numbers import numbers_to_digits

__all__ = ["MAX_PAYMENTS", "Figure", "names_a_range", "parse_figure"]

MAX_PAYMENTS = 60

_COUNT = r"(\d{1,2})(?![\d.,])"
_PAYMENTS = r"(?:monthly\s+|equal\s+|more\s+|further\s+)?(?:payments?|instal{1,2}ments?|months?)"
# What counts instalments in Chinese: 10期, 3次, 6個月.
_ZH_PAYMENTS = r"(?:期|次|個月|个月)"
_ZH_PAY_WORDS = r"付款|付|繳款|繳|缴款|缴|還款|還|还款|还|給|给"
_ZH_PAY = rf"(?:{_ZH_PAY_WORDS})"
_ZH_MAY = r"(?:只能|只|可以|能|會|会|要|需要|需|得|大概|大約|大约|約|约)"
# Where an amount may start after a marker: its digits (not a day or a count: 每月5號), or the
# currency before them.
_AMOUNT_AHEAD = (
    r"(?=(?:nt\$?|ntd|twd|us\$|\$|新台幣|新臺幣|台幣|臺幣|美金)?\s*\d(?![\d.,]*\s*[號号日期次個个年月天]))"
)
# The day it is paid, between 每月 and the amount: 每月5號付6000.
_ON_DAY = r"(?:\d{1,2}\s*[號号日]\s*(?:之前|前)?)?"
# Before an amount: "3 x 600", "3 times 600", "3 payments of 600", 分3期每期1萬, 10期，每期6000.
_COUNT_BEFORE = re.compile(
    rf"(?<![\d.,$]){_COUNT}\s*(?:x|×|\*|times\b|{_PAYMENTS}\s+of\b)\s*(?=\S)"
    rf"|(?:分成|分|共)?(?<![\d.,]){_COUNT}\s*{_ZH_PAYMENTS}\s*[,;:。]?\s*"
    rf"(?:每期|每次|每個月|每个月|每月){_ZH_MAY}?{_ZH_PAY}?\s*{_AMOUNT_AHEAD}"
)
# An amount a month, said before it: 每月6000, 每個月6000, 月付6000, 一個月6000, 每月只能付6000.
_MONTHLY_BEFORE = re.compile(
    rf"(?:每個月|每个月|每月|月付|月繳|月缴|(?<![\d.,])1\s*(?:個|个)月)"
    rf"\s*{_ON_DAY}{_ZH_MAY}?{_ZH_PAY}?\s*{_AMOUNT_AHEAD}"
)
# An amount an instalment, said before it (每期1萬): how many must follow (共3期), or it is no figure.
_EACH_BEFORE = re.compile(rf"(?:每期|每次){_ZH_MAY}?{_ZH_PAY}?\s*{_AMOUNT_AHEAD}")
# Words around the figures that count nothing: 第2期 (the second instalment), 一次付清 (paid at once).
_LABELS = re.compile(
    rf"第\s*\d+\s*{_ZH_PAYMENTS}\s*[:：]?|(?<![\d.,])1\s*次(?:性)?(?:付清|還清|还清|繳清|缴清|清償|清偿)?"
)
# After an amount: "600 x 3", 1萬x3期.
_TIMES_AFTER = re.compile(rf"\s*(?:x|×|\*)\s*{_COUNT}(?:\s*{_ZH_PAYMENTS})?")
_MONTHLY_AFTER = re.compile(
    r"\s*(?:a|per|/|each|every)\s*(?:month|mo)\b\.?|\s*monthly\b|\s*/\s*mo\b"
    r"|\s*(?:/\s*(?:個|个)?月|每個月|每个月|每月|1\s*(?:個|个)月)"
)
_FOR_MONTHS = re.compile(
    rf"\s*,?\s*(?:for|over)\s+{_COUNT}\s*(?:months?|payments?)\b"
    rf"|\s*[,;。]?\s*(?:共|總共|总共|一共|分|連續|连续|{_ZH_PAY})*\s*{_COUNT}\s*{_ZH_PAYMENTS}"
)
_SPREAD_AFTER = re.compile(
    rf"\s*(?:total\s+|in\s+all\s+|altogether\s+)?,?\s*(?:over|in|across|split\s+into)\s+{_COUNT}\s*{_PAYMENTS}\b"
    rf"|\s*[,;。]?\s*(?:分成|分|攤成|攤|摊成|摊){_COUNT}\s*{_ZH_PAYMENTS}"
)
_TOTAL_AFTER = re.compile(r"\s*(?:in\s+total|total|in\s+all|altogether)\b")
# A count that no figure took (6000，10期: 6,000 each, or in all?) leaves the figure untold.
_LOOSE_COUNT = re.compile(
    rf"(?<![\d.,]){_COUNT}\s*(?:{_PAYMENTS}\b|{_ZH_PAYMENTS})|(?:分|攤|摊|共)\s*{_COUNT}\s*年"
)
# A range ("between 4 and 5 thousand", "4 or 5 thousand", "4-5k", 4到5萬, 4萬或5萬, 四五萬) is two
# figures, not a schedule; 6000到12月 is 6,000 until December.
_RANGE = re.compile(
    r"\bbetween\b|介於|介于|(?<=[\dk萬万千百元塊块])\s*(?:-|\u2013|~|～|\bto\b|\bor\b|到|至|或)\s*"
    r"(?=(?:nt)?\$?\s*\d(?![\d.,]*\s*[號号日月年]))"
)
# What may stand between the figures of a listed schedule.
_JOINING_WORDS = r"and|then|followed\s+by|after\s+that|plus|first|down|up\s*front|now"
_ZH_JOINING_WORDS = (
    r"先|首付|頭期款|頭期|头期款|头期|訂金|订金|然後|然后|之後|之后|接著|接着|再來|再来|再|和|跟|及|與|与|以及|加上|加"
    rf"|剩下的|剩下|剩餘|剩余|其餘|其余|餘款|余款|尾款|最後|最后|{_ZH_PAY_WORDS}"
)
_JOINER = re.compile(rf"^[\s,;:+&.。]*(?:(?:(?:{_JOINING_WORDS})\b|{_ZH_JOINING_WORDS})[\s,;:+&.。]*)*$")


def names_a_range(text: str) -> bool:
    """"Between 4 and 5 thousand", "4-5k", "4 or 5 thousand", 4到5萬, 四五萬: two figures, and
    which is meant is for the person to say."""
    return bool(_RANGE.search(numbers_to_digits(amount_text(text).lower())))


@dataclass(frozen=True, slots=True)
class Figure:
    """How a figure is paid: `payments` in order (one: a single amount), or `monthly`, an amount
    a month with no end given (`payments` is then empty)."""

    payments: tuple[Money, ...] = ()
    monthly: Money | None = None

    @property
    def total(self) -> Money | None:
        """What it comes to in all; None for an open-ended amount a month."""
        if not self.payments:
            return None
        return total_of(self.payments)

    @property
    def is_schedule(self) -> bool:
        return len(self.payments) > 1


def _count(m: re.Match[str]) -> int:
    """The count a pattern above read, whichever of its alternatives read it."""
    return int(next(g for g in m.groups() if g is not None))


def parse_figure(text: str, currency: str) -> Figure | None:
    """The figure in `text`, or None when there is none or it cannot be told how it is paid (a
    range, amounts in two currencies, "$80 a month" beside other figures, a count no amount
    takes: 6000，10期 is 6,000 an instalment or in all)."""
    s = numbers_to_digits(amount_text(text).lower())
    counts: dict[int, int] = {}  # where an amount starts -> how many times it is paid
    monthly_at: set[int] = set()  # where an amount a month starts (每月6000)
    each_at: set[int] = set()  # where an amount an instalment starts (每期1萬)

    def blank(m: re.Match[str]) -> str:
        return " " * (m.end() - m.start())

    def count_before(m: re.Match[str]) -> str:
        counts[m.end()] = _count(m)
        return blank(m)

    def marked(where: set[int]) -> Callable[[re.Match[str]], str]:
        def mark(m: re.Match[str]) -> str:
            where.add(m.end())
            return blank(m)

        return mark

    s = _LABELS.sub(blank, _COUNT_BEFORE.sub(count_before, s))
    s = _EACH_BEFORE.sub(marked(each_at), _MONTHLY_BEFORE.sub(marked(monthly_at), s))
    if _RANGE.search(s):
        return None
    found = amounts_in(s, currency)
    if not found or len({m.currency for m, _, _ in found}) > 1:
        return None
    payments: list[Money] = []
    monthly: Money | None = None
    last_end = -1
    read_with: list[tuple[int, int]] = []  # what was read after each amount: "x 3", "共10期"
    for money, start, end in found:
        if start < last_end:
            continue  # a count read with the figure before it ("over 3 months", "x 3")
        if last_end >= 0 and not _JOINER.match(s[last_end:start]):
            return None
        count, amount_end = counts.get(start, 1), end
        if m := _TIMES_AFTER.match(s, end):
            count, end = count * _count(m), m.end()
        if after := _MONTHLY_AFTER.match(s, end):
            end = after.end()
        if after or start in monthly_at or start in each_at:
            if m := _FOR_MONTHS.match(s, end):
                count, end = _count(m), m.end()
            elif len(found) == 1 and count == 1 and start not in each_at:
                monthly = money
                read_with.append((amount_end, end))
                break
            else:
                return None  # so much a month beside other figures; so much an instalment, how many?
        elif m := _SPREAD_AFTER.match(s, end):
            spread, end = _spread(money, _count(m)), m.end()
            if spread is None:
                return None
            payments.extend(spread)
            read_with.append((amount_end, end))
            last_end = end
            continue
        elif m := _TOTAL_AFTER.match(s, end):
            end = m.end()
        if not 1 <= count <= MAX_PAYMENTS:
            return None
        payments.extend([money] * count)
        read_with.append((amount_end, end))
        last_end = end
    if any(not any(a <= m.start() < b for a, b in read_with) for m in _LOOSE_COUNT.finditer(s)):
        return None
    if monthly is None and not payments:
        return None
    if len(payments) > MAX_PAYMENTS or any(not p for p in payments):
        return None
    return Figure(tuple(payments), monthly)


def _spread(total: Money, count: int) -> list[Money] | None:
    """A total over `count` payments: the even share rounded up to the cent, so the last one,
    which takes what is left, is never the larger (as `dialogs.schedule.even_instalment`)."""
    if not 1 <= count <= MAX_PAYMENTS:
        return None
    each = Money((total.amount / count).quantize(Decimal("0.01"), rounding=ROUND_UP), total.currency)
    last = total - each * (count - 1)
    if not last or last.amount < 0:
        return None
    return [each] * (count - 1) + [last]
