"""Amounts of money as typed: `$5,000`, `5k`, `5 000`, `5.000,00`, `NT$120,000`, `12萬`, `一萬二`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from dialogs.money import SUPPORTED_CURRENCIES, Money
from dialogs.readers.numbers import NUMBER, cjk_to_digits, number_value
from dialogs.readers.text import fold_width

__all__ = ["amount_text", "amounts_in", "has_exponent", "means_nothing", "parse_amount"]

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
# 3成 is 30% and 打5折 "pay 50%", the way a Taiwanese bank states a discount.
_PERCENT = re.compile(r"\s*(?:%|percent\b|per\s*cent\b|pct\b|成|折)", re.IGNORECASE)
_PERCENT_BEFORE = re.compile(r"百分之\s*\Z")
# A number that counts or dates something is not money: 一次付清 (paid at once), 3期, 12月1日, 3家銀行.
_COUNTED = re.compile(r"\s*(?:[個个期次筆笔年月日號号天週周歲岁點点家張张間间位人倍]|星期|禮拜|礼拜)")
_ORDINAL_BEFORE = re.compile(r"第\s*\Z")
# Digits joined by full-width commas or 、: "1000，400，400" is three amounts, not 1,000,400,400.
_LISTED = re.compile(r"(?<![0-9,.，、])[0-9][0-9,.]*(?:[，、][0-9][0-9,.]*)+")  # each run tried once
_GROUPED = re.compile(r"[0-9]{1,3}(?:，[0-9]{3})+(?:\.[0-9]+)?")
_WIDE_DIGITS = {0xFF10 + i: str(i) for i in range(10)}
_UNSURE = "，"  # kept where it may be a list or thousands: 500，300 is 500,300 or 500 then 300
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
    Percentages are skipped: in "30% of $5000" the amount is $5000, in "打5折" there is none;
    so are counts and dates ("一次付清5萬" is 50,000). Chinese numerals are read where they are
    numbers (`一萬二`, `三千五`); "1000，400" is two amounts, and "500，300" none (which is it?).
    """
    for money, _, _ in _scan(text, default_currency):
        return money
    return None


def amounts_in(text: str, default_currency: str) -> list[tuple[Money, int, int]] | None:
    """Every amount in `text`, as `parse_amount` reads each, with where it stands in
    `amount_text(text)`, currency marks included; None when one of them cannot be taken
    (negative, too large, a currency the coach cannot work in). For answers that name several
    figures: "1000 first, then 2 x 400"."""
    found: list[tuple[Money, int, int]] = []
    for money, start, end in _scan(text, default_currency):
        if money is None:
            return None
        found.append((money, start, end))
    return found


def _comma(part: str) -> str:
    """What a full-width comma in `part` (digits between two 、) is: "," (thousands), ";" (a
    list) or `_UNSURE`. A Chinese keyboard types "，" for ",", so 120，000 is 120,000; but
    1000，400 cannot be thousands, and 500，300 may be either."""
    if "," in part or not _GROUPED.fullmatch(part):
        return ";"
    groups = re.split(r"[，.]", part)[1 : part.count("，") + 1]
    return "," if all(g == "000" for g in groups) else _UNSURE


def amount_text(text: str) -> str:
    """`text` as the amount readers read it: full-width forms folded, listed amounts parted by
    ";", Chinese numerals as digits (十二萬 -> 12萬). Reading it again changes nothing."""
    s = list(fold_width(text))  # one character for one, as the lines below need
    for m in _LISTED.finditer(text.translate(_WIDE_DIGITS)):
        at = m.start()
        for part in re.split("(、)", m.group()):
            comma = ";" if part == "、" else _comma(part) if "，" in part else ""
            for i, ch in enumerate(part, at):
                if ch in "，、":
                    s[i] = comma
            at += len(part)
    return cjk_to_digits("".join(s))


def _scan(text: str, default_currency: str) -> Iterator[tuple[Money | None, int, int]]:
    """The amounts in `text` in order; a None ends the scan: that figure cannot be taken."""
    if not isinstance(text, str) or not isinstance(default_currency, str):
        return
    default: str | None = default_currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", default or ""):
        default = None
    s = amount_text(text)
    end = 0
    for number in NUMBER.finditer(s):
        if number.start() < end:
            continue  # the 5 of 3萬5, read with it
        value = number_value(number.group())
        if value is None:
            yield None, number.start(), number.end()
            return
        value, end = _apply_units(s, number.end(), value)
        if _PERCENT.match(s, end) or _PERCENT_BEFORE.search(s, max(0, number.start() - 8), number.start()):
            continue
        if _ORDINAL_BEFORE.search(s, max(0, number.start() - 4), number.start()):
            continue  # 第3期: the third instalment
        if _UNSURE in s[max(0, number.start() - 1) : end + 1]:
            yield None, number.start(), end
            return
        markers: list[str] = []
        if prefix := _PREFIX.search(s, max(0, number.start() - 40), number.start()):
            if prefix.group("neg1") or prefix.group("neg2"):
                yield None, number.start(), end
                return
            if prefix.group("cur"):
                markers.append(_marker_currency(prefix.group("cur")))
        suffix = _SUFFIX.match(s, end)
        if suffix:
            markers.append(_marker_currency(suffix.group("cur")))
        elif _COUNTED.match(s, end):
            continue
        currency = _resolve_currency(markers, default)
        if currency is None or value > _MAX_AMOUNT:
            yield None, number.start(), end
            return
        money = Money(value.quantize(_CENT, rounding=ROUND_HALF_UP), currency)
        start = prefix.start("cur") if prefix and prefix.group("cur") else number.start()
        yield money, start, suffix.end() if suffix else end


_NOTHING = re.compile(
    r"^\W*(?:nothing|none|zero|nil|nada|zilch|no\s+money|not\s+a\s+(?:cent|penny|dime|thing)|nothing\s+at\s+all"
    r"|nothing\s+(?:right\s+)?now|0|\$\s*0|零|一毛都沒有|一毛都没有"
    # 沒有, and as people say it: 目前沒有, 沒有收入, 現在沒錢, 無財產.
    r"|(?:目前|現在|现在|暫時|暂时|完全)?(?:沒有|没有|無|无|沒|没)(?:收入|錢|钱|存款|財產|财产)?(?:了|喔|耶)?)\W*$",
    re.IGNORECASE,
)


def means_nothing(text: str) -> bool:
    """"nothing", "none", "zero", "no money", "沒有": an answer of 0 where 0 is a choice."""
    return bool(_NOTHING.match(fold_width(text).strip()))


_EXPONENT = re.compile(r"\d\s*e\s*[+-]?\d", re.IGNORECASE)


def has_exponent(text: str) -> bool:
    """"1e9", "5E3": a number in scientific notation is a slip or a joke, not a figure to book
    (read as an amount it would be its first digit)."""
    return bool(_EXPONENT.search(fold_width(text)))
