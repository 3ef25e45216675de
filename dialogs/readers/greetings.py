"""A first message that only says hello or talks about the person (`hi`, `Hello again!`, `good
morning`, `I need help`, `你好`, 👋), as opposed to one that already answers the first question,
which names a creditor (`Capital One`)."""

from __future__ import annotations

import re

from dialogs.readers.text import fold_width

__all__ = ["is_greeting"]

_GREETINGS = frozenset((
    "hi", "hii", "hello", "helo", "hallo", "hey", "heya", "hiya", "howdy", "yo", "sup", "hola",
    "greetings", "good morning", "good afternoon", "good evening", "morning", "evening",
    "start", "begin", "help", "test", "ok", "okay",
    "你好", "您好", "嗨", "哈囉", "哈啰", "哈嘍", "早安", "午安", "晚安", "開始", "开始",
))  # fmt: skip
# Words of a sentence about oneself or a question, not of a creditor's name.
_CHAT_WORDS = frozenset((
    "i", "i'm", "im", "my", "me", "need", "want", "please", "how", "what", "can", "could",
    "do", "does", "is", "are", "you", "who", "why", "where",
))  # fmt: skip
# What a greeting may carry around it: punctuation, emoji.
_TRIM = re.compile(r"[\s!.,?~:;\"()\-…。！？，、\U0001F300-\U0001FAFF\u2600-\u27BF]+")
_AROUND = re.compile(r"\s+(?:there|again|bot|coach|debtcoach)$")


def is_greeting(text: str) -> bool:
    """True when `text` says hello (or nothing), asks something or talks about the person:
    anything but what could be a creditor's name."""
    folded = fold_width(text).casefold()
    words = _TRIM.sub(" ", folded).strip()
    while (shorter := _AROUND.sub("", words)) != words:
        words = shorter
    if not words or words in _GREETINGS or "?" in folded or "？" in folded:
        return True
    tokens = words.split()
    return tokens[0] in _GREETINGS or any(token in _CHAT_WORDS for token in tokens)
