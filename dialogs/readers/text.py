"""What keyboards type, folded into the plain forms the readers match."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_WIDTH_FOLDS: dict[int, str] = {
    **{0xFF10 + i: str(i) for i in range(10)},  # full-width digits (CJK keyboards)
    **dict.fromkeys((0xFF0C, 0x3001), ","),
    0xFF0E: ".", 0xFF04: "$", 0xFE69: "$", 0xFFE1: "£", 0xFF05: "%", 0xFF0F: "/",
    # Every space Babel or a phone keyboard may put between digit groups.
    **dict.fromkeys((0x09, 0xA0, 0x2007, 0x2008, 0x2009, 0x200A, 0x202F, 0x3000), " "),
    # Minus signs and dashes.
    **dict.fromkeys((0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xFE63, 0xFF0D), "-"),
}  # fmt: skip
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")


def fold_width(text: str) -> str:
    """Full-width digits, exotic spaces and minus signs as plain ASCII; case and letters kept.

    Amounts keep their symbols this way ("＄５，０００" is "$5,000"), which Unicode
    normalisation would not promise."""
    return text.translate(_WIDTH_FOLDS)


def fold_all(text: str) -> str:
    """Lower case, compatibility forms folded (full-width digits and colons), accents dropped
    ("são" -> "sao"), one dash, no apostrophes, 臺 as 台: for names and clock times."""
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).translate(_DASHES))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return s.replace("臺", "台").replace("\u2019", "'").replace("'", "")


def longest_first(words: Iterable[str]) -> str:
    """Regex alternation of the ASCII words, longest first ("thurs" before "thu")."""
    return "|".join(sorted((w for w in words if w.isascii()), key=len, reverse=True))
