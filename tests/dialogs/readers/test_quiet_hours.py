"""Quiet hours, as people type them: for sleep, so "10-6" is the night."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given

from dialogs.readers.quiet_hours import parse_quiet_hours
from tests.dialogs.readers.junk import fuzz, typed_times


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
@given(typed_times)
def test_parse_quiet_hours_never_raises(text: str) -> None:
    found = parse_quiet_hours(text)
    assert found is None or found == "off" or (isinstance(found, tuple) and found[0] != found[1])
