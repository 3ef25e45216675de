"""Letters as PDF: what people print, sign and mail.

A letter is set like a letter: a proportional face, its title and clause headings in bold, and
at the foot of every page the account it is about and "Page 1 of 2", so a page that comes loose
still says where it belongs. The letter itself is plain text (the same words go to the `.txt`
file and the export), and its shape is read from its lines:

- the first line, in capitals ("SETTLEMENT AGREEMENT"), is the title;
- a numbered line with no full stop ("3. Payment method") is a clause heading, and a line
  starting "Re:" is the subject; both in bold;
- an indented line (a payment of the schedule) keeps its indentation; a blank line is a gap;
- a line to write on by hand ("Signature: ______") has room above it.

A letter Latin-1 can write uses the PDF core font Helvetica; one with other scripts in it (a
creditor's name in Chinese) uses DejaVu Sans when it is installed, and otherwise Helvetica with
those characters replaced rather than breaking the letter.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

LINE_HEIGHT = 5.2  # mm, for the 10.5 pt body
BODY_SIZE = 10.5
TITLE_SIZE = 15
FOOT_SIZE = 8
GAP = 2.6  # mm for a blank line
INDENT = 8  # mm for an indented line
WRITE_ON = 3.5  # mm more above a line to write on ("Signature: ____")
UNICODE_FONTS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_HEADING = re.compile(r"\d{1,2}\. [^\s.][^.]{0,60}")
_TITLE = re.compile(r"[A-Z][A-Z0-9 ,'&-]{2,60}")


def letter_pdf(title: str, text: str, footer: str = "") -> bytes:
    """`footer`: what the foot of each page says, `{page}` and `{pages}` filled in ("Account
    1234 \u00b7 Page {page} of {pages}"); a letter drafted without one shows the numbers alone."""
    # Imported here: fpdf2 (with fontTools and Pillow) is most of a waiting bot's memory, and most
    # processes draft no letter for hours.
    from fpdf import FPDF

    class Letter(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font(family, size=FOOT_SIZE)
            self.set_text_color(90)
            # The template's words, with this page's number and the count fpdf2 puts in at the end.
            words = foot or "{page} / {pages}"
            self.cell(0, 5, words.replace("{page}", str(self.page_no())).replace("{pages}", "{nb}"), align="C")
            self.set_text_color(0)

    pdf = Letter(format="Letter" if _is_us(text) else "A4")
    pdf.set_title(title)
    pdf.set_creator("DebtCoach")
    pdf.set_margins(25, 22, 25)
    pdf.set_auto_page_break(auto=True, margin=22)
    # Helvetica, built into every PDF reader, is embedded by nobody and costs a few ms; loading
    # and subsetting DejaVu costs some 40 ms, so it is used only for what Helvetica cannot show.
    font = None if _fits_latin1(title + text + footer) else _unicode_font()
    if font is not None:
        pdf.add_font("Letter", fname=str(font / "DejaVuSans.ttf"))
        pdf.add_font("Letter", style="B", fname=str(font / "DejaVuSans-Bold.ttf"))
        family = "Letter"
    else:
        family = "Helvetica"
        text, footer = _latin1(text), _latin1(footer)
    foot = footer.strip()
    pdf.add_page()
    _set(pdf, family, text)
    return bytes(pdf.output())


def _set(pdf: FPDF, family: str, text: str) -> None:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            pdf.ln(GAP)
            continue
        if number == first and _TITLE.fullmatch(stripped):
            pdf.set_font(family, "B", TITLE_SIZE)
            pdf.multi_cell(0, 8, stripped, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(GAP)
            continue
        indent = INDENT if line.startswith(" ") else 0
        heading = not indent and bool(_HEADING.fullmatch(stripped))
        if heading and pdf.will_page_break(LINE_HEIGHT * 4):
            pdf.add_page()  # a heading goes with the start of its clause
        if "___" in stripped:
            pdf.ln(WRITE_ON)  # room above a line to sign or write on by hand
        pdf.set_font(family, "B" if heading or stripped.startswith("Re:") else "", BODY_SIZE)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, LINE_HEIGHT, stripped, align="L", new_x="LMARGIN", new_y="NEXT")


def _is_us(text: str) -> bool:
    """US paper for a letter in dollars."""
    return "$" in text and "NT$" not in text


def _unicode_font() -> Path | None:
    faces = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
    return next((d for d in UNICODE_FONTS if all((d / face).is_file() for face in faces)), None)


def _fits_latin1(text: str) -> bool:
    try:
        _typographic(text).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _latin1(text: str) -> str:
    return _typographic(text).encode("latin-1", "replace").decode("latin-1")


def _typographic(text: str) -> str:
    """Quotes, dashes and ellipses as Latin-1 has them."""
    replacements = {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
    for bad, good in replacements.items():
        text = text.replace(bad, good)
    return text
