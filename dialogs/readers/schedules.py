"""A figure as people say it: one amount, or how it is paid ("3 x 600", "$800 over 3 months",
"$80 a month for 10 months", "1000 first then 400 and 400", "$1,000 down, then 3 payments of $400").

A creditor's figure can be a total or a monthly amount (DOMAIN.md, "Money over time"), and taking
one for the other is how "$800 total over 3 months" once became "$800 a month". This reader says
which it was; what is unclear it does not guess (`parse_figure` returns None, and the coach asks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from dialogs.money import Money, total_of
from dialogs.readers.amounts import amounts_in
from dialogs.readers.numbers import numbers_to_digits
from dialogs.readers.text import fold_width

__all__ = ["MAX_PAYMENTS", "Figure", "names_a_range", "parse_figure"]

MAX_PAYMENTS = 60

_COUNT = r"(\d{1,2})(?![\d.,])"
_PAYMENTS = r"(?:monthly\s+|equal\s+|more\s+|further\s+)?(?:payments?|instal{1,2}ments?|months?)"
# Before an amount: "3 x 600", "3 times 600", "3 payments of 600".
_COUNT_BEFORE = re.compile(rf"(?<![\d.,$]){_COUNT}\s*(?:x|×|\*|times\b|{_PAYMENTS}\s+of\b)\s*(?=\S)")
# After an amount: "600 x 3".
_TIMES_AFTER = re.compile(rf"\s*(?:x|×|\*)\s*{_COUNT}")
_MONTHLY_AFTER = re.compile(r"\s*(?:a|per|/|each|every)\s*(?:month|mo)\b\.?|\s*monthly\b|\s*/\s*mo\b")
_FOR_MONTHS = re.compile(rf"\s*,?\s*(?:for|over)\s+{_COUNT}\s*(?:months?|payments?)\b")
_SPREAD_AFTER = re.compile(
    rf"\s*(?:total\s+|in\s+all\s+|altogether\s+)?,?\s*(?:over|in|across|split\s+into)\s+{_COUNT}\s*{_PAYMENTS}\b"
)
_TOTAL_AFTER = re.compile(r"\s*(?:in\s+total|total|in\s+all|altogether)\b")
# A range ("between 4 and 5 thousand", "4 or 5 thousand", "4-5k") is two figures, not a schedule.
_RANGE = re.compile(r"\bbetween\b|(?<=[\dk])\s*(?:-|\u2013|~|\bto\b|\bor\b)\s*(?=\$?\s*\d)")
# What may stand between the figures of a listed schedule.
_JOINING_WORDS = r"and|then|followed\s+by|after\s+that|plus|first|down|up\s*front|now"
_JOINER = re.compile(rf"^[\s,;:+&.]*(?:(?:{_JOINING_WORDS})\b[\s,;:+&.]*)*$")


def names_a_range(text: str) -> bool:
    """"Between 4 and 5 thousand", "4-5k", "4 or 5 thousand": two figures, and which is meant
    is for the person to say."""
    return bool(_RANGE.search(numbers_to_digits(fold_width(text).lower())))


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


def parse_figure(text: str, currency: str) -> Figure | None:
    """The figure in `text`, or None when there is none or it cannot be told how it is paid (a
    range, amounts in two currencies, "$80 a month" beside other figures)."""
    s = numbers_to_digits(fold_width(text).lower())
    counts: dict[int, int] = {}  # where an amount starts -> how many times it is paid

    def count_before(m: re.Match[str]) -> str:
        counts[m.end()] = int(m.group(1))
        return " " * (m.end() - m.start())

    s = _COUNT_BEFORE.sub(count_before, s)
    if _RANGE.search(s):
        return None
    found = amounts_in(s, currency)
    if not found or len({m.currency for m, _, _ in found}) > 1:
        return None
    payments: list[Money] = []
    monthly: Money | None = None
    last_end = -1
    for money, start, end in found:
        if start < last_end:
            continue  # a count read with the figure before it ("over 3 months", "x 3")
        if last_end >= 0 and not _JOINER.match(s[last_end:start]):
            return None
        count = counts.get(start, 1)
        if m := _TIMES_AFTER.match(s, end):
            count, end = count * int(m.group(1)), m.end()
        if m := _MONTHLY_AFTER.match(s, end):
            end = m.end()
            if m := _FOR_MONTHS.match(s, end):
                count, end = int(m.group(1)), m.end()
            elif len(found) == 1 and count == 1:
                monthly = money
                break
            else:
                return None
        elif m := _SPREAD_AFTER.match(s, end):
            spread, end = _spread(money, int(m.group(1))), m.end()
            if spread is None:
                return None
            payments.extend(spread)
            last_end = end
            continue
        elif m := _TOTAL_AFTER.match(s, end):
            end = m.end()
        if not 1 <= count <= MAX_PAYMENTS:
            return None
        payments.extend([money] * count)
        last_end = end
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
