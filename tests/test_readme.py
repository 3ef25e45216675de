"""The README's promises: the diagram is the machine's, the quick start is two commands, the
piped example is the sample negotiation."""

from __future__ import annotations

import re
from pathlib import Path

from dialogs.machine import diagram
from tests.support.sample import SAMPLE, printf

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_the_readme_diagram_is_generated_from_the_state_machine() -> None:
    block = re.search(r"<!-- diagram:start -->\n```mermaid\n(.*?)\n```\n<!-- diagram:end -->", README, re.DOTALL)
    assert block is not None
    assert block.group(1) == diagram(), "run `make diagram` and paste it into the README"


def test_the_quick_start_has_exactly_the_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["make chat", "make test"]


def test_the_piped_example_is_the_sample_negotiation_up_to_the_offer() -> None:
    """The README's printf is the sample (tests/support/sample.py) as far as the offer letter,
    so a change to the conversation that breaks it breaks this test, not a reader's first try."""
    piped = re.search(r"```sh\n(printf .*) \\\n  \| \.venv/bin/debtcoach chat --user demo\n```", README)
    assert piped is not None
    assert piped.group(1) == printf(SAMPLE.part(until="offer drafted"))
