"""What a person told the coach, sealed at rest: a stolen database or backup reads as noise.

With `DEBTCOACH_KEYS` set (Fernet keys, comma-separated, newest first), every column that holds
someone's words or figures is sealed before it is written: the state document, a letter's title
and body, an update waiting in the inbox, a reply waiting in the outbox (models.py's `Sealed`
and `SealedText`). Fernet is AES-128 in CBC mode with an HMAC-SHA256 over it (the cryptography
package's recipe), so a value changed in the database is refused, not misread. The keys live
outside the database (the environment, a secrets file), so a dump of it alone reveals nothing.

Rotation: put a new key first and keep the old ones after it; everything is read with whichever
key sealed it and written with the new one, and `debtcoach rotate-keys` seals every row again
with the new key, after which the old one can go. A database written before keys were set
reads as it is (a sealed value is told apart by its Fernet prefix) and is sealed by the same
command.

The keys are the process's, like its logging: the command line sets them once from the settings
(`use`), before any store is opened.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Every Fernet token starts with its version byte, 0x80, which is "gAAAAA" in base64 followed by
# the timestamp's high bytes (zero until the year 10889).
SEALED_PREFIX = b"gAAAAA"


class KeysMissing(Exception):  # noqa: N818 - it names what is missing, like FileNotFoundError
    """A sealed value, and no key to open it: the process was started without DEBTCOACH_KEYS."""


class WrongKeys(Exception):  # noqa: N818
    """A sealed value none of the keys opens (a key removed too soon, or the value tampered with)."""


_keys: MultiFernet | None = None


def use(keys: Sequence[str]) -> None:
    """Seal with the first key, open with any; no keys: write in the clear."""
    global _keys
    _keys = MultiFernet([Fernet(key) for key in keys]) if keys else None


def sealing() -> bool:
    return _keys is not None


@contextmanager
def keys_in_use(keys: Sequence[str]) -> Iterator[None]:
    """`use` these keys for a while (a test), then the ones before."""
    before = _keys
    use(keys)
    try:
        yield
    finally:
        _set(before)


def new_key() -> str:
    return Fernet.generate_key().decode()


def seal(value: bytes) -> bytes:
    return value if _keys is None else _keys.encrypt(value)


def unseal(value: bytes) -> bytes:
    if not value.startswith(SEALED_PREFIX):
        return value  # written before keys were set
    if _keys is None:
        raise KeysMissing("this database is sealed: start with DEBTCOACH_KEYS set to its keys")
    try:
        return _keys.decrypt(value)
    except InvalidToken as exc:
        raise WrongKeys("no key in DEBTCOACH_KEYS opens a sealed value") from exc


def _set(keys: MultiFernet | None) -> None:
    global _keys
    _keys = keys
