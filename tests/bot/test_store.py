"""The store against a real database: what is saved loads back, and what is erased is gone.

`TestStore` runs unchanged on every backend the `store_url` fixture yields: a SQLite file in
tmp_path always, and PostgreSQL too when DEBTCOACH_TEST_POSTGRES_URL names a scratch database
(its tables are dropped before and after each test). SQLite-only properties (WAL, creating the
file) are tested separately below.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import cast

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, bindparam, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bot.inbox import Inbox
from bot.memory_store import MemoryStore
from bot.migrate import config, ours
from bot.models import Base
from bot.outbox import Outbox, Outgoing, Settled
from bot.reminder_queue import ReminderQueue
from bot.service import handle
from bot.storage import PersonCreatedMeanwhile, Storage
from bot.store import Store
from dialogs.codec import encode
from dialogs.money import Money
from dialogs.reminder_plan import Planned, plan
from dialogs.render import label
from dialogs.state import (
    Agreement,
    Basis,
    Budget,
    Debt,
    DebtKind,
    Document,
    Frequency,
    Goal,
    Holder,
    Offer,
    Outcome,
    Payment,
    PaymentStatus,
    Place,
    PreNegotiation,
    ReminderSettings,
    Round,
    UserState,
    Who,
)
from dialogs.step_io import Choice, Input, Reply
from tests.support.backends import BACKENDS, STORAGES, database_url, scratch_postgres

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
# UserState fields the export names after their columns.
EXPORTED_AS = {"active": "active_debt_seq", "reminders": "reminder_settings"}

# Every table holding a user's data, with the SQL that finds that user's rows in it.
USER_ROWS = {
    "users": "SELECT count(*) FROM users WHERE id = :uid",
    "letters": "SELECT count(*) FROM letters WHERE user_id = :uid",
    "reminders": "SELECT count(*) FROM reminders WHERE user_id = :uid",
}


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def sample_state() -> UserState:
    """Two debts: one mid-repayment with every kind of child row, one barely started."""
    card = Debt(
        seq=1,
        state="repaying",
        creditor="Big Bank Visa",
        kind=DebtKind.CREDIT_CARD,
        balance=usd("4210.37"),
        in_writing=True,
        months_delinquent=7,
        holder=Holder.ORIGINAL,
        charged_off=True,
        lawsuit=False,
        goals=[Goal.INSTALMENTS, Goal.FEES_WAIVED],
        hardship="Lost my job in May.",
        offer=Offer(Basis.INSTALMENTS, usd("842.07"), usd("1263.11"), usd("2105.18")),
        rounds=[
            Round(date(2025, 1, 10), Who.USER, Outcome.OFFERED, usd("842.07"), "3 payments"),
            Round(date(2025, 1, 12), Who.CREDITOR, Outcome.COUNTERED, usd("1500.00")),
            Round(date(2025, 1, 15), Who.USER, Outcome.ACCEPTED, usd("1200.00"), "final"),
        ],
        agreement=Agreement(
            amount=usd("1200.00"),
            instalments=3,
            instalment_amount=usd("400.00"),
            first_due=date(2025, 2, 1),
            frequency=Frequency.MONTHLY,
            sign_by=date(2025, 1, 25),
            signed_on=date(2025, 1, 20),
        ),
        payments=[
            Payment(date(2025, 2, 1), usd("400.00"), PaymentStatus.PAID, date(2025, 2, 1)),
            Payment(date(2025, 3, 1), usd("400.00")),
            Payment(date(2025, 4, 1), usd("400.00")),
        ],
        pending_amount=None,
        turn=27,
    )
    clinic = Debt(
        seq=2,
        state="in_writing",
        creditor="City Clinic",
        kind=DebtKind.MEDICAL,
        balance=usd("980.00"),
        holder=Holder.COLLECTOR,
        pending_amount=usd("300.55"),
        validation_sent_on=date(2025, 2, 20),
    )
    return UserState(
        locale="en",
        currency="USD",
        budget=Budget(lump_sum=usd("1500.00"), monthly=usd("450.00")),
        debts=[card, clinic],
        active=2,
        # The longest a pending confirmation's name gets (confirmations.pending_name): the 30th debt at
        # the largest turn; the column holds 16 characters.
        confirming="cancel.30.zik0zj",
        undo=[{"active": 1, "budget": {"lump_sum": None, "monthly": None}}],
        welcomed=True,
    )


# A value other than the default for every field of a person's settings (see the export test).
NOT_DEFAULT_REMINDERS: dict[str, object] = {
    "timezone": "Asia/Taipei",
    "quiet_start": time(22, 30),
    "quiet_end": time(6, 45),
    "days_before": 7,
    "call_lead_minutes": 90,
    "zone_confirmed": True,
}
NOT_DEFAULT_USER: dict[str, object] = {
    "locale": "zh_TW",
    "place": Place.US,
    "place_confirmed": True,
    "prenegotiation": PreNegotiation(date(2026, 11, 2), [Document.ID_COPY], date(2026, 11, 20)),
    "currency": "USD",
    "budget": sample_state().budget,
    "debts": sample_state().debts,
    "active": 2,
    "confirming": "delete",
    "undo": [{"active": 1, "budget": {"lump_sum": None, "monthly": None}}],
    "welcomed": True,
    "reminders": ReminderSettings(**NOT_DEFAULT_REMINDERS),  # type: ignore[arg-type]
    "asking": "quiet",
    "full_name": "Alex Rivera",
    "postal_address": "12 Elm St\nSpringfield, IL 62701",
}


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path / "data") as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    yield s
    s.close()


def save(store: Storage, state: UserState, external_id: str = "1001") -> None:
    with store.user("telegram", external_id) as us:
        us.save(state, NOW)


def load(store: Storage, external_id: str = "1001") -> UserState:
    with store.user("telegram", external_id) as us:
        return us.load()


def count(store: Store, sql: str, **params: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def user_id(store: Store, external_id: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM users WHERE channel = 'telegram' AND external_id = :e"),
                {"e": external_id},
            ).scalar_one()
        )


class TestStore:
    """The storage interface (bot/storage.py), unchanged on every backend: memory, SQLite, and
    PostgreSQL when DEBTCOACH_TEST_POSTGRES_URL is set."""

    @pytest.fixture(params=STORAGES)
    def store(self, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
        if request.param == "memory":
            yield MemoryStore()
            return
        if request.param == "sqlite":
            sql = Store(f"sqlite:///{tmp_path / 'data' / 'debtcoach.sqlite3'}")
            yield sql
            sql.close()
            return
        with scratch_postgres() as url:
            sql = Store(url)
            yield sql
            sql.close()

    def test_a_message_after_a_retention_notice_clears_it_and_counts_as_activity(self, store: Storage) -> None:
        save(store, sample_state())
        told, wrote = NOW + timedelta(days=1), NOW + timedelta(days=2)
        with store.user("telegram", "1001") as person:
            person.seen(told)  # not told yet: nothing changes
            assert person.noticed_at is None
            person.notice(told)
        with store.user("telegram", "1001") as person:
            assert person.noticed_at == told
            person.seen(wrote)
        with store.user("telegram", "1001") as person:
            assert person.noticed_at is None
            assert person.export()["user"]["updated_at"] == wrote.isoformat()

    def test_new_user_loads_an_empty_state(self, store: Storage) -> None:
        assert encode(load(store)) == encode(UserState())

    def test_state_round_trips(self, store: Storage) -> None:
        state = sample_state()
        save(store, state)
        assert encode(load(store)) == encode(state)

    def test_undo_list_edited_in_place_is_saved(self, store: Storage) -> None:
        save(store, sample_state())
        with store.user("telegram", "1001") as us:
            state = us.load()
            state.undo.append({"active": 2, "budget": {}})
            state.debts[0].goals.append(Goal.LOWER_RATE)
            us.save(state, NOW)
        loaded = load(store)
        assert loaded.undo[-1] == {"active": 2, "budget": {}}
        assert loaded.debts[0].goals[-1] is Goal.LOWER_RATE

    def test_updates_and_shrinking_lists_persist(self, store: Storage) -> None:
        save(store, sample_state())
        later = NOW + timedelta(days=1)
        with store.user("telegram", "1001") as us:
            state = us.load()
            card = state.debts[0]
            card.rounds.pop()  # "back" over the last round
            card.agreement = None
            card.payments = []
            card.state = "decision"
            state.debts[1].creditor = "City Clinic (billing)"
            state.budget.monthly = None
            us.save(state, later)
        loaded = load(store)
        assert encode(loaded) == encode(state)

        with store.user("telegram", "1001") as us:
            state = us.load()
            del state.debts[0]  # "start over" on the card
            state.active = 2
            us.save(state, later)
        assert encode(load(store)) == encode(state)

    def test_growing_lists_and_reused_seq_persist(self, store: Storage) -> None:
        save(store, sample_state())
        with store.user("telegram", "1001") as us:
            state = us.load()
            state.debts[1].rounds.append(Round(date(2025, 3, 2), Who.USER, Outcome.OFFERED))
            state.debts[1].agreement = Agreement(amount=usd("300.55"))
            state.debts.pop(0)
            state.debts.append(Debt(seq=1, creditor="Store card"))  # seq 1 reused
            us.save(state, NOW)
        assert encode(load(store)) == encode(state), "in the order the coach keeps them"

    def test_processed_inputs_are_deduplicated(self, store: Storage) -> None:
        with store.user("telegram", "1001") as us:
            assert us.claim("update:1", NOW)
            assert not us.claim("update:1", NOW)
        with store.user("telegram", "1001") as us:
            assert not us.claim("update:1", NOW)
            assert us.claim("update:2", NOW)
        # A channel's keys are its own (Telegram numbers updates per bot, not per person).
        with store.user("telegram", "2002") as other:
            assert not other.claim("update:1", NOW)
        with store.user("console", "1001") as elsewhere:
            assert elsewhere.claim("update:1", NOW)

    def test_a_key_outlives_its_person_and_claiming_it_again_stores_no_one(self, store: Storage) -> None:
        with store.user("telegram", "1001") as us:
            assert us.claim("update:9", NOW)
            us.save(sample_state(), NOW)
            us.erase()
        with store.user("telegram", "1001") as again:
            assert not again.claim("update:9", NOW)
            assert not again.exists
        with store.user("telegram", "1001") as later:
            assert not later.exists and encode(later.load()) == encode(UserState())

    def test_an_exception_rolls_the_input_back(self, store: Storage) -> None:
        def failing_input() -> None:
            with store.user("telegram", "1001") as us:
                us.save(sample_state(), NOW)
                assert us.claim("update:7", NOW)
                us.record_letter(1, "offer", "Offer", "Dear Sir", NOW)
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            failing_input()
        with store.user("telegram", "1001") as us:
            assert encode(us.load()) == encode(UserState())
            assert us.letters() == []
            assert us.claim("update:7", NOW), "the failed input's key went with it"

    def test_letters_are_recorded_in_order(self, store: Storage) -> None:
        with store.user("telegram", "1001") as us:
            first = us.record_letter(1, "validation", "Validation request", "Body one", NOW)
            second = us.record_letter(None, "budget", "Budget", "Body two", NOW)
        with store.user("telegram", "1001") as us:
            letters = us.letters()
        assert [(x.id, x.debt_seq, x.kind, x.body) for x in letters] == [
            (first, 1, "validation", "Body one"),
            (second, None, "budget", "Body two"),
        ]
        assert letters[0].created_at == NOW

    def test_export_holds_everything_about_the_user_and_nobody_else(self, store: Storage) -> None:
        with store.user("telegram", "1001") as us:
            us.save(sample_state(), NOW)
            us.record_letter(1, "offer", "Settlement offer", "I can pay 842.07 in total.", NOW)
            us.claim("update:1", NOW)
        other = UserState(currency="EUR", debts=[Debt(seq=1, creditor="Secret Lender")])
        with store.user("telegram", "2002") as us:
            us.save(other, NOW)
            us.record_letter(1, "offer", "Other", "Private text of someone else", NOW)
            us.claim("update:999", NOW)

        with store.user("telegram", "1001") as us:
            doc = us.export()
        dumped = json.dumps(doc)  # JSON-ready, with no custom encoder
        assert doc["user"]["external_id"] == "1001"
        assert doc["user"]["budget"]["monthly"] == {"amount": "450.00", "currency": "USD"}
        card = doc["debts"][0]
        assert card["balance"] == {"amount": "4210.37", "currency": "USD"}
        assert card["agreement"]["instalment_amount"] == {"amount": "400.00", "currency": "USD"}
        assert [r["amount"]["amount"] for r in card["rounds"]] == ["842.07", "1500.00", "1200.00"]
        assert [p["status"] for p in card["payments"]] == ["paid", "due", "due"]
        assert doc["letters"][0]["body"] == "I can pay 842.07 in total."
        assert doc["user"]["reminder_settings"] == encode(sample_state().reminders)
        assert "processed_inputs" not in doc  # the channel's keys, not this person's
        for foreign in ("2002", "Secret Lender", "Private text", "update:999", "EUR"):
            assert foreign not in dumped

    def test_export_holds_every_field_of_the_persons_settings(self, store: Storage) -> None:
        """A field added to UserState or ReminderSettings fails here until it has a value below:
        the export is derived from the dataclasses, and this proves each field arrives."""
        assert set(NOT_DEFAULT_USER) == {f.name for f in fields(UserState)}
        assert set(NOT_DEFAULT_REMINDERS) == {f.name for f in fields(ReminderSettings)}
        state = UserState(**NOT_DEFAULT_USER)  # type: ignore[arg-type]
        for kind, value in ((UserState, state), (ReminderSettings, state.reminders)):
            default = kind()
            for f in fields(kind):
                assert getattr(value, f.name) != getattr(default, f.name), f"{f.name} is its default"
        with store.user("telegram", "1001") as us:
            us.save(state, NOW)
        with store.user("telegram", "1001") as us:
            doc = us.export()
        for f in fields(UserState):
            if f.name == "debts":
                assert [d["creditor"] for d in doc["debts"]] == [d.creditor for d in state.debts]
            else:
                assert doc["user"][EXPORTED_AS.get(f.name, f.name)] == encode(getattr(state, f.name)), f.name
        assert doc["user"]["reminder_settings"] == {
            "timezone": "Asia/Taipei",
            "quiet_start": "22:30:00",
            "quiet_end": "06:45:00",
            "days_before": 7,
            "call_lead_minutes": 90,
            "zone_confirmed": True,
        }

    def test_times_stored_are_the_callers_now_never_the_wall_clock(self, store: Storage) -> None:
        later = NOW + timedelta(days=400)
        save(store, sample_state())
        changed = sample_state()
        changed.debts[1].creditor = "City Clinic Billing"
        with store.user("telegram", "1001") as us:
            us.save(changed, later)
            doc = us.export()
        assert (doc["user"]["created_at"], doc["user"]["updated_at"]) == (NOW.isoformat(), later.isoformat())
        card, clinic = doc["debts"]
        assert (card["created_at"], card["updated_at"]) == (NOW.isoformat(), NOW.isoformat())
        assert (clinic["created_at"], clinic["updated_at"]) == (NOW.isoformat(), later.isoformat())

    def test_overlong_keys_are_refused_on_every_backend(self, store: Storage) -> None:
        with pytest.raises(ValueError, match="input_key"), store.user("t", "1") as us:
            us.claim("k" * 256, NOW)

    def test_naive_times_are_refused(self, store: Storage) -> None:
        with pytest.raises(ValueError, match="naive"), store.user("t", "1") as us:
            us.claim("k", datetime(2025, 1, 1))

    def test_undo_snapshots_load_back_as_the_list_was_saved(self, store: Storage) -> None:
        """Snapshots are rows that save() adds and deletes by comparing lists: every way the
        engine edits the list (add, drop the oldest, pop, filter, edit a new one before a second
        save in the same transaction) loads back exactly as saved."""

        def edit(change: Callable[[list[Mapping[str, object]]], None], saves: int = 1) -> list[object]:
            with store.user("telegram", "1001") as us:
                state = us.load()
                for _ in range(saves):
                    change(state.undo)
                    us.save(state, NOW)
                expected = [dict(s) for s in state.undo]
            assert [dict(s) for s in load(store).undo] == expected
            return expected

        for n in range(4):
            edit(lambda undo, n=n: undo.append({"n": n}))
        edit(lambda undo: undo.__delitem__(0))  # the oldest falls off the end
        edit(lambda undo: undo.pop())  # back
        edit(lambda undo: undo.append({"n": 9}), saves=2)
        assert edit(lambda undo: undo.__setitem__(slice(None), [s for s in undo if s.get("n") != 2])) == [
            {"n": 1},
            {"n": 9},
            {"n": 9},
        ]
        with store.user("telegram", "1001") as us:
            state = us.load()
            state.undo.append({"n": 11})
            us.save(state, NOW)
            cast(dict[str, object], state.undo[-1])["n"] = 12  # edited in place after a save
            us.save(state, NOW)
        assert [dict(s) for s in load(store).undo][-1] == {"n": 12}


class TestSQLStore:
    """What the SQL backends do with rows: statements written, rows erased, locks, migrations."""

    def test_an_input_is_a_claim_a_load_and_a_save_and_an_unchanged_state_writes_nothing(self, store: Store) -> None:
        save(store, sample_state())
        statements: list[str] = []

        def spy(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if not statement.lstrip().upper().startswith("BEGIN"):
                statements.append(statement.lstrip().split()[0].upper())

        event.listen(store.engine, "before_cursor_execute", spy)
        try:
            with store.user("telegram", "1001") as us:
                assert us.claim("update:1", NOW)
                us.save(us.load(), NOW + timedelta(hours=1))
            # The claim and the load (on PostgreSQL one statement, a round trip saved); nothing to write.
            claim_and_load = ["WITH"] if store.engine.dialect.name == "postgresql" else ["INSERT", "SELECT"]
            assert statements == claim_and_load
            statements.clear()
            with store.user("telegram", "1001") as us:
                assert us.claim("update:2", NOW)
                state = us.load()
                state.debts[0].payments[1].status = PaymentStatus.PAID
                us.save(state, NOW + timedelta(hours=2))
            assert statements == [*claim_and_load, "UPDATE"]
        finally:
            event.remove(store.engine, "before_cursor_execute", spy)
        assert load(store).debts[0].payments[1].status is PaymentStatus.PAID

    def test_a_delete_confirmation_delivered_twice_leaves_the_person_erased(self, store: Store) -> None:
        with store.user("telegram", "1001") as us:
            us.save(sample_state(), NOW)
            us.record_letter(1, "offer", "Offer", "Body", NOW)
            us.sync_reminders(plan(sample_state()), datetime(2025, 1, 1, tzinfo=UTC))
        save(store, sample_state(), "2002")
        asked = handle(store, "telegram", "1001", Input.command("delete"), NOW, input_key="update:1")
        assert asked.result is not None
        (confirm,) = [c for c in asked.result.replies[-1].choices if c.label == label("en", "confirm_delete")]
        erased = handle(store, "telegram", "1001", Input.button(confirm.value), NOW, input_key="update:2")
        assert erased.erased

        # Telegram delivers the press again (or a crash replays it), and then the /delete.
        for key, inp in (("update:2", Input.button(confirm.value)), ("update:1", Input.command("delete"))):
            again = handle(store, "telegram", "1001", inp, NOW + timedelta(minutes=5), input_key=key)
            assert again.result is None and not again.erased
        with store.engine.connect() as conn:
            people = conn.execute(text("SELECT channel, external_id FROM users ORDER BY id")).all()
        assert [tuple(p) for p in people] == [("telegram", "2002")]
        kept = user_id(store, "2002")
        for table, sql in USER_ROWS.items():
            assert count(store, f"SELECT count(*) FROM {table}") == count(store, sql, uid=kept), table
        assert encode(load(store, "1001")) == encode(UserState())

    def test_erase_removes_every_row_and_only_that_users(self, store: Store) -> None:
        for external_id in ("1001", "2002"):
            with store.user("telegram", external_id) as us:
                us.save(sample_state(), NOW)
                us.record_letter(1, "offer", "Offer", "Body", NOW)
                us.claim("update:1", NOW)
                us.sync_reminders(plan(sample_state()), datetime(2025, 1, 1, tzinfo=UTC))
        gone, kept = user_id(store, "1001"), user_id(store, "2002")

        with store.user("telegram", "1001") as us:
            us.load()  # loaded rows are deleted by the ORM, the rest by ON DELETE CASCADE
            us.erase()
            assert encode(us.load()) == encode(UserState())
            us.save(sample_state(), NOW)  # ignored: nothing may come back after an erase
            us.claim("update:2", NOW)

        for table, sql in USER_ROWS.items():
            assert count(store, sql, uid=gone) == 0, table
            assert count(store, sql, uid=kept) > 0, table
        assert encode(load(store, "1001")) == encode(UserState())
        assert encode(load(store, "2002")) == encode(sample_state())

    def test_concurrent_inputs_for_one_user_do_not_lose_updates(self, store: Store, store_url: str) -> None:
        """Two more stores stand in for two processes: each input appends one round, so a lost
        update would show as a missing round. `store` has created the schema before the race."""
        per_worker = 8
        errors: list[BaseException] = []

        def worker(n: int) -> None:
            s = Store(store_url)
            try:
                for i in range(per_worker):
                    while True:  # as bot.service.handle does: a person created meanwhile, again
                        try:
                            with s.user("telegram", "race") as us:
                                state = us.load()
                                if not state.debts:
                                    state.debts.append(Debt(seq=1))
                                state.debts[0].rounds.append(
                                    Round(date(2025, 1, 1), Who.USER, Outcome.OFFERED, terms=f"{n}.{i}")
                                )
                                us.save(state, NOW)
                            break
                        except PersonCreatedMeanwhile:
                            continue
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                s.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(load(store, "race").debts[0].rounds) == 2 * per_worker
        assert count(store, "SELECT count(*) FROM users WHERE external_id = 'race'") == 1

    def test_undo_lists_move_to_their_own_table_and_back(self, store_url: str) -> None:
        """Migration 0003 moves each user's "back" list from users.undo into undo_steps, in
        order, and its downgrade puts the lists back; upgraded again, they reach the documents."""
        if store_url.startswith("sqlite:///"):
            Path(store_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        command.upgrade(config(store_url), "0002")
        snapshots = [{"active": 1, "budget": {"lump_sum": None}}, {"active": 2, "debt": {"creditor": "Ünï & co"}}]
        expected = [("1001", snapshots), ("1002", []), ("1003", snapshots[:1])]
        engine = create_engine(store_url, poolclass=NullPool)
        with engine.begin() as conn:
            for external_id, undo in expected:
                conn.execute(
                    text(
                        "INSERT INTO users (channel, external_id, locale, welcomed, undo, created_at, updated_at)"
                        " VALUES ('telegram', :e, 'en', true, :undo, :now, :now)"
                    ).bindparams(bindparam("undo", type_=JSON)),
                    {"e": external_id, "undo": undo, "now": NOW},
                )
        command.upgrade(config(store_url), "0003")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT user_id, snapshot FROM undo_steps ORDER BY id")).all()
        stored = [json.loads(u) if isinstance(u, str) else u for _, u in rows]
        assert stored == snapshots + snapshots[:1]
        command.downgrade(config(store_url), "0002")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT external_id, undo FROM users ORDER BY external_id")).all()
        engine.dispose()
        assert [(e, json.loads(u) if isinstance(u, str) else u) for e, u in rows] == expected
        store = Store(store_url)
        try:
            assert [(e, list(map(dict, load(store, e).undo))) for e, _ in expected] == expected
        finally:
            store.close()

    def test_schema_is_at_head_and_matches_the_models(self, store: Store, store_url: str) -> None:
        head = ScriptDirectory.from_config(config(store_url)).get_current_head()
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
            diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": ours}), Base.metadata)
        assert diff == []

    def test_a_database_of_the_previous_release_is_migrated_with_its_data(self, store_url: str) -> None:
        """Revision 0004's processed inputs belonged to a person; after 0005 they are the
        channel's, each kept once, and the people and their debts are as they were."""
        database = make_url(store_url).database
        if store_url.startswith("sqlite") and database:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        command.upgrade(config(store_url), "0004")
        engine = create_engine(store_url)
        try:
            with engine.begin() as conn:
                for uid, external_id in ((1, "1001"), (2, "2002")):
                    conn.execute(
                        text(
                            "INSERT INTO users (id, channel, external_id, locale, welcomed, days_before,"
                            " call_lead_minutes, created_at, updated_at)"
                            " VALUES (:id, 'telegram', :e, 'en', true, 3, 30, :t, :t)"
                        ),
                        {"id": uid, "e": external_id, "t": NOW},
                    )
                    conn.execute(
                        text(
                            "INSERT INTO debts (user_id, seq, state, creditor, goals, hardship, created_at, updated_at)"
                            " VALUES (:id, 1, 'balance', 'Acme', '[]', '', :t, :t)"
                        ),
                        {"id": uid, "t": NOW},
                    )
                    conn.execute(
                        text("INSERT INTO processed_inputs (user_id, input_key, processed_at) VALUES (:id, :k, :t)"),
                        {"id": uid, "k": f"update:{uid}", "t": NOW},
                    )
        finally:
            engine.dispose()
        migrated = Store(store_url)
        try:
            assert [d.creditor for d in load(migrated, "1001").debts] == ["Acme"]
            assert load(migrated, "2002").debts[0].state == "balance"
            with migrated.user("telegram", "2002") as us:
                assert not us.claim("update:1", NOW) and not us.claim("update:2", NOW)
                assert us.claim("update:3", NOW)
        finally:
            migrated.close()

    def test_reopening_keeps_the_data(self, store: Store, store_url: str) -> None:
        save(store, sample_state())
        again = Store(store_url)
        try:
            assert encode(load(again)) == encode(sample_state())
        finally:
            again.close()


# -- SQLite only ----------------------------------------------------------------------------


def test_sqlite_file_and_folder_are_created_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "nested" / "debtcoach.sqlite3"
    url = f"sqlite:///{path}"
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        store.close()
    assert path.is_file()
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        version = raw.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        raw.close()
    assert version == [(ScriptDirectory.from_config(config(url)).get_current_head(),)]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_log_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    """SQLite makes a new file 0644 whatever the umask, and its -wal and -shm like the file."""
    data = tmp_path / "data"
    previous = os.umask(0)
    try:
        store = Store(f"sqlite:///{data / 'debtcoach.sqlite3'}")
        try:
            save(store, sample_state())  # the log and its index exist while the store is open
            modes = {path.name: _mode(path) for path in data.iterdir()}
        finally:
            store.close()
    finally:
        os.umask(previous)
    assert modes == {"debtcoach.sqlite3": 0o600, "debtcoach.sqlite3-wal": 0o600, "debtcoach.sqlite3-shm": 0o600}
    assert _mode(data) == 0o700


def test_a_database_left_readable_is_tightened_with_its_log(tmp_path: Path) -> None:
    path = tmp_path / "debtcoach.sqlite3"
    tmp_path.chmod(0o755)
    earlier = sqlite3.connect(path)  # an earlier release's process, still running: its log stays
    try:
        earlier.execute("PRAGMA journal_mode=WAL")
        earlier.execute("CREATE TABLE scratch (x)")
        earlier.commit()
        for left in tmp_path.iterdir():
            left.chmod(0o644)
        store = Store(f"sqlite:///{path}")
        try:
            assert {p.name: _mode(p) for p in tmp_path.iterdir()} == {
                "debtcoach.sqlite3": 0o600,
                "debtcoach.sqlite3-wal": 0o600,
                "debtcoach.sqlite3-shm": 0o600,
            }
            save(store, sample_state())  # and it still works, beside the other connection
            assert earlier.execute("SELECT count(*) FROM users").fetchone() == (1,)
        finally:
            store.close()
    finally:
        earlier.close()
    assert _mode(tmp_path) == 0o755, "a folder that was there is not the store's to change"


def test_checkpoint_moves_committed_answers_from_the_log_into_the_database_file(tmp_path: Path) -> None:
    """The bot checkpoints from a worker thread so that no commit on its event loop has to: what
    was committed must then be in the database file itself, not only in the -wal log beside it."""
    path = tmp_path / "debtcoach.sqlite3"
    store = Store(f"sqlite:///{path}")

    def users_in_file_alone() -> list[str]:
        copy = tmp_path / f"copy-{len(list(tmp_path.glob('copy-*')))}.sqlite3"
        copy.write_bytes(path.read_bytes())  # the file without its log, as a crash could leave it
        raw = sqlite3.connect(copy)
        try:
            return [row[0] for row in raw.execute("SELECT external_id FROM users")]
        finally:
            raw.close()

    try:
        store.checkpoint()  # the schema, so the copy below is a readable database
        save(store, sample_state(), "1001")
        assert users_in_file_alone() == [], "committed, but only in the log so far"
        store.checkpoint()
        assert users_in_file_alone() == ["1001"]
        assert encode(load(store, "1001")) == encode(sample_state())
    finally:
        store.close()


class TestInbox:
    """The journal of fetched Telegram updates, on every backend the store runs on."""

    def test_a_batch_is_kept_in_order_until_answered(self, store: Store) -> None:
        inbox = Inbox(store, "telegram")
        inbox.record([(12, '{"update_id": 12}'), (11, '{"update_id": 11}')], NOW)
        assert inbox.unanswered() == [(11, '{"update_id": 11}'), (12, '{"update_id": 12}')]
        # Redelivered: the first copy stays, nothing fails.
        inbox.record([(12, '{"update_id": 12, "again": true}'), (13, "{}")], NOW)
        with store.engine.begin() as conn:  # answered, in the answer's transaction
            inbox.forget_in(conn, 11)
        assert inbox.unanswered() == [(12, '{"update_id": 12}'), (13, "{}")]
        inbox.forget([12, 13])
        assert inbox.unanswered() == []

    def test_channels_do_not_see_each_others_updates(self, store: Store) -> None:
        Inbox(store, "telegram").record([(1, "{}")], NOW)
        other = Inbox(store, "other")
        assert other.unanswered() == []
        other.forget([1])
        assert Inbox(store, "telegram").unanswered() == [(1, "{}")]

    def test_old_processed_keys_are_pruned_and_recent_ones_kept(self, store: Store) -> None:
        with store.user("telegram", "1001") as user:
            user.claim("update:1", NOW - timedelta(days=10))
            user.claim("update:2", NOW)
        assert Inbox(store, "telegram").prune_processed(NOW - timedelta(days=7)) == 1
        with store.user("telegram", "1001") as user:
            assert not user.claim("update:2", NOW)
            assert user.claim("update:1", NOW)


class TestOutbox:
    """What a channel still has to deliver, on every backend: in order until delivered, per
    channel and chat, with the keyboards still shown, and erased with the person it was for."""

    def test_rows_wait_in_order_until_delivered(self, store: Store) -> None:
        outbox = Outbox(store, "telegram")
        question = Reply("In writing?", (Choice("Yes", "1:in_writing:yes"),))
        with store.engine.begin() as conn:
            items = [Outgoing.reply(question), Outgoing.calendar({"debts": []}, "en")]
            first = outbox.write(conn, "7", items, NOW)
            second = outbox.write(conn, "8", [Outgoing.reply(Reply("Coming up"), paced=True, reminder=5)], NOW)
        assert outbox.waiting() == first + second
        kinds = [(row.recipient, row.kind) for row in first + second]
        assert kinds == [("7", "reply"), ("7", "calendar"), ("8", "reply")]
        assert first[0].content["buttons"] == [["Yes", "1:in_writing:yes"]] and not first[0].paced
        assert (second[0].paced, second[0].reminder) == (True, 5)
        assert Outbox(store, "other").waiting() == []

        outbox.settle(Settled(delivered=[first[0].id], shown=[("7", 41)]), NOW)
        assert outbox.waiting() == first[1:] + second
        assert (outbox.keyboards("7"), outbox.keyboards("8")) == ([41], [])
        # Shown and taken away again before being written down: no keyboard is left.
        later = Settled(delivered=[first[1].id, second[0].id], shown=[("7", 42)], taken_away=[("7", 41), ("7", 42)])
        outbox.settle(later, NOW)
        assert outbox.waiting() == [] and outbox.keyboards("7") == []

    def test_erasing_someone_drops_what_waited_for_them_and_nothing_else(self, store: Store) -> None:
        outbox = Outbox(store, "telegram")
        save(store, sample_state(), "7")
        save(store, sample_state(), "8")
        with store.engine.begin() as conn:
            outbox.write(conn, "7", [Outgoing.reply(Reply("for 7"))], NOW)
            kept = outbox.write(conn, "8", [Outgoing.reply(Reply("for 8"))], NOW)
        outbox.settle(Settled(shown=[("7", 1), ("8", 2)]), NOW)
        with store.user("telegram", "7") as user:
            user.erase()
        assert outbox.waiting() == kept
        assert (outbox.keyboards("7"), outbox.keyboards("8")) == ([], [2])


class TestReminders:
    """The reminders table on every backend: reconciled with the plan, claimed with a lease."""

    NOW = datetime(2025, 1, 21, 12, 0, tzinfo=UTC)

    def _planned(self, store: Store, external_id: str = "7") -> list[Planned]:
        state = sample_state()
        state.reminders.timezone = "America/New_York"
        with store.user("telegram", external_id) as user:
            user.save(state, self.NOW)
            user.sync_reminders(plan(state), self.NOW)
        return plan(state)

    def test_every_planned_reminder_is_stored_once_and_paid_ones_go(self, store: Store) -> None:
        planned = self._planned(store)
        queue = ReminderQueue(store, "telegram")
        # Payments 2 and 3 of the card are due: 3 reminders each.
        assert len(planned) == 6
        with store.user("telegram", "7") as user:
            state = user.load()
            state.debts[0].payments[1].status = PaymentStatus.PAID
            user.save(state, self.NOW)
            user.sync_reminders(plan(state), self.NOW)
            user.sync_reminders(plan(state), self.NOW)  # again: nothing doubles
            assert len(user.export()["reminders"]) == 3
        far = datetime(2026, 1, 1, tzinfo=UTC)
        assert len(queue.claim(far, 100)) == 3

    def test_a_claim_that_was_never_finished_is_claimed_again_after_its_lease(self, store: Store) -> None:
        self._planned(store)
        queue = ReminderQueue(store, "telegram", lease=timedelta(minutes=2))
        due = datetime(2025, 2, 27, 15, 0, tzinfo=UTC)  # the 3-days-before reminder of 1 March
        first = queue.claim(due, 10)
        assert [c.key for c in first] == ["soon:1:1:20250301"]
        # The process died before sending (or before recording the send): not lost, not doubled.
        assert queue.claim(due + timedelta(minutes=1), 10) == []
        again = queue.claim(due + timedelta(minutes=3), 10)
        assert [c.id for c in again] == [first[0].id]
        ready = queue.prepare(again[0], due + timedelta(minutes=3))
        assert ready is not None and "Coming up: $400 to Big Bank Visa" in ready.reply.text
        queue.finish([ready.id], due + timedelta(minutes=3))
        assert queue.claim(due + timedelta(hours=1), 10) == []

    def test_a_renewed_lease_runs_from_its_renewal(self, store: Store) -> None:
        self._planned(store)
        queue = ReminderQueue(store, "telegram", lease=timedelta(minutes=2))
        due = datetime(2025, 2, 27, 15, 0, tzinfo=UTC)
        [claimed] = queue.claim(due, 10)
        queue.renew([claimed.id], due + timedelta(minutes=1))
        assert queue.claim(due + timedelta(minutes=2, seconds=30), 10) == [], "still being sent"
        assert [c.id for c in queue.claim(due + timedelta(minutes=3, seconds=30), 10)] == [claimed.id]
        queue.finish([claimed.id], due + timedelta(minutes=4))
        queue.renew([claimed.id], due + timedelta(minutes=5))  # too late: it is sent, and stays so
        assert queue.claim(due + timedelta(hours=1), 10) == []

    def test_one_persons_reminders_are_not_anothers(self, store: Store) -> None:
        self._planned(store, "7")
        self._planned(store, "8")
        queue = ReminderQueue(store, "telegram")
        due = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
        mine = queue.claim(due, 10, external_id="8")
        assert mine and {c.external_id for c in mine} == {"8"}
        # A row id of someone else's cannot be changed through this person's transaction.
        theirs = queue.claim(due, 10, external_id="7")
        with store.user("telegram", "8") as user:
            user.update_reminder(theirs[0].id, status="skipped")
        with store.user("telegram", "7") as user:
            statuses = {r["status"] for r in user.export()["reminders"] if r["due_at"] <= due.isoformat()}
        assert "skipped" not in statuses
        # Another channel's scheduler sees none of them.
        assert ReminderQueue(store, "console").claim(datetime(2026, 1, 1, tzinfo=UTC), 10) == []
