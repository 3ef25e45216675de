"""Letters as PDF: what people print, sign and mail.

A monospaced face keeps the signature blocks aligned exactly as drafted. A letter Latin-1 can
write uses the PDF core font Courier; one with other scripts in it (a creditor's name in Chinese)
uses DejaVu Sans Mono when it is installed, and otherwise Courier with those characters replaced
rather than breaking the letter.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

LINE_HEIGHT = 4.6  # mm
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSansMono.ttf"),
)


def letter_pdf(title: str, text: str) -> bytes:
    # Imported here: fpdf2 (with fontTools and Pillow) is most of a waiting bot's memory, and most
    # processes draft no letter for hours.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("DebtCoach")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    # Courier, built into every PDF reader, is embedded by nobody and costs about 2 ms; loading
    # and subsetting DejaVu costs about 40 ms, so it is used only for what Courier cannot show.
    font = None if _fits_latin1(text) else next((f for f in UNICODE_FONTS if f.is_file()), None)
    if font is not None:
        pdf.add_font("Letter", fname=str(font))
        family = "Letter"
    else:
        family = "Courier"
        text = _latin1(text)
    pdf.set_font(family, size=9.5)
    # The face is monospaced, so wrapping is counting characters; fpdf2's multi_cell measures
    # every fragment again for each character it adds, which made a letter cost 20 ms.
    columns = int(pdf.epw // pdf.get_string_width("M"))
    # Each line where cell(0, LINE_HEIGHT, line, new_x="LMARGIN", new_y="NEXT") puts it (after
    # the cell's left padding, on the baseline of a line vertically centred in the cell), page
    # breaks included, but by text(): cell() copied the graphics state and split the line into
    # styled fragments, two thirds of a letter's time for the same marks on the page.
    x = pdf.l_margin + pdf.c_margin
    baseline = 0.5 * LINE_HEIGHT + 0.3 * pdf.font_size
    for line in wrap_lines(text, columns):
        if pdf.y + LINE_HEIGHT > pdf.page_break_trigger:
            pdf.add_page()
        if line:
            pdf.text(x, pdf.y + baseline, line)
        pdf.y += LINE_HEIGHT
    return bytes(pdf.output())


def wrap_lines(text: str, columns: int) -> list[str]:
    """Each line of the letter wrapped at `columns`, indentation kept, blank lines kept.

    Most lines of a letter fit already, and for those textwrap (which builds a wrapper and
    splits the line into chunks each time) only drops the trailing spaces: two fifths of a
    letter's time went there. Lines with tabs or other odd whitespace go to textwrap too."""
    lines: list[str] = []
    for line in text.splitlines():
        if len(line) <= columns and line.isprintable():
            lines.append(line.rstrip(" "))
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        lines.extend(
            textwrap.wrap(line, columns, subsequent_indent=indent, break_on_hyphens=False, drop_whitespace=True)
            or [""]
        )
    return lines


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
