"""Bring a database to the newest schema, with no alembic.ini and no autogenerate at run time.

The Alembic environment ships inside the package (`bot/migrations`), so an installed bot can
create and migrate its own database on first start wherever it runs.

Nearly every start finds the database at the newest revision already, so `upgrade` first compares
the revision recorded in the database with the newest one in `bot/migrations/versions/`, read from
the files' `revision` and `down_revision` lines, and imports Alembic only when they differ: its
command machinery is several megabytes that a waiting bot would otherwise carry for nothing.
"""

from __future__ import annotations

import ast
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which bot/migrations/env.py keeps

# Alembic keeps the running migration's context in module globals, so two threads migrating at
# once (two Stores opened in one process) would drive each other's connections.
_ALEMBIC = threading.Lock()


def ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether a database object is the bot's (an `include_name` filter for Alembic's
    comparisons): the job queue's tables are procrastinate's (0008_job_queue.py), not our models'."""
    return not (name or "").startswith("procrastinate_")


def config(url: str, connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    # Config values go through configparser interpolation: a literal "%" (a path, or a
    # URL-encoded password) must be doubled.
    cfg.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def head_revision() -> str | None:
    """The one revision no other migration builds on, or None when that cannot be told from the
    files alone (several heads, or a revision not written as a plain string)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values = _module_strings(path)
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        parents.update([down] if isinstance(down, str) else down if isinstance(down, tuple) else ())
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def _module_strings(path: Path) -> dict[str, object]:
    """The module's top-level `name = <literal>` and `name: type = <literal>` assignments."""
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                values[target.id] = ast.literal_eval(value)
            except (ValueError, TypeError):
                continue
    return values


def is_at_head(connection: Connection) -> bool:
    """Whether the database on `connection` is already at the newest revision."""
    head = head_revision()
    if head is None or not inspect(connection).has_table(VERSION_TABLE):
        return False
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]


def needs_upgrade(url: str) -> bool:
    """Whether the database at `url` is missing or behind, found without creating it (a new SQLite
    file must be made by the store, owner-only). A database that cannot be reached is left to the
    store to report: False."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return False  # private to one process: only that process can migrate it
        if not Path(parsed.database).exists():
            return True
    engine = create_engine(parsed, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return not is_at_head(connection)
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def upgrade(url: str, connection: Connection | None = None) -> None:
    """Migrate to head; with `connection`, inside that connection's transaction.

    Passing the store's own connection applies its per-connection setup (SQLite pragmas,
    BEGIN IMMEDIATE) to the migration too, which is what serialises two processes starting
    on a fresh database at the same moment.
    """
    if connection is not None and is_at_head(connection):
        return
    from alembic import command

    with _ALEMBIC:
        command.upgrade(config(url, connection), "head")
