"""Where the bot's blocking work runs: on the event loop for SQLite, in a thread otherwise.

A SQLite transaction is Python holding the GIL from start to end; handing it to a thread adds
the hop and makes the loop and the worker take turns with the GIL (each turn can wait out the
switch interval), which every update queued behind it feels. PostgreSQL waits on the network,
where a thread lets everyone else go on: THREADS of them, so that enough transactions are under
way at once for the database to commit them together, each thread with a pooled connection of
its own (bot/store.py's POOL_SIZE). PDF letters are CPU only and go the same way as SQLite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

from bot.store import POOL_SIZE, Store

P = ParamSpec("P")
R = TypeVar("R")


THREADS = POOL_SIZE


class RunBlocking:
    def __init__(self, store: Store) -> None:
        self.inline = store.engine.dialect.name == "sqlite"
        self._threads = None if self.inline else ThreadPoolExecutor(THREADS, thread_name_prefix="database")
        self._long: ThreadPoolExecutor | None = None

    async def __call__(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._threads is None:
            return fn(*args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._threads, partial(fn, *args, **kwargs))

    async def long(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Work that takes the best part of a second (a letter in Chinese loads a font of 20 MB):
        never on the loop, which would keep everyone else waiting that long."""
        threads = self._threads
        if threads is None:
            if self._long is None:
                self._long = ThreadPoolExecutor(1, thread_name_prefix="long")
            threads = self._long
        return await asyncio.get_running_loop().run_in_executor(threads, partial(fn, *args, **kwargs))
