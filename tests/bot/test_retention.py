"""The retention rule (bot/retention.py): someone silent for a year is told a month before, and
erased if they stay silent; a message from them keeps everything. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.outbox import Outbox, reply_of
from bot.retention import Retainer
from bot.service import handle
from bot.store import Store
from dialogs.policy import Retention, enforce_retention
from dialogs.render import render
from dialogs.state import UserState
from dialogs.step_io import Input
from tests.support.backends import BACKENDS, database_url
from tests.support.seeds import seed_plan

RULE = Retention(days=365, notice=30)
SIGNED = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # seed_plan's people last wrote then


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with database_url(request.param, tmp_path) as url:
        opened = Store(url)
        yield opened
        opened.close()


def _said(outbox: Outbox, chat: str) -> list[str]:
    return [reply_of(row.content).text for row in outbox.waiting_for(chat)]


def _due(retainer: Retainer, store: Store, now: datetime) -> list[str]:
    with store.engine.connect() as conn:
        return retainer.due(conn, now)


def _exists(store: Store, chat: str) -> bool:
    with store.user("telegram", chat) as user:
        return user.exists


def test_silent_for_eleven_months_they_are_told_and_a_month_later_erased(store: Store) -> None:
    retainer, outbox = Retainer(store, "telegram", RULE), Outbox(store, "telegram")
    seed_plan(store, 901, SIGNED)
    seed_plan(store, 902, SIGNED + timedelta(days=200))  # wrote much later: not reached
    eleven_months = SIGNED + timedelta(days=340)
    assert _due(retainer, store, SIGNED + timedelta(days=334)) == []
    assert _due(retainer, store, eleven_months) == ["901"]
    retainer.carry_out("901", eleven_months, outbox)
    [notice] = _said(outbox, "901")
    assert "since Wed 25 Nov 2026" in notice and "before Tue 30 Nov 2027" in notice, notice
    assert "/export" in notice and "/delete" in notice
    assert _due(retainer, store, eleven_months + timedelta(days=29)) == [], "told once, then a month to answer"
    retainer.carry_out("901", eleven_months + timedelta(days=1), outbox)  # a second job: nothing more
    assert len(_said(outbox, "901")) == 1

    a_month_on = eleven_months + timedelta(days=31)
    assert _due(retainer, store, a_month_on) == ["901"]
    retainer.carry_out("901", a_month_on, outbox)
    assert not _exists(store, "901")
    [farewell] = _said(outbox, "901")  # the notice went with the rest of theirs; this is the last word
    assert "As I said on Sun 31 Oct 2027" in farewell and "erased everything" in farewell
    with store.user("telegram", "902") as other:
        assert other.load().debts[0].creditor == "Creditor 1", "someone who wrote later keeps everything"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM reminders").scalar_one() == 0, "901's went with them"


def test_a_message_after_the_notice_keeps_everything(store: Store) -> None:
    retainer, outbox = Retainer(store, "telegram", RULE), Outbox(store, "telegram")
    seed_plan(store, 903, SIGNED)
    told = SIGNED + timedelta(days=340)
    retainer.carry_out("903", told, outbox)
    # /status changes nothing in their negotiation, and still counts as having written.
    handle(store, "telegram", "903", Input.command("status"), told + timedelta(days=3), input_key="update:1")
    later = told + timedelta(days=40)
    assert _due(retainer, store, later) == []
    retainer.carry_out("903", later, outbox)  # a job deferred before they wrote: it finds them active
    assert _exists(store, "903")
    assert _due(retainer, store, told + timedelta(days=3 + 336)) == ["903"], "a year from their message, told again"


def test_privacy_says_the_rule_only_where_it_is_carried_out() -> None:
    state = UserState(welcomed=True)
    assert "haven't written to me for" not in render("en", "privacy.html", user=state, retention=None)
    enforce_retention(RULE)
    try:
        said = render("en", "privacy.html", user=state, retention=RULE)
        assert "haven't written to me for 365 days: 30 days before, I tell you" in said
        assert "365天沒有傳訊息給我" in render("zh_TW", "privacy.html", user=state, retention=RULE)
    finally:
        enforce_retention(None)
