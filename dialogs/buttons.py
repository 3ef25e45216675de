"""What a button's data names, written and read in one place.

A button can be pressed long after it was shown (an old message, a reminder days later), twice
in a row, or with data nobody sent. So its data names exactly what it answers, and the engine
checks that against the state before anything changes; a press whose data is not the current
one changes nothing. Data is short ASCII without personal data, under Telegram's 64 bytes:

- a debt's question, `<debt>:<turn>:<step>:<action>` (`2:14:decision:accept`): current only
  while that debt is at that step and turn (`Debt.turn` grows with every answer it takes);
- an instalment, `<debt>:repaying:<verb>.<index>` (`2:repaying:paid.1`): not bound to a turn,
  so a reminder pressed days later still works; done once, a repeat says so;
- a confirmation, `g:yes:<pending>` / `g:no:<pending>` (`g:yes:cancel.2.e`), where `<pending>`
  is what `UserState.confirming` holds while it waits;
- everything else, `g:<name>` or `g:<name>:<value>` (`g:new:3`, `g:tz:Europe/Berlin`): each
  names its value, so a repeat does nothing new.

The data of older versions (`1:kind:credit_card`, `g:yes`) is still in people's chats: it is
read, and answered as an earlier question's, never applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.state import Debt

# Telegram's limit for callback data.
MAX_BYTES = 64
PAYMENT_STEP = "repaying"
# paid; missed (the question's "I missed it"); notyet and cant (a reminder's "Not yet" and
# "I can't pay this one", which is a missed payment too).
PAYMENT_VERBS = frozenset({"paid", "missed", "notyet", "cant"})
GLOBAL = "g"


@dataclass(frozen=True, slots=True)
class Answer:
    seq: int
    # None for `<seq>:<step>:<action>`, the data of older versions, which named no turn: still
    # recognised (and answered as an earlier question's), never current.
    turn: int | None
    step: str
    action: str


@dataclass(frozen=True, slots=True)
class Payment:
    seq: int
    verb: str
    index: int


@dataclass(frozen=True, slots=True)
class Confirmation:
    yes: bool
    # Empty for the unnamed `g:yes` of older messages: it confirms nothing.
    pending: str


@dataclass(frozen=True, slots=True)
class Control:
    name: str
    value: str = ""


Pressed = Answer | Payment | Confirmation | Control


def answer(debt: Debt, action: str) -> str:
    return f"{debt.seq}:{debt.turn}:{debt.state}:{action}"


def payment(debt: Debt, verb: str, index: int) -> str:
    assert verb in PAYMENT_VERBS, verb
    return f"{debt.seq}:{PAYMENT_STEP}:{verb}.{index}"


def confirmation(yes: bool, pending: str) -> str:
    return f"{GLOBAL}:{'yes' if yes else 'no'}:{pending}"


def control(name: str, value: str | int = "") -> str:
    return f"{GLOBAL}:{name}:{value}" if value != "" else f"{GLOBAL}:{name}"


def number(text: str) -> int | None:
    """A number as we write it: ASCII digits, no sign, no leading zero. Anything else (`01`,
    `-1`, Arabic-Indic digits, which Python's int() also reads) is not one of ours."""
    if text.isascii() and text.isdigit() and str(int(text)) == text:
        return int(text)
    return None


def read(data: str) -> Pressed | None:
    """What the data names, or None when it is none of our formats. Whether it is current is
    for the engine to decide, against the state."""
    if not data.isascii() or len(data.encode()) > MAX_BYTES:
        return None
    head, _, rest = data.partition(":")
    if head == GLOBAL:
        name, _, value = rest.partition(":")
        if name in ("yes", "no"):
            return Confirmation(name == "yes", value)
        return Control(name, value) if name else None
    seq = number(head)
    if seq is None:
        return None
    parts = rest.split(":")
    if len(parts) == 2 and parts[0] == PAYMENT_STEP and "." in parts[1]:
        verb, _, index = parts[1].partition(".")
        at = number(index)
        return Payment(seq, verb, at) if verb in PAYMENT_VERBS and at is not None else None
    if len(parts) == 3 and (turn := number(parts[0])) is not None and parts[1] and parts[2]:
        return Answer(seq, turn, parts[1], parts[2])
    if len(parts) == 2 and all(parts):
        return Answer(seq, None, parts[0], parts[1])
    return None
