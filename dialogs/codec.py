"""Turn state dataclasses into JSON-ready dicts and back.

Used for the "back" snapshots and the export document: both must survive a restart and a
database, so they cannot hold live objects. Money keeps its amount as a string so no float ever
touches it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from dialogs.money import Money

T = TypeVar("T")


def encode(value: Any) -> Any:
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in _fields(type(value))}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(cls: type[T], data: Any) -> T:
    return typing.cast(T, _decode(cls, data))


@cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(cls)


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
        return cls(**{f.name: _decode(hints[f.name], data[f.name]) for f in _fields(cls) if f.name in data})
    return data
