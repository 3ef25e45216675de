"""The retention rule of a service: someone who has not written for `DEBTCOACH_RETENTION_DAYS` is
erased, having been told `DEBTCOACH_RETENTION_NOTICE_DAYS` before.

Inactivity is counted from the person's last message (the store's `seen` and every saved answer
move `updated_at` on). A worker looks, now and then, for whom the rule reaches (`due`: the ones
to tell, and the ones told long enough ago) and defers a job for each under their chat's lock
(bot/job_queue.py), so it never lands in the middle of an answer to them. The job decides in
the person's own transaction, from the row as it is then (`carry_out`): a message from them
since the sweep, or since the notice, keeps everything. Told, they get a message saying when
and how to keep their data (/export) or let it go now (/delete); erased, they get a last one
saying it is done, queued after the erasure as /delete's is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, bindparam, or_, select

from bot.models import User, table_of
from bot.outbox import Outbox, Outgoing, Queued
from bot.storage import aware
from bot.store import Store, UserStore
from dialogs.policy import Retention
from dialogs.reminder_plan import local_now
from dialogs.render import render
from dialogs.step_io import Reply

_USERS = table_of(User)
BATCH = 100
_DUE = (
    select(_USERS.c.external_id)
    .where(
        _USERS.c.channel == bindparam("channel"),
        _USERS.c.external_id > bindparam("after"),
        or_(
            and_(_USERS.c.retention_notice_at.is_(None), _USERS.c.updated_at < bindparam("tell_before")),
            _USERS.c.retention_notice_at < bindparam("erase_before"),
        ),
    )
    .order_by(_USERS.c.external_id)
    .limit(BATCH)
)


class Retainer:
    def __init__(self, store: Store, channel: str, rule: Retention) -> None:
        self.store = store
        self.channel = channel
        self.rule = rule

    def due(self, conn: Connection, now: datetime, after: str = "") -> list[str]:
        """Whom the rule reaches now, a batch of them after `after` in the order of their chats:
        their chats (the jobs decide, each in its own turn)."""
        found = conn.execute(_DUE, {"channel": self.channel, "after": after, **self._bounds(now)})
        return [str(external_id) for (external_id,) in found]

    def carry_out(self, external_id: str, now: datetime, outbox: Outbox) -> list[Queued]:
        """Tell them, or erase them, or nothing (they wrote since): what was queued."""
        with self.store.user(self.channel, external_id) as user:
            bounds = self._bounds(now)
            noticed, active = user.noticed_at, user.last_active
            if active is None:
                return []
            if noticed is None and active < bounds["tell_before"]:
                return self._tell(user, external_id, active, now, outbox)
            if noticed is not None and noticed < bounds["erase_before"]:
                return self._erase(user, external_id, noticed, now, outbox)
            return []

    def _tell(self, user: UserStore, external_id: str, active: datetime, now: datetime, outbox: Outbox) -> list[Queued]:
        state = user.load()
        today = local_now(state, now).date()
        since = local_now(state, active).date()
        on = today + timedelta(days=self.rule.notice)
        text = render(state.locale, "retention_notice.html", since=since, on=on)
        user.notice(now)
        return self._queue(user, external_id, text, now, outbox)

    def _erase(
        self, user: UserStore, external_id: str, noticed: datetime, now: datetime, outbox: Outbox
    ) -> list[Queued]:
        state = user.load()
        text = render(state.locale, "retention_erased.html", noticed=local_now(state, noticed).date())
        user.erase()
        return self._queue(user, external_id, text, now, outbox)

    @staticmethod
    def _queue(user: UserStore, external_id: str, text: str, now: datetime, outbox: Outbox) -> list[Queued]:
        queued: list[Queued] = []
        item = Outgoing.reply(Reply(text), paced=True)
        user.write_alongside(lambda conn: queued.extend(outbox.write(conn, external_id, [item], now)))
        return queued

    def _bounds(self, now: datetime) -> dict[str, datetime]:
        now = aware(now)
        return {
            "tell_before": now - timedelta(days=self.rule.days - self.rule.notice),
            "erase_before": now - timedelta(days=self.rule.notice),
        }
