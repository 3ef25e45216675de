"""Many people through the whole sample negotiation (tests/support/sample.py) as the bot handles
them, and what they leave in the database: bench/store.py times and measures it, and
tests/bot/test_store_size.py holds it to issue 11's budget.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.inbox import Inbox
from bot.service import handle
from bot.store import Store
from bot.telegram.app import KEEP_PROCESSED
from dialogs.step_io import Input
from tests.support.sample import SAMPLE, inputs

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
# The sample as the engine's inputs from START, one a second.
STORY: list[Input] = inputs(SAMPLE.part(), START)
END = START + timedelta(seconds=len(STORY) - 1)  # when each person's last input came
# When the bot's prune has forgotten every key of the story but the last input's.
PRUNED_AT = END + KEEP_PROCESSED


def play(store: Store, channel: str, people: Iterable[int]) -> None:
    """Each of `people` through the whole story, one transaction per input (`bot.service.handle`,
    with a key per input as a channel gives its updates), person after person."""
    for person in people:
        for index, inp in enumerate(STORY):
            handle(store, channel, str(person), inp, START + timedelta(seconds=index), input_key=f"{person}:{index}")


def prune_as_the_bot_does(store: Store, now: datetime) -> int:
    """What the bot's hourly prune (bot/telegram/app.py) deletes when it runs at `now`."""
    return Inbox(store, "telegram").prune_processed(now - KEEP_PROCESSED)


def sqlite_payload(store: Store) -> Counter[str]:
    """Bytes of content of each table and index (dbstat's payload, without the free space of
    half-empty pages), once the log is in the database file."""
    store.checkpoint()
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, sum(payload) FROM dbstat GROUP BY name")).all()
    return Counter({name: int(size) for name, size in rows})
