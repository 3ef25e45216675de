"""Time zones: guessed from the language tag, and as people type them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given

from dialogs.readers.zones import guess_timezone, nameable_zones, parse_timezone
from tests.dialogs.readers.junk import fuzz, typed_times


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
    zones = nameable_zones()
    assert {"America/New_York", "Asia/Taipei", "Asia/Kolkata", "Etc/GMT-8"} <= zones
    for zone in zones:
        ZoneInfo(zone)


@fuzz
@given(typed_times)
def test_guess_timezone_always_gives_a_real_zone(locale: str) -> None:
    ZoneInfo(guess_timezone(locale))


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
        # in Chinese, as typed in Taiwan (and the simplified spellings)
        ("芝加哥", "America/Chicago"),
        ("丹佛", "America/Denver"),
        ("鳳凰城", "America/Phoenix"),
        ("西雅圖", "America/Los_Angeles"),
        ("西雅图", "America/Los_Angeles"),
        ("舊金山", "America/Los_Angeles"),
        ("休士頓", "America/Chicago"),
        ("休斯頓", "America/Chicago"),
        ("夏威夷", "Pacific/Honolulu"),
        ("阿拉斯加", "America/Anchorage"),
        ("美東", "America/New_York"),
        ("美東時間", "America/New_York"),
        ("美西", "America/Los_Angeles"),
        ("美中", "America/Chicago"),
        ("美國中部時間", "America/Chicago"),
        ("太平洋時間", "America/Los_Angeles"),
        ("北加州", "America/Los_Angeles"),
        ("德州", "America/Chicago"),
        ("多倫多", "America/Toronto"),
        ("台灣時間", "Asia/Taipei"),
        ("臺灣時間", "Asia/Taipei"),
        ("中原標準時間", "Asia/Taipei"),
        ("我住在花蓮", "Asia/Taipei"),
        ("我在芝加哥", "America/Chicago"),
        ("我在台中，不是美中", "Asia/Taipei"),  # the first named
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
        "國泰世華", "美國", "你好",
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
@given(typed_times)
@example("Etc/GMT+99")
@example("utc+99:99")
def test_parse_timezone_never_raises_and_names_real_zones(text: str) -> None:
    zone = parse_timezone(text)
    if zone is not None:
        ZoneInfo(zone)
