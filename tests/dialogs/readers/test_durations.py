"""How long behind, in months, as people type it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from dialogs.readers.durations import parse_months
from tests.dialogs.readers.junk import HUGE_NUMBER, LONG_JUNK, junk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6", 6),
        ("6 months", 6),
        ("18 mo", 18),
        ("2 years", 24),
        ("1.5 years", 18),
        ("1,5 years", 18),
        ("a year", 12),
        ("two years", 24),
        ("3 yrs", 36),
        ("0", 0),
        ("not late", 0),
        ("current", 0),
        ("I'm current", 0),
        ("never", 0),
        ("half a year", 6),
        ("a year and a half", 18),
        ("one and a half years", 18),
        ("1 year 6 months", 18),
        ("1 year and 6 months", 18),
        ("90 days", 3),
        ("6 months late since 2023", 6),
        ("一年半", 18),
        ("半年", 6),
        ("兩年", 24),
        ("6個月", 6),
        ("十八個月", 18),
        ("三個月", 3),
        ("2-3 months", None),  # a range: which one?
        ("兩三個月", None),
        ("3到4個月", None),
        ("1200", 1200),
        ("1201", None),
        ("since 2023", None),
        ("-6", None),
        ("no idea", None),
        ("", None),
    ],
)
def test_parse_months(text: str, expected: int | None) -> None:
    assert parse_months(text) == expected


@settings(max_examples=300, deadline=None)
@given(text=junk)
def test_parse_months_never_raises(text: str) -> None:
    months = parse_months(text)
    assert months is None or 0 <= months <= 1200


def test_parse_months_survives_long_junk() -> None:
    for blob in LONG_JUNK:
        parse_months(blob)


def test_an_absurdly_long_number_is_refused_not_raised() -> None:
    assert parse_months(HUGE_NUMBER) is None
