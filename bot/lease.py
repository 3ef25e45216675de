"""One poller per database: the lease `debtcoach run` holds while it runs.

Telegram gives a token's updates to one poller; a second `debtcoach run` on the same database
would also answer the first one's inbox and outbox, which it takes for what a crash left behind,
sending each person their replies twice. So a poller takes a lease before it reads either: on
PostgreSQL a session advisory lock (the server lets it go when the holder's connection ends, a
crash included), on SQLite an exclusive lock on a file beside the database (the kernel lets it
go when the process ends). A second poller waits a while for it, so a rolling restart hands
over (the old process stops cleanly, the new one takes the lease and starts), and refuses to
start when the lease stays taken.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import zlib
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text

# The advisory lock's key: any fixed number; derived from a name so that it says what it is for.
POLLING_KEY = zlib.crc32(b"debtcoach polling lease")
RETRY = 0.2  # seconds between tries while waiting for the lease


class PollingLease:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        """Take the lease if nobody holds it; True when this process holds it now."""
        if self._connection is not None or self._file is not None:
            return True
        if self._engine.dialect.name == "postgresql":
            return self._try_advisory_lock()
        return self._try_file_lock()

    async def acquire(self, wait: float) -> bool:
        """Take the lease, waiting up to `wait` seconds for another poller to let go of it."""
        deadline = asyncio.get_running_loop().time() + wait
        while not await asyncio.to_thread(self.try_acquire):
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(RETRY)
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": POLLING_KEY})
            finally:
                # Closing ends the session too, which releases a lock the unlock could not.
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _try_advisory_lock(self) -> bool:
        connection = self._engine.connect()
        try:
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": POLLING_KEY}).scalar()
            # The lock belongs to the session, not to a transaction: end the one the query opened.
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def _try_file_lock(self) -> bool:
        path = _lock_file(self._engine)
        if path is None:  # a database in memory: no other process can share it
            return True
        # Owner-only, as the database beside it.
        handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True


def _lock_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(f"{database}.poller-lock")
