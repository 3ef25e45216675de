"""Conversations as stories: what the person says, where the coach goes, what it says back.

Each YAML file under `transcripts/` holds stories run through the pure engine, on the tests' clock
(dates in them are written relative to it, `{date:+9d}`: see tests/support/clock.py). A step gives
one input (`say`, `press` a button by its label or its action, `command` with its argument
if any, `global`) and what must
follow: `state` (the active debt's step), `says` (fragments that must appear in the replies),
`not_says`, `buttons` (every button of the replies, in order), `letters` (kinds drafted),
`letter_says` and `not_letter_says` (fragments of their text), and `check` (values read off the
state, money as "1000.00 USD").
Together the stories must visit every state of the machine. The story marked `sample` is the
sample negotiation every channel's tests play (tests/support/sample.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs import buttons
from dialogs.codec import encode
from dialogs.engine import step
from dialogs.machine import STATES
from dialogs.money import Money
from dialogs.state import PaymentStatus, Place, UserState
from dialogs.step_io import Choice, Input, LetterDrafted, StepResult
from tests.support.clock import clock_now, expand, today_of

HERE = Path(__file__).resolve().parents[1] / "transcripts"
STORIES = [(path.stem, story) for path in sorted(HERE.glob("*.yaml")) for story in yaml.safe_load(path.read_text())]
NOW = clock_now()
# Dates in the stories are written from the person's today at the start ({date:+9d}: see tests/support/clock.py).
TODAY = today_of(NOW)


def plain(text: str) -> str:
    """A reply's words with the spacing evened out (a reply's `text` is already plain)."""
    return " ".join(text.split())


def read(state: UserState, dotted: str) -> Any:
    value: Any = state
    for part in dotted.split("."):
        if part == "debt":
            value = state.active_debt
        elif part.isdigit():
            value = value[int(part)]
        else:
            value = getattr(value, part)
    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def to_input(state: UserState, step_: dict[str, Any], shown: tuple[Choice, ...] = (), today: date = TODAY) -> Input:
    """`shown`: the buttons of the latest question that had any, for a press by label; `today`:
    the person's own date at the start, which the story's dates are written from."""
    if "say" in step_:
        return Input.text(expand(str(step_["say"]), today))
    if "command" in step_:
        name, _, arg = str(step_["command"]).partition(" ")  # `command: timezone Los Angeles`
        return Input.command(name, arg.strip())
    if "global" in step_:
        return Input.button(global_data(state, str(step_["global"])))
    label = expand(str(step_["press"]), today)
    by_label = {choice.label: choice.value for choice in shown}
    if label in by_label:
        return Input.button(by_label[label])
    return Input.button(press_data(state, str(step_["press"])))


def buttons_now(result: StepResult, shown: tuple[Choice, ...]) -> tuple[Choice, ...]:
    """The buttons a press by label is read against after `result`: its last that had any, else
    the ones shown before."""
    with_buttons = [reply.choices for reply in result.replies if reply.choices]
    return tuple(with_buttons[-1]) if with_buttons else shown


def press_data(state: UserState, value: str) -> str:
    """`press: accepted` is the active debt's button as its question shows it now (at the
    debt's turn; `paid` and `missed` name the next unpaid instalment); `2:awaiting_reply:accepted`
    is debt 2's button for that step, at debt 2's turn; anything else is pressed as written."""
    parts = value.split(":")
    if len(parts) == 3 and parts[0].isdigit():
        debt = state.debt(int(parts[0]))
        return f"{parts[0]}:{debt.turn if debt else 0}:{parts[1]}:{parts[2]}"
    if len(parts) > 1:
        return value
    debt = state.active_debt
    assert debt is not None
    if debt.state == buttons.PAYMENT_STEP and value in buttons.PAYMENT_VERBS:
        unpaid = next(i for i, p in enumerate(debt.payments) if p.status is not PaymentStatus.PAID)
        return buttons.payment(debt, value, unpaid)
    return buttons.answer(debt, value)


def global_data(state: UserState, value: str) -> str:
    """`global: "yes"` and `"no"` answer the confirmation that waits (an unnamed one when none
    does); `global: new` adds the next debt; anything else is `g:` and the value as written."""
    if value in ("yes", "no"):
        return buttons.confirmation(value == "yes", state.confirming or "")
    if value == "new":
        return buttons.control("new", state.next_seq())
    return f"g:{value}"


def play_story(story: str, steps: list[dict[str, Any]], locale: str = "en") -> set[str]:
    """Plays one story, checking every step; returns the states its active debt went through.
    `locale` is the language the person arrived with (a story's `locale:`)."""
    visited: set[str] = set()
    state = UserState(locale=locale)
    # In Taipei the date may already be tomorrow's, or still today's when New York's is not.
    today = today_of(NOW, state)
    day = NOW
    shown: tuple[Choice, ...] = ()
    for number, step_ in enumerate(steps, start=1):
        if "days_later" in step_:
            day = day + timedelta(days=int(step_["days_later"]))
        inp = to_input(state, step_, shown, today)
        result = step(state, inp, day)
        state, shown = result.state, buttons_now(result, shown)
        said = "\n".join(plain(r.text) for r in result.replies)
        where = f"{story}, step {number} ({inp.value!r})"
        debt = state.active_debt
        if debt is not None:
            visited.add(debt.state)
        if "state" in step_:
            assert debt is not None and debt.state == step_["state"], f"{where}: at {debt and debt.state}\n{said}"
        for fragment in (expand(f, today) for f in step_.get("says", [])):
            assert fragment in said, f"{where}: {fragment!r} not in\n{said}"
        if "buttons" in step_:
            labels = [choice.label for reply in result.replies for choice in reply.choices]
            assert labels == step_["buttons"], f"{where}: buttons {labels}"
        for fragment in step_.get("not_says", []):
            assert fragment not in said, f"{where}: {fragment!r} should not be in\n{said}"
        if "letters" in step_:
            kinds = [e.kind for e in result.effects if isinstance(e, LetterDrafted)]
            assert kinds == step_["letters"], f"{where}: letters {kinds}"
        letters = "\n".join(e.text for e in result.effects if isinstance(e, LetterDrafted))
        for fragment in (expand(f, today) for f in step_.get("letter_says", [])):
            assert fragment in letters, f"{where}: {fragment!r} not in the letters\n{letters}"
        for fragment in step_.get("not_letter_says", []):
            assert fragment not in letters, f"{where}: {fragment!r} should not be in the letters\n{letters}"
        for dotted, expected in step_.get("check", {}).items():
            if isinstance(expected, str):
                expected = expand(expected, today)
            assert read(state, dotted) == expected, f"{where}: {dotted} is {read(state, dotted)!r}"
        assert all(r.text.strip() for r in result.replies), f"{where}: an empty reply"
        assert result.replies, f"{where}: no reply at all"
    return visited


@pytest.mark.parametrize(
    ("story", "steps", "locale"), [(f"{f}: {s['story']}", s["steps"], s.get("locale", "en")) for f, s in STORIES]
)
def test_story(story: str, steps: list[dict[str, Any]], locale: str) -> None:
    play_story(story, steps, locale)


def test_stories_visit_every_state() -> None:
    """Together the stories walk through every state (each played again here, so that this test
    means the same alone, in any order, or on another worker than the stories)."""
    visited = set().union(*(play_story(f"{f}: {s['story']}", s["steps"], s.get("locale", "en")) for f, s in STORIES))
    assert set(STATES) - visited == set()


@pytest.mark.parametrize(
    ("story", "steps"),
    # Not the stories about where people live, which a reader placed in the US by the test plays otherwise.
    [(f"{f}: {s['story']}", s["steps"]) for f, s in STORIES if s.get("locale", "en") == "en" and f != "16_taiwan"],
)
def test_every_story_goes_the_same_way_for_a_chinese_reader_in_the_us(story: str, steps: list[dict[str, Any]]) -> None:
    """The English stories played again, step by step, by someone who reads Chinese and lives in the
    US: the same buttons and words go in, and the same state comes out (figures, steps, letters
    in English for US creditors); only the sentences differ, and every one of them renders in
    Chinese with the same number of messages and buttons."""
    english = UserState()
    chinese = UserState(locale="zh_TW", place=Place.US, place_confirmed=True)
    day = NOW
    shown: tuple[Choice, ...] = ()
    for number, step_ in enumerate(steps, start=1):
        if "days_later" in step_:
            day = day + timedelta(days=int(step_["days_later"]))
        inp = to_input(english, step_, shown)
        said, heard = step(english, inp, day), step(chinese, inp, day)
        english, chinese, shown = said.state, heard.state, buttons_now(said, shown)
        where = f"{story}, step {number} ({inp.value!r})"
        if chinese.asking == "place" and english.asking is None:
            # Erased and back: a Chinese reader is asked again where they live, and says so.
            chinese = step(chinese, Input.button("g:place:us"), day).state
            continue
        mine = {k: v for k, v in encode(chinese).items() if k not in ("locale", "place", "place_confirmed", "undo")}
        theirs = {k: v for k, v in encode(english).items() if k not in ("locale", "place", "place_confirmed", "undo")}
        assert mine == theirs, where
        assert [len(r.choices) for r in heard.replies] == [len(r.choices) for r in said.replies], where
        assert [r.choices[i].value for r in heard.replies for i in range(len(r.choices))] == [
            c.value for r in said.replies for c in r.choices
        ], where
        assert all(r.text.strip() for r in heard.replies), f"{where}: an empty reply"
        assert [e.text for e in heard.effects if isinstance(e, LetterDrafted)] == [
            e.text for e in said.effects if isinstance(e, LetterDrafted)
        ], where
