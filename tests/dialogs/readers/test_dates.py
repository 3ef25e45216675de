"""Calendar dates as people type them, in the locale's order."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.readers.dates import dateparser_date, parse_date
from tests.dialogs.readers.junk import LONG_JUNK, junk

LOCALES = ("en", "en_US", "en_GB", "zh_TW", "de_DE", "fr_FR")
TODAY = datetime.date(2026, 12, 5)  # a Saturday


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("next friday", "en", datetime.date(2026, 12, 11)),
        ("in two weeks", "en", datetime.date(2026, 12, 19)),
        ("December 1", "en", datetime.date(2027, 12, 1)),  # already past this year
        ("Dec 1st", "en", datetime.date(2027, 12, 1)),
        ("December 24", "en", datetime.date(2026, 12, 24)),
        ("December 5", "en", TODAY),  # today counts for a month and day
        ("1 Dec 2026", "en", datetime.date(2026, 12, 1)),  # an explicit year stays
        ("2026-12-01", "en", datetime.date(2026, 12, 1)),
        ("2027-02-30", "en", None),
        ("12/1", "en", datetime.date(2027, 12, 1)),
        ("12/1", "en_US", datetime.date(2027, 12, 1)),
        ("12/1", "en_GB", datetime.date(2027, 1, 12)),
        ("12/1", "de-DE", datetime.date(2027, 1, 12)),
        ("12/1", "zh_TW", datetime.date(2027, 12, 1)),
        ("12/24", "en", datetime.date(2026, 12, 24)),
        ("12/1/2026", "en", datetime.date(2026, 12, 1)),
        ("1/12/2026", "en_GB", datetime.date(2026, 12, 1)),
        ("2/29", "en", datetime.date(2028, 2, 29)),
        ("1st of the month", "en", datetime.date(2027, 1, 1)),
        ("the 1st", "en", datetime.date(2027, 1, 1)),
        ("on the 15th", "en", datetime.date(2026, 12, 15)),
        ("the 5th", "en", datetime.date(2027, 1, 5)),  # strictly after today
        ("the 32nd", "en", None),
        ("today", "en", TODAY),
        ("Tomorrow.", "en", datetime.date(2026, 12, 6)),
        ("明天", "zh_TW", datetime.date(2026, 12, 6)),
        ("12月24日", "zh_TW", datetime.date(2026, 12, 24)),
        ("每月15號", "zh_TW", datetime.date(2026, 12, 15)),
        ("5000", "en", None),
        ("yes", "en", None),
        ("", "en", None),
    ],
)
def test_parse_date(text: str, locale: str, expected: datetime.date | None) -> None:
    got = parse_date(text, TODAY, locale)
    assert got == expected
    assert type(got) is (datetime.date if expected is not None else type(None))


@pytest.mark.parametrize(
    ("text", "days_after_a_sunday"),
    [
        ("friday", 5),
        ("next friday", 5),
        ("by next Fri", 5),
        ("next wed", 3),  # dateparser alone reads nothing here
        ("thurs", 4),
        ("Sunday", 7),  # strictly after today
        ("this sunday", 0),  # "this" includes today
        ("this tue", 2),
    ],
)
def test_parse_date_reads_weekdays(text: str, days_after_a_sunday: int) -> None:
    sunday = datetime.date(2026, 11, 22)
    assert parse_date(text, sunday) == sunday + datetime.timedelta(days=days_after_a_sunday)


def test_weekdays_read_as_dateparser_reads_them_wherever_it_reads_them() -> None:
    """The weekday forms skip dateparser (a millisecond each); they must not change a date it
    would have given, on any day of the week."""
    names = ["monday", "tue", "wednesday", "thu", "friday", "sat", "sunday", "mon", "fri", "sun"]
    compared = 0
    for offset in range(7):
        today = datetime.date(2026, 11, 22) + datetime.timedelta(days=offset)
        for text in [f"{prefix}{name}" for name in names for prefix in ("", "next ", "this ")]:
            found = dateparser_date(text, today, "en")
            if found is not None:
                compared += 1
                assert parse_date(text, today) == found, (today, text)
    assert compared > 150


def test_parse_date_rolls_a_past_day_of_month_into_next_month() -> None:
    d = datetime.date
    assert parse_date("the 15th", d(2026, 12, 15)) == d(2027, 1, 15)
    assert parse_date("the 31st", d(2027, 1, 31)) == d(2027, 3, 31)  # Feb has none


@settings(max_examples=150, deadline=None)
@given(text=junk, locale=st.sampled_from([*LOCALES, "zh-TW", "xx_YY", ""]))
def test_parse_date_never_raises(text: str, locale: str) -> None:
    got = parse_date(text, TODAY, locale)
    assert got is None or type(got) is datetime.date


def test_parse_date_survives_long_junk() -> None:
    for blob in LONG_JUNK:
        assert parse_date(blob, TODAY) is None  # too long to be a date
