"""The store: one database transaction per input, holding one person's whole `UserState`.

The adapter opens `Store.user(channel, id)` for each input, checks `already_processed`, loads
the state, runs the pure engine, saves the new state and marks the input processed; it all
commits together or not at all, so a crash never half-applies an answer and a redelivered
update is recognised. The user's row is locked for the transaction (SELECT ... FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite), so several processes serialise on one person instead
of overwriting each other's answers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from bot.migrate import upgrade
from bot.models import (
    CHANNEL_MAX,
    KEY_MAX,
    AgreementRow,
    Base,
    DebtRow,
    LetterRow,
    PaymentRow,
    ProcessedInput,
    RoundRow,
    User,
    utcnow,
)
from dialogs.codec import encode
from dialogs.money import Money
from dialogs.state import (
    Agreement,
    Basis,
    Budget,
    Debt,
    DebtKind,
    Frequency,
    Goal,
    Holder,
    Offer,
    Outcome,
    Payment,
    PaymentStatus,
    Round,
    UserState,
    Who,
)

EXPORT_FORMAT = "debtcoach-export/1"

# Applied to every new SQLite connection. busy_timeout goes first: switching a fresh file to
# WAL needs a lock that another starting process may hold for a moment.
SQLITE_PRAGMAS = ("busy_timeout=5000", "journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON")

# Statements built once: constructing a select costs more than running it on SQLite.
_USER = (
    select(User)
    .where(User.channel == bindparam("channel"), User.external_id == bindparam("external_id"))
    .with_for_update()
)
_PROCESSED = (
    select(ProcessedInput.id)
    .where(ProcessedInput.user_id == bindparam("uid"), ProcessedInput.input_key == bindparam("key"))
    .limit(1)
)
_DEBTS = (
    select(DebtRow)
    .where(DebtRow.user_id == bindparam("uid"))
    .order_by(DebtRow.seq)
    .options(
        joinedload(DebtRow.agreement),
        selectinload(DebtRow.rounds),
        selectinload(DebtRow.payments),
    )
)

RowT = TypeVar("RowT", RoundRow, PaymentRow)


@dataclass(frozen=True, slots=True)
class LetterRecord:
    id: int
    debt_seq: int | None
    kind: str
    title: str
    body: str
    created_at: datetime


class Store:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            _make_sqlite_folder(parsed.database)
            self._engine: Engine = create_engine(parsed)
            _configure_sqlite(self._engine)
        else:
            # A long-running bot outlives database restarts; check pooled connections first.
            self._engine = create_engine(parsed, pool_pre_ping=True)
        # Once per process, on the store's own connection so its SQLite setup applies.
        with self._engine.begin() as conn:
            upgrade(url, connection=conn)
        # Rows are not expired at commit: nothing is re-SELECTed if a caller reads a result
        # after its block ends, and a session never outlives its block anyway.
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def user(self, channel: str, external_id: str) -> Iterator[UserStore]:
        """One transaction for one input: loads/creates the user row (SELECT ... FOR UPDATE via
        with_for_update(), a no-op on SQLite, a row lock on PostgreSQL so several processes
        serialise on one user), commits on normal exit, rolls back on exception."""
        _check_length("channel", channel, CHANNEL_MAX)
        _check_length("external_id", external_id, KEY_MAX)
        with self._sessions() as session, session.begin():
            yield UserStore(session, _lock_user(session, channel, external_id))


class UserStore:
    """Everything one transaction may read or write about one person, and nothing else."""

    def __init__(self, session: Session, user: User) -> None:
        self._session = session
        self._user = user
        self._erased = False

    def already_processed(self, input_key: str) -> bool:
        if self._erased:
            return False
        found = self._session.scalar(_PROCESSED, {"uid": self._user.id, "key": input_key})
        return found is not None

    def mark_processed(self, input_key: str, now: datetime) -> None:
        # After erase() this is a no-op: keeping the key would keep a row about a person who
        # asked to be forgotten; a redelivered update then meets an empty state, harmlessly.
        _check_length("input_key", input_key, KEY_MAX)
        if self._erased:
            return
        self._session.add(ProcessedInput(user_id=self._user.id, input_key=input_key, processed_at=_aware(now)))

    def load(self) -> UserState:
        if self._erased:
            return UserState()
        user = self._user
        return UserState(
            locale=user.locale,
            currency=user.currency,
            budget=Budget(
                lump_sum=_money(user.budget_lump_sum_cents, user.currency),
                monthly=_money(user.budget_monthly_cents, user.currency),
            ),
            debts=[_debt(row) for row in self._debt_rows()],
            active=user.active_debt_seq,
            confirming=user.confirming,
            # A copy: the engine may edit the list in place, and the ORM would then compare the
            # edited list with itself and see no change to save.
            undo=copy.deepcopy(user.undo),
            welcomed=user.welcomed,
        )

    def save(self, state: UserState, now: datetime) -> None:
        """Make the rows say what `state` says, writing only what changed.

        Debts are matched by seq, rounds and payments by their index in the list, so undo and
        "start over" delete what they removed. After erase() this is a no-op (see
        mark_processed).
        """
        if self._erased:
            return
        now = _aware(now)
        # Writes pending from an earlier save() in this transaction go first, so this one can
        # reuse a seq that one deleted; in the usual load-step-save input there are none.
        self._session.flush()
        user = self._user
        changed = _assign(user, _user_values(state))
        if user.undo != state.undo:
            user.undo = copy.deepcopy(state.undo)
            changed = True
        if _sync_debts(self._debt_rows(), state.debts, now) or changed:
            user.updated_at = now

    def record_letter(self, debt_seq: int | None, kind: str, title: str, body: str, now: datetime) -> int:
        self._check_not_erased()
        row = LetterRow(
            user_id=self._user.id,
            debt_seq=debt_seq,
            kind=kind,
            title=title,
            body=body,
            created_at=_aware(now),
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def letters(self) -> list[LetterRecord]:
        if self._erased:
            return []
        query = select(LetterRow).where(LetterRow.user_id == self._user.id).order_by(LetterRow.id)
        return [
            LetterRecord(r.id, r.debt_seq, r.kind, r.title, r.body, r.created_at) for r in self._session.scalars(query)
        ]

    def export(self) -> dict[str, Any]:
        """Everything stored about this person, as one JSON-ready document (a data request)."""
        self._check_not_erased()
        user = self._user
        state = self.load()
        processed = self._session.scalars(
            select(ProcessedInput).where(ProcessedInput.user_id == user.id).order_by(ProcessedInput.id)
        )
        return {
            "format": EXPORT_FORMAT,
            "user": {
                "channel": user.channel,
                "external_id": user.external_id,
                "locale": state.locale,
                "currency": state.currency,
                "budget": encode(state.budget),
                "active_debt_seq": state.active,
                "confirming": state.confirming,
                "welcomed": state.welcomed,
                "undo": state.undo,
                "created_at": user.created_at.isoformat(),
                "updated_at": user.updated_at.isoformat(),
            },
            "debts": [
                {
                    **encode(debt),
                    "currency": row.currency,
                    "created_at": row.created_at.isoformat(),
                    "updated_at": row.updated_at.isoformat(),
                }
                for debt, row in zip(state.debts, self._debt_rows(), strict=True)
            ],
            "letters": [
                {
                    "id": letter.id,
                    "debt_seq": letter.debt_seq,
                    "kind": letter.kind,
                    "title": letter.title,
                    "body": letter.body,
                    "created_at": letter.created_at.isoformat(),
                }
                for letter in self.letters()
            ],
            "processed_inputs": [
                {"input_key": p.input_key, "processed_at": p.processed_at.isoformat()} for p in processed
            ],
        }

    def erase(self) -> None:
        """Delete the person and every row of theirs; the database cascades the rest."""
        self._check_not_erased()
        self._session.delete(self._user)
        self._session.flush()
        self._erased = True

    # -- internals ------------------------------------------------------------------------

    def _check_not_erased(self) -> None:
        if self._erased:
            raise RuntimeError("this user was erased in this transaction")

    def _debt_rows(self) -> list[DebtRow]:
        """The user's debts with their rounds, agreement and payments, in three queries.

        Loaded once per transaction and installed as the user's `debts` collection, so save()
        diffs against exactly what load() read.
        """
        user = self._user
        if "debts" in inspect(user).unloaded:
            rows = self._session.scalars(_DEBTS, {"uid": user.id}).all()
            set_committed_value(user, "debts", list(rows))
        return user.debts


def _lock_user(session: Session, channel: str, external_id: str) -> User:
    params = {"channel": channel, "external_id": external_id}
    user = session.scalars(_USER, params).one_or_none()
    if user is not None:
        return user
    fresh = UserState()
    now = utcnow()
    user = User(
        channel=channel,
        external_id=external_id,
        locale=fresh.locale,
        currency=fresh.currency,
        welcomed=fresh.welcomed,
        undo=[],
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Another process inserted this person between our SELECT and INSERT and has
        # committed (PostgreSQL made our INSERT wait for it): lock and use its row.
        return session.scalars(_USER, params).one()
    return user


def _make_sqlite_folder(database: str | None) -> None:
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas per connection, and transactions that take the write lock when they begin.

    pysqlite defers BEGIN until the first write, so two processes could both read a user and
    then overwrite each other; it also breaks SAVEPOINT. Turning its transaction handling off
    and emitting BEGIN IMMEDIATE ourselves (the recipe in SQLAlchemy's SQLite docs) makes each
    input's transaction exclusive among writers, which is SQLite's equivalent of the row lock
    PostgreSQL takes. WAL keeps readers from blocking behind it.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(f"PRAGMA {pragma}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# -- conversions ----------------------------------------------------------------------------


def _check_length(what: str, value: str, limit: int) -> None:
    # SQLite ignores VARCHAR lengths and PostgreSQL enforces them: check here so an overlong
    # key fails the same way on both.
    if len(value) > limit:
        raise ValueError(f"{what} longer than {limit} characters")


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("naive datetime: the store keeps UTC and needs an aware `now`")
    return now


def _cents(money: Money | None) -> int | None:
    return None if money is None else money.cents


def _money(cents: int | None, currency: str | None) -> Money | None:
    if cents is None:
        return None
    return _required_money(cents, currency)


def _required_money(cents: int | None, currency: str | None) -> Money:
    if cents is None or currency is None:
        raise ValueError("a stored amount is missing, or has no currency")
    return Money.from_cents(cents, currency)


def _value(member: Enum | None) -> str | None:
    return None if member is None else str(member.value)


def _one_currency(what: str, amounts: Iterable[Money | None]) -> str | None:
    """The one currency shared by `amounts`; storing mixed ones in one column would misstate
    every amount but one, so that is refused."""
    currencies = {m.currency for m in amounts if m is not None}
    if len(currencies) > 1:
        raise ValueError(f"{what} mixes currencies {sorted(currencies)}")
    return next(iter(currencies), None)


def _amounts(debt: Debt) -> Iterator[Money | None]:
    yield debt.balance
    yield debt.pending_amount
    yield debt.confirmed_above_ceiling
    if debt.offer is not None:
        yield from (debt.offer.opening, debt.offer.target, debt.offer.ceiling)
    for r in debt.rounds:
        yield r.amount
    if debt.agreement is not None:
        yield debt.agreement.amount
        yield debt.agreement.instalment_amount
    for p in debt.payments:
        yield p.amount


# -- syncing rows to the state ------------------------------------------------------------
#
# Each row is given a dict of column values and only differing attributes are assigned: the
# unit of work then UPDATEs just those columns, and the returned flag says whether to bump
# updated_at, without asking the session to diff every attribute again.


def _assign(row: Base, values: dict[str, object]) -> bool:
    changed = False
    for key, value in values.items():
        # getattr first: a misspelt key raises instead of becoming a plain Python attribute.
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def _sync_debts(rows: list[DebtRow], debts: Sequence[Debt], now: datetime) -> bool:
    if len({d.seq for d in debts}) != len(debts):
        raise ValueError("two debts share a seq")
    by_seq = {row.seq: row for row in rows}
    changed = False
    for debt in debts:
        row = by_seq.pop(debt.seq, None)
        is_new = row is None
        if row is None:
            row = DebtRow(seq=debt.seq, created_at=now)
            rows.append(row)
        columns = _assign(row, _debt_values(debt))
        rounds = _sync_list(row.rounds, [_round_values(r) for r in debt.rounds], RoundRow)
        payments = _sync_list(row.payments, [_payment_values(p) for p in debt.payments], PaymentRow)
        agreement = _sync_agreement(row, debt.agreement)
        if is_new or columns or rounds or payments or agreement:
            row.updated_at = now
            changed = True
    for gone in by_seq.values():
        rows.remove(gone)  # delete-orphan: the row and its children are deleted
        changed = True
    return changed


def _sync_list(rows: list[RowT], items: list[dict[str, object]], new: Callable[[], RowT]) -> bool:
    """Rounds and payments: an item's index in the state's list is its row's seq."""
    by_seq = {row.seq: row for row in rows}
    changed = False
    for seq, values in enumerate(items):
        row = by_seq.pop(seq, None)
        if row is None:
            row = new()
            row.seq = seq
            rows.append(row)
            changed = True
        changed = _assign(row, values) or changed
    for gone in by_seq.values():
        rows.remove(gone)
        changed = True
    return changed


def _sync_agreement(row: DebtRow, agreement: Agreement | None) -> bool:
    if agreement is None:
        if row.agreement is None:
            return False
        row.agreement = None  # delete-orphan
        return True
    values: dict[str, object] = {
        "amount_cents": agreement.amount.cents,
        "instalments": agreement.instalments,
        "instalment_amount_cents": _cents(agreement.instalment_amount),
        "first_due": agreement.first_due,
        "frequency": agreement.frequency.value,
        "sign_by": agreement.sign_by,
        "signed_on": agreement.signed_on,
    }
    if row.agreement is None:
        row.agreement = AgreementRow(**values)
        return True
    return _assign(row.agreement, values)


def _user_values(state: UserState) -> dict[str, object]:
    budget = state.budget
    budget_currency = _one_currency("the budget", (budget.lump_sum, budget.monthly))
    currency = state.currency if state.currency is not None else budget_currency
    if budget_currency not in (None, currency):
        raise ValueError(f"budget in {budget_currency} but the user's currency is {currency}")
    return {
        "locale": state.locale,
        "currency": currency,
        "budget_lump_sum_cents": _cents(budget.lump_sum),
        "budget_monthly_cents": _cents(budget.monthly),
        "active_debt_seq": state.active,
        "confirming": state.confirming,
        "welcomed": state.welcomed,
    }


def _debt_values(debt: Debt) -> dict[str, object]:
    offer = debt.offer
    return {
        "state": debt.state,
        "creditor": debt.creditor,
        "kind": _value(debt.kind),
        "balance_cents": _cents(debt.balance),
        "currency": _one_currency(f"debt {debt.seq}", _amounts(debt)),
        "in_writing": debt.in_writing,
        "months_delinquent": debt.months_delinquent,
        "holder": _value(debt.holder),
        "lawsuit": debt.lawsuit,
        "goals": [goal.value for goal in debt.goals],
        "hardship": debt.hardship,
        "offer_basis": None if offer is None else offer.basis.value,
        "offer_opening_cents": None if offer is None else offer.opening.cents,
        "offer_target_cents": None if offer is None else offer.target.cents,
        "offer_ceiling_cents": None if offer is None else offer.ceiling.cents,
        "offer_first_round": None if offer is None else offer.first_round,
        "pending_amount_cents": _cents(debt.pending_amount),
        "confirmed_above_ceiling_cents": _cents(debt.confirmed_above_ceiling),
        "validation_sent_on": debt.validation_sent_on,
    }


def _round_values(item: Round) -> dict[str, object]:
    return {
        "on": item.on,
        "who": item.who.value,
        "outcome": item.outcome.value,
        "amount_cents": _cents(item.amount),
        "terms": item.terms,
        "above_ceiling": item.above_ceiling,
    }


def _payment_values(item: Payment) -> dict[str, object]:
    return {
        "due_on": item.due_on,
        "amount_cents": item.amount.cents,
        "status": item.status.value,
        "recorded_on": item.recorded_on,
    }


def _debt(row: DebtRow) -> Debt:
    cur = row.currency
    offer = None
    if row.offer_basis is not None:
        offer = Offer(
            basis=Basis(row.offer_basis),
            opening=_required_money(row.offer_opening_cents, cur),
            target=_required_money(row.offer_target_cents, cur),
            ceiling=_required_money(row.offer_ceiling_cents, cur),
            first_round=row.offer_first_round or 0,
        )
    agreement = None
    if (a := row.agreement) is not None:
        agreement = Agreement(
            amount=_required_money(a.amount_cents, cur),
            instalments=a.instalments,
            instalment_amount=_money(a.instalment_amount_cents, cur),
            first_due=a.first_due,
            frequency=Frequency(a.frequency),
            sign_by=a.sign_by,
            signed_on=a.signed_on,
        )
    return Debt(
        seq=row.seq,
        state=row.state,
        creditor=row.creditor,
        kind=None if row.kind is None else DebtKind(row.kind),
        balance=_money(row.balance_cents, cur),
        in_writing=row.in_writing,
        months_delinquent=row.months_delinquent,
        holder=None if row.holder is None else Holder(row.holder),
        lawsuit=row.lawsuit,
        goals=[Goal(g) for g in row.goals],
        hardship=row.hardship,
        offer=offer,
        rounds=[
            Round(
                on=r.on,
                who=Who(r.who),
                outcome=Outcome(r.outcome),
                amount=_money(r.amount_cents, cur),
                terms=r.terms,
                above_ceiling=r.above_ceiling,
            )
            for r in row.rounds
        ],
        agreement=agreement,
        payments=[
            Payment(
                due_on=p.due_on,
                amount=_required_money(p.amount_cents, cur),
                status=PaymentStatus(p.status),
                recorded_on=p.recorded_on,
            )
            for p in row.payments
        ],
        pending_amount=_money(row.pending_amount_cents, cur),
        confirmed_above_ceiling=_money(row.confirmed_above_ceiling_cents, cur),
        validation_sent_on=row.validation_sent_on,
    )
