"""The backends a test can run on: SQLite always, and PostgreSQL when DEBTCOACH_TEST_POSTGRES_URL
names a scratch database (CI sets it), emptied before and after; memory too, for the storage
interface alone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from bot.models import Base

PG_ENV = "DEBTCOACH_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]
# Where a person's state can be kept (bot/storage.py): the database backends, and memory.
STORAGES = ["memory", *BACKENDS]


def drop_everything(url: str) -> None:
    """Every table, and on PostgreSQL everything else in the schema too: the job queue's
    functions and types (bot/migrations/versions/0008_job_queue.py)."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
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


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """A database for one test: a SQLite file in `folder`, or the scratch PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'debtcoach.sqlite3'}"
        return
    with scratch_postgres() as url:
        yield url


def database_of_worker(url: str, worker: str) -> str:
    """`url` with a database of the worker's own on the same server (`<name>_gw0`), created when
    missing: two pytest-xdist workers emptying one scratch database would wipe each other's."""
    given = make_url(url)
    own = given.set(database=f"{given.database}_{worker}")
    engine = create_engine(given, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database})
            if exists.first() is None:
                conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)
