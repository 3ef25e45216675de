"""Yes or no, as people say it: `yep`, `sure`, `nope`, `not yet`, `是`, `不`, 👍; "not sure" is neither."""

from __future__ import annotations

import re

from dialogs.readers.text import fold_width

__all__ = ["parse_yes_no"]

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
# A Chinese answer opens with its yes or no word, perhaps after who it is about and an adverb
# ("我有", "他們還沒有"): 國泰世華銀行 ends in 行 and 對方拒絕了 opens with 對, and neither is a yes.
# 沒問題 ("no problem") and 沒錯 ("exactly") are yes, then any negation, then plain assent.
_ZH_YES_NO = re.compile(
    r"(?:我們|我|他們|他|她|對方|对方|嗯)?(?:還|还|也|都|真的|已經|已经)?"
    r"(?:沒問題|没问题|沒錯|没错|(?P<no>不|沒|没|否|未|別|别)"
    r"|是|對(?!方)|对(?!方)|好|嗯|要|可以|有|行|當然|当然|確定|确定|同意)"
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
    s = fold_width(text).lower().replace("\u2019", "'")
    if _UNSURE.search(s):
        return None
    for token in _YES_NO_TOKEN.finditer(s):
        word = token.group().strip("'")
        if word in _YES_WORDS or word in _EMOJI_YES:
            return True
        if word in _NO_WORDS or word in _EMOJI_NO:
            return False
        if "\u3400" <= word[:1] <= "\u9fff" and (zh := _ZH_YES_NO.match(word)):
            return zh.group("no") is None
    return None
