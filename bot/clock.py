"""The one clock every process reads: the system's, or one set from the environment.

Dates are the heart of a negotiation (sign-by dates, instalments, reminders), so a test, a
demo or a person checking what the coach will say next March must be able to say what time it
is. `DEBTCOACH_NOW` sets the moment; by default the clock then runs on from it, so reminders
still fall due while the process is open, and `DEBTCOACH_CLOCK=frozen` holds it still, which
makes a scripted console session repeatable to the minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum

Clock = Callable[[], datetime]


class ClockMode(StrEnum):
    RUNNING = "running"
    FROZEN = "frozen"


def system_clock() -> datetime:
    return datetime.now(UTC)


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or date and time; without an offset it is UTC ("2027-03-01T09:00")."""
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def make_clock(start: datetime | None, mode: ClockMode = ClockMode.RUNNING) -> Clock:
    """The system clock when `start` is None; otherwise a clock that reads `start` now and,
    running, advances with the monotonic clock (immune to the system clock being changed)."""
    if start is None:
        return system_clock
    fixed = start if start.tzinfo is not None else start.replace(tzinfo=UTC)
    if mode is ClockMode.FROZEN:
        return lambda: fixed
    origin = time.monotonic()
    return lambda: fixed + timedelta(seconds=time.monotonic() - origin)
