"""The people issue 12 was tried with (tests/transcripts/14_personas.yaml), typed into the real
`debtcoach chat` process as they would: a button answered by its label as the console shows it,
the days between calls as separate sessions on a clock moved on. What the story says the coach
answers must be in what the console printed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs.engine import step
from dialogs.state import UserState
from dialogs.step_io import Choice, InputKind
from tests.dialogs.test_transcripts import buttons_now, to_input
from tests.support import console_process
from tests.support.clock import expand
from tests.support.console_process import NOW, TODAY

pytestmark = pytest.mark.process  # starts real debtcoach processes: left out of `make test-fast`

PERSONAS = yaml.safe_load((Path(__file__).resolve().parents[1] / "transcripts" / "14_personas.yaml").read_text())

Session = tuple[datetime, list[str], list[str]]  # the clock, the lines typed, what must be printed


def sessions(steps: list[dict[str, Any]]) -> list[Session]:
    """The story as console sessions: each press becomes the label of its button, found by
    playing the story through the engine; a new session starts where days pass."""
    state, shown, now = UserState(), (), NOW
    out: list[Session] = [(now, [], [])]
    for number, raw in enumerate(steps):
        if "days_later" in raw:
            now += timedelta(days=int(raw["days_later"]))
            out.append((now, [], []))
        inp = to_input(state, raw, shown)
        offered: tuple[Choice, ...] = shown
        result = step(state, inp, now)
        state, shown = result.state, buttons_now(result, shown)
        if number == 0 and raw.get("say") == "hello":
            continue  # the console opens the conversation itself
        if inp.kind is InputKind.BUTTON:
            labels = [c.label for c in offered if c.value == inp.value]
            assert labels, f"step {number + 1}: no button on screen for {raw}"
            line = labels[0]
        elif inp.kind is InputKind.COMMAND:
            line = f"/{inp.value}"
        else:
            line = inp.value
        out[-1][1].append(line)
        out[-1][2].extend(expand(fragment, TODAY) for fragment in raw.get("says", []))
    return out


@pytest.mark.parametrize("story", PERSONAS, ids=[s["story"][:60] for s in PERSONAS])
def test_a_persona_through_the_console(tmp_path: Path, story: dict[str, Any]) -> None:
    for now, lines, expected in sessions(story["steps"]):
        printed = " ".join(console_process.chat(tmp_path, lines, now=now).stdout.split())
        for fragment in expected:
            assert fragment in printed, f"{fragment!r} not printed at {now:%Y-%m-%d}:\n{printed[-3000:]}"
