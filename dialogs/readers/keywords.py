"""One answer out of a list, named by any of its keywords: "it's a visa card" is a credit card."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["keyword"]


def keyword(text: str, table: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The first entry whose any keyword appears in the text (a table ordered most specific
    first, so "private student loan" is read before "loan")."""
    low = f" {' '.join(text.lower().split())} "
    for value, words in table:
        if any(w in low for w in words):
            return value
    return None
