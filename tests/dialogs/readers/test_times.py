"""When the person will call, as they type it, read on the wall clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dialogs.readers.times import parse_moment
from tests.dialogs.readers.junk import fuzz, typed_times

NOW = datetime(2026, 11, 22, 21, 0)  # a Sunday evening
MORNING = datetime(2026, 11, 23, 10, 0)  # the Monday after, mid-morning


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 10am", datetime(2026, 11, 23, 10, 0)),
        ("Tomorrow at 10", datetime(2026, 11, 23, 10, 0)),
        ("tomorrow at 10:30 a.m.", datetime(2026, 11, 23, 10, 30)),
        ("tmrw 3", datetime(2026, 11, 23, 15, 0)),
        ("I'll call them tomorrow at 10", datetime(2026, 11, 23, 10, 0)),
        ("at 3pm", datetime(2026, 11, 23, 15, 0)),  # 21:00 now: tomorrow's 3pm
        ("3:30 pm", datetime(2026, 11, 23, 15, 30)),
        ("3.30pm", datetime(2026, 11, 23, 15, 30)),
        ("1030am", datetime(2026, 11, 23, 10, 30)),
        ("15:00", datetime(2026, 11, 23, 15, 0)),
        ("23:30", datetime(2026, 11, 22, 23, 30)),
        ("10", datetime(2026, 11, 23, 10, 0)),  # a bare hour: the next 10 o'clock
        ("at 3", datetime(2026, 11, 23, 15, 0)),  # business hours: 3 is afternoon
        ("at 9", datetime(2026, 11, 23, 9, 0)),  # and 9 is morning
        ("at 12", datetime(2026, 11, 23, 12, 0)),  # and 12 is noon
        ("12am", datetime(2026, 11, 23, 0, 0)),
        ("quarter to 1", datetime(2026, 11, 23, 12, 45)),
        ("at ten", datetime(2026, 11, 23, 10, 0)),
        ("at 0930", datetime(2026, 11, 23, 9, 30)),
        ("at 130", datetime(2026, 11, 23, 13, 30)),
        ("10 o'clock", datetime(2026, 11, 23, 10, 0)),
        ("half past 10 tomorrow", datetime(2026, 11, 23, 10, 30)),
        ("quarter to 4", datetime(2026, 11, 23, 15, 45)),
        ("noon", datetime(2026, 11, 23, 12, 0)),
        ("tomorrow at noon", datetime(2026, 11, 23, 12, 0)),
        ("tomorrow morning", datetime(2026, 11, 23, 9, 0)),
        ("tomorrow afternoon", datetime(2026, 11, 23, 14, 0)),
        ("tomorrow evening", datetime(2026, 11, 23, 18, 0)),
        ("tomorrow evening at 7", datetime(2026, 11, 23, 19, 0)),
        ("tomorrow at 10 in the morning", datetime(2026, 11, 23, 10, 0)),
        ("day after tomorrow at 2pm", datetime(2026, 11, 24, 14, 0)),
        ("monday 9:30", datetime(2026, 11, 23, 9, 30)),
        ("Mon 9:30", datetime(2026, 11, 23, 9, 30)),
        ("next tuesday at 2pm", datetime(2026, 11, 24, 14, 0)),
        ("on friday at 11", datetime(2026, 11, 27, 11, 0)),
        ("sunday 9am", datetime(2026, 11, 29, 9, 0)),  # today is Sunday, 9am has passed
        ("sunday 10pm", datetime(2026, 11, 22, 22, 0)),  # today, still ahead
        ("in 2 hours", datetime(2026, 11, 22, 23, 0)),
        ("in 30 minutes", datetime(2026, 11, 22, 21, 30)),
        ("in 30 mins", datetime(2026, 11, 22, 21, 30)),
        ("in an hour", datetime(2026, 11, 22, 22, 0)),
        ("in half an hour", datetime(2026, 11, 22, 21, 30)),
        ("in an hour and a half", datetime(2026, 11, 22, 22, 30)),
        ("in two hours", datetime(2026, 11, 22, 23, 0)),
        ("in 1 hour 15 minutes", datetime(2026, 11, 22, 22, 15)),
        ("45 minutes from now", datetime(2026, 11, 22, 21, 45)),
        ("in 2 days at 3pm", datetime(2026, 11, 24, 15, 0)),
        ("3 days from now at 4pm", datetime(2026, 11, 25, 16, 0)),
        ("dec 3 at 11am", datetime(2026, 12, 3, 11, 0)),
        ("December 3rd at 11:00", datetime(2026, 12, 3, 11, 0)),
        ("3rd of december at 2pm", datetime(2026, 12, 3, 14, 0)),
        ("december 3rd, 2026 at 2pm", datetime(2026, 12, 3, 14, 0)),
        ("jan 5 at 9am", datetime(2027, 1, 5, 9, 0)),  # no year: the next January 5
        ("the 5th at 3pm", datetime(2026, 12, 5, 15, 0)),
        ("2026-12-03 14:00", datetime(2026, 12, 3, 14, 0)),
        ("2026-12-03T14:00:00", datetime(2026, 12, 3, 14, 0)),
        ("12/3 at 2pm", datetime(2026, 12, 3, 14, 0)),  # dateparser's turn: US month first
        ("tomorrow 10am!", datetime(2026, 11, 23, 10, 0)),
        ("ＴＯＭＯＲＲＯＷ １０ＡＭ", datetime(2026, 11, 23, 10, 0)),
        # the Taiwan path
        ("明天下午3點", datetime(2026, 11, 23, 15, 0)),
        ("明天早上十點半", datetime(2026, 11, 23, 10, 30)),
        ("下週二下午兩點", datetime(2026, 11, 24, 14, 0)),
        ("12月3日下午3點", datetime(2026, 12, 3, 15, 0)),
        ("2小時後", datetime(2026, 11, 22, 23, 0)),
        ("半小時後", datetime(2026, 11, 22, 21, 30)),
    ],
)
def test_parse_moment_on_a_sunday_evening(text: str, expected: datetime) -> None:
    assert parse_moment(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("9am", MORNING, datetime(2026, 11, 24, 9, 0)),  # 9am has passed: tomorrow's
        ("at 3pm", MORNING, datetime(2026, 11, 23, 15, 0)),  # still ahead: today's
        ("today 3pm", MORNING, datetime(2026, 11, 23, 15, 0)),
        ("10", MORNING + timedelta(minutes=1), datetime(2026, 11, 24, 10, 0)),
        ("11", MORNING, datetime(2026, 11, 23, 11, 0)),
        ("today at 10", datetime(2026, 11, 23, 11, 0), datetime(2026, 11, 23, 22, 0)),  # the only 10 left today
        ("this afternoon", MORNING, datetime(2026, 11, 23, 14, 0)),
        ("tonight at 8", MORNING, datetime(2026, 11, 23, 20, 0)),
        ("tonight", MORNING, datetime(2026, 11, 23, 18, 0)),
        ("monday 9:30", datetime(2026, 11, 23, 8, 0), datetime(2026, 11, 23, 9, 30)),  # today, still ahead
        ("monday 9:30", MORNING, datetime(2026, 11, 30, 9, 30)),  # today's has passed: next week's
        ("next monday at 9:30", datetime(2026, 11, 23, 8, 0), datetime(2026, 11, 30, 9, 30)),
        ("dec 3 at 11am", datetime(2026, 12, 2, 12, 0), datetime(2026, 12, 3, 11, 0)),
        ("in 30 minutes", datetime(2026, 11, 22, 21, 0, 27), datetime(2026, 11, 22, 21, 30, 27)),
        ("at 3pm", datetime(2026, 12, 31, 16, 0), datetime(2027, 1, 1, 15, 0)),
        ("2027-11-22 20:00", NOW, datetime(2027, 11, 22, 20, 0)),  # 365 days ahead: fine
    ],
)
def test_parse_moment_depends_on_the_clock(text: str, now: datetime, expected: datetime) -> None:
    assert parse_moment(text, now) == expected


@pytest.mark.parametrize(
    ("text", "now"),
    [
        ("tomorrow", NOW),  # a day without a time: the reminder needs the hour
        ("friday", NOW),
        ("next week", NOW),
        ("dec 3", NOW),
        ("in 2 days", NOW),
        ("today 3pm", NOW),  # already past, and "today" was said
        ("today at 8am", NOW),
        ("this evening", NOW),  # 18:00 has passed
        ("dec 3 at 11am", datetime(2026, 12, 3, 12, 0)),  # today's date, an hour ago
        ("2025-01-01 10:00", NOW),
        ("2028-01-01 10:00", NOW),  # more than a year ahead
        ("in 400 days at 3pm", NOW),
        ("25:00", NOW),
        ("13:75", NOW),
        ("feb 30 at 3pm", NOW),
        ("now", NOW),
        ("asap", NOW),
        ("garbage", NOW),
        ("", NOW),
        ("🙂", NOW),
        ("x" * 1000, NOW),
        ("tomorrow 10am", datetime(9999, 12, 31, 23, 0)),  # past the end of the calendar
    ],
)
def test_parse_moment_says_none_when_it_cannot_tell(text: str, now: datetime) -> None:
    assert parse_moment(text, now) is None


@fuzz
@given(typed_times, st.datetimes())
@example("in 99999999 weeks at 3pm", NOW)
@example("at 3pm", datetime.max)
@example("2026-02-29 10:00", NOW)
def test_parse_moment_never_raises_and_stays_in_the_coming_year(text: str, now: datetime) -> None:
    found = parse_moment(text, now)
    assert found is None or (found.tzinfo is None and now < found <= now + timedelta(days=366))
