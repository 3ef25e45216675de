"""The scheduler's work, for any channel: claim what is due, decide what each becomes, record it.

`claim` takes due rows in one transaction, leased; `prepare` opens the person's own transaction,
plans their reminders again from the state as it is now and decides: send it (and with what
words), move it (the time changed, or it would land in the quiet hours), skip it (a later
reminder of the same instalment or call is also due), or drop it (the state no longer calls for
it). `finish` records what was sent, in one transaction for a batch. A process that dies between
sending and `finish` leaves the rows leased; the lease runs out and they are sent again: a
reminder may repeat after a crash, but it is never lost.

A channel with an outbox (Telegram) calls `hand_over` instead of `prepare` and `finish`: the
decision, the message queued in the outbox and the row marked sent, in the person's one
transaction. The outbox then delivers it (at least once, as everything in it); the lease only
covers the moment between the claim and that transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import reminder_table
from bot.outbox import Outbox, Outgoing, Queued
from bot.reminder_table import FAILED, PENDING, SENT, SKIPPED, Claimed
from bot.store import Store, UserStore
from dialogs.reminder_plan import in_quiet_hours, local_now, out_of_quiet, plan, superseded, to_utc, zone
from dialogs.reminder_wording import compose
from dialogs.step_io import Reply

LEASE = timedelta(minutes=2)
# A reminder sent this long after its time is worded as late.
LATE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Ready:
    """A reminder to send now: to whom, and what."""

    id: int
    external_id: str
    reply: Reply


class ReminderQueue:
    def __init__(self, store: Store, channel: str, lease: timedelta = LEASE) -> None:
        self.store = store
        self.channel = channel
        self.lease = lease

    def claim(self, now: datetime, limit: int, external_id: str | None = None) -> list[Claimed]:
        with self.store.engine.begin() as conn:
            return reminder_table.claim(conn, self.channel, now, limit, self.lease, external_id)

    def prepare(self, claimed: Claimed, now: datetime) -> Ready | None:
        """The message for a claimed reminder, or None when it is not to be sent now (and the
        row has been moved, skipped or dropped accordingly)."""
        with self.store.user(self.channel, claimed.external_id) as user:
            return self._decide(user, claimed, now)

    def hand_over(self, claimed: Claimed, now: datetime, outbox: Outbox) -> list[Queued]:
        """As `prepare`, and a reminder to send now is queued in `outbox`, paced, and recorded
        as sent, in the same transaction. Returns what was queued."""
        with self.store.user(self.channel, claimed.external_id) as user:
            return self._queue(user, claimed, now, outbox)

    def hand_over_job(self, reminder_id: int, external_id: str, now: datetime, outbox: Outbox) -> list[Queued]:
        """As `hand_over`, for a job that names the reminder (bot/job_queue.py): nothing if it
        is no longer claimed (a job run twice: the first run sent it)."""
        with self.store.user(self.channel, external_id) as user:
            claimed = user.claimed_reminder(reminder_id)
            return [] if claimed is None else self._queue(user, claimed, now, outbox)

    def _queue(self, user: UserStore, claimed: Claimed, now: datetime, outbox: Outbox) -> list[Queued]:
        ready = self._decide(user, claimed, now)
        if ready is None:
            return []
        queued: list[Queued] = []
        item = Outgoing.reply(ready.reply, paced=True, reminder=ready.id)
        user.write_alongside(lambda conn: queued.extend(outbox.write(conn, claimed.external_id, [item], now)))
        user.update_reminder(ready.id, status=SENT, claimed_at=None, sent_at=now)
        return queued

    def _decide(self, user: UserStore, claimed: Claimed, now: datetime) -> Ready | None:
        """What to do with a claimed reminder, decided in the person's transaction."""
        state = user.load()
        every = plan(state)
        planned = next((p for p in every if p.key == claimed.key), None)
        if planned is None:
            # No longer called for (paid meanwhile): done with, or its lease would bring it back.
            user.update_reminder(claimed.id, status=SKIPPED, claimed_at=None)
            user.sync_reminders(every, now)
            return None
        if planned.due_at > now:
            user.update_reminder(claimed.id, status=PENDING, claimed_at=None, due_at=planned.due_at)
            return None
        if superseded(planned, every, now):
            user.update_reminder(claimed.id, status=SKIPPED, claimed_at=None)
            return None
        local = local_now(state, now).replace(tzinfo=None)
        if in_quiet_hours(state.reminders, local.time()):
            # Held back (the bot was down) into the quiet hours: wait for them to end.
            later = to_utc(zone(state), out_of_quiet(state.reminders, local))
            user.update_reminder(claimed.id, status=PENDING, claimed_at=None, due_at=later, late=True)
            return None
        late = claimed.late or now - planned.due_at > LATE_AFTER
        return Ready(claimed.id, claimed.external_id, compose(state, planned, now, late=late))

    def renew(self, reminder_ids: Sequence[int], now: datetime) -> None:
        """Keep the leases of reminders that are taking long to send (Telegram asked to wait):
        a lease that ran out meanwhile would let the reminder be claimed and sent twice."""
        with self.store.engine.begin() as conn:
            reminder_table.renew(conn, reminder_ids, now)

    def finish(self, sent: Sequence[int], now: datetime, failed: Sequence[int] = ()) -> None:
        with self.store.engine.begin() as conn:
            reminder_table.mark(conn, sent, SENT, now)
            reminder_table.mark(conn, failed, FAILED, now)
