"""Generous readers for the reminders feature: time zones, call times and quiet hours.

A reminder at the wrong hour is worse than none, so each reader returns None when it
cannot tell (the dialog then asks again) instead of guessing wildly, and never raises.
Times are naive wall-clock values: the caller owns the zone, these only read text.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

__all__ = ["guess_timezone", "parse_moment", "parse_quiet_hours", "parse_timezone"]

_DEFAULT_ZONE = "America/New_York"  # US-first: "en" and anything unknown
_MAX_TEXT = 200  # nobody types a time or a zone that long, and dateparser is slow on junk
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")


def _norm(text: str) -> str:
    """Lower case with full-width digits and colons folded, accents dropped ("são" -> "sao"), one dash."""
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).translate(_DASHES))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return s.replace("臺", "台").replace("\u2019", "'").replace("'", "")


def _table(rows: dict[str, str]) -> dict[str, str]:
    """Invert {zone: "key|key"} rows, which keep the tables short enough to review."""
    return {key: zone for zone, keys in rows.items() for key in keys.split("|")}


# --------------------------------------------------------------------------------------
# A first guess from the language tag
# --------------------------------------------------------------------------------------

# The region in a tag ("en-GB", "es-MX") says more about the clock than the language.
_REGION_ZONES = _table({
    "America/New_York": "us", "Europe/London": "gb|uk", "Europe/Dublin": "ie", "America/Toronto": "ca",
    "Australia/Sydney": "au", "Pacific/Auckland": "nz", "Asia/Kolkata": "in", "Asia/Taipei": "tw",
    "Asia/Shanghai": "cn", "Asia/Hong_Kong": "hk", "Asia/Macau": "mo", "Asia/Singapore": "sg", "Asia/Tokyo": "jp",
    "Asia/Seoul": "kr", "Europe/Berlin": "de", "Europe/Vienna": "at", "Europe/Zurich": "ch", "Europe/Paris": "fr",
    "Europe/Brussels": "be", "Europe/Amsterdam": "nl", "Europe/Madrid": "es", "America/Mexico_City": "mx|419",
    "America/Argentina/Buenos_Aires": "ar", "America/Bogota": "co", "America/Santiago": "cl", "America/Lima": "pe",
    "America/Sao_Paulo": "br", "Europe/Lisbon": "pt", "Europe/Rome": "it", "Europe/Moscow": "ru", "Europe/Kyiv": "ua",
    "Europe/Warsaw": "pl", "Europe/Istanbul": "tr", "Asia/Manila": "ph", "Asia/Ho_Chi_Minh": "vn",
    "Asia/Bangkok": "th", "Asia/Jakarta": "id", "Asia/Kuala_Lumpur": "my", "Africa/Johannesburg": "za",
    "Africa/Lagos": "ng", "Africa/Cairo": "eg", "Asia/Riyadh": "sa", "Asia/Dubai": "ae", "Asia/Jerusalem": "il",
    "Asia/Karachi": "pk", "Asia/Dhaka": "bd", "Europe/Stockholm": "se", "Europe/Oslo": "no",
    "Europe/Copenhagen": "dk", "Europe/Helsinki": "fi", "Europe/Athens": "gr", "Europe/Prague": "cz",
    "Europe/Budapest": "hu", "Europe/Bucharest": "ro",
})  # fmt: skip
# "in" is the legacy ISO 639 code for Indonesian (Java and Android still report it); India is a region.
_LANGUAGE_ZONES = _table({
    "America/New_York": "en", "Asia/Taipei": "zh|zh-hant", "Asia/Shanghai": "zh-hans", "Europe/Berlin": "de",
    "Europe/Paris": "fr", "Europe/Madrid": "es|ca|eu|gl", "Europe/Lisbon": "pt", "Europe/Rome": "it",
    "Europe/Amsterdam": "nl", "Asia/Tokyo": "ja", "Asia/Seoul": "ko", "Asia/Kolkata": "hi|bn|ta|te|mr|gu",
    "Europe/Moscow": "ru", "Europe/Kyiv": "uk", "Europe/Warsaw": "pl", "Europe/Istanbul": "tr",
    "Asia/Ho_Chi_Minh": "vi", "Asia/Bangkok": "th", "Asia/Jakarta": "id|in", "Asia/Kuala_Lumpur": "ms",
    "Asia/Manila": "fil|tl", "Africa/Cairo": "ar", "Asia/Tehran": "fa", "Asia/Jerusalem": "he|iw",
    "Europe/Stockholm": "sv", "Europe/Oslo": "nb|nn|no", "Europe/Copenhagen": "da", "Europe/Helsinki": "fi",
    "Europe/Athens": "el", "Europe/Prague": "cs", "Europe/Budapest": "hu", "Europe/Bucharest": "ro",
})  # fmt: skip


def guess_timezone(locale: str) -> str:
    """A first guess from a Telegram language_code ("en", "en-GB", "zh-hant", "pt_BR").

    Only the default for "is this your time zone?": the region beats the language
    ("es-MX" is Mexico City, not Madrid), and anything unknown is US Eastern.
    """
    if not isinstance(locale, str):
        return _DEFAULT_ZONE
    lang, *subtags = re.split(r"[-_.@\s]+", locale.strip().lower())
    region = next((t for t in subtags if re.fullmatch(r"[a-z]{2}|[0-9]{3}", t)), "")
    script = next((t for t in subtags if len(t) == 4), "")
    return (_REGION_ZONES.get(region) or _LANGUAGE_ZONES.get(f"{lang}-{script}") or _LANGUAGE_ZONES.get(lang)
            or _DEFAULT_ZONE)  # fmt: skip


# --------------------------------------------------------------------------------------
# A zone the person typed
# --------------------------------------------------------------------------------------

# Abbreviations, nicknames, and places that are not the last part of an IANA name.
_TZ_WORDS = _table({
    "America/New_York": "est|edt|et|eastern|nyc|new york city|washington|washington dc|dc|boston|miami|atlanta|"
    "philadelphia|baltimore|pittsburgh|charlotte|orlando|tampa|cleveland|columbus|newark|brooklyn|manhattan|queens|"
    "bronx|raleigh|richmond|new jersey|new england|ottawa|montreal|quebec|美東|紐約|纽约",
    "America/Chicago": "cst|cdt|ct|central|dallas|houston|austin|san antonio|minneapolis|st louis|saint louis|"
    "kansas city|nashville|new orleans|milwaukee|memphis|oklahoma city|texas",
    "America/Denver": "mst|mdt|mt|mountain|salt lake city|albuquerque|colorado|new mexico",
    "America/Phoenix": "arizona", "America/Edmonton": "calgary",
    "America/Los_Angeles": "pst|pdt|pt|pacific|la|san francisco|sf|san diego|san jose|seattle|portland|sacramento|"
    "oakland|las vegas|vegas|california|美西|洛杉磯|洛杉矶|舊金山|旧金山",
    "America/Anchorage": "akst|akdt|alaska", "Pacific/Honolulu": "hst|hdt|hawaii|hawaiian",
    "America/Halifax": "ast|adt|atlantic time", "America/St_Johns": "nst|ndt|newfoundland",
    "UTC": "utc|gmt|z|zulu|universal|coordinated universal", "Europe/London": "bst|uk|england|britain|great britain|"
    "manchester|edinburgh|birmingham|glasgow|倫敦|伦敦", "Europe/Paris": "cet|cest|central european|france|巴黎",
    "Europe/Athens": "eet|eest|eastern european", "Europe/Lisbon": "wet|west|western european",
    "Europe/Berlin": "germany|munich|frankfurt|hamburg|cologne", "Europe/Madrid": "spain|barcelona",
    "Europe/Rome": "italy|milan", "Europe/Moscow": "msk|russia|st petersburg|saint petersburg",
    "Europe/Kyiv": "kiev|ukraine", "Asia/Tokyo": "jst|japan|osaka|kyoto|東京|日本",
    "Asia/Seoul": "kst|korea|busan|首爾",
    "Asia/Kolkata": "ist|india|indian|mumbai|bombay|delhi|new delhi|bangalore|bengaluru|chennai|hyderabad|calcutta",
    "Asia/Taipei": "taiwan|taichung|kaohsiung|tainan|hsinchu|taoyuan|台北|台中|台南|高雄|新竹|桃園|台灣|台湾",
    "Asia/Shanghai": "china|beijing|peking|shenzhen|guangzhou|北京|上海|中國|中国|深圳", "Asia/Hong_Kong": "hkt|香港",
    "Asia/Singapore": "sgt|新加坡", "Asia/Manila": "pht|philippines", "Asia/Jakarta": "wib|indonesia",
    "Asia/Ho_Chi_Minh": "saigon|vietnam|hanoi", "Asia/Bangkok": "ict|thailand", "Asia/Yangon": "rangoon",
    "Asia/Jerusalem": "israel|tel aviv", "Asia/Dubai": "abu dhabi|uae", "Africa/Johannesburg": "sast|cape town",
    "Australia/Sydney": "aest|aedt|canberra|new south wales", "Australia/Adelaide": "acst|acdt",
    "Australia/Perth": "awst", "Pacific/Auckland": "nzst|nzdt|new zealand", "America/Mexico_City": "mexico",
    "America/Sao_Paulo": "brt|brasilia|rio|rio de janeiro",
})  # fmt: skip
# Keys that are also ordinary words count only when they are all the person typed.
_TZ_WHOLE_ONLY = frozenset({
    "z", "la", "et", "ct", "mt", "pt", "west", "act", "center", "christmas", "easter", "jersey", "knox", "midway",
    "norfolk", "north", "south", "oral", "resolute", "reunion", "stanley", "victoria", "virgin", "wake", "rio",
})  # fmt: skip
_TZ_FILLER = frozenset({
    "i", "im", "am", "in", "my", "our", "the", "is", "its", "it", "we", "are", "live", "here", "now", "zone",
    "timezone", "tz", "time", "standard", "daylight", "saving", "summer", "winter", "based", "from", "near",
})  # fmt: skip
_CITY_AREAS = ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
_OFFSET = re.compile(
    r"(?<![\w/])(?P<pre>(?:utc|gmt|z)\s*)?(?P<sign>[+-])\s*(?P<h>\d{1,2})(?:(?P<colon>[:.h])?(?P<m>\d{2}))?(?!\d)"
)
# Offsets off the hour have one obvious zone each, or none worth guessing.
_ODD_OFFSETS: dict[tuple[str, int, int], str] = {
    ("+", 5, 30): "Asia/Kolkata", ("+", 5, 45): "Asia/Kathmandu", ("+", 9, 30): "Australia/Darwin",
    ("-", 3, 30): "America/St_Johns", ("+", 3, 30): "Asia/Tehran", ("+", 4, 30): "Asia/Kabul",
    ("+", 6, 30): "Asia/Yangon", ("-", 9, 30): "Pacific/Marquesas", ("+", 12, 45): "Pacific/Chatham",
}  # fmt: skip


def _key(text: str) -> str:
    """One spelling for names and input alike: "America/New_York" and "america / new york"."""
    s = re.sub(r"(?<=[a-z])-(?=[a-z])|[^a-z0-9/+:\-\u3400-\u9fff]", " ", _norm(text))
    return re.sub(r"\s*/\s*", "/", " ".join(s.split()))


@lru_cache(maxsize=1)
def _tz_lookup() -> dict[str, str]:
    """Every key we know: full IANA names, their last parts ("chicago"), and the table above."""
    full: dict[str, str] = {}
    city: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones(), key=lambda n: (-n.count("/"), n)):
        if "/" in name:  # one-word names ("EST", "Japan", "localtime") are legacy or not zones
            full[_key(name)] = name
            if name.split("/")[0] in _CITY_AREAS:  # deepest first: America/Indiana/Indianapolis
                city.setdefault(_key(name.rsplit("/", 1)[1]), name)
    return {**city, **_TZ_WORDS, **full}


def _offset_zone(m: re.Match[str]) -> str | None:
    hours, minutes = int(m["h"]), int(m["m"] or 0)
    if minutes:
        return _ODD_OFFSETS.get((m["sign"], hours, minutes))
    if hours > (14 if m["sign"] == "+" else 12):
        return None
    return "UTC" if hours == 0 else f"Etc/GMT{'-' if m['sign'] == '+' else '+'}{hours}"  # Etc signs are inverted


def parse_timezone(text: str) -> str | None:
    """An IANA name for what the person typed, or None.

    Reads "Europe/Berlin", "america/new york", "Chicago", "São Paulo", "I'm in Seattle",
    "PST", "my time zone is eastern", "UTC+8", "+05:30", "台北"; the first zone named
    wins. A whole-hour offset becomes Etc/GMT∓N, without daylight saving: a fixed
    offset is what the person asked for.
    """
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        return None
    s = _key(text)
    for m in _OFFSET.finditer(s):  # a bare "-5" only alone, lest "+1 555 1234" be a zone
        if m["pre"] or m["colon"] or (m["m"] and len(m["h"]) == 2) or m.span() == (0, len(s)):
            return _offset_zone(m)
    lookup, tokens = _tz_lookup(), s.split()
    if (whole := " ".join(t for t in tokens if t not in _TZ_FILLER)) in lookup:
        return lookup[whole]
    for i in range(len(tokens)):
        for n in (4, 3, 2, 1):  # longest first: "new york" before "york", "new jersey" before "jersey"
            if (key := " ".join(tokens[i : i + n])) in lookup and key not in _TZ_WHOLE_ONLY:
                return lookup[key]
    return next((zone for key, zone in _TZ_WORDS.items() if not key.isascii() and key in s), None)


# --------------------------------------------------------------------------------------
# When the person will call
# --------------------------------------------------------------------------------------

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")  # fmt: skip
_MONTHS = {**{n[:3]: i for i, n in enumerate(_MONTH_NAMES, 1)}, **{n: i for i, n in enumerate(_MONTH_NAMES, 1)},
           "sept": 9}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {**{n[:3]: i for i, n in enumerate(_DAY_NAMES)}, **{n: i for i, n in enumerate(_DAY_NAMES)},
             "tues": 1, "weds": 2, "thur": 3, "thurs": 3, **{c: i for i, c in enumerate("一二三四五六日")}, "天": 6}
_NUMBER_WORDS = {w: i for i, w in enumerate(("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                             "nine", "ten", "eleven", "twelve"))}  # fmt: skip
_NUMBER_WORDS |= {"fifteen": 15, "twenty": 20, "thirty": 30, "forty five": 45, "forty-five": 45}
_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})\b")
# Chinese numerals only where they count something: 三點, 兩個小時, 十二月三日.
_ZH_NUMBER = re.compile(r"[一二兩两三四五六七八九十]+(?=\s*(?:[點点時时個个小分月號号日]|鐘|钟))")
_ZH_DIGITS = {**{c: i for i, c in enumerate("零一二三四五六七八九")}, "兩": 2, "两": 2}


def _words(table: dict[str, int]) -> str:
    """Regex alternation of the ASCII keys, longest first ("thurs" before "thu")."""
    return "|".join(sorted((k for k in table if k.isascii()), key=len, reverse=True))


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
    rf"|\b(?P<mon>{_words(_MONTHS)})\.?\s+(?:the\s+)?(?P<d1>\d{{1,2}}){_NTH}(?:,?\s+(?P<y1>20\d\d)\b)?"
    rf"|\b(?:the\s+)?(?P<d2>\d{{1,2}}){_NTH}\s+(?:of\s+)?(?P<mon2>{_words(_MONTHS)})\b\.?(?:,?\s+(?P<y2>20\d\d)\b)?"
    r"|(?P<zmo>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*[日號号]|\bthe\s+(?P<nth>\d{1,2})(?:st|nd|rd|th)\b"
)
_DAY_WORDS = re.compile(
    r"(?P<d2>\b(?:the\s+)?day\s+after\s+tomorrow\b|後天|后天)|(?P<d1>\b(?:tomorrow|tmrw?|tmw|tomm?orr?ow)\b|明天|明日)"
    r"|(?P<d0>\btoday\b|(?P<tonight>\btonight\b|今晚)|\bthis\s+(?=morning|afternoon|evening)|今天|今日)"
    rf"|(?P<next>\bnext\s+|\bthis\s+|\bcoming\s+|\bon\s+|下[個个]?)?(?:\b(?P<wd>{_words(_WEEKDAYS)})\b"
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


def _prepare(text: str) -> str:
    """Normalised text with number words as digits: "at ten" -> "at 10", "三點半" -> "3點半"."""
    s = _ZH_NUMBER.sub(_zh_number, _norm(text))
    return " ".join(_NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS[m.group()]), s).split()).strip(" ?!,;")


def _zh_number(m: re.Match[str]) -> str:
    """十 -> 10, 二十三 -> 23, 兩 -> 2: enough for hours, minutes and days of the month."""
    tens, ten, ones = m.group().rpartition("十")
    return str((_ZH_DIGITS.get(tens[-1:], 1) * 10 if ten else 0) + _ZH_DIGITS.get(ones[-1:], 0))


def _clock(h: int, minute: int, half: str, literal: bool) -> time:
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
    return _clock(h, minute, half, literal), not (half or literal) and 1 <= h <= 12


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
    month = int(m["mo"] or m["zmo"] or 0) or _MONTHS[m["mon"] or m["mon2"]]
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


@lru_cache(maxsize=8)
def _moment_parser(now: datetime) -> Any:
    """dateparser for the rarer shapes. RELATIVE_BASE changes with every call, but building a
    parser is cheap (dateparser caches its language data), so a small cache per `now` will do."""
    from dateparser.date import DateDataParser  # type: ignore[import-untyped, unused-ignore]

    settings = {
        "PREFER_DATES_FROM": "future", "RELATIVE_BASE": now, "RETURN_AS_TIMEZONE_AWARE": False,
        "RETURN_TIME_AS_PERIOD": True,  # period "time" tells "friday 3pm" from a bare "friday"
        "PARSERS": ["relative-time", "custom-formats", "absolute-time"],  # no timestamps
    }  # fmt: skip
    return DateDataParser(languages=["en"], settings=settings)


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
    now, s = now_local.replace(tzinfo=None), _prepare(text)  # an aware `now` is read as its wall clock
    try:
        recognised, found = _fast_moment(s, now)
    except (ValueError, OverflowError):  # 31 February, the year 9999 and friends
        return None
    if not recognised and re.search("[a-z]", s):
        try:
            data = _moment_parser(now).get_date_data(s)
        except Exception:  # dateparser raises assorted errors on odd input: "no time"
            return None
        found = data.date_obj if data.period == "time" else None
    if not isinstance(found, datetime) or found.tzinfo is not None or not now < found <= now + _MAX_AHEAD:
        return None
    return found


# --------------------------------------------------------------------------------------
# Quiet hours
# --------------------------------------------------------------------------------------


def _quiet_end(side: str) -> str:
    return (rf"(?P<{side}zh>晚上|下午|早上|上午|凌晨)?(?:(?P<{side}h>\d{{1,2}})(?:[:.h](?P<{side}m>[0-5]\d))?\s*"
            rf"[點点時时]?\s*(?:(?P<{side}ap>[ap])(?:\.?\s?m)?\b\.?)?|(?P<{side}w>noon|midnight))")


_QUIET = re.compile(rf"{_quiet_end('a')}\s*(?:-|~|\b(?:to|until|till?|through|thru|and)\b|到|至)\s*{_quiet_end('b')}")
_QUIET_OFF = re.compile(r"\b(?:off|none|never|any\s*time|no|nope|disabled?)\b|關閉|关闭|不用|隨時|随时|都可以")


def _quiet_side(m: re.Match[str], side: str) -> tuple[int, int, str, bool]:
    """(hour, minute, "a"/"p"/"", literal) for one end of a quiet-hours range."""
    word, digits, zh = m[side + "w"], m[side + "h"] or "", m[side + "zh"]
    h = 0 if word == "midnight" else 12 if word else int(digits)
    half = m[side + "ap"] or ("p" if zh in ("晚上", "下午") else "a" if zh else "")
    literal = bool(word) or h == 0 or h > 12 or (digits.startswith("0") and len(digits) == 2)
    return h, int(m[side + "m"] or 0), half, literal


def parse_quiet_hours(text: str) -> tuple[time, time] | Literal["off"] | None:
    """Hours when no reminder may arrive, as (start, end) wall times, "off", or None.

    Reads "21:00-08:00", "9pm to 8am", "22-7", "10pm-6:30am", "from 23 to 7",
    "晚上10點到早上7點"; "off", "none", "anytime" turn them off. Quiet hours are for
    sleep, so "10-6" is 22:00-06:00 and "9pm-7" ends at 07:00, while "10:00-06:00"
    (a leading zero) is taken as written. A range that ends where it starts is None.
    """
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        return None
    s = _prepare(text)
    if (m := _QUIET.search(s)) is None:  # "no calls after 10" is not "off"
        return "off" if _QUIET_OFF.search(s) and not re.search(r"\d", s) else None
    (h1, m1, half1, literal1), (h2, m2, half2, literal2) = _quiet_side(m, "a"), _quiet_side(m, "b")
    if not (half1 or half2 or literal1 or literal2) and h1 > h2:
        half1, half2 = ("a" if h1 == 12 else "p"), "a"  # "10-6": from the evening to the morning
    elif bool(half1) != bool(half2):  # "9pm-7" ends at 7am, "1pm-3" at 3pm, "10-6am" starts at 10pm
        known = half1 or half2
        guess = known if (h1 % 12, m1) < (h2 % 12, m2) else "ap".replace(known, "")
        half1, half2 = half1 or guess, half2 or guess
    try:
        start, end = _clock(h1, m1, half1, literal1 or not half1), _clock(h2, m2, half2, literal2 or not half2)
    except ValueError:
        return None
    return None if start == end else (start, end)
