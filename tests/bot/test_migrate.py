"""The start-up check of the schema: Alembic runs only when the database is behind."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bot.migrate import config, head_revision, is_at_head, needs_upgrade
from bot.store import Store
from tests.support.backends import BACKENDS, scratch_postgres

# Opens the store twice, as two starts of the bot would, and reports whether Alembic was imported.
OPEN_STORE = """
import sys
from bot.store import Store
Store(sys.argv[1]).close()
print("alembic" in sys.modules)
"""


def _opens_importing_alembic(url: str) -> bool:
    done = subprocess.run([sys.executable, "-c", OPEN_STORE, url], capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


def test_the_newest_revision_is_read_from_the_files_as_alembic_reads_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert head_revision() == ScriptDirectory.from_config(config(url)).get_current_head()


def test_a_database_at_the_newest_revision_is_opened_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert _opens_importing_alembic(url), "a new database is created by the migrations"
    assert not _opens_importing_alembic(url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            assert is_at_head(conn)
            conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
            assert not is_at_head(conn)
    finally:
        engine.dispose()


def test_a_database_without_alembic_table_is_not_at_head(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert not is_at_head(conn)
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
    else:
        with scratch_postgres() as url:
            yield url


def test_needs_upgrade_tells_a_new_or_old_database_from_a_current_one(empty_url: str) -> None:
    path = Path(empty_url.removeprefix("sqlite:///"))
    assert needs_upgrade(empty_url)
    assert empty_url.startswith("postgresql") or not path.exists(), "the store creates the file, owner-only"
    Store(empty_url).close()
    assert not needs_upgrade(empty_url)
    engine = create_engine(empty_url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    finally:
        engine.dispose()
    assert needs_upgrade(empty_url)


def test_an_unreachable_database_is_left_for_the_store_to_report() -> None:
    assert not needs_upgrade("postgresql+psycopg://nobody:wrong@127.0.0.1:1/nothing")
