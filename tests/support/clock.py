"""The tests' clock, and dates written relative to it.

Tests that type dates (the console, the stories) read the moment from `DEBTCOACH_NOW`, as the
product does, or the real time when it is unset; every date they type or expect is computed
from that moment, so the suite means the same thing on any day. CI runs them again with the
clock years ahead to prove it.

In a story or a scripted session, `{date:+9d}` is the person's today plus nine days (ISO), and
`{date:+9d+2m}` two months after that; `{date:next friday}` is the first Friday after today (as
the coach reads "next friday"); `|` adds a strftime format: `{date:+0d|%a %-d %b %Y}`.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.clock import parse_moment
from dialogs.reminder_plan import local_now
from dialogs.state import UserState

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EXPRESSION = re.compile(r"\{date:([^}|]+)(?:\|([^}]*))?\}")
_OFFSET = re.compile(r"([+-]\d+)([dm])")


def clock_now() -> datetime:
    """What time the tests say it is: DEBTCOACH_NOW, else now, to the second."""
    setting = os.environ.get("DEBTCOACH_NOW")
    if setting:
        return parse_moment(setting)
    return datetime.now(UTC).replace(microsecond=0)


def today_of(now: datetime, state: UserState | None = None) -> date:
    """The person's own date at `now` (the coach's "today"), in their time zone or its guess."""
    return local_now(state or UserState(), now).date()


def on(today: date, spec: str) -> date:
    spec = spec.strip().lower()
    if spec.startswith("next "):
        wanted = WEEKDAYS.index(spec.removeprefix("next ").strip())
        return today + timedelta(days=(wanted - today.weekday()) % 7 or 7)
    moved = today
    if not _OFFSET.fullmatch(spec) and not re.fullmatch(r"(?:[+-]\d+[dm])+", spec):
        raise ValueError(f"not a date expression: {spec!r}")
    for amount, unit in _OFFSET.findall(spec):
        moved = moved + (timedelta(days=int(amount)) if unit == "d" else relativedelta(months=int(amount)))
    return moved


def expand(text: str, today: date) -> str:
    """`text` with every `{date:...}` replaced (see the module's docstring)."""

    def one(match: re.Match[str]) -> str:
        day = on(today, match.group(1))
        return day.strftime(match.group(2)) if match.group(2) else day.isoformat()

    return _EXPRESSION.sub(one, text)


def short(day: date) -> str:
    """A date as the coach writes it in a sentence: "Tue 1 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"
