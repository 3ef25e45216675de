"""dateparser, wrapped once: the slow, wide reader behind the fast paths of `dates` and `times`.

It reads shapes the fast paths leave ("in two weeks", "the day after next monday"), but costs
about a millisecond a call and raises assorted errors on odd input, so the readers call it last
and only through `dateparser_reading`, which turns every failure into "no date".
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

__all__ = ["dateparser_reading"]


@lru_cache(maxsize=32)
def _parser(languages: tuple[str, ...], base: datetime, date_order: str | None, time_as_period: bool) -> Any:
    """A parser for one set of languages and one "now" (building one costs most of a call)."""
    from dateparser.date import DateDataParser  # type: ignore[import-untyped, unused-ignore]

    settings: dict[str, object] = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
        # No "timestamp" parser: 1700000000 is a mistyped amount, not a date.
        "PARSERS": ["relative-time", "custom-formats", "absolute-time"],
    }
    if date_order is not None:
        settings["DATE_ORDER"] = date_order
    if time_as_period:
        settings["RETURN_TIME_AS_PERIOD"] = True  # period "time" tells "friday 3pm" from a bare "friday"
    try:
        return DateDataParser(languages=list(languages), settings=settings)
    except ValueError:  # a language dateparser does not know
        return DateDataParser(languages=["en"], settings=settings)


def dateparser_reading(
    text: str,
    base: datetime,
    *,
    languages: tuple[str, ...] = ("en",),
    date_order: str | None = None,
    time_as_period: bool = False,
) -> tuple[datetime | None, str | None]:
    """(the naive datetime dateparser reads in `text` relative to `base`, its period), or
    (None, None). The period is "day" or, with `time_as_period`, "time" when a time was given."""
    try:
        data = _parser(languages, base, date_order, time_as_period).get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd input: "no date"
        return None, None
    found = data.date_obj
    return (found, data.period) if isinstance(found, datetime) else (None, None)
