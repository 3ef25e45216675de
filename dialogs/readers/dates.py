"""Calendar dates as typed: `2026-12-01`, `12/1`, `Dec 1st`, `the 15th`, `next friday`, `12月1日`."""

from __future__ import annotations

import datetime
import re

from dialogs.readers.calendar_names import MONTHS, WEEKDAYS
from dialogs.readers.fallback import dateparser_reading
from dialogs.readers.text import fold_width, longest_first

__all__ = ["dateparser_date", "parse_date"]

_MON = longest_first(MONTHS)
_ORD = r"(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:[a-z]+day,?\s+)?"

_LEAD = re.compile(
    r"^(?:(?:on|by|due|before|until|til|till|starting|from|pay|paying|payment|is|"
    r"it's|its|it|at|date)\s+)+"
)
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?")
_NAMED_DATE = re.compile(
    rf"{_WEEKDAY}(?P<m>{_MON})\.?\s+(?P<d>\d{{1,2}}){_ORD}(?:,?\s+(?P<y>\d{{4}}))?"
    rf"|{_WEEKDAY}(?:the\s+)?(?P<d2>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m2>{_MON})\.?"
    rf"(?:,?\s+(?P<y2>\d{{4}}))?"
)
_ZH_DATE = re.compile(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日號号]?")
_DAY_OF_MONTH = re.compile(
    rf"(?:the\s+)?(\d{{1,2}}){_ORD}"
    r"(?:\s+(?:day\s+)?(?:of\s+)?(?:the|each|every|this|a)?\s*month)?"
    r"|(?:每月|每個月|每个月)?\s*(\d{1,2})\s*[日號号]"
)
_RELATIVE_DAYS: dict[str, int] = {
    **dict.fromkeys(("today", "tonight", "now", "right now", "asap", "今天", "今日"),
                    0),
    **dict.fromkeys(("tomorrow", "tmr", "tmrw", "tomorow", "tommorow", "tommorrow",
                     "明天", "明日"), 1),
    **dict.fromkeys(("day after tomorrow", "the day after tomorrow", "後天", "后天"),
                    2),
}  # fmt: skip
# "friday", "next fri", "this thurs": the next such day after today ("this" includes today).
# dateparser reads most of these too, at a millisecond each, and not "next wed" or "thurs".
_NEXT_WEEKDAY = re.compile(r"(?:(next|this) )?([a-z]+)")
# dateparser is slow and erratic on long text, and nobody types a date that long.
_MAX_DATE_TEXT = 120


def _date_order(locale: str) -> str:
    """Field order in `locale`: MDY (US), YMD (Chinese, Japanese, Korean), else DMY."""
    tag = locale.strip().replace("-", "_").lower()
    if tag in ("", "en", "en_us"):
        return "MDY"
    return "YMD" if tag.split("_")[0] in ("zh", "ja", "ko") else "DMY"


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, year: int | None, today: datetime.date) -> datetime.date | None:
    """A month and day in `year`, or else the next one on or after today."""
    if year is not None:
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    for y in range(today.year, today.year + 9):  # 9 years: Feb 29 may have to wait
        d = _safe_date(y, month, day)
        if d is not None and d >= today:
            return d
    return None


def _next_day_of_month(day: int, today: datetime.date) -> datetime.date | None:
    """The next `day`th strictly after today, skipping months too short to have it."""
    year, month = today.year, today.month
    for _ in range(14):
        d = _safe_date(year, month, day)
        if d is not None and d > today:
            return d
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None  # day outside 1..31


def _fast_date(s: str, today: datetime.date, order: str) -> tuple[bool, datetime.date | None]:
    """The common forms, without dateparser. Returns (recognised, date)."""
    if s in _RELATIVE_DAYS:
        return True, today + datetime.timedelta(days=_RELATIVE_DAYS[s])
    if (m := _NEXT_WEEKDAY.fullmatch(s)) and m[2] in WEEKDAYS:
        weekday = WEEKDAYS[m[2]]
        if m[1] == "this" and weekday == today.weekday():
            return True, today
        return True, today + datetime.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if m := _ISO_DATE.fullmatch(s):
        return True, _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_DATE.fullmatch(s):
        a, b, year = int(m[1]), int(m[2]), m[3]
        if order == "YMD" and year is not None and len(year) == 2:
            return True, _safe_date(2000 + a, b, int(year))
        month, day = (b, a) if order == "DMY" else (a, b)
        return True, _month_day(month, day, int(year) if year else None, today)
    if m := _NAMED_DATE.fullmatch(s):
        year = m["y"] or m["y2"]
        day = int(m["d"] or m["d2"])
        month = MONTHS[m["m"] or m["m2"]]
        return True, _month_day(month, day, int(year) if year else None, today)
    if m := _ZH_DATE.fullmatch(s):
        year = int(m[1]) if m[1] else None
        return True, _month_day(int(m[2]), int(m[3]), year, today)
    if m := _DAY_OF_MONTH.fullmatch(s):
        return True, _next_day_of_month(int(m[1] or m[2]), today)
    return False, None


def parse_date(text: str, today: datetime.date, locale: str = "en") -> datetime.date | None:
    """A calendar date: `2026-12-01`, `12/1`, `Dec 1st`, `the 15th`, `next friday`.

    A date without a year is the next one on or after `today`; a bare day of the
    month ("the 1st", "15") is the next one strictly after `today`. Numeric dates
    follow the locale: 12/1 is December 1 in en, en_US and zh, 12 January elsewhere.
    """
    if not isinstance(text, str) or not isinstance(locale, str):
        return None
    s = re.sub(r"\s+", " ", fold_width(text).lower()).strip(" ?!.,;:")
    s = _LEAD.sub("", s)
    if not s or len(s) > _MAX_DATE_TEXT:
        return None
    recognised, result = _fast_date(s, today, _date_order(locale))
    if recognised:
        return result
    if not re.search(r"[^\W\d_]", s):
        return None  # digits and punctuation that no fast path read: not a date
    return dateparser_date(s, today, locale)


def dateparser_date(text: str, today: datetime.date, locale: str = "en") -> datetime.date | None:
    """What dateparser alone reads in `text`, with the settings `parse_date` gives it."""
    tag = locale.strip().replace("-", "_")
    lang = tag.split("_")[0].lower() or "en"
    if lang == "zh":
        lang = "zh" if tag.lower() in ("zh_cn", "zh_sg", "zh_hans") else "zh-Hant"
    found, _ = dateparser_reading(
        text,
        datetime.datetime.combine(today, datetime.time()),
        languages=tuple(dict.fromkeys([lang, "en"])),
        date_order=_date_order(locale),
    )
    return found.date() if found is not None else None
