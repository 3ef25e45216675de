"""What differs between the two places the coach serves: the money, the clock, the kinds of debt
people there have, the language creditors read, and which US-only rules apply.

Language and place are separate (DOMAIN.md, "Taiwan"): the language says how to talk to the
person, the place what to tell them. A place is guessed from the language until the person
answers; everything here reads `place_of`, so an unanswered guess and an answer act alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.state import DebtKind, Place, UserState

__all__ = ["RULES", "Rules", "arrive", "guess_place", "place_in", "place_is_uncertain", "place_of", "rules"]


@dataclass(frozen=True, slots=True)
class Rules:
    currency: str
    # The clock of the whole place (Taiwan has one), or the first guess of a zone in it.
    zone: str
    # Taiwan has one time zone: saying you live there answers the time-zone question too.
    one_zone: bool
    # The language the creditors there read: letters are written in it.
    letter_locale: str
    # The kinds of debt offered as buttons, in the order people there think of them.
    kinds: tuple[DebtKind, ...]
    # US: forgiven debt of $600 or more is reported to the IRS on Form 1099-C.
    forgiven_is_income: bool
    # US: old debts may be past the statute of limitations, and paying can restart it.
    time_barred_debts: bool
    # US (FDCPA): a collector must validate the debt on a written request.
    validation_requests: bool


RULES: dict[Place, Rules] = {
    Place.US: Rules(
        currency="USD",
        zone="America/New_York",
        one_zone=False,
        letter_locale="en",
        kinds=(
            DebtKind.CREDIT_CARD, DebtKind.PERSONAL_LOAN, DebtKind.STORE_CARD, DebtKind.MEDICAL,
            DebtKind.COLLECTION, DebtKind.CAR_LOAN, DebtKind.MORTGAGE, DebtKind.PRIVATE_STUDENT_LOAN,
            DebtKind.FEDERAL_STUDENT_LOAN, DebtKind.TAX, DebtKind.UTILITY, DebtKind.OTHER,
        ),
        forgiven_is_income=True,
        time_barred_debts=True,
        validation_requests=True,
    ),
    Place.TW: Rules(
        currency="TWD",
        zone="Asia/Taipei",
        one_zone=True,
        letter_locale="zh_TW",
        kinds=(
            DebtKind.CREDIT_CARD, DebtKind.CASH_CARD, DebtKind.PERSONAL_LOAN, DebtKind.CAR_LOAN,
            DebtKind.MORTGAGE, DebtKind.STUDENT_LOAN, DebtKind.MEDICAL, DebtKind.COLLECTION,
            DebtKind.GUARANTEE, DebtKind.TAX, DebtKind.OTHER,
        ),
        forgiven_is_income=False,
        time_barred_debts=False,
        validation_requests=False,
    ),
}  # fmt: skip


def guess_place(locale: str) -> Place:
    """A Traditional Chinese reader is most likely in Taiwan; anyone else, in the US."""
    return Place.TW if locale.lower().startswith("zh") else Place.US


def place_in(zone: str) -> Place | None:
    """The place a time zone is in, of the two the coach serves."""
    if zone == RULES[Place.TW].zone:
        return Place.TW
    return Place.US if zone.startswith("America/") or zone == "Pacific/Honolulu" else None


def place_of(state: UserState) -> Place:
    """The place given, or guessed when the person arrived (`arrive`): a later change of
    language does not move their debts to another country. Someone stored before the coach knew
    places was coached as in the US."""
    if state.place is not None:
        return state.place
    return guess_place(state.locale) if not state.welcomed else Place.US


def arrive(state: UserState) -> None:
    """The first guess, from the language the person arrived with."""
    if state.place is None:
        state.place = guess_place(state.locale)


def rules(state: UserState) -> Rules:
    return RULES[place_of(state)]


def place_is_uncertain(state: UserState) -> bool:
    """Worth asking: a Chinese reader may live in Taiwan or in the US. An English one is taken to
    be in the US (the coach serves these two places) and can say otherwise with /place."""
    return not state.place_confirmed and Place.TW in (guess_place(state.locale), place_of(state))
