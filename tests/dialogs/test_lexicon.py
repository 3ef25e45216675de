"""The words the coach understands come from each locale's words.toml, the person's own first."""

from __future__ import annotations

import tomllib

import pytest

from dialogs.lexicon import find, mentions
from dialogs.render import TEMPLATES_DIR, available_locales


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A private student loan", "private_student_loan"),  # the more specific entry first
        ("it's a VISA", "credit_card"),
        ("Personal   Loan", "personal_loan"),
        ("the IRS", "tax"),  # a word padded with spaces matches a whole word, even at the end
        ("first", None),  # " irs " is not inside "first"
        ("ＶＩＳＡ card", "credit_card"),  # full-width letters, as a phone keyboard may send them
        ("", None),
        ("something else", None),
    ],
)
def test_a_kind_of_debt_is_found_by_its_words(text: str, expected: str | None) -> None:
    assert find(text, "en", "kind") == expected


def test_every_answer_named_is_found_once_in_the_tables_order() -> None:
    assert mentions("lower the interest rate, and one payment, one payment", "en", "goal") == ["lump_sum", "lower_rate"]


def test_every_locale_names_the_same_answers_in_each_table() -> None:
    """A translator may choose other words, not other answers: a table's keys agree."""
    def own(locale: str) -> dict[str, set[str]]:
        with (TEMPLATES_DIR / locale / "words.toml").open("rb") as f:
            return {name: set(table) for name, table in tomllib.load(f).items()}

    for locale in available_locales():
        assert own(locale) == own("en"), locale
