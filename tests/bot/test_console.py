"""The real `debtcoach chat` process, piped, as someone scripting a whole negotiation would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import console_process
from tests.support.clock import on, short
from tests.support.console_process import TODAY
from tests.support.sample import SAMPLE, console_lines

pytestmark = pytest.mark.process  # starts real debtcoach processes: left out of `make test-fast`


def sample_lines(*, after: str | None = None, until: str | None = None) -> list[str]:
    """The sample negotiation (tests/support/sample.py) as typed into the console, a button
    answered by its label, from checkpoint `after` to checkpoint `until`."""
    return console_lines(SAMPLE.part(after=after, until=until))


def chat(home: Path, lines: list[str], *, user: str = "tester") -> str:
    return console_process.chat(home, lines, user=user).stdout


def test_a_whole_negotiation_piped_to_a_signed_three_payment_plan(tmp_path: Path) -> None:
    out = chat(tmp_path, sample_lines(until="agreement signed"))
    assert "open at $1,000 (20%)" in out
    assert "Counter with $1,400" in out
    assert "$1,800 to Capital One, in 3 monthly instalments" in out
    first, third = on(TODAY, "+9d"), on(TODAY, "+9d+2m")
    assert f"Paid so far: $0 of $1,800. Next: $600 due {short(first)}" in out
    assert out.rstrip().endswith("pick up where you left off.")

    paths = re.findall(r"^\s+(/\S+\.(?:txt|pdf))$", out, flags=re.MULTILINE)
    assert {Path(p).name for p in paths} == {
        "debt1-offer-letter-1.txt",
        "debt1-offer-letter-1.pdf",
        "debt1-settlement-agreement.txt",
        "debt1-settlement-agreement.pdf",
    }
    agreement = Path(next(p for p in paths if p.endswith("settlement-agreement.txt"))).read_text()
    assert "accept $1,800 as full and final settlement" in agreement
    # A letter writes its dates out: "December 12, 2026".
    assert f"1. {first:%B} {first.day}, {first.year}: $600" in agreement
    assert f"3. {third:%B} {third.day}, {third.year}: $600" in agreement
    assert "remaining balance of $3,200" in agreement
    assert "Signature:" in agreement and "not legal or tax advice" in agreement
    offer = Path(next(p for p in paths if p.endswith("offer-letter-1.txt"))).read_text()
    assert "I offer $1,000, paid in one lump sum" in offer
    assert "I lost my job in June." in offer
    pdf = Path(next(p for p in paths if p.endswith("settlement-agreement.pdf"))).read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


def test_quitting_and_starting_again_resumes_exactly_where_it_was(tmp_path: Path) -> None:
    first = chat(tmp_path, sample_lines(until="delinquency given"))
    last_question = first.rsplit("\n\n", 2)[-2]
    assert last_question.startswith("Got it: 8 months behind.\nIs Capital One the original lender"), last_question
    second = chat(tmp_path, ["/status"])
    assert "Welcome back. We were working on Capital One." in second
    assert "Debt #1: Capital One, $5,000" in second
    assert "Is Capital One the original lender" in second
    rest = chat(tmp_path, sample_lines(after="delinquency given", until="agreement signed"))
    assert "$1,800 to Capital One, in 3 monthly instalments" in rest


def test_export_and_delete_are_real(tmp_path: Path) -> None:
    out = chat(tmp_path, [*sample_lines(until="creditor countered"), "/export"])
    export_path = Path(re.findall(r"^\s+(/\S+\.json)$", out, flags=re.MULTILINE)[0])
    document = json.loads(export_path.read_text())
    text = json.dumps(document)
    assert "Capital One" in text and "I lost my job in June." in text and "5000.00" in text
    other = chat(tmp_path, ["Someone Else Bank", "/debts"], user="neighbour")
    assert "$5,000" not in other and "lost my job" not in other and "#1 Someone Else Bank" in other

    out = chat(tmp_path, ["/delete", "1"])
    assert "Everything I stored about you is erased" in out
    assert not export_path.parent.exists(), "letters and exports on disk are erased too"
    fresh = chat(tmp_path, ["/status"])
    assert "We were working on" not in fresh and "Hi, I'm DebtCoach" in fresh and "$5,000" not in fresh
    neighbour = chat(tmp_path, ["/status"], user="neighbour")
    assert "Someone Else Bank" in neighbour


def test_end_of_input_right_away_is_clean(tmp_path: Path) -> None:
    out = chat(tmp_path, [])
    assert "Which creditor is this debt with?" in out


def test_a_setting_that_cannot_be_read_is_one_line_and_status_2(tmp_path: Path) -> None:
    env = {**os.environ, "DEBTCOACH_HOME": str(tmp_path), "DEBTCOACH_NOW": "next tuesday"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"], input="", capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("debtcoach: DEBTCOACH_NOW:") and len(done.stderr.strip().splitlines()) == 1


def test_a_terminal_in_taiwanese_chinese_starts_the_coach_in_chinese(tmp_path: Path) -> None:
    """LANG=zh_TW.UTF-8 starts someone new in Chinese, asked where they live; 12萬 is NT$."""
    said = console_process.chat(tmp_path, ["台灣", "國泰世華銀行", "信用卡", "12萬"], lang="zh_TW.UTF-8").stdout
    assert "您好，我是 DebtCoach" in said and "您住在台灣還是美國" in said, said
    assert "NT$120,000" in said, said
    # Back the next day in an English terminal: the language chosen stays (it is theirs now).
    again = console_process.chat(tmp_path, ["有"]).stdout
    assert "逾期多久" in again, again
