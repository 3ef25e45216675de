"""Generous readers for what people type into the coach.

Someone typing at night on a phone writes `$5,000`, `5k`, `12萬`, `next friday` or
`yep`. A coach that answers "please enter a number" has failed them, so every parser
here accepts the common spellings, returns `None` when it cannot tell (the dialog then
asks again), and never raises, whatever the input: empty, emoji, pages of junk.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from dialogs.money import SUPPORTED_CURRENCIES, Money

__all__ = ["parse_amount", "parse_count", "parse_date", "parse_months", "parse_yes_no"]

# --------------------------------------------------------------------------------------
# Shared clean-up and number reading
# --------------------------------------------------------------------------------------

_TRANSLATION: dict[int, str] = {
    **{0xFF10 + i: str(i) for i in range(10)},  # full-width digits (CJK keyboards)
    **dict.fromkeys((0xFF0C, 0x3001), ","),
    0xFF0E: ".", 0xFF04: "$", 0xFE69: "$", 0xFFE1: "£", 0xFF05: "%", 0xFF0F: "/",
    # Every space Babel or a phone keyboard may put between digit groups.
    **dict.fromkeys((0x09, 0xA0, 0x2007, 0x2008, 0x2009, 0x200A, 0x202F, 0x3000), " "),
    # Minus signs and dashes.
    **dict.fromkeys((0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xFE63, 0xFF0D), "-"),
}  # fmt: skip


def _clean(text: str) -> str:
    """Map full-width digits, exotic spaces and minus signs to plain ASCII."""
    return text.translate(_TRANSLATION)


# One number as typed: digit groups joined by "," "." or a single space (a space only
# as a thousands separator: 1-3 digits, then groups of exactly 3), or a bare ".50".
_NUMBER = re.compile(
    r"""
    (?<![0-9])
    (?:
        [0-9]{1,3}(?:[ ][0-9]{3}(?![0-9]))+(?:[.,][0-9]+)?
      | [0-9]+(?:[.,][0-9]+)*
      | (?<![0-9A-Za-z.,])\.[0-9]{1,2}(?![0-9])
    )
    """,
    re.VERBOSE,
)
_MAX_DIGITS = 30  # longer digit strings are junk, not amounts


def _number_value(token: str) -> Decimal | None:
    """Read one `_NUMBER` token, deciding which separator is the decimal point.

    Both "," and "." present: the last one is the decimal point. One kind, repeated:
    thousands. Once and followed by exactly three digits: thousands (`5.000`, `5,000`)
    unless the integer part is 0 (`0.500`). Otherwise decimal (`5,5`, `1.2`).
    """
    s = token.replace(" ", "")
    if sum(c.isdigit() for c in s) > _MAX_DIGITS:
        return None
    if s.startswith("."):
        return Decimal("0" + s)
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        point = max(s.rfind(","), s.rfind("."))
    elif commas + dots != 1:
        point = -1
    else:
        point = max(s.find(","), s.find("."))
        if len(s) - point - 1 == 3 and s[:point] != "0":
            point = -1
    whole = (s if point < 0 else s[:point]).replace(",", "").replace(".", "")
    return Decimal(whole if point < 0 else f"{whole}.{s[point + 1 :]}")


# --------------------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------------------

_DOLLAR = "$"  # "some dollar": resolved against the default currency
_DOLLAR_CURRENCIES = frozenset({"USD", "TWD", "CAD", "AUD", "NZD", "HKD", "SGD"})

# Markers that may stand on either side of the number (lower case). Currencies the
# coach cannot work in are listed too, so that "¥5000" is refused, not read as dollars.
_MARKERS_BY_CURRENCY: dict[str, tuple[str, ...]] = {
    _DOLLAR: ("$",),
    "USD": ("us$", "u.s.$", "$us", "usd", "美元", "美金"),
    "TWD": ("nt$", "$nt", "nt", "ntd", "twd", "元", "塊", "块", "台幣", "台币", "臺幣",
            "新台幣", "新台币", "新臺幣"),
    "CAD": ("ca$", "$ca", "can$", "cad", "加幣", "加币", "加元"),
    "AUD": ("au$", "$au", "aud", "澳幣", "澳币", "澳元"),
    "EUR": ("€", "eur", "歐元", "欧元"),
    "GBP": ("£", "£gb", "gbp", "英鎊", "英镑"),
    "JPY": ("¥", "jp¥", "jpy", "円", "日圓", "日元", "日幣", "日币"),
    "CNY": ("cn¥", "cny", "rmb", "人民幣", "人民币"),
    "HKD": ("hk$", "hkd", "港幣", "港币"),
    "NZD": ("nz$", "$nz", "nzd"),
    "SGD": ("s$", "$sg", "sgd"),
    "CHF": ("chf",), "INR": ("₹", "inr"), "KRW": ("₩", "krw"), "BRL": ("r$", "brl"),
    "MXN": ("mx$", "mxn"), "PHP": ("₱",), "RUB": ("₽",), "TRY": ("₺",),
}  # fmt: skip
# Words that only follow the number ("5000 dollars"); before it they misfire ("won 5").
_SUFFIX_WORDS_BY_CURRENCY: dict[str, tuple[str, ...]] = {
    _DOLLAR: ("dollar", "dollars", "buck", "bucks"),
    "USD": ("us dollar", "u.s. dollar", "american dollar"),
    "TWD": ("nt dollar", "taiwan dollar", "new taiwan dollar", "taiwanese dollar"),
    "CAD": ("canadian dollar",),
    "AUD": ("australian dollar", "aussie dollar"),
    "EUR": ("euro", "euros"),
    "GBP": ("pound", "pounds", "quid", "sterling", "pounds sterling"),
    "HKD": ("hong kong dollar",), "NZD": ("new zealand dollar",),
    "SGD": ("singapore dollar",), "JPY": ("yen",), "CNY": ("yuan",),
    "INR": ("rupee", "rupees"), "MXN": ("peso", "pesos"), "CHF": ("francs",),
}  # fmt: skip
# A single capital before "$" counts only in upper case: "a $5 fee" is not A$5.
_CASED_MARKERS: dict[str, str] = {"A$": "AUD", "C$": "CAD"}


def _invert(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {m: cur for cur, markers in groups.items() for m in markers}


_MARKERS = _invert(_MARKERS_BY_CURRENCY)
_SUFFIX_MARKERS = {
    **_MARKERS,
    **_invert(_SUFFIX_WORDS_BY_CURRENCY),
    **{f"{w}s": c for w, c in _invert(_SUFFIX_WORDS_BY_CURRENCY).items()
       if w.endswith(" dollar")},
}  # fmt: skip


def _alternation(keys: dict[str, str]) -> str:
    """Regex alternation, longest key first, with word boundaries around letters."""
    parts = ["(?-i:" + "|".join(re.escape(k) for k in _CASED_MARKERS) + ")"]
    for key in sorted(keys, key=len, reverse=True):
        pat = re.escape(key).replace(r"\ ", r"\s+")
        if key[0].isascii() and key[0].isalpha():
            pat = r"(?<![A-Za-z])" + pat
        if key[-1].isascii() and key[-1].isalpha():
            pat += r"(?![A-Za-z])"
        parts.append(pat)
    return "|".join(parts)


# Searched in the 40 characters before a number: "-$50", "$-50", "USD 5000", "about $".
_PREFIX = re.compile(
    rf"(?P<neg1>-\s*)?(?P<cur>{_alternation(_MARKERS)})?\s*(?P<neg2>-\s*)?(?:\+\s*)?\Z",
    re.IGNORECASE,
)
_SUFFIX = re.compile(rf"\s*(?P<cur>{_alternation(_SUFFIX_MARKERS)})", re.IGNORECASE)
_MULTIPLIERS: dict[str, int] = {
    "hundred": 100, "k": 10**3, "thousand": 10**3, "grand": 10**3,
    "m": 10**6, "mn": 10**6, "mil": 10**6, "mio": 10**6, "million": 10**6,
    "bn": 10**9, "billion": 10**9,
}  # fmt: skip
_MULTIPLIER = re.compile(
    rf" ?(?P<word>{'|'.join(sorted(_MULTIPLIERS, key=len, reverse=True))})(?![A-Za-z])",
    re.IGNORECASE,
)
_CJK_UNITS: dict[str, int] = {
    "百": 100, "千": 10**3, "萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8,
}  # fmt: skip
_CJK_UNIT = re.compile(r" ?(?P<unit>[百千萬万億亿])")
_CJK_TAIL = re.compile(r"(?P<num>[0-9]{1,12})(?P<unit>[百千萬万億亿])?")
_PERCENT = re.compile(r"\s*(?:%|percent\b|per\s*cent\b|pct\b)", re.IGNORECASE)
_MAX_AMOUNT = Decimal(10) ** 12
_CENT = Decimal("0.01")


def _apply_units(text: str, pos: int, value: Decimal) -> tuple[Decimal, int]:
    """Apply "k", "million", "萬", "1萬2千" after a number; return (value, end)."""
    if m := _MULTIPLIER.match(text, pos):
        return value * _MULTIPLIERS[m.group("word").lower()], m.end()
    if not (m := _CJK_UNIT.match(text, pos)):
        return value, pos
    unit = _CJK_UNITS[m.group("unit")]
    total, pos = value * unit, m.end()
    # Chinese amounts count down: 1萬2千 = 12000, 1億2000萬, 3萬500 = 30500, and the
    # colloquial 3萬5 = 35000 (one bare digit is the next place down, as in 三萬五).
    while tail := _CJK_TAIL.match(text, pos):
        num = Decimal(tail.group("num"))
        if tail.group("unit"):
            smaller = _CJK_UNITS[tail.group("unit")]
            if smaller >= unit:
                break
            total, unit, pos = total + num * smaller, smaller, tail.end()
            continue
        if len(tail.group("num")) == 1 and unit >= 100:
            total, pos = total + num * unit / 10, tail.end()
        elif num < unit:
            total, pos = total + num, tail.end()
        break
    return total, pos


def _marker_currency(raw: str) -> str:
    """Currency code (or `_DOLLAR`) of a matched marker."""
    if raw in _CASED_MARKERS:
        return _CASED_MARKERS[raw]
    return _SUFFIX_MARKERS[re.sub(r"\s+", " ", raw.lower())]


def _resolve_currency(markers: list[str], default: str | None) -> str | None:
    """One currency from the markers around a number, or None if they conflict."""
    explicit = {m for m in markers if m != _DOLLAR}
    if len(explicit) > 1:
        return None
    if explicit:
        (code,) = explicit
        if _DOLLAR in markers and code not in _DOLLAR_CURRENCIES:
            return None  # "$5000 EUR"
        if code not in SUPPORTED_CURRENCIES and code != default:
            return None  # a currency the coach cannot work in: refuse, don't relabel
        return code
    if _DOLLAR in markers:
        return default if default in _DOLLAR_CURRENCIES else "USD"
    return default


def parse_amount(text: str, default_currency: str) -> Money | None:
    """The first amount of money in `text`, rounded half-up to cents, or None.

    Reads `$5,000`, `5k`, `5 000`, `5.000,00`, `NT$120,000`, `12萬`, `€1.234,56`,
    `I owe 5000 dollars` and everything `format_money` writes. A bare `$` or "dollars"
    is the default currency when that is a dollar currency (TWD, CAD, AUD), else USD.
    Negative, above 10**12, or in a currency the coach cannot handle: None.
    Percentages are skipped: in "30% of $5000" the amount is $5000.
    """
    if not isinstance(text, str) or not isinstance(default_currency, str):
        return None
    default: str | None = default_currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", default or ""):
        default = None
    s = _clean(text)
    for number in _NUMBER.finditer(s):
        value = _number_value(number.group())
        if value is None:
            return None
        value, end = _apply_units(s, number.end(), value)
        if _PERCENT.match(s, end):
            continue
        markers: list[str] = []
        if prefix := _PREFIX.search(s, max(0, number.start() - 40), number.start()):
            if prefix.group("neg1") or prefix.group("neg2"):
                return None
            if prefix.group("cur"):
                markers.append(_marker_currency(prefix.group("cur")))
        if suffix := _SUFFIX.match(s, end):
            markers.append(_marker_currency(suffix.group("cur")))
        currency = _resolve_currency(markers, default)
        if currency is None or value > _MAX_AMOUNT:
            return None
        return Money(value.quantize(_CENT, rounding=ROUND_HALF_UP), currency)
    return None


# --------------------------------------------------------------------------------------
# Counts and durations
# --------------------------------------------------------------------------------------

_SMALL_NUMBERS: dict[str, int] = {
    w: i
    for i, w in enumerate((
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen",
    ))
}  # fmt: skip
_TENS: dict[str, int] = {
    w: 10 * i
    for i, w in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"),
        start=2,
    )
}
_SCALE_WORDS = frozenset({"hundred", "thousand", "dozen", "couple"})
_WORD = re.compile(r"[a-z]+")


def _word_numbers(s: str) -> list[tuple[int, int, int]]:
    """(start, end, value) of each run of English number words in lower-case `s`.

    "twenty-four" -> 24, "one hundred and five" -> 105, "a dozen" -> 12.
    """
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(s)]
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < len(words):
        w = words[i][2]
        nxt = words[i + 1][2] if i + 1 < len(words) else ""
        opens = w in _SMALL_NUMBERS or w in _TENS or w in _SCALE_WORDS - {"couple"}
        if not opens and not (w in ("a", "an") and nxt in _SCALE_WORDS):
            i += 1
            continue
        total = current = 0
        j, end = i, words[i][1]
        while j < len(words):
            w = words[j][2]
            after = words[j + 1][2] if j + 1 < len(words) else ""
            if j > i and s[words[j - 1][1] : words[j][0]].strip(" -"):
                break
            if w in _SMALL_NUMBERS or w in _TENS:
                current += _SMALL_NUMBERS.get(w) or _TENS.get(w, 0)
            elif w == "hundred":
                current = max(current, 1) * 100
            elif w == "thousand":
                total, current = total + max(current, 1) * 1000, 0
            elif w == "dozen":
                current = max(current, 1) * 12
            elif w == "couple":
                current = max(current, 2)
            elif w in ("a", "an") and j == i:
                pass  # "a hundred"
            elif w != "and" or j == i or not (after in _SMALL_NUMBERS or after in _TENS):
                break
            end = words[j][1]
            j += 1
        found.append((words[i][0], end, total + current))
        i = max(j, i + 1)
    return found


_CJK_DIGITS: dict[str, int] = {
    "零": 0, "\u3007": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CJK_PLACES: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_CJK_NUMERAL = re.compile("[零\u3007一二兩两三四五六七八九十百千]+")


def _cjk_numeral(run: str) -> int:
    """A Chinese numeral below 10000: 十二 -> 12, 二十 -> 20, 一百零五 -> 105."""
    total, digit = 0, 0
    for ch in run:
        if ch in _CJK_DIGITS:
            digit = _CJK_DIGITS[ch]
        else:
            total, digit = total + (digit or 1) * _CJK_PLACES[ch], 0
    return total + digit


def _numbers_to_digits(s: str) -> str:
    """Rewrite English and Chinese number words as digits, for one regex to read."""
    for start, end, value in reversed(_word_numbers(s)):
        s = f"{s[:start]}{value}{s[end:]}"
    return _CJK_NUMERAL.sub(lambda m: str(_cjk_numeral(m.group())), s)


_FIRST_NUMBER = re.compile(rf"(?P<neg>-\s*)?(?P<num>{_NUMBER.pattern})", re.VERBOSE)


def parse_count(text: str) -> int | None:
    """A whole count from 1 to 1000: `3`, `three`, `3 payments`, `twelve`, `三期`."""
    if not isinstance(text, str):
        return None
    m = _FIRST_NUMBER.search(_numbers_to_digits(_clean(text).lower()))
    if m is None or m.group("neg"):
        return None
    value = _number_value(m.group("num"))
    if value is None or value != value.to_integral_value() or not 1 <= value <= 1000:
        return None
    return int(value)


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
    s = _numbers_to_digits(_clean(text).lower().strip())
    for pattern, replacement in _HALF_REWRITES:
        s = pattern.sub(replacement, s)
    total: Decimal | None = None
    pos = 0
    for m in _DURATION.finditer(s):
        if total is not None and not _DURATION_GAP.fullmatch(s, pos, m.start()):
            break
        if total is None and s[: m.start()].rstrip().endswith("-"):
            return None
        value = _number_value(m.group("num"))
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


# --------------------------------------------------------------------------------------
# Yes / no
# --------------------------------------------------------------------------------------

_YES_WORDS = frozenset((
    "yes", "y", "ye", "yeah", "yea", "yeh", "yah", "ya", "yep", "yup", "yas", "sure",
    "ok", "okay", "k", "kk", "okey", "alright", "correct", "true", "1", "right",
    "affirmative", "absolutely", "definitely", "certainly", "indeed", "agreed", "agree",
    "done", "paid", "please", "si", "oui", "ja",
))  # fmt: skip
_NO_WORDS = frozenset((
    "no", "n", "nope", "nah", "nay", "not", "false", "0", "never", "negative", "wrong",
    "incorrect", "don't", "dont", "didn't", "didnt", "haven't", "havent", "hasn't",
    "hasnt", "isn't", "isnt", "wasn't", "wasnt", "won't", "wont", "cannot", "can't",
    "cant", "non", "nein",
))  # fmt: skip
_UNSURE = re.compile(
    r"\b(?:not\s+sure|unsure|maybe|perhaps|don'?t\s+know|dunno|idk|no\s+idea|"
    r"not\s+certain|no\s+clue)\b|不知道|不確定|不确定|也許|也许|可能"
)
# Earliest match wins: 沒問題 ("no problem") and 沒錯 ("exactly") are yes, then any
# negation, then plain assent.
_ZH_YES_NO = re.compile(
    r"沒問題|没问题|沒錯|没错|(?P<no>不|沒|没|否|未|別|别)"
    r"|是|對|对|好|嗯|要|可以|有|行|當然|当然|確定|确定|同意"
)
_EMOJI_YES = frozenset("👍✅✔☑🆗👌")
_EMOJI_NO = frozenset("👎❌✖❎🚫")
_YES_NO_TOKEN = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]+|\S")


def parse_yes_no(text: str) -> bool | None:
    """True for yes/yeah/sure/ok/1/是, False for no/nope/not yet/0/不, else None.

    The first yes- or no-word decides ("not correct" is no, "yes, not yet" is yes);
    hedges such as "not sure" or "maybe" are None.
    """
    if not isinstance(text, str):
        return None
    s = _clean(text).lower().replace("\u2019", "'")
    if _UNSURE.search(s):
        return None
    for token in _YES_NO_TOKEN.finditer(s):
        word = token.group().strip("'")
        if word in _YES_WORDS or word in _EMOJI_YES:
            return True
        if word in _NO_WORDS or word in _EMOJI_NO:
            return False
        if "\u3400" <= word[:1] <= "\u9fff" and (zh := _ZH_YES_NO.search(word)):
            return zh.group("no") is None
    return None


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_MONTHS: dict[str, int] = {
    **{name: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
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
_WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("wednesday", "wed"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}
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
    if (m := _NEXT_WEEKDAY.fullmatch(s)) and m[2] in _WEEKDAYS:
        weekday = _WEEKDAYS[m[2]]
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
        month = _MONTHS[m["m"] or m["m2"]]
        return True, _month_day(month, day, int(year) if year else None, today)
    if m := _ZH_DATE.fullmatch(s):
        year = int(m[1]) if m[1] else None
        return True, _month_day(int(m[2]), int(m[3]), year, today)
    if m := _DAY_OF_MONTH.fullmatch(s):
        return True, _next_day_of_month(int(m[1] or m[2]), today)
    return False, None


@lru_cache(maxsize=32)
def _date_parser(locale: str, today: datetime.date) -> Any:
    """A dateparser parser for one locale and "today" (building one costs most)."""
    from dateparser.date import DateDataParser  # type: ignore[import-untyped, unused-ignore]

    tag = locale.strip().replace("-", "_")
    lang = tag.split("_")[0].lower() or "en"
    if lang == "zh":
        lang = "zh" if tag.lower() in ("zh_cn", "zh_sg", "zh_hans") else "zh-Hant"
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime.datetime.combine(today, datetime.time()),
        "DATE_ORDER": _date_order(locale),
        "RETURN_AS_TIMEZONE_AWARE": False,
        # No "timestamp" parser: 1700000000 is a mistyped amount, not a date.
        "PARSERS": ["relative-time", "custom-formats", "absolute-time"],
    }
    try:
        languages = list(dict.fromkeys([lang, "en"]))
        return DateDataParser(languages=languages, settings=settings)
    except ValueError:  # a language dateparser does not know
        return DateDataParser(languages=["en"], settings=settings)


def parse_date(text: str, today: datetime.date, locale: str = "en") -> datetime.date | None:
    """A calendar date: `2026-12-01`, `12/1`, `Dec 1st`, `the 15th`, `next friday`.

    A date without a year is the next one on or after `today`; a bare day of the
    month ("the 1st", "15") is the next one strictly after `today`. Numeric dates
    follow the locale: 12/1 is December 1 in en, en_US and zh, 12 January elsewhere.
    """
    if not isinstance(text, str) or not isinstance(locale, str):
        return None
    s = re.sub(r"\s+", " ", _clean(text).lower()).strip(" ?!.,;:")
    s = _LEAD.sub("", s)
    if not s or len(s) > _MAX_DATE_TEXT:
        return None
    recognised, result = _fast_date(s, today, _date_order(locale))
    if recognised:
        return result
    if not re.search(r"[^\W\d_]", s):
        return None  # digits and punctuation that no fast path read: not a date
    try:
        found = _date_parser(locale, today).get_date_data(s).date_obj
    except Exception:  # dateparser raises assorted errors on odd input: "no date"
        return None
    return found.date() if isinstance(found, datetime.datetime) else None
