"""Letters as PDF: what people print, sign and mail.

A monospaced face keeps the signature blocks aligned exactly as drafted. DejaVu covers every
script a creditor's name may use; where it is not installed, the PDF core font Courier is used
and characters outside Latin-1 are replaced rather than breaking the letter.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSansMono.ttf"),
)


def letter_pdf(title: str, text: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("DebtCoach")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    font = next((f for f in UNICODE_FONTS if f.is_file()), None)
    if font is not None:
        pdf.add_font("Letter", fname=str(font))
        family = "Letter"
    else:
        family = "Courier"
        text = _latin1(text)
    pdf.set_font(family, size=9.5)
    pdf.multi_cell(0, 4.6, text, align="L")
    return bytes(pdf.output())


def _latin1(text: str) -> str:
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
    return text.encode("latin-1", "replace").decode("latin-1")
