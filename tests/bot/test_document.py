"""The state document: every field of every dataclass of the state goes in and comes back out,
and a field the code does not know is refused, never dropped.

The strategy below is built from the dataclasses' own type hints, so a field added to
`dialogs/state.py` is generated (with a value other than its default, often) without touching
this file; a field of a type it cannot generate fails here, loudly, until one is added.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import document
from bot.memory_store import MemoryStore
from dialogs.codec import decode, encode
from dialogs.money import SUPPORTED_CURRENCIES, Money
from dialogs.state import Budget, UserState

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)


def strategy(tp: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy(arg) for arg in typing.get_args(tp)))
    if tp is type(None):
        return st.none()
    if origin is list:
        (item,) = typing.get_args(tp)
        return st.lists(strategy(item), max_size=2)
    if origin is Mapping or origin is dict:
        # The "back" snapshots: JSON objects the store keeps as they are.
        return st.dictionaries(st.text(max_size=6), st.recursive(_JSON_SCALARS, lambda c: st.lists(c, max_size=2)))
    if tp is Money:
        amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
        return st.builds(Money, amounts, st.sampled_from(sorted(SUPPORTED_CURRENCIES)))
    if tp is Decimal:  # a rate: any finite figure keeps its digits
        return st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000)
    if tp is datetime:
        return st.datetimes(timezones=st.just(UTC))
    if tp is date:
        return st.dates()
    if tp is time:
        return st.times()
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp))
    if dataclasses.is_dataclass(tp):
        cls = typing.cast(type, tp)
        hints = typing.get_type_hints(cls)
        return st.builds(cls, **{f.name: strategy(hints[f.name]) for f in dataclasses.fields(cls)})
    if tp in (str, int, bool):
        return st.from_type(tp)
    raise TypeError(f"no strategy for {tp!r}: add one so the new field is round-tripped too")


def _distinct_seqs(state: UserState) -> UserState:
    """A state holds each debt once: the store refuses two with one seq."""
    for number, debt in enumerate(state.debts, start=1):
        debt.seq = number
    return state


STATES = strategy(UserState).map(_distinct_seqs)


@settings(max_examples=60, deadline=None)
@given(STATES)
def test_every_state_comes_back_from_its_document_exactly(state: UserState) -> None:
    written = document.write(state, NOW, None)
    assert encode(document.read(written.text).state()) == encode(state)
    assert decode(UserState, json.loads(json.dumps(encode(state)))) == state


@settings(max_examples=20, deadline=None)
@given(STATES, STATES)
def test_the_memory_store_gives_back_what_was_saved(first: UserState, second: UserState) -> None:
    store = MemoryStore()
    with store.user("t", "1") as person:
        person.save(first, NOW)
    with store.user("t", "1") as person:
        assert encode(person.load()) == encode(first)
        person.save(second, NOW)
    with store.user("t", "1") as person:
        assert encode(person.load()) == encode(second)


def test_a_field_this_code_does_not_know_is_refused_not_dropped() -> None:
    """A document from a version with one more field (here, a copy of Budget with `note`)."""
    fields = [(f.name, f.type, f) for f in dataclasses.fields(Budget)]
    with_note = dataclasses.make_dataclass("Budget", [*fields, ("note", str, dataclasses.field(default=""))])
    with_note.__module__ = Budget.__module__  # where its annotations are read
    newer = encode(with_note(monthly=Money.of("300", "USD"), note="after rent"))
    assert decode(with_note, newer).note == "after rent", "a field added to a dataclass is stored with no other change"
    with pytest.raises(ValueError, match="note"):
        decode(Budget, newer)
    state = encode(UserState())
    state["budget"] = newer
    text = json.dumps({"version": document.VERSION, "state": state, "debt_times": {}})
    with pytest.raises(ValueError, match="note"):
        document.read(text)


def test_a_document_of_a_later_version_is_refused() -> None:
    text = document.write(UserState(), NOW, None).text
    later = json.loads(text)
    later["version"] = document.VERSION + 1
    with pytest.raises(ValueError, match="version"):
        document.read(json.dumps(later))


def test_a_version_1_document_is_brought_forward_on_load() -> None:
    """What migration 0006 wrote: twenty whole "back" snapshots, of which the last five stay."""
    state = encode(UserState())
    state["undo"] = [{"active": 1, "n": n} for n in range(20)]
    old = json.dumps({"version": 1, "state": state, "debt_times": {}})
    assert [s["n"] for s in document.read(old).state().undo] == list(range(15, 20))
    assert json.loads(document.write(document.read(old).state(), NOW, None).text)["version"] == document.VERSION
