"""Each person's work strictly in order, several people at once, and nobody's backlog in the way.

A job (handling an update, sending a reminder) is queued under its person's key. A fixed number
of workers take people from one line, first come first served: a worker runs one job of that
person, then puts them at the back of the line if they have more. So a person's jobs run one
at a time, in the order they were queued; a person with sixty queued jobs takes one worker at a
time and gets one turn per round, so everyone else waits for one job of theirs at most; and
someone waiting for their turn holds no worker. Jobs do their database work and return: what
they send goes through the outbox, whose waits (Telegram's flood control, an outage) are spent
outside any worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class Turns:
    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._queues: dict[Hashable, deque[Job]] = {}  # people with work queued or under way
        self._line: asyncio.Queue[Hashable] = asyncio.Queue()  # people waiting for a worker
        self._tasks: list[asyncio.Task[None]] = []
        self._idle = asyncio.Event()
        self._idle.set()
        self.queued = 0  # jobs not finished yet, for back-pressure and tests

    def submit(self, key: Hashable, job: Job) -> None:
        jobs = self._queues.get(key)
        if jobs is None:
            self._queues[key] = deque([job])
            self._line.put_nowait(key)
        else:
            jobs.append(job)  # they are in the line or being served: their turn comes
        self.queued += 1
        self._idle.clear()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work(), name=f"turns-{n}") for n in range(self._workers)]

    async def drain(self, timeout: float) -> bool:
        """Wait until every queued job has run (False if `timeout` ran out first)."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _work(self) -> None:
        while True:
            key = await self._line.get()
            jobs = self._queues[key]
            job = jobs.popleft()
            try:
                await job()
            except Exception as exc:  # a job reports its own failures; this is the last resort
                log.error("a job failed: %s", type(exc).__name__)
            finally:
                self.queued -= 1
                if jobs:
                    self._line.put_nowait(key)
                else:
                    del self._queues[key]
                if self.queued == 0:
                    self._idle.set()
