"""What goes into the coach and what comes out of it, independent of any channel.

A channel (console, Telegram) turns its own events into an `Input`, calls `dialogs.step`, and
turns the `Reply` and effect values back into its own messages, files and database work. A
reply says what it means (spans of text with their emphasis, buttons, whether a number is
expected), never how a channel shows it: Telegram renders it as HTML, the console as plain text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from dialogs.render import Span, Text, read_markup
from dialogs.state import UserState

__all__ = ["Span", "Text"]  # with the classes below: a reply is made of spans


class InputKind(StrEnum):
    TEXT = "text"
    BUTTON = "button"
    COMMAND = "command"


@dataclass(frozen=True, slots=True)
class Input:
    kind: InputKind
    value: str
    arg: str = ""

    @classmethod
    def text(cls, value: str) -> Input:
        return cls(InputKind.TEXT, value)

    @classmethod
    def button(cls, value: str) -> Input:
        return cls(InputKind.BUTTON, value)

    @classmethod
    def command(cls, name: str, arg: str = "") -> Input:
        return cls(InputKind.COMMAND, name.lstrip("/").lower(), arg)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button. `value` is short ASCII with no personal data, under Telegram's 64 bytes; its
    formats, and what each names, are in dialogs/buttons.py."""

    label: str
    value: str


@dataclass(frozen=True, slots=True, init=False)
class Reply:
    """One message: its text as spans with their emphasis, its buttons, and `numeric`: the
    question takes a number, so a channel must not read a bare number as "choice N".

    Made from a message template's output (`render(...)`, read into spans here, once) or from
    spans (a reply read back from the outbox)."""

    spans: Text
    choices: tuple[Choice, ...]
    numeric: bool

    def __init__(self, text: str | Iterable[Span], choices: tuple[Choice, ...] = (), numeric: bool = False) -> None:
        object.__setattr__(self, "spans", read_markup(text) if isinstance(text, str) else tuple(text))
        object.__setattr__(self, "choices", choices)
        object.__setattr__(self, "numeric", numeric)

    @property
    def text(self) -> str:
        """The words, as the person reads them, without emphasis."""
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True, slots=True)
class LetterDrafted:
    """A letter to save as a file or send as a document (plain text; the channel makes the PDF)."""

    kind: str
    debt_seq: int
    title: str
    text: str
    filename: str
    # What the foot of every page says beside its number: the account, or the creditor.
    footer: str = ""


@dataclass(frozen=True, slots=True)
class ExportRequested:
    """The user asked for everything stored about them; only the store can assemble it."""


@dataclass(frozen=True, slots=True)
class EraseRequested:
    """The user confirmed deletion: the store erases every row, the channel every file."""


@dataclass(frozen=True, slots=True)
class CalendarRequested:
    """The payment plan as a calendar file: one debt's, or every debt's when `debt_seq` is None."""

    debt_seq: int | None = None


Effect = LetterDrafted | ExportRequested | EraseRequested | CalendarRequested


@dataclass(slots=True)
class StepResult:
    state: UserState
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    # True when the input changed what is stored (a read-only command leaves it False).
    changed: bool = False

    def say(self, text: str, choices: tuple[Choice, ...] = (), numeric: bool = False) -> None:
        self.replies.append(Reply(text, choices, numeric))
