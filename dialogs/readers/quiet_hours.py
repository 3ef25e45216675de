"""Quiet hours: when no reminder may arrive. "21:00-08:00", "9pm to 8am", "22-7", "晚上10點到早上7點"."""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

from dialogs.readers.times import spoken_time, wall_time

__all__ = ["parse_quiet_hours"]

_MAX_TEXT = 200  # nobody types quiet hours that long


def _quiet_end(side: str) -> str:
    return (rf"(?P<{side}zh>晚上|下午|早上|上午|凌晨)?(?:(?P<{side}h>\d{{1,2}})(?:[:.h](?P<{side}m>[0-5]\d))?\s*"
            rf"[點点時时]?\s*(?:(?P<{side}ap>[ap])(?:\.?\s?m)?\b\.?)?|(?P<{side}w>noon|midnight))")


_QUIET = re.compile(rf"{_quiet_end('a')}\s*(?:-|~|\b(?:to|until|till?|through|thru|and)\b|到|至)\s*{_quiet_end('b')}")
_QUIET_OFF = re.compile(r"\b(?:off|none|never|any\s*time|no|nope|disabled?)\b|關閉|关闭|不用|隨時|随时|都可以")


def _quiet_side(m: re.Match[str], side: str) -> tuple[int, int, str, bool]:
    """(hour, minute, "a"/"p"/"", literal) for one end of a quiet-hours range."""
    word, digits, zh = m[side + "w"], m[side + "h"] or "", m[side + "zh"]
    h = 0 if word == "midnight" else 12 if word else int(digits)
    half = m[side + "ap"] or ("p" if zh in ("晚上", "下午") else "a" if zh else "")
    literal = bool(word) or h == 0 or h > 12 or (digits.startswith("0") and len(digits) == 2)
    return h, int(m[side + "m"] or 0), half, literal


def parse_quiet_hours(text: str) -> tuple[time, time] | Literal["off"] | None:
    """Hours when no reminder may arrive, as (start, end) wall times, "off", or None.

    Reads "21:00-08:00", "9pm to 8am", "22-7", "10pm-6:30am", "from 23 to 7",
    "晚上10點到早上7點"; "off", "none", "anytime" turn them off. Quiet hours are for
    sleep, so "10-6" is 22:00-06:00 and "9pm-7" ends at 07:00, while "10:00-06:00"
    (a leading zero) is taken as written. A range that ends where it starts is None.
    """
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        return None
    s = spoken_time(text)
    if (m := _QUIET.search(s)) is None:  # "no calls after 10" is not "off"
        return "off" if _QUIET_OFF.search(s) and not re.search(r"\d", s) else None
    (h1, m1, half1, literal1), (h2, m2, half2, literal2) = _quiet_side(m, "a"), _quiet_side(m, "b")
    if not (half1 or half2 or literal1 or literal2) and h1 > h2:
        half1, half2 = ("a" if h1 == 12 else "p"), "a"  # "10-6": from the evening to the morning
    elif bool(half1) != bool(half2):  # "9pm-7" ends at 7am, "1pm-3" at 3pm, "10-6am" starts at 10pm
        known = half1 or half2
        guess = known if (h1 % 12, m1) < (h2 % 12, m2) else "ap".replace(known, "")
        half1, half2 = half1 or guess, half2 or guess
    try:
        start, end = wall_time(h1, m1, half1, literal1 or not half1), wall_time(h2, m2, half2, literal2 or not half2)
    except ValueError:
        return None
    return None if start == end else (start, end)
