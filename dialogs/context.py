"""The bundle a question's reader or handler works with during one step, and what it may answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dialogs import buttons
from dialogs.money import Money
from dialogs.places import rules
from dialogs.readers.amounts import parse_amount
from dialogs.render import label, render
from dialogs.state import Debt, UserState
from dialogs.step_io import Choice, Reply, StepResult
from dialogs.vocabulary import SideQuestion, Trigger


@dataclass(frozen=True, slots=True)
class Invalid:
    """The answer could not be read: say what was expected (template), keep the state."""

    template: str
    extra: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Stay:
    """The answer was taken but the question stays open (a toggle, a warning, a reminder)."""

    template: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()
    reprompt: bool = True


@dataclass(frozen=True, slots=True)
class Opens:
    """The answer opens a side question over the debt's own (its "call" button)."""

    question: SideQuestion


# What became of an answer: the trigger it fires, or it could not be read, or it was taken
# without moving on, or it opens a side question.
Taken = Trigger | Invalid | Stay | Opens


@dataclass(slots=True)
class Ctx:
    user: UserState
    debt: Debt
    today: date
    result: StepResult
    text: str = ""
    # The button's action when the input was a button (or a label typed as text) for this
    # debt and this question; None for free text.
    action: str | None = None
    # Only the buttons are wanted (to read a typed label): skip rendering the message text.
    buttons_only: bool = False
    # What the answer was taken as, read back at the top of the reply ("Got it: balance $5,000").
    got: str = ""
    # The language to word things in, when not the person's (the buttons in English, to read
    # a label typed in English by someone who reads Chinese).
    speaking: str | None = None

    @property
    def locale(self) -> str:
        return self.speaking or self.user.locale

    @property
    def currency(self) -> str:
        if self.debt.balance is not None:
            return self.debt.balance.currency
        return self.user.currency or rules(self.user).currency

    def amount(self) -> Money | None:
        return parse_amount(self.text, self.currency)

    def render(self, template: str, **extra: Any) -> str:
        return render(self.locale, template, user=self.user, debt=self.debt, today=self.today, **extra)

    def render_letter(self, template: str, **extra: Any) -> str:
        """A letter is written in the language its creditor reads (a bank in Taipei, Chinese; a
        collector in Ohio, English), whatever language the person chats in."""
        letters = rules(self.user).letter_locale
        return render(letters, template, user=self.user, debt=self.debt, today=self.today, **extra)

    def read_back(self, what: str, value: Any) -> None:
        self.got = self.render("got_it.html", what=what, value=value)

    def say(self, template: str, choices: tuple[Choice, ...] = (), **extra: Any) -> None:
        self.result.say(self.render(template, **extra), choices)

    def choice(self, key: str, action: str, **fields: Any) -> Choice:
        """A button for this debt's current question, at its current turn."""
        return Choice(label(self.locale, key, **fields), buttons.answer(self.debt, action))

    def payment_choice(self, key: str, verb: str, index: int, **fields: Any) -> Choice:
        """A button that records one instalment, whenever it is pressed."""
        return Choice(label(self.locale, key, **fields), buttons.payment(self.debt, verb, index))

    def reply(self, template: str, choices: tuple[Choice, ...] = (), numeric: bool = False, **extra: Any) -> Reply:
        if self.buttons_only:
            return Reply("", choices, numeric)
        return Reply(self.render(template, **extra), choices, numeric)
