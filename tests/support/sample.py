"""The sample negotiation, written once: a $5,000 credit card with Capital One, from /start to
settled in three payments of $600.

It is the story marked `sample: true` in tests/transcripts/01_settle_credit_card.yaml, where each
step also says what the coach must answer and store at that point (test_transcripts checks it).
Every other form is derived here: what a Telegram user sends, the lines piped to `debtcoach chat`,
the engine's `Input`s for the benches, the README's printf. Some steps name a checkpoint ("offer
drafted", "agreement signed"...): a test plays the sample `until` one, or from one `after` it,
never by counting steps, so adding a question to the conversation is one more step in one file.

A step is `command: start`, `say: <typed text>` or `press: <a button's label as shown>` (with
`console: <what the console user types instead>`, a choice's number or words, where it says so);
text and labels may hold `{date:...}` expressions, read against the person's today
(tests/support/clock.py).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from dialogs.engine import step
from dialogs.state import UserState
from dialogs.step_io import Choice, Input, StepResult
from tests.support.clock import expand, today_of

SOURCE = Path(__file__).resolve().parent.parent / "transcripts" / "01_settle_credit_card.yaml"


@dataclass(frozen=True)
class Move:
    kind: Literal["command", "say", "press"]
    text: str  # a command's name, typed text, or a button's label
    console: str | None = None  # what the console user types for a press instead of its label


def _move(raw: dict[str, Any]) -> Move:
    console = str(raw["console"]) if "console" in raw else None
    for kind in ("command", "say", "press"):
        if kind in raw:
            return Move(kind, str(raw[kind]), console)
    raise ValueError(f"a sample step is a command, a say or a press: {raw}")


@dataclass(frozen=True)
class Sample:
    moves: tuple[Move, ...]
    checkpoints: dict[str, int]  # name -> how many moves have been made when it is reached

    def _at(self, name: str | None, default: int) -> int:
        if name is None:
            return default
        if name not in self.checkpoints:
            raise KeyError(f"no checkpoint {name!r} in the sample: {list(self.checkpoints)}")
        return self.checkpoints[name]

    def part(self, *, after: str | None = None, until: str | None = None) -> list[Move]:
        """The moves from checkpoint `after` (the start when None) to checkpoint `until` (the end)."""
        return list(self.moves[self._at(after, 0) : self._at(until, len(self.moves))])


def load(source: Path = SOURCE) -> Sample:
    stories = yaml.safe_load(source.read_text())
    (story,) = [s for s in stories if s.get("sample")]
    moves: list[Move] = []
    checkpoints: dict[str, int] = {}
    for raw in story["steps"]:
        moves.append(_move(raw))
        if "checkpoint" in raw:
            assert raw["checkpoint"] not in checkpoints, f"checkpoint {raw['checkpoint']!r} twice"
            checkpoints[raw["checkpoint"]] = len(moves)
    return Sample(tuple(moves), checkpoints)


SAMPLE = load()


def telegram_steps(moves: list[Move], today: date) -> list[tuple[str, str]]:
    """What a Telegram user sends: ("say", text) typed, or ("press", label) on the latest buttons."""
    return [
        ("say", f"/{move.text}") if move.kind == "command" else (move.kind, expand(move.text, today)) for move in moves
    ]


def console_lines(moves: list[Move]) -> list[str]:
    """The lines piped to `debtcoach chat`: a button answered by its label, or as the step's
    `console` says (by its number, or in words). The console opens the conversation itself (with
    /start), so an opening /start is not typed. `{date:...}` is left for the console session to
    expand on its own clock."""
    lines = []
    for number, move in enumerate(moves):
        if move.kind == "command":
            if number == 0 and move.text == "start":
                continue
            lines.append(f"/{move.text}")
        else:
            lines.append(move.console or move.text)
    return lines


def play(
    moves: list[Move], now: datetime, state: UserState | None = None, *, results: list[StepResult] | None = None
) -> tuple[list[Input], UserState]:
    """The moves through the pure engine at `now`: the inputs they were, and the state they leave
    (each step's result appended to `results` when given). A press is the data of the button with
    that label on the latest question that had buttons; dates are read from the person's today at
    the start."""
    state = state or UserState()
    today = today_of(now, state)
    shown: tuple[Choice, ...] = ()
    made: list[Input] = []
    for move in moves:
        text = expand(move.text, today)
        if move.kind == "command":
            inp = Input.command(text)
        elif move.kind == "say":
            inp = Input.text(text)
        else:
            by_label = {choice.label: choice.value for choice in shown}
            assert text in by_label, f"no button {text!r} among {list(by_label)}"
            inp = Input.button(by_label[text])
        result = step(state, inp, now)
        state = result.state
        with_buttons = [reply.choices for reply in result.replies if reply.choices]
        if with_buttons:
            shown = tuple(with_buttons[-1])
        made.append(inp)
        if results is not None:
            results.append(result)
    return made, state


def inputs(moves: list[Move], now: datetime) -> list[Input]:
    """The engine's inputs for the moves, from a new person at `now` (see `play`)."""
    return play(moves, now)[0]


def printf(moves: list[Move]) -> str:
    """A shell command that pipes the moves to the console, one line each."""
    lines = console_lines(moves)
    for line in lines:
        assert "{date:" not in line and "%" not in line and "\\" not in line, f"cannot go in the printf: {line!r}"
    newline = "\\n"  # printf's, not Python's
    return f"printf {shlex.quote(''.join(line + newline for line in lines))}"
