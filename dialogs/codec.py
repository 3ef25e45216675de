"""Turn state dataclasses into JSON-ready dicts and back.

Used for the stored state document, the "back" snapshots and the export: all must survive a
restart and a database, so they cannot hold live objects. Every field of every dataclass is
encoded, so a field added to `dialogs/state.py` is stored with no other change; decoding refuses
a field it does not know rather than drop it. Money and any Decimal (a rate) keep their digits as a string so
no float ever touches them.
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
    cls = value.__class__
    return value if cls in _AS_THEY_ARE else _encoder(cls)(value)


_AS_THEY_ARE = frozenset({str, int, bool, float, type(None)})


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
    if issubclass(cls, Decimal):
        return str
    if dataclasses.is_dataclass(cls):
        return _dataclass_encoder(tuple(f.name for f in _fields(cls)))
    if issubclass(cls, list):
        return _list_encoder
    if issubclass(cls, Mapping):
        return lambda value: {k: encode(v) for k, v in value.items()}
    return _unchanged


def _dataclass_encoder(names: tuple[str, ...]) -> Callable[[Any], dict[str, Any]]:
    # `encode` written out inline for each field: a state is some 150 values, mostly plain.
    def encode_dataclass(value: Any) -> dict[str, Any]:
        encoded = {}
        for name in names:
            field_value = getattr(value, name)
            cls = field_value.__class__
            encoded[name] = field_value if cls in _AS_THEY_ARE else _encoder(cls)(field_value)
        return encoded

    return encode_dataclass


def _list_encoder(value: list[Any]) -> list[Any]:
    return [v if v.__class__ in _AS_THEY_ARE else _encoder(v.__class__)(v) for v in value]


def _money(value: Money) -> dict[str, str]:
    return {"amount": str(value.amount), "currency": value.currency}


def _enum(value: Enum) -> Any:
    return value.value


def _isoformat(value: date | time) -> str:
    return value.isoformat()


def _unchanged(value: Any) -> Any:
    return value


def decode(cls: type[T], data: Any) -> T:
    decode_value: Callable[[Any], Any] = _decoder(typing.cast(Any, cls))
    return typing.cast(T, decode_value(data))


@cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(cls)


@cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    """How to decode values of one type, decided once per type, as `_encoder` does: every
    answer loads the person's whole state, and asking typing about each field's hint again
    for every value was most of the cost."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _optional(_decoder(inner[0]))
    if origin is list:
        (item,) = typing.get_args(tp)
        return _optional(_list_of(_decoder(item)))
    if origin is dict:
        return _optional(dict)
    if tp is Money:
        return _optional(_money_of)
    if tp is Decimal:
        return _optional(Decimal)
    if tp is date:
        return _optional(date.fromisoformat)
    if tp is datetime:
        return _optional(datetime.fromisoformat)
    if tp is time:
        return _optional(time.fromisoformat)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _optional(tp)
    if dataclasses.is_dataclass(tp):
        return _optional(_dataclass_of(typing.cast(type, tp)))
    return _unchanged


def _optional(decode_value: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda data: None if data is None else decode_value(data)


def _list_of(decode_item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda data: [decode_item(v) for v in data]


def _money_of(data: Any) -> Money:
    return Money(Decimal(data["amount"]), data["currency"])


def _dataclass_of(cls: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    names = frozenset(f.name for f in _fields(cls))
    fields = tuple((f.name, _decoder(hints[f.name])) for f in _fields(cls))

    def decode_dataclass(data: Any) -> Any:
        unknown = data.keys() - names
        if unknown:
            # Written by a version with fields this one lacks: dropping them would lose data.
            raise ValueError(f"{cls.__name__} has no field {sorted(unknown)}")
        return cls(**{name: decode_field(data[name]) for name, decode_field in fields if name in data})

    return decode_dataclass
