"""A database of release 0005, as that release's store wrote it, upgraded to the newest schema:
every person's state comes back identical, on every backend.

The fixture (tests/fixtures/release_0005, made by its make_fixture.py with that release's code)
holds every row of every table after many people went through real conversations, and what
each person's state and export were. The rows are written into a database migrated to
revision 0005, the store upgrades it to head, and each person is loaded with today's store.

"Back" history may be kept in another form after the upgrade, so it is not compared as data;
what it must still do is: each of the last /back steps the fixture recorded (up to
`dialogs.engine.UNDO_DEPTH` of them) restores exactly the state it restored before.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import JSON, Date, DateTime, MetaData, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bot.migrate import config
from bot.service import handle
from bot.store import Store
from dialogs.codec import decode, encode
from dialogs.engine import UNDO_DEPTH, undo
from dialogs.state import UserState
from dialogs.step_io import Input
from tests.support.backends import BACKENDS, scratch_postgres

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release_0005"
TABLES: dict[str, Any] = json.loads((FIXTURE / "tables.json").read_text())
PEOPLE: list[dict[str, Any]] = json.loads((FIXTURE / "people.json").read_text())
# What the export says of each debt besides the state's own fields.
DEBT_KEYS = ("seq", "currency", "created_at", "updated_at")


@pytest.fixture(params=BACKENDS)
def release_0005(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at revision 0005 holding the fixture's rows."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}"
        load_rows(url)
        yield url
        return
    with scratch_postgres() as url:
        load_rows(url)
        yield url


def load_rows(url: str) -> None:
    command.upgrade(config(url), "0005")
    engine = create_engine(url, poolclass=NullPool)
    try:
        metadata = MetaData()
        with engine.begin() as conn:
            metadata.reflect(conn)
            # Parents first: the foreign keys are checked on both backends.
            for table in metadata.sorted_tables:
                if table.name == "alembic_version":
                    continue
                dumped = TABLES[table.name]
                assert set(dumped["columns"]) == set(table.columns.keys()), table.name
                rows = [dict(zip(dumped["columns"], row, strict=True)) for row in dumped["rows"]]
                rows = [{k: typed(table.c[k].type, v) for k, v in row.items()} for row in rows]
                if rows:
                    conn.execute(table.insert(), rows)
                if make_url(url).get_backend_name() == "postgresql" and "id" in table.c:
                    # The ids were written as they were: the sequences go on after them.
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) FROM {table.name}")
                    )
    finally:
        engine.dispose()


def typed(kind: Any, value: Any) -> Any:
    if value is None or isinstance(kind, JSON):
        return value
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def without_undo(state: UserState) -> dict[str, Any]:
    encoded: dict[str, Any] = encode(state)
    del encoded["undo"]
    return encoded


def as_read_today(recorded: dict[str, Any]) -> dict[str, Any]:
    """A state release 0005 recorded, as today's dataclasses read it: a field added since then
    (such as `Debt.charged_off`) takes its default, and nothing else may differ."""
    return without_undo(decode(UserState, {**recorded, "undo": []}))


def test_the_fixture_has_people_in_every_kind_of_state() -> None:
    """What the fixture must cover for the test below to mean anything."""
    states = [p["state"] for p in PEOPLE]
    steps = {d["state"] for s in states for d in s["debts"]}
    assert {"creditor", "balance", "awaiting_reply", "decision", "repaying", "settled"} <= steps
    assert any(len(s["debts"]) > 1 for s in states)
    assert any(s["asking"] for s in states) and any(s["confirming"] for s in states)
    payments = {p["status"] for s in states for d in s["debts"] for p in d["payments"]}
    assert payments == {"due", "paid", "missed"}
    assert any(p["export"]["letters"] for p in PEOPLE) and any(p["export"]["reminders"] for p in PEOPLE)
    assert any(len(p["backs"]) == 3 for p in PEOPLE)
    assert {p["channel"] for p in PEOPLE} == {"telegram", "console"}


def test_every_person_comes_back_as_they_were(release_0005: str) -> None:
    store = Store(release_0005)
    try:
        for person in PEOPLE:
            who = f"{person['channel']}:{person['external_id']}"
            with store.user(person["channel"], person["external_id"]) as user:
                state = user.load()
                assert without_undo(state) == as_read_today(person["state"]), who
                export = user.export()
                export["debts"] = [{k: d[k] for k in DEBT_KEYS} for d in export["debts"]]
                del export["user"]["undo"], export["outbox"]
                # Added since release 0005: a budget given then is undated.
                assert export["user"]["budget"].pop("as_of", None) is None, who
                # And the letters' details, not yet asked of anyone then.
                for added in ("full_name", "postal_address"):
                    assert export["user"].pop(added) is None, who
                # And where they live: coached as in the US, as everyone was then.
                assert export["user"].pop("place") is None and not export["user"].pop("place_confirmed"), who
                assert export["user"].pop("prenegotiation") is None, who
                # Added since release 0005: a zone stored then is not known to be confirmed.
                assert export["user"]["reminder_settings"].pop("zone_confirmed", None) is False, who
                assert export == person["export"], who
                for expected in person["backs"][:UNDO_DEPTH]:
                    assert undo(state), f"{who}: /back has nothing left to undo"
                    assert without_undo(state) == as_read_today(expected), who
    finally:
        store.close()


def test_people_go_on_after_the_upgrade(release_0005: str) -> None:
    """A migrated person answers the next question, and someone new can start."""
    person = next(p for p in PEOPLE if p["state"]["debts"] and p["state"]["debts"][-1]["state"] == "awaiting_reply")
    store = Store(release_0005)
    try:
        now = datetime.fromisoformat(person["export"]["user"]["updated_at"])
        handled = handle(store, "telegram", person["external_id"], Input.command("status"), now, input_key="new:1")
        assert handled.result is not None
        handled = handle(store, "telegram", "someone new", Input.text("hi"), now, input_key="new:2")
        assert handled.result is not None and handled.result.state.debts
        with store.user("telegram", "someone new") as user:
            assert user.load().welcomed
    finally:
        store.close()


def raw_texts(url: str) -> tuple[dict[int, bytes | str], dict[int, bytes | str]]:
    """Each person's document and each letter's body as the database holds them, by row id."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            documents = dict(conn.execute(text("SELECT id, document FROM users")).all())
            bodies = dict(conn.execute(text("SELECT id, body FROM letters")).all())
    finally:
        engine.dispose()
    return documents, bodies


def exports(store: Store) -> list[dict[str, Any]]:
    found = []
    for person in PEOPLE:
        with store.user(person["channel"], person["external_id"]) as user:
            found.append(user.export())
    return found


def processed_keys(url: str) -> set[tuple[str, str, datetime]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT channel, input_key, processed_at FROM processed_inputs")).all()
    finally:
        engine.dispose()
    return {(c, k, at if isinstance(at, datetime) else datetime.fromisoformat(at)) for c, k, at in rows}


def test_every_processed_input_is_still_recognised_after_the_upgrade(release_0005: str) -> None:
    """A Telegram update answered before the upgrade and delivered again after it is not
    answered twice; a new one is."""
    recorded = TABLES["processed_inputs"]
    keys = [dict(zip(recorded["columns"], row, strict=True)) for row in recorded["rows"]]
    now = datetime.now(UTC)
    store = Store(release_0005)
    try:
        for key in keys:
            with store.user(key["channel"], "anyone") as user:
                assert not user.claim(key["input_key"], now), key
        with store.user("telegram", "anyone") as user:
            assert user.claim("update:new", now)
    finally:
        store.close()
    assert len(processed_keys(release_0005)) == len(keys) + 1


def test_documents_and_letters_are_kept_compressed_and_a_downgrade_gives_the_text_back(release_0005: str) -> None:
    """The upgrade from 0005 goes through 0007 with every row of the fixture: each document and
    letter is stored as a zlib stream of its text, and going back to 0006 gives that text back
    as text (and the processed inputs as they were), which the store then upgrades again with
    nobody's export changed."""
    store = Store(release_0005)
    try:
        before = exports(store)
    finally:
        store.close()
    documents, bodies = raw_texts(release_0005)
    keys = processed_keys(release_0005)
    assert len(keys) == len(TABLES["processed_inputs"]["rows"])
    assert len(documents) == len(PEOPLE) and bodies
    texts = {i: zlib.decompress(bytes(b)).decode() for i, b in documents.items()}
    letters = {i: zlib.decompress(bytes(b)).decode() for i, b in bodies.items()}
    assert sum(map(len, documents.values())) < sum(len(t.encode()) for t in texts.values()) / 2
    assert {json.loads(t)["version"] for t in texts.values()} == {1}  # as 0006 wrote them: untouched
    assert sorted(letters.values()) == sorted(x["body"] for e in before for x in e["letters"])

    command.downgrade(config(release_0005), "0006")
    assert raw_texts(release_0005) == (texts, letters)
    assert processed_keys(release_0005) == keys
    store = Store(release_0005)
    try:
        assert exports(store) == before
    finally:
        store.close()
