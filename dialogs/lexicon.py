"""The words the coach understands, from `templates/<locale>/words.toml`, beside its sentences.

A translator adds a language by writing its words next to its messages; no code names a word.
A person's own language is tried first and then every other one, because people mix: a
Taiwanese user types "visa", an American one pastes "信用卡" from a statement.
"""

from __future__ import annotations

import tomllib
from functools import cache

from dialogs.readers.text import fold_width
from dialogs.render import TEMPLATES_DIR, available_locales

__all__ = ["WordTable", "entries", "find", "mentions"]

# (answer, its words), in the order they are tried.
WordTable = tuple[tuple[str, tuple[str, ...]], ...]


@cache
def _tables(locale: str) -> dict[str, WordTable]:
    path = TEMPLATES_DIR / locale / "words.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        raw = tomllib.load(f)
    return {name: tuple((answer, tuple(words)) for answer, words in table.items()) for name, table in raw.items()}


@cache
def entries(locale: str, table: str) -> WordTable:
    """One question's table: the person's language first, then the others in turn."""
    others = [other for other in available_locales() if other != locale]
    return tuple(entry for each in (locale, *others) for entry in _tables(each).get(table, ()))


def _normal(text: str) -> str:
    """Lower case, full-width letters and digits folded, spaces single and around the ends."""
    return f" {' '.join(fold_width(text).lower().split())} "


def find(text: str, locale: str, table: str) -> str | None:
    """The first answer of the table one of whose words the text contains."""
    low = _normal(text)
    return next((answer for answer, words in entries(locale, table) if any(w in low for w in words)), None)


def mentions(text: str, locale: str, table: str) -> list[str]:
    """Every answer of the table the text names, in the table's order, each once."""
    low = _normal(text)
    found = [answer for answer, words in entries(locale, table) if any(w in low for w in words)]
    return list(dict.fromkeys(found))
