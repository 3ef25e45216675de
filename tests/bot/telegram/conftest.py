"""What the service's tests (test_webhook.py, test_worker.py) share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.backends import scratch_postgres


@pytest.fixture
def database() -> Iterator[str]:
    """The scratch PostgreSQL database, empty (a test that asks for it skips without one)."""
    with scratch_postgres() as url:
        yield url
