"""How many: `3`, `three`, `3 payments`, `twelve`, `三期`."""

from __future__ import annotations

import re

from dialogs.readers.numbers import NUMBER, number_value, numbers_to_digits
from dialogs.readers.text import fold_width

__all__ = ["parse_count"]

_FIRST_NUMBER = re.compile(rf"(?P<neg>-\s*)?(?P<num>{NUMBER.pattern})", re.VERBOSE)
# "3-4", "3 or 4", 四五期 (written 4-5期): which one is for the person to say.
_RANGE = re.compile(r"\d\s*(?:-|~|\bto\b|\bor\b|到|至|或)\s*\d")


def parse_count(text: str) -> int | None:
    """A whole count from 1 to 1000: `3`, `three`, `3 payments`, `twelve`, `三期`."""
    if not isinstance(text, str):
        return None
    s = numbers_to_digits(fold_width(text).lower())
    m = _FIRST_NUMBER.search(s)
    if m is None or m.group("neg") or _RANGE.search(s):
        return None
    value = number_value(m.group("num"))
    if value is None or value != value.to_integral_value() or not 1 <= value <= 1000:
        return None
    return int(value)
