"""Each person's data sealed at rest (bot/sealing.py): what a stolen database or a backup shows,
keys rotated without losing a row, and a database from before the keys read and then sealed."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot import sealing
from bot.rotate import rotate
from bot.store import Store
from dialogs.money import Money
from dialogs.state import Debt, UserState
from tests.support.backends import BACKENDS, PG_ENV, database_url, scratch_postgres
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_helpers import Person, negotiation, running_bot

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CREDITOR = "Quillfeather Lending"  # a name that appears nowhere else


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as opened:
        yield opened


def _someone(store: Store) -> None:
    state = UserState(welcomed=True, currency="USD")
    state.debts.append(Debt(seq=1, creditor=CREDITOR, balance=Money.of("4321", "USD")))
    with store.user("telegram", "77") as user:
        user.save(state, NOW)
        user.record_letter(1, "offer", f"Offer to {CREDITOR}", f"Dear {CREDITOR}, I offer $1,000.", NOW)


def _creditor_of(store: Store) -> str:
    with store.user("telegram", "77") as user:
        return user.load().debts[0].creditor


def test_with_keys_what_is_stored_is_sealed_and_reads_back(url: str) -> None:
    key = sealing.new_key()
    with sealing.keys_in_use([key]):
        store = Store(url)
        try:
            _someone(store)
            assert _creditor_of(store) == CREDITOR
            with store.engine.connect() as conn:
                raw = conn.exec_driver_sql("SELECT document FROM users").scalar_one()
                title, body = conn.exec_driver_sql("SELECT title, body FROM letters").one()
            assert bytes(raw).startswith(sealing.SEALED_PREFIX)
            assert title.startswith("dcs1:") and bytes(body).startswith(sealing.SEALED_PREFIX)
            assert CREDITOR.encode() not in bytes(raw) and CREDITOR not in title
            with store.user("telegram", "77") as user:
                [letter] = user.letters()
            assert letter.title == f"Offer to {CREDITOR}" and CREDITOR in letter.body
        finally:
            store.close()


def test_keys_are_rotated_without_losing_a_row(url: str) -> None:
    old, new = sealing.new_key(), sealing.new_key()
    with sealing.keys_in_use([old]):
        store = Store(url)
        _someone(store)
        store.close()
    with sealing.keys_in_use([new, old]):  # the new key first, the old one still there
        store = Store(url)
        assert _creditor_of(store) == CREDITOR
        written = rotate(store)
        store.close()
    assert written["users"] == 1 and written["letters"] == 1
    with sealing.keys_in_use([new]):  # the old key gone: everything still reads
        store = Store(url)
        try:
            assert _creditor_of(store) == CREDITOR
            with store.user("telegram", "77") as user:
                assert user.letters()[0].title == f"Offer to {CREDITOR}"
        finally:
            store.close()
    with sealing.keys_in_use([old]), pytest.raises(sealing.WrongKeys):  # the old key alone opens nothing now
        store = Store(url)
        try:
            _creditor_of(store)
        finally:
            store.close()


def test_a_database_from_before_the_keys_reads_and_is_then_sealed(url: str) -> None:
    store = Store(url)
    _someone(store)  # no keys: in the clear (compressed)
    store.close()
    key = sealing.new_key()
    with sealing.keys_in_use([key]):
        store = Store(url)
        try:
            assert _creditor_of(store) == CREDITOR
            rotate(store)
            with store.engine.connect() as conn:
                raw = conn.exec_driver_sql("SELECT document FROM users").scalar_one()
            assert bytes(raw).startswith(sealing.SEALED_PREFIX)
            assert _creditor_of(store) == CREDITOR
        finally:
            store.close()
    store = Store(url)  # and without the keys, a sealed database says what is missing
    try:
        with pytest.raises(sealing.KeysMissing, match="DEBTCOACH_KEYS"):
            _creditor_of(store)
    finally:
        store.close()


def _pg_dump(url: str) -> str:
    """A plain-SQL backup of the database, as an administrator would take one."""
    parsed = make_url(url)
    found = shutil.which("pg_dump") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))), None)
    assert found is not None, "pg_dump is installed with PostgreSQL (.ci/postgres)"
    env = {**os.environ, "PGPASSWORD": parsed.password or ""}
    where = ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432), "-U", parsed.username or ""]
    done = subprocess.run([str(found), *where, parsed.database or ""], env=env, capture_output=True, check=True)
    return done.stdout.decode("utf-8", errors="replace")


async def _negotiate_and_dump(server: FakeTelegram, tmp_path: Path, url: str) -> str:
    """Someone negotiates (a creditor, a balance, a hardship, a drafted letter), then says one
    more thing while Telegram is away, so that their update and its answer wait in the inbox
    and the outbox too; the backup is taken then."""
    store = Store(url)
    alex = Person(server, 601)
    try:
        async with running_bot(server, store, tmp_path):
            steps = negotiation(until="offer drafted")
            await alex.does([("say", CREDITOR) if value == "Capital One" else (kind, value) for kind, value in steps])
            server.go_down()
            server.user_says(alex.user_id, "They said they want 2,500")
            await server.wait_for(lambda: server.bad_gateways > 0, what="a send while Telegram is away")
            dump = _pg_dump(url)
            server.come_back()
            await alex.settled(len(alex.inbox))
    finally:
        store.close()
    return dump


@pytest.mark.bot
@pytest.mark.skipif(PG_ENV not in os.environ, reason=f"needs PostgreSQL: set {PG_ENV} (CI does)")
async def test_a_backup_of_a_sealed_database_shows_no_name_amount_or_hardship(
    server: FakeTelegram, tmp_path: Path
) -> None:
    secrets = (CREDITOR, "5,000", "5000.00", "lost my job", "Alex Rivera", "Elm St", "2,500")
    with scratch_postgres() as url:
        plain = await _negotiate_and_dump(server, tmp_path / "plain", url)
    # Without keys the words are there to read (the letter's title, what waits to be sent):
    # what the sealed backup is compared with.
    assert CREDITOR in plain
    with scratch_postgres() as url, sealing.keys_in_use([sealing.new_key()]):
        sealed = await _negotiate_and_dump(server, tmp_path / "sealed", url)
        assert "INSERT INTO" in sealed or "COPY public.users" in sealed
        assert [secret for secret in secrets if secret in sealed] == []
