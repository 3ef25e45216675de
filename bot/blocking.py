"""Where the bot's blocking work runs: on the event loop for SQLite, in a thread otherwise.

A SQLite transaction is Python holding the GIL from start to end; handing it to a thread adds
the hop and makes the loop and the worker take turns with the GIL (each turn can wait out the
switch interval), which every update queued behind it feels. PostgreSQL waits on the network,
where a thread lets everyone else go on. PDF letters are CPU only and go the same way as SQLite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from bot.store import Store

P = ParamSpec("P")
R = TypeVar("R")


class RunBlocking:
    def __init__(self, store: Store) -> None:
        self.inline = store.engine.dialect.name == "sqlite"

    async def __call__(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        if self.inline:
            return fn(*args, **kwargs)
        return await asyncio.to_thread(fn, *args, **kwargs)
