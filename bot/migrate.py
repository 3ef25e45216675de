"""Bring a database to the newest schema, with no alembic.ini and no autogenerate at run time.

The Alembic environment ships inside the package (`bot/migrations`), so an installed bot can
create and migrate its own database on first start wherever it runs.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Alembic keeps the running migration's context in module globals, so two threads migrating at
# once (two Stores opened in one process) would drive each other's connections.
_ALEMBIC = threading.Lock()


def config(url: str, connection: Connection | None = None) -> Config:
    cfg = Config()
    # Config values go through configparser interpolation: a literal "%" (a path, or a
    # URL-encoded password) must be doubled.
    cfg.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, connection: Connection | None = None) -> None:
    """Migrate to head; with `connection`, inside that connection's transaction.

    Passing the store's own connection applies its per-connection setup (SQLite pragmas,
    BEGIN IMMEDIATE) to the migration too, which is what serialises two processes starting
    on a fresh database at the same moment.
    """
    with _ALEMBIC:
        command.upgrade(config(url, connection), "head")
