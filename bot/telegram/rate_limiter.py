"""The bot's rate limiter: every call waits out Telegram's flood control and brief network trouble.

A 429 carries `retry_after`: the request waits that long and is sent again, as often as
Telegram asks (up to a cap, so one call cannot wait forever). A network error or timeout is
retried with exponential backoff, a few times. Telegram's refusals (bad request, forbidden)
are not retried: sending the same thing again cannot succeed. What outlasts this is the
caller's to decide: the couriers keep trying the outbox until Telegram is back (couriers.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]

BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)
MAX_FLOOD_WAITS = 20


class RetryingRateLimiter(BaseRateLimiter[None]):
    def __init__(self, backoff: Sequence[float] = BACKOFF, max_flood_waits: int = MAX_FLOOD_WAITS) -> None:
        self._backoff = tuple(backoff)
        self._max_flood_waits = max_flood_waits
        self.flood_waits = 0  # counted for the benchmark and the tests
        self.network_retries = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        floods = failures = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                floods += 1
                if floods > self._max_flood_waits:
                    raise
                self.flood_waits += 1
                delay = retry_after_seconds(exc.retry_after)
                log.warning("Telegram asked us to wait %.1f s before %s", delay, endpoint)
                await asyncio.sleep(delay)
            except (BadRequest, Forbidden, InvalidToken):
                raise
            except NetworkError as exc:  # also TimedOut
                if failures >= len(self._backoff):
                    raise
                self.network_retries += 1
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, type(exc).__name__, self._backoff[failures])
                await asyncio.sleep(self._backoff[failures])
                failures += 1


def retry_after_seconds(value: int | timedelta) -> float:
    """A 429's retry_after in seconds: PTB gives an int, or a timedelta with PTB_TIMEDELTA set."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
