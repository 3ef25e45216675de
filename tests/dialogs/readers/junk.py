"""What people type when they type anything: strategies the readers' fuzz tests share."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

TOKENS = [
    *"0123456789",
    *",. -+%/$€£¥元萬万千億亿kKmM",
    "\u00a0", "\u202f", "\u3000", "\u2212", "\uff11", "\uff0c",
    "NT$", "US$", "$US", "A$", "CA$", "£GB", "USD", "twd", "ntd", "dollars",
    "million", "thousand", "half", "a", "and", "year", "years", "mo", "months",
    "days", "年", "個月", "半", "yes", "no", "not", "sure", "是", "不", "the", "1st",
    "of", "month", "next", "friday", "in", "two", "weeks", "december", "dec", "12/1",
    "2026-12-01", "tomorrow", "😀",
]  # fmt: skip
# Digits, separators, currency markers, CJK units and words, jumbled.
tokens = st.sampled_from(TOKENS)
numbers = st.integers(0, 10**16).map(str)
junk = st.one_of(
    st.text(max_size=60),
    st.lists(tokens, max_size=14).map("".join),
    st.lists(tokens | numbers, max_size=8).map(" ".join),
)


# Pathological lengths: every reader must answer them quickly, without raising.
LONG_JUNK = ["x" * 10_000, "1" * 10_000, "1," * 5_000, "萬" * 10_000, "-$" * 5_000]
LONG_JUNK += ["5 000 " * 1_700, "one " * 2_500, "😀" * 10_000]
LONG_JUNK += ["1，" * 5_000, "一萬" * 5_000, "三千五、" * 2_500]
# A number far too long to be anything a person owes or counts.
HUGE_NUMBER = "1" + "0" * 28


# Pieces of what people type, so that the fuzz tests reach the fast paths, not only noise.
PIECES = [
    "tomorrow", "today", "tonight", "at", "10", "3", "12", "0", "00", "09", "23", "24", "99", "2026", "pm", "am",
    "dec", "3rd", "the", "5th", ":", "30", "in", "2", "an", "a", "hour", "hours", "days", "week", "from", "now",
    "later", "next", "monday", "morning", "noon", "quarter", "half", "past", "to", "-", "~", "/", "@", "o'clock",
    "utc", "gmt", "+", "8", "new", "york", "明天", "下午", "3點", "半", "十", "兩", "週", "下", "星期", "一", "到",
]  # fmt: skip
typed_times = st.one_of(
    st.text(),
    st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
)
fuzz = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
