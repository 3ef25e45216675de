"""Time zones: a first guess from the language tag, and the zone a person types.

A reminder at the wrong hour is worse than none, so a zone that cannot be told is None (the
dialog then asks again) rather than a wild guess.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

from dialogs.readers.text import fold_all

__all__ = ["guess_timezone", "nameable_zones", "parse_timezone"]

_DEFAULT_ZONE = "America/New_York"  # US-first: "en" and anything unknown
_MAX_TEXT = 200  # nobody types a zone that long


def _table(rows: dict[str, str]) -> dict[str, str]:
    """Invert {zone: "key|key"} rows, which keep the tables short enough to review."""
    return {key: zone for zone, keys in rows.items() for key in keys.split("|")}


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


# Abbreviations, nicknames, and places that are not the last part of an IANA name.
_TZ_WORDS = _table({
    "America/New_York": "est|edt|et|eastern|nyc|new york city|washington|washington dc|dc|boston|miami|atlanta|"
    "philadelphia|baltimore|pittsburgh|charlotte|orlando|tampa|cleveland|columbus|newark|brooklyn|manhattan|queens|"
    "bronx|raleigh|richmond|new jersey|new england|ottawa|montreal|quebec|美東|美东|美國東部|美国东部|東部時間|"
    "东部时间|紐約|纽约|波士頓|波士顿|邁阿密|迈阿密|亞特蘭大|亚特兰大|費城|费城|華府|华府|紐澤西|纽泽西|新澤西|新泽西|"
    "蒙特婁|蒙特利尔",
    "America/Chicago": "cst|cdt|ct|central|dallas|houston|austin|san antonio|minneapolis|st louis|saint louis|"
    "kansas city|nashville|new orleans|milwaukee|memphis|oklahoma city|texas|芝加哥|美中|美國中部|美国中部|中部時間|"
    "中部时间|達拉斯|达拉斯|休士頓|休斯頓|休斯顿|奧斯汀|奥斯汀|德州|紐奧良|新奥尔良",
    "America/Denver": "mst|mdt|mt|mountain|salt lake city|albuquerque|colorado|new mexico|丹佛|山區時間|山区时间|"
    "美國山區|美国山区|鹽湖城|盐湖城|科羅拉多|科罗拉多",
    "America/Phoenix": "arizona|鳳凰城|凤凰城|亞利桑那|亚利桑那", "America/Edmonton": "calgary",
    "America/Toronto": "多倫多|多伦多", "America/Vancouver": "溫哥華|温哥华",
    "America/Los_Angeles": "pst|pdt|pt|pacific|la|san francisco|sf|san diego|san jose|seattle|portland|sacramento|"
    "oakland|las vegas|vegas|california|美西|美國西部|美国西部|太平洋時間|太平洋时间|洛杉磯|洛杉矶|舊金山|旧金山|"
    "西雅圖|西雅图|拉斯維加斯|拉斯维加斯|加州|矽谷|硅谷|波特蘭|波特兰|沙加緬度|萨克拉门托",
    "America/Anchorage": "akst|akdt|alaska|阿拉斯加|安克拉治|安克雷奇",
    "Pacific/Honolulu": "hst|hdt|hawaii|hawaiian|夏威夷|檀香山",
    "America/Halifax": "ast|adt|atlantic time", "America/St_Johns": "nst|ndt|newfoundland",
    "UTC": "utc|gmt|z|zulu|universal|coordinated universal", "Europe/London": "bst|uk|england|britain|great britain|"
    "manchester|edinburgh|birmingham|glasgow|倫敦|伦敦", "Europe/Paris": "cet|cest|central european|france|巴黎",
    "Europe/Athens": "eet|eest|eastern european", "Europe/Lisbon": "wet|west|western european",
    "Europe/Berlin": "germany|munich|frankfurt|hamburg|cologne", "Europe/Madrid": "spain|barcelona",
    "Europe/Rome": "italy|milan", "Europe/Moscow": "msk|russia|st petersburg|saint petersburg",
    "Europe/Kyiv": "kiev|ukraine", "Asia/Tokyo": "jst|japan|osaka|kyoto|東京|日本",
    "Asia/Seoul": "kst|korea|busan|首爾",
    "Asia/Kolkata": "ist|india|indian|mumbai|bombay|delhi|new delhi|bangalore|bengaluru|chennai|hyderabad|calcutta",
    "Asia/Taipei": "taiwan|taichung|kaohsiung|tainan|hsinchu|taoyuan|台北|台中|台南|高雄|新竹|桃園|台灣|台湾|新北|基隆|"
    "桃园|嘉義|嘉义|彰化|苗栗|南投|雲林|云林|花蓮|花莲|宜蘭|宜兰|屏東|屏东|台東|台东|澎湖|金門|金门|馬祖|马祖|中原標準時間|"
    "中原标准时间",
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
    s = re.sub(r"(?<=[a-z])-(?=[a-z])|[^a-z0-9/+:\-\u3400-\u9fff]", " ", fold_all(text))
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
    "PST", "my time zone is eastern", "UTC+8", "+05:30", "台北", "我在芝加哥", "美東"; the first zone named
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
    # Chinese runs words together (我在芝加哥): the name that comes first, the longest there.
    named = [(s.find(key), -len(key), zone) for key, zone in _TZ_WORDS.items() if not key.isascii() and key in s]
    return min(named)[2] if named else None


def nameable_zones() -> frozenset[str]:
    """Every zone a reader here can answer, so that a test can check each one exists."""
    tables = (_REGION_ZONES, _LANGUAGE_ZONES, _TZ_WORDS, _ODD_OFFSETS, _tz_lookup())
    return frozenset(zone for table in tables for zone in table.values())
