"""The letters' details through the store: exported with everything else, erased with it, and
each offer letter a file of its own."""

from __future__ import annotations

import json

from bot.memory_store import MemoryStore
from bot.service import handle
from dialogs import buttons
from dialogs.step_io import Input, LetterDrafted
from tests.support.clock import clock_now
from tests.support.sample import SAMPLE, inputs

NOW = clock_now()
DETAILS = ("Alex Rivera", "12 Elm St", "Springfield, IL 62701", "PO Box 30285", "ending 4321")


def played(store: MemoryStore, moves: list[Input], prefix: str = "k") -> list[LetterDrafted]:
    letters: list[LetterDrafted] = []
    for number, inp in enumerate(moves):
        handled = handle(store, "telegram", "1", inp, NOW, input_key=f"{prefix}{number}")
        letters += handled.letters
    return letters


def test_the_details_are_exported_and_erased_with_everything_else() -> None:
    store = MemoryStore()
    played(store, inputs(SAMPLE.part(until="offer drafted"), NOW))
    with store.user("telegram", "1") as person:
        export = person.export()
    assert export["user"]["full_name"] == "Alex Rivera"
    assert export["user"]["postal_address"] == "12 Elm St\nSpringfield, IL 62701"
    (debt,) = export["debts"]
    assert debt["creditor_address"] == "PO Box 30285\nSalt Lake City, UT 84130"
    assert debt["account_ref"] == "ending 4321"
    handled = handle(store, "telegram", "1", Input.command("delete"), NOW, input_key="delete")
    assert handled.result is not None
    pending = handled.result.state.confirming or ""
    handle(store, "telegram", "1", Input.button(buttons.confirmation(True, pending)), NOW, input_key="yes")
    with store.user("telegram", "1") as person:
        dumped = json.dumps(person.export())
    assert [words for words in DETAILS if words in dumped] == []


def test_each_offer_is_a_file_of_its_own_and_letter_sends_the_current_one() -> None:
    store = MemoryStore()
    first = played(store, inputs(SAMPLE.part(until="countered back"), NOW))
    again = played(store, [Input.command("letter"), Input.command("letter")], prefix="again")
    offers = [letter for letter in first + again if letter.kind == "offer"]
    assert [(o.filename, o.title) for o in offers] == [
        ("debt1-offer-letter-1", "Settlement offer 1: Capital One"),
        ("debt1-offer-letter-2", "Settlement offer 2: Capital One"),  # the $1,400 counter
        ("debt1-offer-letter-2", "Settlement offer 2: Capital One"),  # the same offer again
    ]
    assert "I offer $1,000" in offers[0].text and "I offer $1,400" in offers[1].text
    assert offers[1].footer == "Account ending 4321 · Page {page} of {pages}"
    with store.user("telegram", "1") as person:
        kept = [letter.title for letter in person.letters() if letter.kind == "offer"]
    assert kept == ["Settlement offer 1: Capital One", *["Settlement offer 2: Capital One"] * 2]
