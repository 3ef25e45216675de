"""Turn state dataclasses into JSON-ready dicts and back.

Used for the stored state document, the "back" snapshots and the export: all must survive a
restart and a database, so they cannot hold live objects. Every field of every dataclass is
encoded, so a field added to `dialogs/state.py` is stored with no other change; decoding refuses
a field it does not know rather than drop it. Money keeps its amount as a string so no float
ever touches it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from dialogs.money import Money

T = TypeVar("T")


def encode(value: Any) -> Any:
    return _encoder(value.__class__)(value)


@cache
def _encoder(cls: type) -> Callable[[Any], Any]:
    """How to encode values of one class, decided once per class: every answer encodes a
    snapshot of the person's debt, and asking isinstance of each value five times over was
    most of it."""
    if issubclass(cls, Money):
        return _money
    if issubclass(cls, Enum):
        return _enum
    if issubclass(cls, date | time):  # datetime is a date
        return _isoformat
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in _fields(cls))
        return lambda value: {name: encode(getattr(value, name)) for name in names}
    if issubclass(cls, list):
        return lambda value: [encode(v) for v in value]
    if issubclass(cls, Mapping):
        return lambda value: {k: encode(v) for k, v in value.items()}
    return _unchanged


def _money(value: Money) -> dict[str, str]:
    return {"amount": str(value.amount), "currency": value.currency}


def _enum(value: Enum) -> Any:
    return value.value


def _isoformat(value: date | time) -> str:
    return value.isoformat()


def _unchanged(value: Any) -> Any:
    return value


def decode(cls: type[T], data: Any) -> T:
    return typing.cast(T, _decode(cls, data))


@cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(cls)


@cache
def _names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in _fields(cls))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner[0], data)
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_decode(item, v) for v in data]
    if origin is dict:
        return dict(data)
    if tp is Money:
        return Money(Decimal(data["amount"]), data["currency"])
    if tp is date:
        return date.fromisoformat(data)
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is time:
        return time.fromisoformat(data)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if dataclasses.is_dataclass(tp):
        cls = typing.cast(type, tp)
        hints = _hints(cls)
        unknown = data.keys() - _names(cls)
        if unknown:
            # Written by a version with fields this one lacks: dropping them would lose data.
            raise ValueError(f"{cls.__name__} has no field {sorted(unknown)}")
        return cls(**{f.name: _decode(hints[f.name], data[f.name]) for f in _fields(cls) if f.name in data})
    return data
