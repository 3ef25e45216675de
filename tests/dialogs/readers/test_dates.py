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


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        # the week, Monday to Sunday: today is Saturday 5 December 2026
        ("下週五", "zh_TW", datetime.date(2026, 12, 11)),
        ("下個星期五", "zh_TW", datetime.date(2026, 12, 11)),
        ("下星期五", "zh_TW", datetime.date(2026, 12, 11)),
        ("下禮拜一", "zh_TW", datetime.date(2026, 12, 7)),
        ("下週日", "zh_TW", datetime.date(2026, 12, 13)),
        ("下下週五", "zh_TW", datetime.date(2026, 12, 18)),
        ("這週日", "zh_TW", datetime.date(2026, 12, 6)),
        ("這週五", "zh_TW", datetime.date(2026, 12, 4)),  # this week's, though past: the coach asks again
        ("本週五", "zh_TW", datetime.date(2026, 12, 4)),
        ("週五", "zh_TW", datetime.date(2026, 12, 11)),
        ("禮拜天", "zh_TW", datetime.date(2026, 12, 6)),
        ("在下週五", "zh_TW", datetime.date(2026, 12, 11)),
        ("下週五前", "zh_TW", datetime.date(2026, 12, 11)),  # "by next Friday"
        # the ROC calendar: 114年 is 2025
        ("114年12月1日", "zh_TW", datetime.date(2025, 12, 1)),
        ("115年1月5日", "zh_TW", datetime.date(2026, 1, 5)),
        ("115年1月5號", "zh_TW", datetime.date(2026, 1, 5)),
        ("民國115年1月5日", "zh_TW", datetime.date(2026, 1, 5)),
        ("民國115年1月5日", "en", datetime.date(2026, 1, 5)),  # 民國 says so in any language
        ("115年1月5日", "en", datetime.date(2026, 1, 5)),  # three digits and 年 can only be ROC
        ("一一五年一月五日", "zh_TW", datetime.date(2026, 1, 5)),
        ("民國一百一十五年一月五日", "zh_TW", datetime.date(2026, 1, 5)),
        ("115/1/5", "zh_TW", datetime.date(2026, 1, 5)),
        ("115.1.5", "zh_TW", datetime.date(2026, 1, 5)),
        ("115-01-05", "zh-TW", datetime.date(2026, 1, 5)),
        ("99年1月5日", "zh_TW", datetime.date(2010, 1, 5)),
        ("115/2/30", "zh_TW", None),
        ("115/1/5", "en", None),
        ("115/1/5", "zh_CN", None),  # not the ROC calendar in mainland China
        ("7年1月5日", "ja", None),  # Reiwa 7, not ROC 7
        ("2026年12月1日", "zh_TW", datetime.date(2026, 12, 1)),
        ("2026/12/01", "zh_TW", datetime.date(2026, 12, 1)),
        # months and days
        ("下個月5號", "zh_TW", datetime.date(2027, 1, 5)),
        ("下月5號", "zh_TW", datetime.date(2027, 1, 5)),
        ("下個月31號", "zh_TW", datetime.date(2027, 1, 31)),
        ("這個月20號", "zh_TW", datetime.date(2026, 12, 20)),
        ("本月1號", "zh_TW", datetime.date(2026, 12, 1)),  # past, as said
        ("月底", "zh_TW", datetime.date(2026, 12, 31)),
        ("月底前", "zh_TW", datetime.date(2026, 12, 31)),
        ("每月月底", "zh_TW", datetime.date(2026, 12, 31)),
        ("下個月底", "zh_TW", datetime.date(2027, 1, 31)),
        ("一月五日", "zh_TW", datetime.date(2027, 1, 5)),
        ("1月5號", "zh_TW", datetime.date(2027, 1, 5)),
        ("十二月二十五日", "zh_TW", datetime.date(2026, 12, 25)),
        ("12月1日前", "zh_TW", datetime.date(2027, 12, 1)),
        ("五號", "zh_TW", datetime.date(2027, 1, 5)),  # strictly after today, as "the 5th"
        ("明年1月5日", "zh_TW", datetime.date(2027, 1, 5)),
        ("今年12月24日", "zh_TW", datetime.date(2026, 12, 24)),
        ("大後天", "zh_TW", datetime.date(2026, 12, 8)),
        ("3天後", "zh_TW", datetime.date(2026, 12, 8)),
        ("兩週後", "zh_TW", datetime.date(2026, 12, 19)),
        ("一個月後", "zh_TW", datetime.date(2027, 1, 5)),
        # not dates
        ("12月", "zh_TW", None),  # which day?
        ("2027年1月", "zh_TW", None),
        ("國泰世華", "zh_TW", None),
        ("第一銀行", "zh_TW", None),
        ("三信商銀", "zh_TW", None),
        ("中國信託", "zh_TW", None),
        ("一萬二", "zh_TW", None),
    ],
)
def test_parse_date_reads_what_people_type_in_taiwan(text: str, locale: str, expected: datetime.date | None) -> None:
    assert parse_date(text, TODAY, locale) == expected


def test_next_week_is_the_calendar_week_after_this_one() -> None:
    """下週五 said on a Monday is eleven days away, not four: 這週五 is the one four days away."""
    monday = datetime.date(2026, 11, 23)
    assert parse_date("下週五", monday, "zh_TW") == datetime.date(2026, 12, 4)
    assert parse_date("這週五", monday, "zh_TW") == datetime.date(2026, 11, 27)
    assert parse_date("下週一", datetime.date(2026, 11, 29), "zh_TW") == datetime.date(2026, 11, 30)  # from a Sunday


def test_the_end_of_the_month_said_on_its_last_day_is_the_next_one() -> None:
    last = datetime.date(2026, 11, 30)
    assert parse_date("月底", last, "zh_TW") == datetime.date(2026, 12, 31)
    assert parse_date("這個月底", last, "zh_TW") == last
    assert parse_date("月底", datetime.date(2027, 1, 31), "zh_TW") == datetime.date(2027, 2, 28)


def test_chinese_weekdays_read_as_dateparser_reads_them() -> None:
    """週五 alone skips dateparser too; it must give the date dateparser gives, any day of the week."""
    for offset in range(7):
        today = datetime.date(2026, 11, 23) + datetime.timedelta(days=offset)
        for prefix in ("週", "星期", "禮拜"):
            for day in "一二三四五六日":
                found = dateparser_date(prefix + day, today, "zh_TW")
                assert found is not None
                assert parse_date(prefix + day, today, "zh_TW") == found, (today, prefix + day)


@settings(max_examples=150, deadline=None)
@given(text=junk, locale=st.sampled_from([*LOCALES, "zh-TW", "xx_YY", ""]))
def test_parse_date_never_raises(text: str, locale: str) -> None:
    got = parse_date(text, TODAY, locale)
    assert got is None or type(got) is datetime.date


def test_parse_date_survives_long_junk() -> None:
    for blob in LONG_JUNK:
        assert parse_date(blob, TODAY) is None  # too long to be a date
