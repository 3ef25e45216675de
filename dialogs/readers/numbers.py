"""Numbers as typed: digit groups and their separators, and number words in English and Chinese."""

from __future__ import annotations

import re
from decimal import Decimal

# One number as typed: digit groups joined by "," "." or a single space (a space only
# as a thousands separator: 1-3 digits, then groups of exactly 3), or a bare ".50".
NUMBER = re.compile(
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


def number_value(token: str) -> Decimal | None:
    """Read one `NUMBER` token, deciding which separator is the decimal point.

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


SMALL_NUMBERS: dict[str, int] = {
    w: i
    for i, w in enumerate((
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen",
    ))
}  # fmt: skip
TENS: dict[str, int] = {
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
        opens = w in SMALL_NUMBERS or w in TENS or w in _SCALE_WORDS - {"couple"}
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
            if w in SMALL_NUMBERS or w in TENS:
                current += SMALL_NUMBERS.get(w) or TENS.get(w, 0)
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
            elif w != "and" or j == i or not (after in SMALL_NUMBERS or after in TENS):
                break
            end = words[j][1]
            j += 1
        found.append((words[i][0], end, total + current))
        i = max(j, i + 1)
    return found


CJK_DIGITS: dict[str, int] = {
    "零": 0, "\u3007": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CJK_PLACES: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_CJK_NUMERAL = re.compile("[零\u3007一二兩两三四五六七八九十百千]+")


def cjk_numeral(run: str) -> int:
    """A Chinese numeral below 10000: 十二 -> 12, 二十 -> 20, 一百零五 -> 105."""
    total, digit = 0, 0
    for ch in run:
        if ch in CJK_DIGITS:
            digit = CJK_DIGITS[ch]
        else:
            total, digit = total + (digit or 1) * _CJK_PLACES[ch], 0
    return total + digit


def numbers_to_digits(s: str) -> str:
    """Rewrite English and Chinese number words in lower-case `s` as digits, for one regex to read."""
    for start, end, value in reversed(_word_numbers(s)):
        s = f"{s[:start]}{value}{s[end:]}"
    return _CJK_NUMERAL.sub(lambda m: str(cjk_numeral(m.group())), s)
