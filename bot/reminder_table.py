"""The reminders table, statement by statement: reconciling one person's rows with their plan,
and claiming due rows for a scheduler. Pure SQLAlchemy Core on a connection the caller holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from bot.models import ReminderRow, User, table_of
from dialogs.reminder_plan import Planned

PENDING, SENDING, SENT, SKIPPED, FAILED = "pending", "sending", "sent", "skipped", "failed"


REMINDERS = table_of(ReminderRow)
_USERS = table_of(User)

_OF_USER = (
    select(REMINDERS.c.id, REMINDERS.c.key, REMINDERS.c.status, REMINDERS.c.due_at)
    .where(REMINDERS.c.user_id == bindparam("uid"))
    .order_by(REMINDERS.c.id)
)
_INSERT = insert(REMINDERS)
_DELETE = delete(REMINDERS).where(REMINDERS.c.id.in_(bindparam("ids", expanding=True)))
# Only this person's row: a forged id from elsewhere matches nothing.
_UPDATE_OWN = update(REMINDERS).where(REMINDERS.c.id == bindparam("w_id"), REMINDERS.c.user_id == bindparam("w_uid"))
_EXPORT = (
    select(
        REMINDERS.c.debt_seq,
        REMINDERS.c.kind,
        REMINDERS.c.due_at,
        REMINDERS.c.status,
        REMINDERS.c.late,
        REMINDERS.c.sent_at,
    )
    .where(REMINDERS.c.user_id == bindparam("uid"))
    .order_by(REMINDERS.c.due_at, REMINDERS.c.id)
)


def sync(conn: Connection, user_id: int, planned: Sequence[Planned], now: datetime) -> None:
    """Make the person's pending rows match `planned`: add what is new and still ahead, move
    what changed time, delete what is no longer called for. Sent rows are history: untouched.
    A reminder whose time has already passed when it is first planned is not created: it
    would arrive at once and mean nothing ("in 3 days", for a payment due tomorrow)."""
    existing = {row.key: row for row in conn.execute(_OF_USER, {"uid": user_id})}
    wanted = {p.key: p for p in planned}
    gone = [row.id for key, row in existing.items() if row.status == PENDING and key not in wanted]
    inserts: list[dict[str, Any]] = []
    for p in wanted.values():
        row = existing.get(p.key)
        if row is None:
            if p.due_at > now:
                inserts.append(
                    {
                        "user_id": user_id,
                        "debt_seq": p.debt_seq,
                        "kind": p.kind.value,
                        "key": p.key,
                        "due_at": p.due_at,
                        "status": PENDING,
                        "late": False,
                    }
                )
        elif row.status == PENDING and row.due_at != p.due_at:
            if p.due_at > now:
                conn.execute(_UPDATE_OWN, {"w_id": row.id, "w_uid": user_id, "due_at": p.due_at})
            else:
                gone.append(row.id)
    if gone:
        conn.execute(_DELETE, {"ids": gone})
    if inserts:
        conn.execute(_INSERT, inserts)


def update_own(conn: Connection, user_id: int, reminder_id: int, **values: Any) -> None:
    conn.execute(_UPDATE_OWN, {"w_id": reminder_id, "w_uid": user_id, **values})


def export(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "debt_seq": seq,
            "kind": kind,
            "due_at": due_at.isoformat(),
            "status": status,
            "late": late,
            "sent_at": None if sent_at is None else sent_at.isoformat(),
        }
        for seq, kind, due_at, status, late, sent_at in conn.execute(_EXPORT, {"uid": user_id})
    ]


# -- the scheduler's side ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    external_id: str
    key: str
    due_at: datetime
    late: bool


_EXPIRED = (
    update(REMINDERS)
    .where(REMINDERS.c.status == SENDING, REMINDERS.c.claimed_at <= bindparam("stale"))
    .values(status=PENDING, claimed_at=None)
)


def _due(by_user: bool, postgres: bool) -> Any:
    query = (
        select(REMINDERS.c.id, _USERS.c.external_id, REMINDERS.c.key, REMINDERS.c.due_at, REMINDERS.c.late)
        .join(_USERS, _USERS.c.id == REMINDERS.c.user_id)
        .where(
            REMINDERS.c.status == PENDING,
            REMINDERS.c.due_at <= bindparam("now"),
            _USERS.c.channel == bindparam("channel"),
        )
        .order_by(REMINDERS.c.due_at, REMINDERS.c.id)
        .limit(bindparam("limit"))
    )
    if by_user:
        query = query.where(_USERS.c.external_id == bindparam("external_id"))
    if postgres:
        # Several bot processes claim side by side, each skipping rows another has locked.
        query = query.with_for_update(of=REMINDERS, skip_locked=True)
    return query


_DUE = {(by_user, pg): _due(by_user, pg) for by_user in (False, True) for pg in (False, True)}
_MARK = (
    update(REMINDERS)
    .where(REMINDERS.c.id == bindparam("w_id"))
    .values(status=bindparam("w_status"), claimed_at=bindparam("w_claimed"), sent_at=bindparam("w_sent"))
)


def claim(
    conn: Connection,
    channel: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    external_id: str | None = None,
) -> list[Claimed]:
    """Take up to `limit` due reminders, oldest first, marking them `sending` with a lease."""
    conn.execute(_EXPIRED, {"stale": now - lease})
    query = _DUE[(external_id is not None, conn.dialect.name == "postgresql")]
    params: dict[str, Any] = {"channel": channel, "now": now, "limit": limit}
    if external_id is not None:
        params["external_id"] = external_id
    rows = conn.execute(query, params).all()
    if rows:
        conn.execute(_MARK, [{"w_id": r.id, "w_status": SENDING, "w_claimed": now, "w_sent": None} for r in rows])
    return [Claimed(r.id, r.external_id, r.key, r.due_at, r.late) for r in rows]


_CLAIMED_OWN = select(REMINDERS.c.id, REMINDERS.c.key, REMINDERS.c.due_at, REMINDERS.c.late).where(
    REMINDERS.c.id == bindparam("w_id"), REMINDERS.c.user_id == bindparam("w_uid"), REMINDERS.c.status == SENDING
)


def claimed_own(conn: Connection, user_id: int, external_id: str, reminder_id: int) -> Claimed | None:
    """One of this person's reminders, if it is claimed and not yet sent (a job that runs twice
    finds it sent the second time, and a forged id finds nothing)."""
    row = conn.execute(_CLAIMED_OWN, {"w_id": reminder_id, "w_uid": user_id}).first()
    return None if row is None else Claimed(row.id, external_id, row.key, row.due_at, row.late)


_RENEW = (
    update(REMINDERS)
    .where(REMINDERS.c.id.in_(bindparam("ids", expanding=True)), REMINDERS.c.status == SENDING)
    .values(claimed_at=bindparam("now"))
)


def renew(conn: Connection, reminder_ids: Sequence[int], now: datetime) -> None:
    """Start the leases of reminders still being sent again from `now`."""
    if reminder_ids:
        conn.execute(_RENEW, {"ids": list(reminder_ids), "now": now})


def mark(conn: Connection, reminder_ids: Sequence[int], status: str, now: datetime) -> None:
    if reminder_ids:
        sent = now if status == SENT else None
        conn.execute(_MARK, [{"w_id": i, "w_status": status, "w_claimed": None, "w_sent": sent} for i in reminder_ids])
