"""Letters as PDF files: what a person prints, signs and posts.

Each kind of letter is drafted by the engine (the sample negotiation, with the person's details,
and a collector's validation request) and read back from the PDF with poppler's `pdftotext`, as
a reader of the page would see it. `DEBTCOACH_LETTER_PNGS=<folder>` also renders each page to a
PNG there (`pdftoppm`), to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.pdf import letter_pdf
from dialogs.state import UserState
from dialogs.step_io import LetterDrafted, StepResult
from tests.support.clock import clock_now
from tests.support.sample import SAMPLE, Move, play

NOW = clock_now()
NAME, STREET, CITY = "Alex Rivera", "12 Elm St", "Springfield, IL 62701"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def letters_of(moves: list[Move], state: UserState | None = None) -> dict[str, LetterDrafted]:
    """The letters the moves draft, by kind (the latest of each)."""
    results: list[StepResult] = []
    play(moves, NOW, state, results=results)
    drafted: dict[str, LetterDrafted] = {}
    for result in results:
        drafted |= {e.kind: e for e in result.effects if isinstance(e, LetterDrafted)}
    return drafted


def every_kind() -> dict[str, LetterDrafted]:
    """The offer, the agreement and the paid-in-full request of the sample (details given), and
    a collector's validation request."""
    letters = letters_of(SAMPLE.part())
    collector = [Move("command", "start"), Move("say", "Midland Credit")]
    collector += [Move("say", said) for said in ("collection", "$900", "no", "14 months", "collector", "no")]
    collector += [Move("say", said) for said in (NAME, f"{STREET}, {CITY}", "PO Box 2011, Warren, MI 48090", "8812")]
    letters |= letters_of(collector)
    assert set(letters) == {"offer", "settlement_agreement", "paid_in_full_request", "validation_request"}
    return letters


def pdf_text(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    pngs = os.environ.get("DEBTCOACH_LETTER_PNGS")
    if pngs and shutil.which("pdftoppm"):
        Path(pngs).mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(Path(pngs) / name)], check=True)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_a_letter_is_a_pdf() -> None:
    pdf = letter_pdf("Settlement offer", "Dear Sir or Madam,\n\nI can pay $1,700.\n")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


@needs_poppler
def test_every_letter_carries_the_details_the_date_and_on_each_page_the_account(tmp_path: Path) -> None:
    for kind, letter in every_kind().items():
        text = pdf_text(letter_pdf(letter.title, letter.text, letter.footer), tmp_path, kind)
        flat = " ".join(text.split())
        assert "[" not in text, f"{kind}: a bracketed placeholder is left\n{text}"
        assert NAME in flat and STREET in flat and CITY in flat, f"{kind}: the sender\n{text}"
        assert re.search(rf"({MONTHS}) \d{{1,2}}, \d{{4}}", flat), f"{kind}: no date written out"
        pages = int(re.findall(r"Page 1 of (\d+)", flat)[0])
        account = "Account 8812" if kind == "validation_request" else "Account ending 4321"
        for page in range(1, pages + 1):
            assert f"{account} · Page {page} of {pages}" in flat, f"{kind}: page {page}'s footer\n{text}"
        assert "not legal or tax advice" in flat


@needs_poppler
def test_the_agreement_sets_out_every_term_and_two_signature_blocks(tmp_path: Path) -> None:
    letter = every_kind()["settlement_agreement"]
    flat = " ".join(pdf_text(letter_pdf(letter.title, letter.text, letter.footer), tmp_path, "agreement").split())
    for term in (
        "SETTLEMENT AGREEMENT",
        "Capital One PO Box 30285 Salt Lake City, UT 84130",
        "Account: ending 4321",
        "$1,800",
        "3 installments",
        "Payment method",
        "no standing access",
        "within 10 days after its due date",
        "releases the Debtor from all further liability for the remaining balance of $3,200",
        "will not sell, assign or transfer it",
        "Credit reporting",
        "Form 1099-C",
        "No payment is due before the Debtor has a copy signed by the Creditor",
        "For the Creditor, Capital One",
        f"For the Debtor Signature: ______________________________ Name: {NAME}",
    ):
        assert term in flat, f"{term!r} not in\n{flat}"
    assert "Send two" not in flat and "you" not in flat.replace("your", ""), "no instruction to the person"


def test_a_letter_in_another_script_keeps_its_characters() -> None:
    """A creditor named in Chinese: DejaVu Sans is embedded when installed, or Helvetica with the
    characters replaced, and either way a PDF comes out."""
    text = "國泰世華銀行\n\nRe: Account 1234\n\nDear Sir or Madam,\n"
    pdf = letter_pdf("國泰世華銀行", text, "國泰 · Page {page} of {pages}")
    assert pdf.startswith(b"%PDF-")
