"""The one clock: set from the environment, frozen or running on from the moment given."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ClockMode, make_clock, parse_moment, system_clock
from bot.settings import Settings


def test_a_moment_without_an_offset_is_utc_and_one_with_an_offset_is_converted() -> None:
    assert parse_moment("2027-03-01T09:00") == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert parse_moment("2027-03-01T09:00+08:00") == datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
    assert parse_moment("2027-03-01") == datetime(2027, 3, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="isoformat"):
        parse_moment("next tuesday")


def test_a_frozen_clock_stands_still_and_a_running_one_moves_on_from_its_start() -> None:
    start = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    frozen = make_clock(start, ClockMode.FROZEN)
    running = make_clock(start)
    time.sleep(0.02)
    assert frozen() == start
    assert start + timedelta(seconds=0.02) <= running() < start + timedelta(seconds=5)


def test_without_a_moment_the_clock_is_the_systems() -> None:
    assert make_clock(None) is system_clock


def test_the_settings_read_the_clock_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBTCOACH_NOW", "2029-07-04T15:30")
    monkeypatch.setenv("DEBTCOACH_CLOCK", "frozen")
    assert Settings().clock()() == datetime(2029, 7, 4, 15, 30, tzinfo=UTC)
    monkeypatch.delenv("DEBTCOACH_NOW")
    assert abs(Settings().clock()() - datetime.now(UTC)) < timedelta(seconds=5)
