"""A newcomer's first message: a hello (or a sentence about themselves), or a creditor's name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from dialogs.readers.greetings import is_greeting
from tests.dialogs.readers.junk import LONG_JUNK, junk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, True) for t in ("hi", "Hello!", "hello again", "Hey there", "good morning", "👋", "", "  ")],
        *[(t, True) for t in ("I need help", "Hi, I owe Capital One", "what is this?", "help", "你好")],
        *[(t, False) for t in ("Capital One", "Midland Credit", "Chase", "Bank of America", "AT&T", "國泰世華")],
    ],
)
def test_is_greeting(text: str, expected: bool) -> None:
    assert is_greeting(text) is expected


@settings(max_examples=300, deadline=None)
@given(text=junk)
def test_is_greeting_never_raises(text: str) -> None:
    assert is_greeting(text) in (True, False)


def test_is_greeting_survives_long_junk() -> None:
    for blob in LONG_JUNK:
        is_greeting(blob)
