"""bot/service.py: one input, one transaction, on a database that may go away under it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bot.service import handle
from bot.store import Store
from dialogs.step_io import Input
from tests.support.backends import PG_ENV, scratch_postgres

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _end_every_other_session(url: str) -> int:
    """What a restart of PostgreSQL does to the bot's pooled connections."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(ended)


@pytest.mark.skipif(PG_ENV not in os.environ, reason=f"needs PostgreSQL: set {PG_ENV} (CI does)")
def test_an_answer_after_the_database_restarted_is_taken_as_any_other() -> None:
    with scratch_postgres() as url:
        store = Store(url)
        try:
            handle(store, "test", "ana", Input.command("start"), NOW, input_key="1")
            assert _end_every_other_session(url) >= 1  # the pooled connection the first answer used
            after = handle(store, "test", "ana", Input.text("Capital One"), NOW + timedelta(seconds=5), input_key="2")
            assert after.result is not None and after.result.changed
            with store.user("test", "ana") as ana:
                assert [debt.creditor for debt in ana.load().debts] == ["Capital One"]
        finally:
            store.close()
