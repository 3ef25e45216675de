"""The job queue that carries a service's work from the webhook to the workers: procrastinate, on
the same PostgreSQL database as everything else (its tables: migration 0008).

Two kinds of job, each under its chat's lock, so one person's jobs run one at a time, oldest
first, on whichever worker is free, while different people's run side by side:

- `answer`: an update the webhook wrote to the inbox, deferred in the transaction that wrote it
  (`defer_answer`), so there is never an update without its job, nor a job without its update;
- `remind`: a reminder that is due, deferred in the transaction that claims it (`defer_reminder`),
  when it is due and not before: a job waiting for a later time under a lock would hold back
  every job of that person behind it;
- `retain`: the retention rule reaching someone (bot/retention.py).

A job carries ids only (the update's, the chat's, the reminder's): what the person said stays
in the inbox, out of the job queue's tables. Execution is at least once: a worker killed in the
middle of a job leaves it stalled, another worker puts it back (`retry_stalled`), and it is run
again; the processed-input key makes an update's second run change nothing, and a reminder's
second run finds it sent. A job that fails (the database away) is tried again a little later,
still holding its place in the person's order.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from procrastinate import App, JobContext, RetryStrategy, SyncPsycopgConnector
from procrastinate.connector import BaseConnector
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

UPDATES = "updates"  # the queues: both are read by every worker
REMINDERS = "reminders"
QUEUES = (UPDATES, REMINDERS)
ANSWER = "debtcoach.answer"
REMIND = "debtcoach.remind"
RETAIN = "debtcoach.retain"
WORK = "work"  # where a worker's `Work` is in a job's context
# Only the database failing makes a job raise (everything else is answered with an apology):
# a few seconds apart, for as long as a database restart takes.
RETRY = RetryStrategy(max_attempts=60, wait=2)


class Work(Protocol):
    """What a worker does with each kind of job (bot/telegram/worker.py)."""

    async def answer(self, update_id: int, chat_id: int) -> None: ...

    async def remind(self, reminder_id: int, chat_id: int) -> None: ...

    async def retain(self, chat_id: int) -> None: ...


def job_queue(connector: BaseConnector) -> App:
    """The job queue with its two tasks, on `connector` (a worker's is asynchronous; the
    webhook's synchronous one only defers, on a connection of ours)."""
    app = App(connector=connector)

    @app.task(name=ANSWER, queue=UPDATES, pass_context=True, retry=RETRY)
    async def answer(context: JobContext, update_id: int, chat_id: int) -> None:
        await _work(context).answer(update_id, chat_id)

    @app.task(name=REMIND, queue=REMINDERS, pass_context=True, retry=RETRY)
    async def remind(context: JobContext, reminder_id: int, chat_id: int) -> None:
        await _work(context).remind(reminder_id, chat_id)

    @app.task(name=RETAIN, queue=REMINDERS, pass_context=True, retry=RETRY)
    async def retain(context: JobContext, chat_id: int) -> None:
        await _work(context).retain(chat_id)

    return app


def deferring_queue(database_url: str) -> App:
    """The job queue as the webhook and the reminder claims use it: they only defer, each on a
    transaction of ours (psycopg's own connection under SQLAlchemy's), so the pool its
    connector would open is never opened."""
    return job_queue(SyncPsycopgConnector(conninfo=conninfo(database_url)))


def lock_of(chat_id: int | str) -> str:
    """The lock a chat's jobs share. A person's private chat has their own id, so their updates
    and their reminders keep one order; in a group, where the coach only says it works in
    private, the group's updates keep theirs."""
    return f"chat:{chat_id}"


def defer_answer(app: App, connection: Any, update_id: int, chat_id: int) -> None:
    """Queue the update's job in the caller's transaction (`connection`: psycopg's own)."""
    deferrer = app.configure_task(ANSWER, lock=lock_of(chat_id), connection=connection)
    deferrer.defer(update_id=update_id, chat_id=chat_id)


def defer_reminder(app: App, connection: Any, reminder_id: int, chat_id: int) -> None:
    deferrer = app.configure_task(REMIND, lock=lock_of(chat_id), connection=connection)
    deferrer.defer(reminder_id=reminder_id, chat_id=chat_id)


def defer_retention(app: App, connection: Any, chat_id: int) -> None:
    """Queue the retention rule's job for this chat. Two workers' sweeps may both find someone:
    the second job then finds the first one's work done and does nothing."""
    app.configure_task(RETAIN, lock=lock_of(chat_id), connection=connection).defer(chat_id=chat_id)


def conninfo(database_url: str) -> str:
    """The libpq URL psycopg takes, from the SQLAlchemy URL the settings give."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _work(context: JobContext) -> Work:
    work: Work = context.additional_context[WORK]
    return work
