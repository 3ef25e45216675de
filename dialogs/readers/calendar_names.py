"""Months and weekdays by name, as people write them: in full, in three letters, and a few more."""

from __future__ import annotations

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

#: "december", "dec", "sept" -> 12, 12, 9
MONTHS: dict[str, int] = {
    **{name: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
#: "monday", "mon" -> 0 (as `date.weekday()` counts), and the other short forms people type
WEEKDAYS: dict[str, int] = {
    **{name: i for i, name in enumerate(_DAY_NAMES)},
    **{name[:3]: i for i, name in enumerate(_DAY_NAMES)},
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3,
}  # fmt: skip
#: The character after 星期, 週, 禮拜: 一 is Monday, 日 and 天 Sunday
CHINESE_WEEKDAYS: dict[str, int] = {**{c: i for i, c in enumerate("一二三四五六日")}, "天": 6}
