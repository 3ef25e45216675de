"""Calendar dates as typed: `2026-12-01`, `12/1`, `Dec 1st`, `the 15th`, `next friday`, `12月1日`,
and as typed in Taiwan: `下週五`, `114年12月1日` (the ROC calendar), `下個月5號`, `月底`, `一月五日`."""

from __future__ import annotations

import calendar
import datetime
import re

from dateutil.relativedelta import relativedelta

from dialogs.readers.calendar_names import CHINESE_WEEKDAYS, MONTHS, WEEKDAYS
from dialogs.readers.fallback import dateparser_reading
from dialogs.readers.numbers import cjk_to_digits
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
    **dict.fromkeys(("大後天", "大后天"), 3),
}  # fmt: skip
# "friday", "next fri", "this thurs": the next such day after today ("this" includes today).
# dateparser reads most of these too, at a millisecond each, and not "next wed" or "thurs".
_NEXT_WEEKDAY = re.compile(r"(?:(next|this) )?([a-z]+)")
# dateparser is slow and erratic on long text, and nobody types a date that long.
_MAX_DATE_TEXT = 120

# Taiwan. What may stand around a date: 在12月1日, 12月1日前 (by then), 下週五那天.
_ZH_LEAD = re.compile(r"^(?:在|於|于|大概|大約|大约|預計|预计|最晚|最慢)\s*")
# 前 only after a date ("by 12月1日"): 3天前 and 3日前 are three days ago.
_ZH_TRAIL = re.compile(
    r"(?:(?<=[號号底])|(?<=月\d日)|(?<=月\d\d日)|(?<=[週周期拜][一二三四五六日天]))\s*(?:之前|以前|前)$"
    r"|\s*(?:當天|当天|那天)$"
)
_ROC = r"(?:(?P<roc>民國|民国)\s*)?"
# 114年12月1日 (ROC 114 is 2025); 民國 says so in any locale, two or three digits alone in Taiwan's.
_ROC_DATE = re.compile(rf"{_ROC}(?P<y>\d{{2,3}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日號号]?")
_ROC_NUMERIC = re.compile(rf"{_ROC}(?P<y>\d{{2,3}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})")
_ROC_OFFSET = 1911
# 下週五 (Friday of next week), 這週五 (of this week), 週五 (the next Friday), 下下週一.
_ZH_WEEKDAY = re.compile(
    r"(?P<rel>下下|下|這|这|本|今)?\s*(?:個|个)?\s*(?:週|周|星期|禮拜|礼拜|拜)\s*(?P<d>[一二三四五六日天])"
)
_ZH_MONTH_DAY = re.compile(r"(?P<rel>下個|下个|下|這個|这个|這|这|本)月\s*的?\s*(?P<d>\d{1,2})\s*[日號号]")
_ZH_YEAR_DATE = re.compile(r"(?P<rel>今年|明年)\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日號号]?")
_MONTH_END = re.compile(r"(?P<rel>下個|下个|下|這個|这个|這|这|本|每個|每个|每)?\s*(?:月\s*)?月底")
_ZH_LATER = re.compile(r"(?P<n>\d{1,3})\s*(?P<u>天|日|週|周|星期|禮拜|礼拜|個月|个月)\s*(?:後|后|之後|之后|以後|以后)")
# A month with no day ("12月", "2027年1月") names no date: it is asked, not guessed as today's day.
_ZH_MONTH_ONLY = re.compile(r"(?:(?:民國|民国)?\s*\d{2,4}\s*年)?\s*\d{1,2}\s*月份?")


def _date_order(locale: str) -> str:
    """Field order in `locale`: MDY (US), YMD (Chinese, Japanese, Korean), else DMY."""
    tag = locale.strip().replace("-", "_").lower()
    if tag in ("", "en", "en_us"):
        return "MDY"
    return "YMD" if tag.split("_")[0] in ("zh", "ja", "ko") else "DMY"


def _uses_roc(locale: str) -> bool:
    """Whether a two- or three-digit year is an ROC year: Chinese as written in Taiwan, not in
    mainland China, Singapore or Hong Kong, where 115/1/5 means nothing."""
    tag = locale.strip().replace("-", "_").lower()
    return tag.split("_")[0] == "zh" and tag not in ("zh_cn", "zh_sg", "zh_hans", "zh_hk", "zh_hans_cn")


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


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _chinese_date(s: str, today: datetime.date, roc: bool) -> tuple[bool, datetime.date | None]:
    """The forms people type in Taiwan that the forms below do not read. Returns (recognised, date)."""
    if m := _ROC_DATE.fullmatch(s) or _ROC_NUMERIC.fullmatch(s):
        # Three digits and 年 can only be ROC; 7年1月5日 in Japanese is Reiwa 7, not ours to read.
        if not (roc or m["roc"] or (m.re is _ROC_DATE and len(m["y"]) == 3)):
            return m.re is _ROC_DATE, None
        return True, _safe_date(int(m["y"]) + _ROC_OFFSET, int(m["m"]), int(m["d"]))
    if m := _ZH_WEEKDAY.fullmatch(s):
        weekday, rel = CHINESE_WEEKDAYS[m["d"]], m["rel"]
        if rel is None:  # as dateparser reads it: the next such day after today
            return True, today + datetime.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
        # A Chinese week runs Monday to Sunday: 下週五 is in next week even when today is Monday.
        weeks = {"下下": 2, "下": 1}.get(rel, 0)
        return True, today + datetime.timedelta(days=weekday - today.weekday() + 7 * weeks)
    if m := _ZH_MONTH_DAY.fullmatch(s):
        first = today.replace(day=1) + relativedelta(months=1 if m["rel"].startswith("下") else 0)
        return True, _safe_date(first.year, first.month, int(m["d"]))
    if m := _ZH_YEAR_DATE.fullmatch(s):
        return True, _safe_date(today.year + (m["rel"] == "明年"), int(m["m"]), int(m["d"]))
    if m := _MONTH_END.fullmatch(s):
        rel = m["rel"] or ""
        if rel.startswith("下"):
            following = today.replace(day=1) + relativedelta(months=1)
            return True, _month_end(following.year, following.month)
        end = _month_end(today.year, today.month)
        if end == today and not rel.startswith(("這", "这", "本")):  # 月底 on the last day: the next one
            following = today.replace(day=1) + relativedelta(months=1)
            end = _month_end(following.year, following.month)
        return True, end
    if m := _ZH_LATER.fullmatch(s):
        n, unit = int(m["n"]), m["u"]
        if unit in ("個月", "个月"):
            return True, today + relativedelta(months=n)
        return True, today + datetime.timedelta(days=n * (1 if unit in ("天", "日") else 7))
    if _ZH_MONTH_ONLY.fullmatch(s):
        return True, None
    return False, None


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
    """A calendar date: `2026-12-01`, `12/1`, `Dec 1st`, `the 15th`, `next friday`, `下週五`.

    A date without a year is the next one on or after `today`; a bare day of the
    month ("the 1st", "15", "5號", "月底") is the next one strictly after `today`. Numeric dates
    follow the locale: 12/1 is December 1 in en, en_US and zh, 12 January elsewhere. In
    Taiwan's Chinese a year of two or three digits is an ROC year (115/1/5, 114年12月1日);
    民國 says so anywhere. 下週五 and 這週五 are the Friday of next and of this week (a
    week from Monday to Sunday), which may be past.
    """
    if not isinstance(text, str) or not isinstance(locale, str):
        return None
    s = re.sub(r"\s+", " ", fold_width(text).lower()).strip(" ?!.,;:。？！")
    s = _LEAD.sub("", s)
    if not s or len(s) > _MAX_DATE_TEXT:
        return None
    s = _ZH_TRAIL.sub("", _ZH_LEAD.sub("", cjk_to_digits(s)))
    recognised, result = _chinese_date(s, today, _uses_roc(locale))
    if not recognised:
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
