"""Each person's state as one document: the columns of users and the tables of debts, rounds,
agreements, payments and undo steps become a JSON document in `users.document`.

The document is what `dialogs.codec.encode` made of a `UserState` when this migration was
written (version 1 of bot/document.py, which brings it forward on load), built here from the
rows by hand so that later changes to the code cannot change what this migration writes:
amounts from cents and their debt's (or the user's) currency, clock times from minutes, dates
and times in ISO. The "back" snapshots are kept as they were. Letters, reminders, processed
inputs, the inbox, outbox and keyboards are untouched.

Downgrade is not supported: the per-field tables could be rebuilt only for fields they had, and
an upgraded bot may already have stored others. Restore a backup taken before upgrading.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_users = sa.table(
    "users",
    sa.column("id", sa.Integer()),
    sa.column("locale", sa.String()),
    sa.column("currency", sa.String()),
    sa.column("budget_lump_sum_cents", sa.BigInteger()),
    sa.column("budget_monthly_cents", sa.BigInteger()),
    sa.column("active_debt_seq", sa.Integer()),
    sa.column("confirming", sa.String()),
    sa.column("welcomed", sa.Boolean()),
    sa.column("timezone", sa.String()),
    sa.column("quiet_start_min", sa.Integer()),
    sa.column("quiet_end_min", sa.Integer()),
    sa.column("days_before", sa.Integer()),
    sa.column("call_lead_minutes", sa.Integer()),
    sa.column("asking", sa.String()),
    sa.column("document", sa.Text()),
)
_debts = sa.table(
    "debts",
    sa.column("id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("state", sa.String()),
    sa.column("creditor", sa.Text()),
    sa.column("kind", sa.String()),
    sa.column("balance_cents", sa.BigInteger()),
    sa.column("currency", sa.String()),
    sa.column("in_writing", sa.Boolean()),
    sa.column("months_delinquent", sa.Integer()),
    sa.column("holder", sa.String()),
    sa.column("lawsuit", sa.Boolean()),
    sa.column("goals", sa.JSON()),
    sa.column("hardship", sa.Text()),
    sa.column("offer_basis", sa.String()),
    sa.column("offer_opening_cents", sa.BigInteger()),
    sa.column("offer_target_cents", sa.BigInteger()),
    sa.column("offer_ceiling_cents", sa.BigInteger()),
    sa.column("offer_first_round", sa.Integer()),
    sa.column("pending_amount_cents", sa.BigInteger()),
    sa.column("confirmed_above_ceiling_cents", sa.BigInteger()),
    sa.column("validation_sent_on", sa.Date()),
    sa.column("call_at", sa.DateTime(timezone=True)),
    sa.column("turn", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
_rounds = sa.table(
    "rounds",
    sa.column("debt_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("on", sa.Date()),
    sa.column("who", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("amount_cents", sa.BigInteger()),
    sa.column("terms", sa.Text()),
    sa.column("above_ceiling", sa.Boolean()),
)
_agreements = sa.table(
    "agreements",
    sa.column("debt_id", sa.Integer()),
    sa.column("amount_cents", sa.BigInteger()),
    sa.column("instalments", sa.Integer()),
    sa.column("instalment_amount_cents", sa.BigInteger()),
    sa.column("first_due", sa.Date()),
    sa.column("frequency", sa.String()),
    sa.column("sign_by", sa.Date()),
    sa.column("signed_on", sa.Date()),
    sa.column("sent_on", sa.Date()),
)
_payments = sa.table(
    "payments",
    sa.column("debt_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("due_on", sa.Date()),
    sa.column("amount_cents", sa.BigInteger()),
    sa.column("status", sa.String()),
    sa.column("recorded_on", sa.Date()),
)
_undo_steps = sa.table(
    "undo_steps", sa.column("id", sa.Integer()), sa.column("user_id", sa.Integer()), sa.column("snapshot", sa.JSON())
)

_USER_COLUMNS = (
    "locale",
    "currency",
    "budget_lump_sum_cents",
    "budget_monthly_cents",
    "active_debt_seq",
    "confirming",
    "welcomed",
    "timezone",
    "quiet_start_min",
    "quiet_end_min",
    "days_before",
    "call_lead_minutes",
    "asking",
)


def _money(cents: int | None, currency: str | None) -> dict[str, str] | None:
    if cents is None:
        return None
    if currency is None:
        raise ValueError("a stored amount has no currency")
    return {"amount": str(Decimal(cents).scaleb(-2)), "currency": currency}


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def _clock(minutes: int | None) -> str | None:
    return None if minutes is None else time(minutes // 60, minutes % 60).isoformat()


def _by_debt(conn: sa.Connection, table: Any, order: Any) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for row in conn.execute(sa.select(table).order_by(table.c.debt_id, order)):
        found.setdefault(row.debt_id, []).append(row)
    return found


def _debt(row: Any, rounds: list[Any], agreement: Any, payments: list[Any]) -> dict[str, Any]:
    cur = row.currency
    offer = None
    if row.offer_basis is not None:
        offer = {
            "basis": row.offer_basis,
            "opening": _money(row.offer_opening_cents, cur),
            "target": _money(row.offer_target_cents, cur),
            "ceiling": _money(row.offer_ceiling_cents, cur),
            "first_round": row.offer_first_round or 0,
        }
    deal = None
    if agreement is not None:
        deal = {
            "amount": _money(agreement.amount_cents, cur),
            "instalments": agreement.instalments,
            "instalment_amount": _money(agreement.instalment_amount_cents, cur),
            "first_due": _day(agreement.first_due),
            "frequency": agreement.frequency,
            "sign_by": _day(agreement.sign_by),
            "signed_on": _day(agreement.signed_on),
            "sent_on": _day(agreement.sent_on),
        }
    return {
        "seq": row.seq,
        "state": row.state,
        "creditor": row.creditor,
        "kind": row.kind,
        "balance": _money(row.balance_cents, cur),
        "in_writing": row.in_writing,
        "months_delinquent": row.months_delinquent,
        "holder": row.holder,
        "lawsuit": row.lawsuit,
        "goals": list(row.goals or []),
        "hardship": row.hardship,
        "offer": offer,
        "rounds": [
            {
                "on": _day(r.on),
                "who": r.who,
                "outcome": r.outcome,
                "amount": _money(r.amount_cents, cur),
                "terms": r.terms,
                "above_ceiling": bool(r.above_ceiling),
            }
            for r in rounds
        ],
        "agreement": deal,
        "payments": [
            {
                "due_on": _day(p.due_on),
                "amount": _money(p.amount_cents, cur),
                "status": p.status,
                "recorded_on": _day(p.recorded_on),
            }
            for p in payments
        ],
        "pending_amount": _money(row.pending_amount_cents, cur),
        "confirmed_above_ceiling": _money(row.confirmed_above_ceiling_cents, cur),
        "validation_sent_on": _day(row.validation_sent_on),
        "call_at": _moment(row.call_at),
        "turn": row.turn,
    }


def _documents(conn: sa.Connection) -> dict[int, str]:
    debts: dict[int, list[Any]] = {}
    for row in conn.execute(sa.select(_debts).order_by(_debts.c.user_id, _debts.c.seq)):
        debts.setdefault(row.user_id, []).append(row)
    rounds = _by_debt(conn, _rounds, _rounds.c.seq)
    payments = _by_debt(conn, _payments, _payments.c.seq)
    agreements = {row.debt_id: row for row in conn.execute(sa.select(_agreements))}
    undo: dict[int, list[Any]] = {}
    for user_id, snapshot in conn.execute(
        sa.select(_undo_steps.c.user_id, _undo_steps.c.snapshot).order_by(_undo_steps.c.id)
    ):
        undo.setdefault(user_id, []).append(snapshot)
    documents: dict[int, str] = {}
    for user in conn.execute(sa.select(_users.c.id, *(_users.c[k] for k in _USER_COLUMNS))):
        currency = user.currency
        theirs = debts.get(user.id, [])
        state = {
            "locale": user.locale,
            "currency": currency,
            "budget": {
                "lump_sum": _money(user.budget_lump_sum_cents, currency),
                "monthly": _money(user.budget_monthly_cents, currency),
            },
            "debts": [_debt(d, rounds.get(d.id, []), agreements.get(d.id), payments.get(d.id, [])) for d in theirs],
            "active": user.active_debt_seq,
            "confirming": user.confirming,
            "undo": undo.get(user.id, []),
            "welcomed": bool(user.welcomed),
            "reminders": {
                "timezone": user.timezone,
                "quiet_start": _clock(user.quiet_start_min),
                "quiet_end": _clock(user.quiet_end_min),
                "days_before": user.days_before,
                "call_lead_minutes": user.call_lead_minutes,
            },
            "asking": user.asking,
        }
        times = {str(d.seq): [_moment(d.created_at), _moment(d.updated_at)] for d in theirs}
        document = {"version": 1, "state": state, "debt_times": times}
        documents[user.id] = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return documents


def upgrade() -> None:
    # Filled below for everyone; the default only lets the column be added NOT NULL.
    op.add_column("users", sa.Column("document", sa.Text(), nullable=False, server_default="{}"))
    conn = op.get_bind()
    for user_id, document in _documents(conn).items():
        conn.execute(_users.update().where(_users.c.id == user_id).values(document=document))
    op.drop_index("ix_undo_steps_user_id", table_name="undo_steps")
    op.drop_table("undo_steps")
    op.drop_index("ix_payments_due_on", table_name="payments")
    for table in ("payments", "agreements", "rounds", "debts"):
        op.drop_table(table)
    if conn.dialect.name == "sqlite":
        # SQLite's own DROP COLUMN (3.35+), not a batch copy: copying users means dropping the
        # old table, and with foreign keys on that deletes every letter and reminder with it.
        for column in _USER_COLUMNS:
            op.execute(f'ALTER TABLE users DROP COLUMN "{column}"')
    else:
        for column in _USER_COLUMNS:
            op.drop_column("users", column)
        op.alter_column("users", "document", server_default=None)


def downgrade() -> None:
    raise NotImplementedError("0006 cannot be undone: restore the backup taken before upgrading")
