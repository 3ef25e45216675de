"""One menu at a time, in the real `debtcoach chat` process: a number typed refers to the choices
of the last message that had any, whatever came between (a file, a notice), and a question left
open when the console stopped is still the one answered when it starts again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import console_process
from tests.support.sample import SAMPLE, console_lines

pytestmark = pytest.mark.process  # starts real debtcoach processes: left out of `make test-fast`


def chat(home: Path, lines: list[str]) -> str:
    return console_process.chat(home, lines).stdout


def test_a_number_typed_when_the_agreement_is_drafted_answers_the_time_zone_and_nothing_else(tmp_path: Path) -> None:
    drafted = console_lines(SAMPLE.part(until="agreement drafted"))
    out = chat(tmp_path, [*drafted, "1"])
    turn = out.split("Your settlement agreement is drafted.")[-1]
    # Only the time zone's menu was on the screen: its 1) keeps the zone, nothing is recorded as signed.
    asked, answered = turn.split("Time zone set: America/New_York", 1)
    assert "1) America/New_York is right" in asked
    assert "The signed copy came back" not in asked
    assert "Signed and back" not in out
    assert "Tell me when the signed copy comes back" in answered


def test_a_question_open_when_the_console_stopped_is_answered_when_it_starts_again(tmp_path: Path) -> None:
    first = chat(tmp_path, ["Capital One", "/timezone"])
    assert first.rstrip().split("\n\n")[-2].startswith("Your time zone"), first
    again = chat(tmp_path, ["Chicago"])
    answered = again.split("Welcome back", 1)[1]
    assert "Your time zone" in answered.split("Time zone set")[0], "the open question is shown again"
    assert "Time zone set: America/Chicago" in answered
    assert "What kind of debt is it with Capital One?" in answered.split("Time zone set")[1]


def test_a_number_after_export_answers_the_question_on_the_screen(tmp_path: Path) -> None:
    out = chat(tmp_path, ["Capital One", "/export", "1"])
    after = out.split("Here is everything I store about you, as a JSON file.", 1)[1]
    saved, asked = after.split("What kind of debt is it with Capital One?", 1)
    assert "debtcoach-export.json" in saved, "the file follows its announcement"
    assert "1) Credit card" in asked
    assert "I didn't recognize that kind of debt" not in out
    assert "How much do you owe Capital One now?" in asked
