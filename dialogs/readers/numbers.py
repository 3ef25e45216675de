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
_DIGIT = "[零\u3007一二兩两三四五六七八九]"
_PLACE = "[十百千]"
# A numeral as written, places falling: 十二, 二十五, 一百零五, 三千五 (the colloquial 3,500).
_WELL_FORMED = re.compile(
    rf"(?:{_DIGIT}?千)?(?:零?{_DIGIT}百)?(?:零?{_DIGIT}十|(?<![千百]){_DIGIT}?十)?(?:零?{_DIGIT})?"
    rf"|{_DIGIT}?十{_DIGIT}?"
)
# Two neighbouring digits, 四五萬, 兩三個月, 三四十: "forty or fifty thousand", a range.
_APPROXIMATE = re.compile(rf"(?P<head>(?:.*{_PLACE})?)(?P<a>{_DIGIT})(?P<b>{_DIGIT})(?P<tail>{_PLACE}?)")
_BIG_UNITS = "萬万億亿"
_BLANK = re.compile(r"\s*")
# A digit alone is a number only where something is counted (一萬, 三期, 一個月, 五號); elsewhere
# it is a word: 第一銀行 (First Bank), 一定, 萬一.
_COUNTED = re.compile(r"\s*(?:[萬万億亿千百期個个次筆笔年月日號号天週周元塊块]|星期|禮拜|礼拜|台幣|臺幣)")


def cjk_numeral(run: str) -> int:
    """A Chinese numeral below 10000: 十二 -> 12, 二十 -> 20, 一百零五 -> 105, and the colloquial
    三千五 -> 3500 (a digit right after 百 or 千 is the next place down, as people say it)."""
    total, digit, place = 0, 0, 0
    for ch in run:
        if ch in CJK_DIGITS:
            digit = CJK_DIGITS[ch]
            if ch in "零\u3007":
                place = 0
        else:
            place = _CJK_PLACES[ch]
            total, digit = total + (digit or 1) * place, 0
    if digit and place >= 100:
        return total + digit * place // 10
    return total + digit


def _is_numeric(ch: str) -> bool:
    return (ch.isascii() and ch.isdigit()) or ch in CJK_DIGITS or ch in _CJK_PLACES


def _cjk_run(s: str, start: int, end: int) -> str:
    """One run of Chinese numerals in `s` as digits, or as it stands when it is not a number
    there: reading a word as a figure is the one mistake a reader must not make."""
    # What stands just around it is all a run needs (a long text must not cost a long look).
    run, before, after = s[start:end], s[max(0, start - 16) : start].rstrip(), s[end : end + 16]
    # The tail of a larger number: 一萬二 (12,000), 3千五 (3,500), 1萬五千.
    tail = len(before) > 1 and before[-1] in _BIG_UNITS + "千百" and _is_numeric(before[-2])
    if run[0] in "百千":
        if not (before[-1:].isascii() and before[-1:].isdigit()):
            return run  # 千萬不要 (never), 百貨 (a department store)
        return run[0] + _cjk_run(s, start + 1, end) if len(run) > 1 else run
    alone = bool(_BLANK.fullmatch(s, 0, start) and _BLANK.fullmatch(s, end))
    digits = _run_value(run, after, counted=alone or bool(_COUNTED.match(after)), tail=tail)
    if digits is None:
        return run
    if before[-1:] in tuple("0123456789.,") and not tail:
        digits = " " + digits  # 6000一個月: two numbers, never 60001
    return digits + " " if after[:1].isascii() and after[:1].isdigit() else digits


def _run_value(run: str, after: str, *, counted: bool, tail: bool) -> str | None:
    """The digits for a run of numerals followed by `after`, or None when it is not a number."""
    if m := _APPROXIMATE.fullmatch(run):
        low, high = CJK_DIGITS[m["a"]], CJK_DIGITS[m["b"]]
        if low and high == low + 1 and (not m["head"] or _WELL_FORMED.fullmatch(m["head"])):
            return "-".join(str(cjk_numeral(m["head"] + a + m["tail"])) for a in (m["a"], m["b"]))
    if all(ch in CJK_DIGITS for ch in run):
        if len(run) > 1:  # 二〇二六年, 一一五年: a year, digit by digit; otherwise not a number
            return "".join(str(CJK_DIGITS[ch]) for ch in run) if after.startswith("年") else None
        return str(CJK_DIGITS[run]) if counted or tail else None
    if (run == "十" and not counted) or not _WELL_FORMED.fullmatch(run):
        return None  # 十分 (very); 十十
    if run[-1] in CJK_DIGITS and run[-2] in "百千" and after.lstrip()[:1] in tuple(_BIG_UNITS):
        return None  # 三千五萬: 3,005 or 3,500 ten-thousands? Not a figure to guess.
    return str(cjk_numeral(run))


def cjk_to_digits(s: str) -> str:
    """Chinese numerals in `s` as digits where they are numbers: 十二萬 -> 12萬, 一萬二 -> 1萬2,
    三千五 -> 3500, 四五萬 -> 4-5萬 (a range), 一一五年 -> 115年; 第一銀行 and 千萬 stay words."""
    return _CJK_NUMERAL.sub(lambda m: _cjk_run(m.string, m.start(), m.end()), s)


def numbers_to_digits(s: str) -> str:
    """Rewrite English and Chinese number words in lower-case `s` as digits, for one regex to read."""
    for start, end, value in reversed(_word_numbers(s)):
        s = f"{s[:start]}{value}{s[end:]}"
    return cjk_to_digits(s)
