"""Yes, no, and "not sure", as people type them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from dialogs.readers.yes_no import parse_yes_no
from tests.dialogs.readers.junk import LONG_JUNK, junk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, True) for t in ("yes", "Y", "yeah", "yep", "sure", "OK", "okay")],
        *[(t, True) for t in ("correct", "true", "1", "Yes please", "yes, not yet")],
        *[(t, True) for t in ("是", "是的", "好", "可以", "沒問題", "對", "👍")],
        *[(t, False) for t in ("no", "N", "nope", "not", "false", "0", "not yet")],
        *[(t, False) for t in ("No thanks", "that's not correct", "I don't", "👎")],
        *[(t, False) for t in ("不是", "不要", "沒有", "還沒", "否")],
        *[(t, None) for t in ("", "hello", "not sure", "maybe", "I don't know")],
        *[(t, None) for t in ("不知道", "?")],
    ],
)
def test_parse_yes_no(text: str, expected: bool | None) -> None:
    assert parse_yes_no(text) is expected


@settings(max_examples=300, deadline=None)
@given(text=junk)
def test_parse_yes_no_never_raises(text: str) -> None:
    assert parse_yes_no(text) in (True, False, None)


def test_parse_yes_no_survives_long_junk() -> None:
    for blob in LONG_JUNK:
        parse_yes_no(blob)
