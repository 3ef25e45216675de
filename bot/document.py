"""A person's state as one JSON document, the form every store backend keeps it in.

The document is `dialogs.codec.encode(state)` with a version number and when each debt was
first and last stored (the export reports both). Nothing here lists the state's fields: a field
added to `dialogs/state.py` is stored and loaded with no change to the store, and a stored field
the code does not know makes loading fail instead of vanishing (see dialogs/codec.py).

A document written by an earlier version is brought forward on load, one version at a time,
by the functions in `_UPGRADES`; a store writes only the current version. Each upgrade is frozen
once released: it turns the documents of its version into those of the next and no later code
change may alter what it does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dialogs.codec import decode, encode
from dialogs.state import UserState

VERSION = 2

# When each debt (by seq) was first stored and last changed, ISO, as the export gives them.
Times = dict[int, tuple[str, str]]


def _keep_the_last_five_back_steps(document: dict[str, Any]) -> dict[str, Any]:
    """Version 1 (what migration 0006 made of the rows) kept 20 whole "back" snapshots; from
    version 2 the engine keeps five, each but the newest per debt as what differs from the next."""
    document["state"]["undo"] = document["state"]["undo"][-5:]
    return document


_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _keep_the_last_five_back_steps,
}


@dataclass(frozen=True, slots=True)
class Stored:
    """A document as read or written: its text, and what a save compares with to tell what
    changed."""

    text: str
    encoded: dict[str, Any]  # the state, as encoded
    times: Times = field(default_factory=dict)
    # The state `read` decoded to check the document, handed out by the first `state()`.
    unused: list[UserState] = field(default_factory=list, compare=False, repr=False)

    def state(self) -> UserState:
        """A fresh state each time: the engine edits the one it is given."""
        if self.unused:
            return self.unused.pop()
        return decode(UserState, self.encoded)

    def debt(self, seq: int) -> Any:
        return next((d for d in self.encoded["debts"] if d["seq"] == seq), None)


def upgraded(document: dict[str, Any]) -> dict[str, Any]:
    version = document.get("version")
    if not isinstance(version, int) or not 1 <= version <= VERSION:
        raise ValueError(f"a state document of version {version!r}; this code reads up to {VERSION}")
    while version < VERSION:
        document = _UPGRADES[version](document)
        version += 1
        document["version"] = version
    return document


def read(text: str) -> Stored:
    document = upgraded(json.loads(text))
    times = {int(seq): (created, updated) for seq, (created, updated) in document["debt_times"].items()}
    # A document this code cannot read fails here, before anything is written.
    state = decode(UserState, document["state"])
    return Stored(text, document["state"], times, [state])


def write(state: UserState, now: datetime, before: Stored | None) -> Stored:
    """The document for `state`, with each debt's times carried over from `before` unless the
    debt changed (then it was last stored `now`)."""
    encoded = encode(state)
    seqs = [debt["seq"] for debt in encoded["debts"]]
    if len(set(seqs)) != len(seqs):
        raise ValueError("two debts share a seq")
    stamp = now.astimezone(UTC).isoformat()
    times: Times = {}
    for debt in encoded["debts"]:
        seq = debt["seq"]
        was = None if before is None else before.times.get(seq)
        if was is None:
            times[seq] = (stamp, stamp)
        elif before is not None and before.debt(seq) != debt:
            times[seq] = (was[0], stamp)
        else:
            times[seq] = was
    document = {
        "version": VERSION,
        "state": encoded,
        "debt_times": {str(seq): list(pair) for seq, pair in times.items()},
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Stored(text, encoded, times)


def empty(now: datetime) -> Stored:
    return write(UserState(), now, None)


def currency_of(debt: Any) -> str | None:
    """The currency of a debt's amounts (as encoded), as the export names it beside the debt."""
    if isinstance(debt, dict):
        if debt.keys() == {"amount", "currency"}:
            return str(debt["currency"])
        values: Any = debt.values()
    elif isinstance(debt, list):
        values = debt
    else:
        return None
    for value in values:
        found = currency_of(value)
        if found is not None:
            return found
    return None
