"""Quit at any point, come back, and the coach carries on exactly where it was.

Every transcript story is replayed twice: once through the pure engine in memory, once through
the real store on a SQLite file, reopening the store for every single input as if the person
quit and started again each time. Both runs must say the same things and end in the same state.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.service import handle
from bot.store import Store
from dialogs.codec import encode
from dialogs.engine import step, where_we_are
from dialogs.state import UserState
from dialogs.step_io import Choice, Input
from tests.dialogs.test_transcripts import NOW, STORIES, buttons_now, to_input


def _comparable(state: UserState) -> dict[str, Any]:
    data = encode(state)
    data["undo"] = len(state.undo)
    return data


@pytest.mark.parametrize(("story", "steps"), [(f"{f}: {s['story']}", s["steps"]) for f, s in STORIES])
def test_quitting_after_any_answer_resumes_exactly(tmp_path: Path, story: str, steps: list[dict[str, Any]]) -> None:
    url = f"sqlite:///{tmp_path / 'coach.sqlite3'}"
    memory = UserState()
    now = NOW
    shown: tuple[Choice, ...] = ()
    for number, step_ in enumerate(steps, start=1):
        now += timedelta(days=int(step_.get("days_later", 0)))
        inp = to_input(memory, step_, shown)
        expected = step(memory, inp, now)
        memory, shown = expected.state, buttons_now(expected, shown)
        store = Store(url)  # a fresh start: nothing survives but the database file
        try:
            handled = handle(store, "console", "someone", inp, now)
            with store.user("console", "someone") as user:
                stored = user.load()
        finally:
            store.close()
        assert handled.result is not None
        where = f"{story}, step {number}"
        assert [r.text for r in handled.result.replies] == [r.text for r in expected.replies], where
        assert _comparable(stored) == _comparable(memory), where


def test_an_input_already_processed_is_not_processed_again(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    try:
        first = handle(store, "telegram", "42", Input.text("hi"), NOW, input_key="update:1")
        again = handle(store, "telegram", "42", Input.text("hi"), NOW, input_key="update:1")
        name = handle(store, "telegram", "42", Input.text("Chase"), NOW, input_key="update:2")
        with store.user("telegram", "42") as user:
            state = user.load()
    finally:
        store.close()
    assert first.result is not None and again.result is None and name.result is not None
    assert state.active_debt is not None and state.active_debt.creditor == "Chase"
    assert state.active_debt.state == "kind"


def test_a_crash_mid_input_loses_only_that_input(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coach.sqlite3'}"
    store = Store(url)
    handle(store, "console", "me", Input.text("hi"), NOW)
    handle(store, "console", "me", Input.text("Chase"), NOW)
    with pytest.raises(RuntimeError), store.user("console", "me") as user:
        state = user.load()
        user.save(step(state, Input.button("1:1:kind:credit_card"), NOW).state, NOW)
        raise RuntimeError("the process died here")
    store.close()
    reopened = Store(url)
    with reopened.user("console", "me") as user:
        state = user.load()
    reopened.close()
    assert state.active_debt is not None and state.active_debt.state == "kind"
    assert state.active_debt.kind is None


def test_a_side_question_open_at_a_restart_is_the_one_shown_and_answered() -> None:
    """A channel shows where we are after a restart (Telegram: where_we_are, the console: /start):
    the side question still open is that question, and what is typed next answers it."""
    state = UserState()
    for inp in (Input.text("hello"), Input.text("Chase"), Input.command("timezone")):
        state = step(state, inp, NOW).state
    shown = where_we_are(state, NOW)
    assert shown.replies[-1].text.startswith("Your time zone"), shown.replies[-1].text
    assert not shown.changed
    answered = step(state, Input.text("Chicago"), NOW)
    assert answered.state.reminders.timezone == "America/Chicago"
    assert "What kind of debt is it with Chase?" in answered.replies[-1].text
