"""How many: `3`, `three`, `3 payments`, `twelve`, `三期`."""

from __future__ import annotations

import re

from dialogs.readers.numbers import NUMBER, number_value, numbers_to_digits
from dialogs.readers.text import fold_width

__all__ = ["parse_count"]

_FIRST_NUMBER = re.compile(rf"(?P<neg>-\s*)?(?P<num>{NUMBER.pattern})", re.VERBOSE)


def parse_count(text: str) -> int | None:
    """A whole count from 1 to 1000: `3`, `three`, `3 payments`, `twelve`, `三期`."""
    if not isinstance(text, str):
        return None
    m = _FIRST_NUMBER.search(numbers_to_digits(fold_width(text).lower()))
    if m is None or m.group("neg"):
        return None
    value = number_value(m.group("num"))
    if value is None or value != value.to_integral_value() or not 1 <= value <= 1000:
        return None
    return int(value)
