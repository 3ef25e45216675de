"""How an answer to one question is read: a pressed button's action, or the words typed.

A reader takes the step's `Ctx` and returns the value the answer gives, or `Invalid` (what to
say instead, the question staying open). The table in `dialogs/conversation.py` names one per
question, with the field the value fills; the parsing itself (amounts, months, dates) is done
by the parsing functions, so a reader only decides which one and what counts as an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from dialogs.context import Ctx, Invalid
from dialogs.lexicon import find
from dialogs.money import Money
from dialogs.readers.amounts import has_exponent, means_nothing
from dialogs.readers.counts import parse_count
from dialogs.readers.dates import parse_date
from dialogs.readers.durations import parse_months
from dialogs.readers.schedules import names_a_range
from dialogs.readers.yes_no import parse_yes_no
from dialogs.render import example_money, label

Reader = Callable[[Ctx], Any]
Member = TypeVar("Member", bound=StrEnum)


def member(kind: type[Member], value: str | None) -> Member | None:
    """The enum member named by a button or keyword, or None for anything else."""
    try:
        return None if value is None else kind(value)
    except ValueError:
        return None


def yes_no(ctx: Ctx) -> bool | Invalid:
    if ctx.action in ("yes", "no"):
        return ctx.action == "yes"
    said = parse_yes_no(ctx.text)
    return Invalid("e_yes_no.html") if said is None else said


def months(ctx: Ctx) -> int | Invalid:
    found = parse_months(ctx.action or ctx.text)
    return Invalid("e_months.html") if found is None else found


def one_of(kind: type[Member], table: str, error: str) -> Callable[[Ctx], Member | Invalid]:
    """A button of the enum, or the first answer of the words table (`words.toml`) typed."""

    def read(ctx: Ctx) -> Member | Invalid:
        found = member(kind, ctx.action or find(ctx.text, ctx.locale, table))
        return Invalid(error) if found is None else found

    read.__name__ = f"one_of_{kind.__name__}"
    return read


def words(most: int, error: str, *, skip: str | None = None, name: bool = False) -> Callable[[Ctx], str | Invalid]:
    """Typed words, spaces tidied, cut at `most` characters; a button is no answer here, except
    the `skip` one, which answers with nothing. A `name` is not a command's spelling."""

    def read(ctx: Ctx) -> str | Invalid:
        if skip is not None and ctx.action == skip:
            return ""
        text = " ".join(ctx.text.split())[:most]
        if ctx.action is not None or not text or (name and text.startswith("/")):
            return Invalid(error)
        return text

    read.__name__ = f"words_{most}"
    return read


def amount(example: int, *, zero: str | None = None) -> Callable[[Ctx], Money | Invalid]:
    """An amount in the debt's currency. The `zero` button answers nothing; without one, nothing
    is no answer. `example`: what to show when it cannot be read, in dollars (render.example_money)."""

    def read(ctx: Ctx) -> Money | Invalid:
        if zero is not None and (ctx.action == zero or (ctx.action is None and means_nothing(ctx.text))):
            return Money.zero(ctx.currency)
        if has_exponent(ctx.text) or names_a_range(ctx.text):
            return Invalid("e_one_amount.html", (("example", example_money(example, ctx.user)),))
        found = ctx.amount()
        if found is None or (zero is None and not found):
            return Invalid("e_amount.html", (("example", example_money(example, ctx.user)),))
        if found.currency != ctx.currency:
            return Invalid("e_currency.html", (("currency", ctx.currency),))
        return found

    read.__name__ = f"amount_{'or_zero' if zero else 'owed'}"
    return read


def first_amount(ctx: Ctx) -> Money | Invalid:
    """The first balance sets the person's currency; every later one must be in it."""
    found = ctx.amount()
    if found is None or not found:
        return Invalid("e_amount.html", (("example", example_money(5000, ctx.user)),))
    if ctx.user.currency is not None and found.currency != ctx.user.currency:
        return Invalid("e_currency.html", (("currency", ctx.user.currency),))
    return found


def count(least: int, most: int, error: str) -> Callable[[Ctx], int | Invalid]:
    def read(ctx: Ctx) -> int | Invalid:
        found = parse_count(ctx.action or ctx.text)
        if found is None or not least <= found <= most:
            return Invalid(error, (("most", most),))
        return found

    read.__name__ = f"count_{least}_{most}"
    return read


def date_within(latest: timedelta) -> Callable[[Ctx], date | Invalid]:
    """A date from today to `latest` ahead, in the person's own words ("next friday", "下週五")."""

    def read(ctx: Ctx) -> date | Invalid:
        when = parse_date(ctx.text, ctx.today, ctx.locale)
        if when is None or when < ctx.today or when > ctx.today + latest:
            return Invalid("e_date.html", (("example", label(ctx.locale, "example_date")),))
        return when

    read.__name__ = "date_within"
    return read


def go_on(error: str) -> Callable[[Ctx], bool | Invalid]:
    """An explanation's "understood, continue": its button, a yes, or its words (words.toml)."""

    def read(ctx: Ctx) -> bool | Invalid:
        typed = find(ctx.text, ctx.locale, "go_on") if ctx.action is None else None
        if ctx.action == "continue" or parse_yes_no(ctx.text) is True or typed is not None:
            return True
        return Invalid(error)

    read.__name__ = "go_on"
    return read
