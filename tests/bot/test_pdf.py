"""Letters as PDF files: what a person prints, signs and posts."""

from __future__ import annotations

import textwrap

from hypothesis import given
from hypothesis import strategies as st

from bot.pdf import letter_pdf, wrap_lines


def textwrap_alone(text: str, columns: int) -> list[str]:
    """What the letter's lines were before lines that fit skipped textwrap."""
    lines: list[str] = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip(" "))]
        lines.extend(
            textwrap.wrap(line, columns, subsequent_indent=indent, break_on_hyphens=False, drop_whitespace=True)
            or [""]
        )
    return lines


@given(
    st.text(alphabet=st.sampled_from([*"ab Z.,-$1", " ", "\t", "\n", "\xa0", "é", "€"]), max_size=300),
    st.integers(min_value=8, max_value=90),
)
def test_lines_that_fit_come_out_as_textwrap_would_give_them(text: str, columns: int) -> None:
    assert wrap_lines(text, columns) == textwrap_alone(text, columns)


def test_a_long_line_is_wrapped_under_its_indentation_and_blank_lines_stay() -> None:
    text = "Dear Sir or Madam,\n\n    " + "I can pay 1,700 dollars in three instalments. " * 4 + "\n\nYours,"
    lines = wrap_lines(text, 40)
    assert lines[:2] == ["Dear Sir or Madam,", ""]
    body = lines[2 : lines.index("", 2)]
    assert len(body) > 1 and all(len(line) <= 40 and line.startswith("    ") for line in body)
    assert " ".join(part.strip() for part in body) == ("I can pay 1,700 dollars in three instalments. " * 4).strip()
    assert lines[-2:] == ["", "Yours,"]


def test_a_letter_is_a_pdf() -> None:
    pdf = letter_pdf("Settlement offer", "Dear Sir or Madam,\n\nI can pay $1,700.\n")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
