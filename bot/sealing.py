"""What a person told the coach, sealed at rest: a stolen database or backup reads as noise.

With `DEBTCOACH_KEYS` set (keys of 32 random bytes in URL-safe base64, comma-separated, newest
first; `debtcoach new-key` makes one), every column that holds someone's words or figures is
sealed before it is written: the state document, a letter's title and body, an update waiting
in the inbox, a reply waiting in the outbox (models.py's `Sealed` and `SealedText`). Sealing is
libsodium's secret box (XSalsa20 with Poly1305, through PyNaCl): a value changed in the database
is refused, not misread. The keys live outside the database (the environment, a secrets file),
so a dump of it alone reveals nothing.

A sealed value is `dcs1:` and, in URL-safe base64, the id of the key that sealed it (the first
four bytes of its BLAKE2b digest) and the box. So rotation is: put a new key first and keep the
old ones after it; everything is read with whichever key sealed it and written with the new one,
and `debtcoach rotate-keys` seals every row again with the new key, after which the old one can
go. A database written before keys were set reads as it is (it has no such prefix) and is sealed
by the same command.

The keys are the process's, like its logging: the command line sets them once from the settings
(`use`), before any store is opened. PyNaCl is loaded only then: a bot without keys does not
carry it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nacl.secret import SecretBox

SEALED_PREFIX = b"dcs1:"
KEY_BYTES = 32
_ID_BYTES = 4


class KeysMissing(Exception):  # noqa: N818 - it names what is missing, like FileNotFoundError
    """A sealed value, and no key to open it: the process was started without DEBTCOACH_KEYS."""


class WrongKeys(Exception):  # noqa: N818
    """A sealed value none of the keys opens (a key removed too soon, or the value tampered with)."""


@dataclass(frozen=True)
class _Keyring:
    newest: tuple[bytes, SecretBox]
    by_id: dict[bytes, SecretBox]


_keys: _Keyring | None = None


def key_bytes(key: str) -> bytes:
    """A key as DEBTCOACH_KEYS gives it, checked: ValueError if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(key.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not URL-safe base64") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"a key is {KEY_BYTES} bytes")
    return raw


def use(keys: Sequence[str]) -> None:
    """Seal with the first key, open with any; no keys: write in the clear."""
    global _keys
    if not keys:
        _keys = None
        return
    from nacl.secret import SecretBox

    boxes = [(_id_of(raw), SecretBox(raw)) for raw in map(key_bytes, keys)]
    _keys = _Keyring(boxes[0], dict(reversed(boxes)))


def sealing() -> bool:
    return _keys is not None


@contextmanager
def keys_in_use(keys: Sequence[str]) -> Iterator[None]:
    """`use` these keys for a while (a test), then the ones before."""
    global _keys
    before = _keys
    use(keys)
    try:
        yield
    finally:
        _keys = before


def new_key() -> str:
    from nacl.utils import random

    return base64.urlsafe_b64encode(random(KEY_BYTES)).decode("ascii")


def seal(value: bytes) -> bytes:
    if _keys is None:
        return value
    key_id, box = _keys.newest
    return SEALED_PREFIX + base64.urlsafe_b64encode(key_id + box.encrypt(value))


def unseal(value: bytes) -> bytes:
    if not value.startswith(SEALED_PREFIX):
        return value  # written before keys were set
    if _keys is None:
        raise KeysMissing("this database is sealed: start with DEBTCOACH_KEYS set to its keys")
    from nacl.exceptions import CryptoError

    try:
        packed = base64.urlsafe_b64decode(value[len(SEALED_PREFIX) :])
    except binascii.Error:
        raise WrongKeys("a sealed value is damaged") from None
    box = _keys.by_id.get(packed[:_ID_BYTES])
    if box is None:
        raise WrongKeys("no key in DEBTCOACH_KEYS sealed this value (was its key removed too soon?)")
    try:
        return bytes(box.decrypt(packed[_ID_BYTES:]))
    except CryptoError:
        raise WrongKeys("a sealed value does not open: it was changed in the database") from None


def _id_of(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=_ID_BYTES).digest()
