"""What /back must do with the history the store keeps, and what that history costs.

The engine keeps the last `UNDO_DEPTH` answers, compacted (see dialogs/engine.py). Whatever its
form, this is the promise: right after any answer of a whole negotiation, stored and loaded
again, /back up to UNDO_DEPTH times in a row puts the active debt, the budget and the currency
back exactly as they were before each of the last answers, newest first (the debt's turn
excepted: it only grows, so old buttons stay stale), and then there is nothing left to take back.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.memory_store import MemoryStore
from bot.service import handle
from bot.storage import Storage
from bot.store import Store
from dialogs.codec import encode
from dialogs.engine import UNDO_DEPTH, undo
from dialogs.state import UserState
from dialogs.step_io import Input
from tests.support.clock import clock_now
from tests.support.sample import SAMPLE, Move, inputs

NOW = clock_now()
STORY = SAMPLE.part()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "memory":
        yield MemoryStore()
        return
    sql = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
    yield sql
    sql.close()


def before_answer(state: UserState) -> dict[str, Any]:
    debt = encode(state.active_debt)
    # The turn only grows; the letters' details are no answer of the debt's, and /back keeps them.
    for kept in ("turn", "creditor_address", "account_ref", "original_creditor"):
        del debt[kept]
    return {"debt": debt, "budget": encode(state.budget), "currency": state.currency}


def load(store: Storage) -> UserState:
    with store.user("telegram", "1") as person:
        return person.load()


def playing(store: Storage, moves: list[Move]) -> Iterator[list[dict[str, Any]]]:
    """The moves through the store, one at a time: after each, what every answer so far found
    (oldest first; a command or a refused answer adds nothing)."""
    answered: list[dict[str, Any]] = []
    state = UserState()
    for number, (move, inp) in enumerate(zip(moves, inputs(moves, NOW), strict=True)):
        found = before_answer(state) if state.active_debt is not None else None
        turn = state.active_debt.turn if state.active_debt is not None else 0
        handled = handle(store, "telegram", "1", inp, NOW, input_key=f"k{number}")
        assert handled.result is not None
        state = handled.result.state
        if found is not None and move.kind != "command" and state.active_debt.turn == turn + 1:
            answered.append(found)
        yield answered


def play(store: Storage, moves: list[Move]) -> list[dict[str, Any]]:
    """The moves through the store; returns what each answer found, oldest first."""
    answered: list[dict[str, Any]] = []
    for so_far in playing(store, moves):
        answered = so_far
    return answered


def test_back_restores_each_of_the_last_answers_after_every_answer(store: Storage) -> None:
    answered: list[dict[str, Any]] = []
    for number, answered in enumerate(playing(store, STORY)):
        stored = load(store)
        for expected in reversed(answered[-UNDO_DEPTH:]):
            assert undo(stored), f"step {number}: nothing to take back"
            assert before_answer(stored) == expected, f"step {number}"
        assert not undo(stored), f"step {number}: more than {UNDO_DEPTH} answers kept"
    assert len(answered) > 2 * UNDO_DEPTH


def test_back_as_a_command_goes_on_from_what_it_restored(store: Storage) -> None:
    """/back typed several times in a row, each on the state the one before stored."""
    answered = play(store, SAMPLE.part(until="goals chosen"))
    for back in range(1, UNDO_DEPTH + 1):
        handled = handle(store, "telegram", "1", Input.command("back"), NOW, input_key=f"back{back}")
        assert handled.result is not None
        assert before_answer(load(store)) == answered[-back]
    handled = handle(store, "telegram", "1", Input.command("back"), NOW, input_key="back.last")
    assert handled.result is not None
    assert "nothing" in handled.result.replies[0].text.lower()


def test_a_persons_state_after_the_whole_negotiation_is_under_4_kib(tmp_path: Path) -> None:
    """The document, "back" history included, of someone who settled a debt in three payments:
    the text every answer builds and compares, whatever the database squeezes it into."""
    store = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
    try:
        play(store, STORY)
        settled = load(store).active_debt
        with store.engine.connect() as conn:
            (stored,) = conn.exec_driver_sql("SELECT document FROM users").one()
    finally:
        store.close()
    assert settled is not None and settled.state == "settled"
    assert len(zlib.decompress(stored)) < 4096
