"""Reminder times as people type them: zones, call times and quiet hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dialogs import when
from dialogs.when import guess_timezone, parse_moment, parse_quiet_hours, parse_timezone

NOW = datetime(2026, 11, 22, 21, 0)  # a Sunday evening
MORNING = datetime(2026, 11, 23, 10, 0)  # the Monday after, mid-morning

# Pieces of what people type, so that the fuzz tests reach the fast paths, not only noise.
PIECES = [
    "tomorrow", "today", "tonight", "at", "10", "3", "12", "0", "00", "09", "23", "24", "99", "2026", "pm", "am",
    "dec", "3rd", "the", "5th", ":", "30", "in", "2", "an", "a", "hour", "hours", "days", "week", "from", "now",
    "later", "next", "monday", "morning", "noon", "quarter", "half", "past", "to", "-", "~", "/", "@", "o'clock",
    "utc", "gmt", "+", "8", "new", "york", "明天", "下午", "3點", "半", "十", "兩", "週", "下", "星期", "一", "到",
]  # fmt: skip
typed = st.one_of(
    st.text(),
    st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
)
fuzz = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------
# guess_timezone
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "zone"),
    [
        ("en", "America/New_York"),
        ("en-US", "America/New_York"),
        ("", "America/New_York"),
        ("xx", "America/New_York"),
        ("klingon-QQ", "America/New_York"),
        ("zh", "Asia/Taipei"),
        ("zh-hant", "Asia/Taipei"),
        ("zh_TW", "Asia/Taipei"),
        ("zh-hans", "Asia/Shanghai"),
        ("zh-CN", "Asia/Shanghai"),
        ("zh-hant-HK", "Asia/Hong_Kong"),
        ("en-GB", "Europe/London"),
        ("en_GB", "Europe/London"),
        ("en-AU", "Australia/Sydney"),
        ("en-IN", "Asia/Kolkata"),
        ("en-CA", "America/Toronto"),
        ("de", "Europe/Berlin"),
        ("de-AT", "Europe/Vienna"),
        ("fr", "Europe/Paris"),
        ("es", "Europe/Madrid"),
        ("es-MX", "America/Mexico_City"),
        ("es-419", "America/Mexico_City"),
        ("pt-br", "America/Sao_Paulo"),
        ("pt_BR", "America/Sao_Paulo"),
        ("pt", "Europe/Lisbon"),
        ("ja", "Asia/Tokyo"),
        ("ko", "Asia/Seoul"),
        ("hi", "Asia/Kolkata"),
        ("ru", "Europe/Moscow"),
        ("uk", "Europe/Kyiv"),
        ("id", "Asia/Jakarta"),
        ("in", "Asia/Jakarta"),  # Android's legacy code for Indonesian, not India
        ("EN-gb", "Europe/London"),
        (" en_US.UTF-8 ", "America/New_York"),
        ("xx-JP", "Asia/Tokyo"),  # an unknown language in a known region
    ],
)
def test_guess_timezone(locale: str, zone: str) -> None:
    assert guess_timezone(locale) == zone


def test_every_zone_we_can_name_exists() -> None:
    zones = {*when._REGION_ZONES.values(), *when._LANGUAGE_ZONES.values(), *when._TZ_WORDS.values()}
    zones |= {*when._ODD_OFFSETS.values(), *when._tz_lookup().values()}
    for zone in zones:
        ZoneInfo(zone)


@fuzz
@given(typed)
def test_guess_timezone_always_gives_a_real_zone(locale: str) -> None:
    ZoneInfo(guess_timezone(locale))


# --------------------------------------------------------------------------------------
# parse_timezone
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        # IANA names, however typed
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("america / new_york", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/GMT-8", "Etc/GMT-8"),
        # the city at the end of an IANA name
        ("Chicago", "America/Chicago"),
        ("new york", "America/New_York"),
        ("NEW YORK", "America/New_York"),
        ("taipei", "Asia/Taipei"),
        ("Los Angeles", "America/Los_Angeles"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("indianapolis", "America/Indiana/Indianapolis"),
        ("St. John's", "America/St_Johns"),
        ("port au prince", "America/Port-au-Prince"),
        ("Phoenix", "America/Phoenix"),
        # cities that are not IANA names
        ("San Francisco", "America/Los_Angeles"),
        ("Seattle", "America/Los_Angeles"),
        ("Las Vegas", "America/Los_Angeles"),
        ("Boston", "America/New_York"),
        ("Miami", "America/New_York"),
        ("Atlanta", "America/New_York"),
        ("Philadelphia", "America/New_York"),
        ("Washington", "America/New_York"),
        ("Washington DC", "America/New_York"),
        ("DC", "America/New_York"),
        ("NYC", "America/New_York"),
        ("Dallas", "America/Chicago"),
        ("Houston", "America/Chicago"),
        ("Beijing", "Asia/Shanghai"),
        ("Mumbai", "Asia/Kolkata"),
        ("Delhi", "Asia/Kolkata"),
        ("Taichung", "Asia/Taipei"),
        ("Kaohsiung", "Asia/Taipei"),
        ("Kiev", "Europe/Kyiv"),
        ("St Petersburg", "Europe/Moscow"),
        ("New Jersey", "America/New_York"),  # not Europe/Jersey
        ("New Mexico", "America/Denver"),  # not Mexico City
        ("台北", "Asia/Taipei"),
        ("我在高雄", "Asia/Taipei"),
        # abbreviations and names of zones
        ("EST", "America/New_York"),
        ("edt", "America/New_York"),
        ("Eastern", "America/New_York"),
        ("CST", "America/Chicago"),
        ("CDT", "America/Chicago"),
        ("Central", "America/Chicago"),
        ("MST", "America/Denver"),
        ("Mountain", "America/Denver"),
        ("PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("Pacific", "America/Los_Angeles"),
        ("pacific standard time", "America/Los_Angeles"),
        ("PT", "America/Los_Angeles"),
        ("AKST", "America/Anchorage"),
        ("Alaska", "America/Anchorage"),
        ("HST", "Pacific/Honolulu"),
        ("Hawaii", "Pacific/Honolulu"),
        ("GMT", "UTC"),
        ("UTC", "UTC"),
        ("Z", "UTC"),
        ("BST", "Europe/London"),
        ("CET", "Europe/Paris"),
        ("CEST", "Europe/Paris"),
        ("central european time", "Europe/Paris"),
        ("JST", "Asia/Tokyo"),
        ("IST", "Asia/Kolkata"),
        ("AEST", "Australia/Sydney"),
        # fixed offsets: Etc/GMT signs are the other way round
        ("UTC+8", "Etc/GMT-8"),
        ("utc + 8", "Etc/GMT-8"),
        ("GMT-5", "Etc/GMT+5"),
        ("+08:00", "Etc/GMT-8"),
        ("-0500", "Etc/GMT+5"),
        ("+8", "Etc/GMT-8"),
        ("UTC+0", "UTC"),
        ("UTC+14", "Etc/GMT-14"),
        ("utc −5", "Etc/GMT+5"),  # a typographic minus
        ("utc +5:30", "Asia/Kolkata"),
        ("+05:45", "Asia/Kathmandu"),
        ("GMT+9:30", "Australia/Darwin"),
        ("UTC-3:30", "America/St_Johns"),
        # words around the zone
        ("I'm in Chicago", "America/Chicago"),
        ("I’m in Chicago", "America/Chicago"),
        ("my time zone is PST", "America/Los_Angeles"),
        ("Chicago time", "America/Chicago"),
        ("i live in LA", "America/Los_Angeles"),
        ("we're near Boston, MA", "America/New_York"),
        ("Taipei, Taiwan", "Asia/Taipei"),
        ("my zone is UTC+8 (Taipei)", "Etc/GMT-8"),
    ],
)
def test_parse_timezone(text: str, zone: str) -> None:
    assert parse_timezone(text) == zone


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "garbage", "hello world", "yes", "12", "+1 555 123 4567", "UTC+15", "GMT-13", "UTC+5:17",
        "UTC+2:30", "I live in Jersey City", "christmas shopping", "wake me up", "la la la", "x" * 500, "🕐",
    ],
)  # fmt: skip
def test_parse_timezone_refuses_what_is_not_a_zone(text: str) -> None:
    assert parse_timezone(text) is None


def test_fixed_offsets_keep_the_offset_the_person_typed() -> None:
    instant = datetime(2026, 7, 1, 12, 0)
    for text, hours in [("UTC+8", 8), ("GMT-5", -5), ("+05:30", 5.5), ("UTC-3:30", -3.5)]:
        zone = parse_timezone(text)
        assert zone is not None
        offset = instant.replace(tzinfo=ZoneInfo(zone)).utcoffset()
        assert offset == timedelta(hours=hours) or text == "UTC-3:30"  # St John's keeps daylight saving


@fuzz
@given(typed)
@example("Etc/GMT+99")
@example("utc+99:99")
def test_parse_timezone_never_raises_and_names_real_zones(text: str) -> None:
    zone = parse_timezone(text)
    if zone is not None:
        ZoneInfo(zone)


# --------------------------------------------------------------------------------------
# parse_moment
# --------------------------------------------------------------------------------------


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
@given(typed, st.datetimes())
@example("in 99999999 weeks at 3pm", NOW)
@example("at 3pm", datetime.max)
@example("2026-02-29 10:00", NOW)
def test_parse_moment_never_raises_and_stays_in_the_coming_year(text: str, now: datetime) -> None:
    found = parse_moment(text, now)
    assert found is None or (found.tzinfo is None and now < found <= now + timedelta(days=366))


# --------------------------------------------------------------------------------------
# parse_quiet_hours
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("21:00-08:00", time(21, 0), time(8, 0)),
        ("21:00 – 08:00", time(21, 0), time(8, 0)),
        ("9pm to 8am", time(21, 0), time(8, 0)),
        ("9 PM - 8 AM", time(21, 0), time(8, 0)),
        ("22-7", time(22, 0), time(7, 0)),
        ("10pm-6:30am", time(22, 0), time(6, 30)),
        ("from 23 to 7", time(23, 0), time(7, 0)),
        ("between 11pm and 7am", time(23, 0), time(7, 0)),
        ("22:00 ~ 07:00", time(22, 0), time(7, 0)),
        ("midnight to 7am", time(0, 0), time(7, 0)),
        ("10-6", time(22, 0), time(6, 0)),  # a night, not 20 hours of silence
        ("12-6", time(0, 0), time(6, 0)),
        ("9pm-7", time(21, 0), time(7, 0)),
        ("10-6am", time(22, 0), time(6, 0)),
        ("1pm-3", time(13, 0), time(15, 0)),
        ("10:00-06:00", time(10, 0), time(6, 0)),  # a leading zero: taken as written
        ("8-10", time(8, 0), time(10, 0)),
        ("ten pm to seven am", time(22, 0), time(7, 0)),
        ("晚上10點到早上7點", time(22, 0), time(7, 0)),
        ("晚上十點到早上七點", time(22, 0), time(7, 0)),
    ],
)
def test_parse_quiet_hours(text: str, start: time, end: time) -> None:
    assert parse_quiet_hours(text) == (start, end)


@pytest.mark.parametrize(
    "text", ["off", "OFF", "none", "no quiet hours", "never", "any time", "anytime", "Anytime!", "no", "turn them off"]
)
def test_parse_quiet_hours_off(text: str) -> None:
    assert parse_quiet_hours(text) == "off"


@pytest.mark.parametrize(
    "text", ["22-22", "9pm to 9pm", "garbage", "", "10pm", "no calls after 10", "25-7", "7pm-24", "x" * 500]
)
def test_parse_quiet_hours_none(text: str) -> None:
    assert parse_quiet_hours(text) is None


@fuzz
@given(typed)
def test_parse_quiet_hours_never_raises(text: str) -> None:
    found = parse_quiet_hours(text)
    assert found is None or found == "off" or (isinstance(found, tuple) and found[0] != found[1])
