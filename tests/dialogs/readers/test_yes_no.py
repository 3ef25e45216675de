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
        # Taiwanese answers as typed: who it is about first, an adverb, the word itself.
        *[(t, True) for t in ("我有", "對啊", "好的", "有，昨天寄了", "他們同意了")],
        *[(t, False) for t in ("我沒有", "他們還沒寄", "不用了", "對方沒有回")],
        # A name or a sentence with a yes-character inside is no answer: 銀行 ends in 行, 對方 opens with 對.
        *[(t, None) for t in ("國泰世華銀行", "對方拒絕了", "中國信託")],
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
