"""One answer out of a list, named by any of its keywords."""

from __future__ import annotations

import pytest

from dialogs.readers.keywords import keyword

KINDS = [
    ("private_student_loan", ("private student",)),
    ("credit_card", ("credit", "card", "visa")),
    ("personal_loan", ("personal", "loan")),
    ("tax", ("tax", " irs ")),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A private student loan", "private_student_loan"),  # the more specific entry first
        ("it's a VISA", "credit_card"),
        ("Personal   Loan", "personal_loan"),
        ("the IRS", "tax"),  # a keyword padded with spaces matches a whole word, even at the end
        ("first", None),  # " irs " is not inside "first"
        ("", None),
        ("something else", None),
    ],
)
def test_keyword(text: str, expected: str | None) -> None:
    assert keyword(text, KINDS) == expected
