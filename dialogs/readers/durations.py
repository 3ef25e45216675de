"""How long, in months: `6 months`, `18 mo`, `1.5 years`, `half a year`, `90 days`, `一年半`."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from dialogs.readers.numbers import number_value, numbers_to_digits
from dialogs.readers.text import fold_width

__all__ = ["parse_months"]

_DURATION_UNITS: dict[str, Decimal] = {
    **dict.fromkeys(("years", "year", "yrs", "yr", "y", "年"), Decimal(12)),
    **dict.fromkeys(("months", "month", "mons", "mon", "mths", "mth", "mos", "mo", "m",
                     "個月", "个月", "月"), Decimal(1)),
    **dict.fromkeys(("weeks", "week", "wks", "wk", "w", "週", "周", "星期", "禮拜",
                     "礼拜"), Decimal(7) / 30),
    # Collectors count 30-day months: 30, 60, 90 days past due.
    **dict.fromkeys(("days", "day", "d", "天", "日"), Decimal(1) / 30),
}  # fmt: skip
_UNIT_ALT = "|".join(
    re.escape(u) + (r"(?![a-z])" if u.isascii() else "") for u in sorted(_DURATION_UNITS, key=len, reverse=True)
)
_DURATION = re.compile(
    rf"(?P<num>[0-9]+(?:[.,][0-9]+)?)\s*"
    rf"(?:(?P<unit>{_UNIT_ALT})(?P<half>\s*and\s+a\s+half\b|半)?)?"
)
_DURATION_GAP = re.compile(r"[\s,]*(?:and|&|\+|又)?[\s,]*")
# "2-3 months", "兩三個月" (written 2-3個月 by the numerals reader): which one is for the person to say.
_RANGE_GAP = re.compile(r"\s*(?:-|~|to|or|到|至|或)\s*")
_HALF_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    # 1 and a half years
    (re.compile(r"(?<![0-9.])([0-9]+)\s+and\s+(?:a|one)\s+half\s+"), r"\1.5 "),
    (re.compile(r"\bhalf\s+(?:a|an)\s+"), "0.5 "),  # half a year
    (re.compile(r"\b(?:a|an)\s+half\s+"), "0.5 "),  # a half year
    (re.compile(r"\bhalf\s+(?=y|mo)"), "0.5 "),  # half year
    (re.compile(r"\b(?:a|an)\s+(?=(?:year|yr|month|mo|week|wk|day)s?\b)"), "1 "),
    (re.compile(r"半(?=年|個月|个月|月)"), "0.5"),  # 半年
)
_NOT_LATE = re.compile(
    r"(?:(?:i'?m|i am|it'?s|it is|i'?ve|i have|i|we|been|always|account is)\s+)*"
    r"(?:never|current|not\s+(?:late|behind|delinquent|overdue|yet)|up\s+to\s+date|"
    r"on\s+time|paid\s+on\s+time|沒有|没有|未逾期|正常|沒遲繳|没迟缴)(?![a-z])"
    r"|(?:none|no|nope)[\s.!]*\Z"
)


def parse_months(text: str) -> int | None:
    """How long delinquent, in whole months from 0 to 1200 (rounded half-up).

    `6`, `6 months`, `18 mo`, `2 years`, `1.5 years`, `a year`, `half a year`,
    `1 year and 6 months`, `90 days`, `一年半`; `not late`, `current`, `never` -> 0.
    A bare number is months. Only the first run of durations counts, so in
    "6 months late since 2023" the year is ignored.
    """
    if not isinstance(text, str):
        return None
    s = numbers_to_digits(fold_width(text).lower().strip())
    for pattern, replacement in _HALF_REWRITES:
        s = pattern.sub(replacement, s)
    total: Decimal | None = None
    pos = 0
    for m in _DURATION.finditer(s):
        if total is not None and _RANGE_GAP.fullmatch(s, pos, m.start()):
            return None
        if total is not None and not _DURATION_GAP.fullmatch(s, pos, m.start()):
            break
        if total is None and s[: m.start()].rstrip().endswith("-"):
            return None
        value = number_value(m.group("num"))
        if value is None:
            return None
        unit = _DURATION_UNITS[m.group("unit")] if m.group("unit") else Decimal(1)
        value += Decimal("0.5") if m.group("half") else 0
        total, pos = (total or 0) + value * unit, m.end()
    if total is None:
        return 0 if _NOT_LATE.match(s) else None
    if total > 1200:  # also keeps quantize within Decimal's precision for absurd inputs
        return None
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))
