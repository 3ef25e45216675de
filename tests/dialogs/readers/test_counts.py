"""How many instalments, as people type it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from dialogs.readers.counts import parse_count
from tests.dialogs.readers.junk import HUGE_NUMBER, LONG_JUNK, junk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("three", 3),
        ("3 payments", 3),
        ("twelve", 12),
        ("Twelve!", 12),
        ("twenty-four", 24),
        ("one hundred and twenty", 120),
        ("a dozen", 12),
        ("1,000", 1000),
        ("三期", 3),
        ("十二", 12),
        ("分十二期", 12),
        ("一百八十期", 180),
        ("3-4", None),  # a range: which one?
        ("3 or 4 payments", None),
        ("四五期", None),
        ("0", None),
        ("zero", None),
        ("1001", None),
        ("-3", None),
        ("3.5", None),
        ("", None),
        ("some", None),
    ],
)
def test_parse_count(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


@settings(max_examples=300, deadline=None)
@given(text=junk)
def test_parse_count_never_raises(text: str) -> None:
    count = parse_count(text)
    assert count is None or 1 <= count <= 1000


def test_parse_count_survives_long_junk() -> None:
    for blob in LONG_JUNK:
        parse_count(blob)


def test_an_absurdly_long_number_is_refused_not_raised() -> None:
    assert parse_count(HUGE_NUMBER) is None
