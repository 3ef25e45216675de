"""When the person will make the call: "tomorrow 10am", "at 3", "next tuesday at 2pm", "明天下午3點".

Times are naive wall-clock values: the caller owns the zone, these only read text. A reminder at
the wrong hour is worse than none, so what cannot be told is None (the dialog then asks again).
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dialogs.readers.calendar_names import CHINESE_WEEKDAYS, MONTHS, WEEKDAYS
from dialogs.readers.fallback import dateparser_reading
from dialogs.readers.numbers import SMALL_NUMBERS, cjk_numeral
from dialogs.readers.text import fold_all, longest_first

__all__ = ["parse_moment", "spoken_time", "wall_time"]

_MAX_TEXT = 200  # nobody types a time that long, and dateparser is slow on junk
# The number words of clock times: hours, and the usual minutes.
_NUMBER_WORDS = {w: n for w, n in SMALL_NUMBERS.items() if n <= 12}
_NUMBER_WORDS |= {"fifteen": 15, "twenty": 20, "thirty": 30, "forty five": 45, "forty-five": 45}
_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})\b")
# Chinese numerals only where they count something: 三點, 兩個小時, 十二月三日.
_ZH_NUMBER = re.compile(r"[一二兩两三四五六七八九十]+(?=\s*(?:[點点時时個个小分月號号日]|鐘|钟))")
_WEEKDAYS = {**WEEKDAYS, **CHINESE_WEEKDAYS}

_SPAN = (r"(?P<n>\d+(?:\.\d+)?|an?|half\s+an?|(?:a\s+)?couple\s+of)\s*(?P<u>minutes?|mins?|m|hours?|hrs?|h|days?|d"
         r"|weeks?|wks?|w)\b(?P<half>\s+and\s+a\s+half)?(?:\s*(?:and\s+)?(?P<n2>\d+)\s*(?:minutes?|mins?|m)\b)?")
_RELATIVE = (
    re.compile(rf"\b(?:in|after|within)\s+{_SPAN}"),
    re.compile(rf"{_SPAN}\s+(?:from\s+now|later)\b"),
    re.compile(r"(?P<n>\d+|半)\s*[個个]?\s*(?P<u>小時|小时|鐘頭|钟头|分鐘|分钟|分)\s*之?[後后]"),
)
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080, "小": 60, "鐘": 60, "钟": 60, "分": 1}
_NTH = r"(?:st|nd|rd|th)?(?!\s*(?:[ap]\.?m?\b|[:.]\d|o\s*clock))"  # "dec 3", not the 3 of "dec 3pm"
_DATE = re.compile(
    r"(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"
    rf"|\b(?P<mon>{longest_first(MONTHS)})\.?\s+(?:the\s+)?(?P<d1>\d{{1,2}}){_NTH}(?:,?\s+(?P<y1>20\d\d)\b)?"
    rf"|\b(?:the\s+)?(?P<d2>\d{{1,2}}){_NTH}\s+(?:of\s+)?(?P<mon2>{longest_first(MONTHS)})\b\.?(?:,?\s+(?P<y2>20\d\d)\b)?"
    r"|(?P<zmo>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*[日號号]|\bthe\s+(?P<nth>\d{1,2})(?:st|nd|rd|th)\b"
)
_DAY_WORDS = re.compile(
    r"(?P<d2>\b(?:the\s+)?day\s+after\s+tomorrow\b|後天|后天)|(?P<d1>\b(?:tomorrow|tmrw?|tmw|tomm?orr?ow)\b|明天|明日)"
    r"|(?P<d0>\btoday\b|(?P<tonight>\btonight\b|今晚)|\bthis\s+(?=morning|afternoon|evening)|今天|今日)"
    rf"|(?P<next>\bnext\s+|\bthis\s+|\bcoming\s+|\bon\s+|下[個个]?)?(?:\b(?P<wd>{longest_first(WEEKDAYS)})\b"
    r"|(?:星期|週|周|禮拜|礼拜)(?P<zwd>[一二三四五六日天]))"
)
_PARTS = re.compile(r"\b(?:in\s+the\s+)?(?P<p>morning|afternoon|evening|tonight|night|noon|midday|lunchtime)\b"
                    r"|(?P<zp>早上|上午|凌晨|中午|下午|傍晚|晚上|今晚)")  # fmt: skip
# A part of the day alone is a time; with an hour it says which half of the clock.
_PART_TIMES: dict[str, tuple[int, str]] = {
    **dict.fromkeys(("morning", "早上", "上午", "凌晨"), (9, "a")), **dict.fromkeys(("afternoon", "下午"), (14, "p")),
    **dict.fromkeys(("evening", "tonight", "night", "傍晚", "晚上", "今晚"), (18, "p")),
    **dict.fromkeys(("noon", "midday", "lunchtime", "中午"), (12, "")),
}  # fmt: skip
_TIMES = (
    re.compile(r"(?<![\d:.])(?P<h>\d{1,2})(?:[:.\s]?(?P<m>[0-5]\d))?\s*(?P<ap>[ap])(?:\.?\s?m)?\b\.?"),
    re.compile(r"(?<![\d:.])(?P<h>\d{1,2})[:h.](?P<m>[0-5]\d)(?::[0-5]\d)?(?!\d)"),
    re.compile(r"(?<![\d:.])(?P<h>\d{1,2})\s*o\s*clock\b"),
    re.compile(r"\b(?P<q>half|quarter)\s+(?P<to>past|after|to|till|til|before)\s+(?P<h>\d{1,2})\b(?![:.]\d)"),
    re.compile(r"(?P<h>\d{1,2})\s*[點点時时]\s*(?:(?P<m>\d{1,2})\s*分?|(?P<zh>半))?"),
    re.compile(r"(?:\b(?:at|around|about|by|after|before)|@)\s*(?P<h>\d{1,2}?)(?P<m>[0-5]\d)?\b(?![:./-]?\d)"),
)
_BARE_HOUR = re.compile(r"(?<![\d:./-])(?P<h>\d{1,2})(?![\d:./-])")
# Left unread, these mean the fast path missed part of the date: dateparser gets the text.
_DATEISH = re.compile(r"\d|\b(?:weeks?|weekend|fortnight|months?|years?|days?|hours?|minutes?|midnight|"
                      r"january|february|april|june|july|august|september|october|november|december)\b")  # fmt: skip
_MAX_AHEAD = timedelta(days=366)


def spoken_time(text: str) -> str:
    """Folded text with number words as digits: "at ten" -> "at 10", "三點半" -> "3點半"."""
    s = _ZH_NUMBER.sub(lambda m: str(cjk_numeral(m.group())), fold_all(text))
    return " ".join(_NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS[m.group()]), s).split()).strip(" ?!,;")


def wall_time(h: int, minute: int, half: str, literal: bool) -> time:
    """The wall time for an hour as said; ValueError for impossible ones.

    `half` ("a" or "p") comes from am/pm or a part of the day. Without one, the hour is
    read in business hours, when creditors answer: 8-11 is morning, 12 noon, and 1-7
    afternoon, so "at 3" is 15:00. `literal` hours (0, 13-23, "09") are a 24-hour clock.
    """
    if not literal and 1 <= h <= 12:
        h = h % 12 + (12 if (half or ("a" if 8 <= h <= 11 else "p")) == "p" else 0)
    return time(h, minute)


def _time_of_day(clock: re.Match[str] | None, part: str) -> tuple[time | None, bool]:
    """(time, whether its half of the clock was a guess) from a clock and a part of the day."""
    hour, lean = _PART_TIMES.get(part, (-1, ""))
    if clock is None:
        return (time(hour) if hour >= 0 else None), False
    g = clock.groupdict()
    h, minute = int(g["h"]), 30 if g.get("zh") else int(g.get("m") or 0)
    if g.get("q"):  # half past 3, quarter to 4
        minute = 30 if g["q"] == "half" else 15
        if g["to"] not in ("past", "after"):
            h, minute = (h - 1) or 12, 60 - minute
    literal, half = g["h"].startswith("0") and len(g["h"]) == 2, g.get("ap") or lean
    return wall_time(h, minute, half, literal), not (half or literal) and 1 <= h <= 12


def _on_date(m: re.Match[str], at: time, now: datetime) -> datetime | None:
    """A calendar date at `at`. Without a year, the next such date (today's if still ahead)."""
    today = now.date()
    if m["nth"]:  # "the 5th": this month's if still ahead, else the next month that has one
        for k in range(13):
            with contextlib.suppress(ValueError):
                day = date(today.year + (today.month + k - 1) // 12, (today.month + k - 1) % 12 + 1, int(m["nth"]))
                if (moment := datetime.combine(day, at)) > now:
                    return moment
        return None
    month = int(m["mo"] or m["zmo"] or 0) or MONTHS[m["mon"] or m["mon2"]]
    day_of_month, year = int(m["d"] or m["d1"] or m["d2"] or m["zd"]), m["y"] or m["y1"] or m["y2"]
    moment = datetime.combine(date(int(year or today.year), month, day_of_month), at)
    return moment.replace(year=today.year + 1) if not year and moment.date() < today else moment


def _on_day(day: re.Match[str] | None, at: time, now: datetime, guessed_half: bool) -> datetime:
    """`at` on the day named: today/tomorrow as said; a weekday, or no day, the next one ahead."""
    today = now.date()
    if day is None:
        moment = datetime.combine(today, at)
        return moment if moment > now else moment + timedelta(days=1)
    if weekday := day["wd"] or day["zwd"]:  # "next tuesday" is the first Tuesday after today
        strict = (day["next"] or "").startswith(("next", "下"))
        ahead = (_WEEKDAYS[weekday] - today.weekday()) % 7 or (7 if strict else 0)
        moment = datetime.combine(today + timedelta(days=ahead), at)
        return moment if moment > now else moment + timedelta(days=7)
    moment = datetime.combine(today + timedelta(days=2 if day["d2"] else 1 if day["d1"] else 0), at)
    if moment <= now and guessed_half and at.hour < 12:
        moment += timedelta(hours=12)  # "today at 10" said at 11:00 can only be 22:00
    return moment


def _fast_moment(s: str, now: datetime) -> tuple[bool, datetime | None]:
    """The common shapes, read piece by piece; other words are ignored. Returns (recognised, moment)."""
    rest = s

    def take(*patterns: re.Pattern[str]) -> re.Match[str] | None:
        nonlocal rest
        for pattern in patterns:
            if m := pattern.search(rest):
                rest = rest[: m.start()] + " " * len(m.group()) + rest[m.end() :]
                return m
        return None

    span = None
    if rel := take(*_RELATIVE):
        n, unit = rel["n"], rel["u"][0]
        count = Decimal("0.5") if n == "半" or n.startswith("half") else Decimal(
            1 if n in ("a", "an") else 2 if "couple" in n else n)  # fmt: skip
        count += Decimal("0.5") if rel.groupdict().get("half") else 0
        span = timedelta(minutes=int(count * _UNIT_MINUTES[unit]) + int(rel.groupdict().get("n2") or 0))
        if unit not in "dw":  # minutes and hours make a moment; days and weeks still need a time
            return True, now + span
    date_m, day, part = take(_DATE), take(_DAY_WORDS), take(_PARTS)
    clock = take(*_TIMES)
    if clock is None and (date_m or day or part or span or re.fullmatch(r"\W*\d{1,2}\W*", s)):
        clock = take(_BARE_HOUR)  # "tomorrow 10", or just "10": the next 10 o'clock
    if _DATEISH.search(rest) or not (date_m or day or part or clock or span):
        return False, None
    part_name = (part["p"] or part["zp"]) if part else "tonight" if day and day["tonight"] else ""
    at, guessed_half = _time_of_day(clock, part_name)
    if at is None:
        return True, None  # a day without a time: the reminder needs the hour
    if span is not None:
        return True, datetime.combine(now.date() + span, at)
    return True, _on_date(date_m, at, now) if date_m else _on_day(day, at, now, guessed_half)


def parse_moment(text: str, now_local: datetime) -> datetime | None:
    """When the person will make the call, as a naive wall-clock datetime, or None.

    Reads "tomorrow 10am", "at 3pm", "15:00", "monday 9:30", "next tuesday at 2pm",
    "in 2 hours", "dec 3 at 11am", "2026-12-03 14:00", "tomorrow morning", "明天下午3點".
    A time without a day is the next one (today if still ahead, else tomorrow), so a
    bare "10" is the next 10:00. A day without a time is None: the reminder needs the
    hour. The result is strictly after `now_local` and at most 366 days ahead.
    """
    if not isinstance(text, str) or not isinstance(now_local, datetime) or len(text) > _MAX_TEXT:
        return None
    now, s = now_local.replace(tzinfo=None), spoken_time(text)  # an aware `now` is read as its wall clock
    try:
        recognised, found = _fast_moment(s, now)
    except (ValueError, OverflowError):  # 31 February, the year 9999 and friends
        return None
    if not recognised and re.search("[a-z]", s):
        read, period = dateparser_reading(s, now, time_as_period=True)
        found = read if period == "time" else None
    if not isinstance(found, datetime) or found.tzinfo is not None or not now < found <= now + _MAX_AHEAD:
        return None
    return found
