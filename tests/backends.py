"""The backends a test can run on: SQLite always, and PostgreSQL when DEBTCOACH_TEST_POSTGRES_URL
names a scratch database (CI sets it), emptied before and after; memory too, for the storage
interface alone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bot.models import Base

PG_ENV = "DEBTCOACH_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]
# Where a person's state can be kept (bot/storage.py): the database backends, and memory.
STORAGES = ["memory", *BACKENDS]


def drop_everything(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """The PostgreSQL URL, its database empty while the test runs and after."""
    url = os.environ[PG_ENV]
    drop_everything(url)
    try:
        yield url
    finally:
        drop_everything(url)
