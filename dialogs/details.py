"""The details that make a letter ready to post as it is: the person's name and postal address
(kept on the person: every letter has them), the creditor's postal address and the account
reference (kept on the debt).

Each is asked once, just before the first letter that needs it, as a side question over the
debt's own (rows of `SIDE_QUESTIONS` in dialogs/conversation.py): typed, or skipped with its
button. The letter waits for them, and is drafted when the last one is answered; a detail
skipped leaves a line in the letter to write it on by hand, never a bracketed instruction.
/details asks them all again, each showing what is kept, and the letter of the step the debt is
at follows with them. They are personal data: stored like everything else, exported, erased,
and never logged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime

from dialogs import buttons
from dialogs import side_questions as sq
from dialogs.context import Ctx
from dialogs.reminder_plan import local_now
from dialogs.render import DEFAULT_LOCALE, label
from dialogs.state import Debt, Holder, UserState
from dialogs.step_io import Choice, StepResult
from dialogs.vocabulary import SideQuestion

Q = SideQuestion
ORDER = (Q.YOUR_NAME, Q.YOUR_ADDRESS, Q.CREDITOR_ADDRESS, Q.ACCOUNT_REF, Q.ORIGINAL_CREDITOR)
# The longest answer kept; an address may have a few lines (typed on several, or with commas).
MOST = {Q.YOUR_NAME: 80, Q.YOUR_ADDRESS: 200, Q.CREDITOR_ADDRESS: 200, Q.ACCOUNT_REF: 40, Q.ORIGINAL_CREDITOR: 80}
MOST_LINES = 5
ASK = {
    Q.YOUR_NAME: "q_your_name.html",
    Q.YOUR_ADDRESS: "q_your_address.html",
    Q.CREDITOR_ADDRESS: "q_creditor_address.html",
    Q.ACCOUNT_REF: "q_account_ref.html",
    Q.ORIGINAL_CREDITOR: "q_original_creditor.html",
}
ADDRESSES = frozenset({Q.YOUR_ADDRESS, Q.CREDITOR_ADDRESS})
_ON_PERSON = {Q.YOUR_NAME: "full_name", Q.YOUR_ADDRESS: "postal_address"}
_ON_DEBT = {
    Q.CREDITOR_ADDRESS: "creditor_address",
    Q.ACCOUNT_REF: "account_ref",
    Q.ORIGINAL_CREDITOR: "original_creditor",
}
# The letters that name the original creditor of a debt a collector or debt buyer holds.
_NAMING_THE_ORIGINAL = frozenset({"settlement_agreement"})
# Characters that would reorder or hide text on the page (bidi overrides and isolates).
_HIDDEN = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], None)
# The last line of a US address as typed after a comma: "IL 62701" belongs with the city.
_STATE_ZIP = re.compile(r"[A-Za-z]{2}\.? +\d{5}(-\d{4})?")


def kept(state: UserState, debt: Debt, question: SideQuestion) -> str | None:
    if question in _ON_PERSON:
        value: str | None = getattr(state, _ON_PERSON[question])
    else:
        value = getattr(debt, _ON_DEBT[question])
    return value


def _keep(state: UserState, debt: Debt, question: SideQuestion, value: str) -> None:
    if question in _ON_PERSON:
        setattr(state, _ON_PERSON[question], value)
    else:
        setattr(debt, _ON_DEBT[question], value)


def _applies(debt: Debt, question: SideQuestion) -> bool:
    """The creditor's details are asked once the debt has a creditor to name; the original
    creditor, of a collector's debt, once its agreement is drafted."""
    if question is Q.ORIGINAL_CREDITOR:
        from dialogs.conversation import STEP  # the table reads this module's questions

        return debt.holder is Holder.COLLECTOR and STEP[debt.state].letter in _NAMING_THE_ORIGINAL
    return question in _ON_PERSON or bool(debt.creditor)


def asking(question: SideQuestion, seq: int) -> str:
    return f"{question}:{seq}"


def waiting(state: UserState) -> tuple[SideQuestion, Debt] | None:
    """The detail asked now, and the debt whose letter waits for it."""
    asked = sq.opened(state.asking)
    if asked is None or asked[0] not in ORDER or asked[1] is None:
        return None
    debt = state.debt(asked[1])
    return None if debt is None else (asked[0], debt)


def hold(ctx: Ctx) -> bool:
    """Whether the letter waits: a detail it needs was never asked, and is asked now."""
    question = next((q for q in ORDER if _applies(ctx.debt, q) and kept(ctx.user, ctx.debt, q) is None), None)
    if question is None:
        return False
    ctx.user.asking = asking(question, ctx.debt.seq)
    ctx.result.changed = True
    return True


def ask_all(state: UserState, debt: Debt) -> None:
    """/details: every detail again, from the first."""
    state.asking = asking(ORDER[0], debt.seq)


def missing(state: UserState, debt: Debt) -> bool:
    """Whether a letter of this debt has a line left to fill in by hand."""
    return any(_applies(debt, q) and not kept(state, debt, q) for q in ORDER)


# -- asking and reading ----------------------------------------------------------------------
def skip_button(question: SideQuestion) -> Callable[[UserState], tuple[Choice, ...]]:
    def skip(state: UserState) -> tuple[Choice, ...]:
        return (Choice(label(state.locale, "skip"), buttons.control("skip", question.value)),)

    return skip


def shown(state: UserState, debt: Debt, question: SideQuestion) -> dict[str, object]:
    """What the question shows: what is kept (asked again by /details), and whether this is the
    first of them ever asked (it then says why)."""
    return {"kept": kept(state, debt, question), "first": question is ORDER[0] and state.full_name is None}


def tidy(text: str, lines: int) -> str:
    """Control characters as spaces, spaces evened out, at most `lines` lines."""
    cleaned = "".join(" " if (not c.isprintable() and c != "\n") else c for c in text.translate(_HIDDEN))
    rows = [" ".join(row.split()) for row in cleaned.split("\n")]
    return "\n".join([row for row in rows if row][:lines])


def address_lines(text: str) -> str:
    """An address typed on one line with commas, on the lines a letter gives it: "12 Elm St,
    Springfield, IL 62701" is "12 Elm St" and "Springfield, IL 62701"."""
    if "\n" in text or "," not in text:
        return text
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) > 2 and _STATE_ZIP.fullmatch(parts[-1]):
        parts[-2:] = [f"{parts[-2]}, {parts[-1]}"]
    return "\n".join(parts[:MOST_LINES])


def reader(question: SideQuestion) -> Callable[[UserState, str, datetime], str | None]:
    def read(state: UserState, text: str, now: datetime) -> str | None:
        """The detail as typed, tidied; "" for the Skip button's label typed; None when it is
        too long (the question stays, and says how long it may be)."""
        if text.casefold() in {label(locale, "skip").casefold() for locale in (state.locale, DEFAULT_LOCALE)}:
            return ""
        value = tidy(text, MOST_LINES if question in ADDRESSES else 1)
        if not value or len(value) > MOST[question]:
            return None
        return address_lines(value) if question in ADDRESSES else value

    read.__name__ = f"read_{question.value}"
    return read


def error_shows(question: SideQuestion) -> Callable[[UserState, datetime], Mapping[str, object]]:
    def shows(state: UserState, now: datetime) -> Mapping[str, object]:
        return {"what": question.value, "most": MOST[question]}

    return shows


def take(state: UserState, value: str, now: datetime, result: StepResult) -> None:
    """The detail answered ("" when skipped: a blank line on the letter, or what was kept
    stays); then the next one, or the letter that waited."""
    asked = waiting(state)
    assert asked is not None, "the engine checks the debt is still there"
    question, debt = asked
    if value or kept(state, debt, question) is None:
        _keep(state, debt, question, value)
    result.changed = True
    sq.say(state, result, "detail_kept.html", debt=debt, what=question.value, value=kept(state, debt, question))
    later = [q for q in ORDER[ORDER.index(question) + 1 :] if _applies(debt, q)]
    if later:
        state.asking = asking(later[0], debt.seq)
        return
    state.asking = None
    _finish(state, debt, now, result)


def _finish(state: UserState, debt: Debt, now: datetime, result: StepResult) -> None:
    """The letter of the step the debt is at, with its details."""
    from dialogs.conversation import STEP  # the table reads this module's questions
    from dialogs.letters import draft_letter

    kind = STEP[debt.state].letter
    ctx = Ctx(state, debt, local_now(state, now).date(), result)
    letter = draft_letter(ctx, kind) if kind is not None else None
    ctx.say("details_done.html", letter=letter, blanks=missing(state, debt))


def draft_held(state: UserState, seq: int, now: datetime, result: StepResult) -> None:
    """The letter that waited for its details, when the person moved on before the last one (a
    command, another button): drafted as it is, with a line to write on for each detail not
    given (those are still asked before the next letter), rather than lost."""
    from dialogs.conversation import STEP
    from dialogs.letters import draft_letter

    debt = state.debt(seq)
    kind = STEP[debt.state].letter if debt is not None else None
    if debt is None or kind is None:
        return
    ctx = Ctx(state, debt, local_now(state, now).date(), StepResult(state))
    letter = draft_letter(ctx, kind, ask_details=False)
    if letter is None:
        return
    result.effects.append(letter)
    said = Ctx(state, debt, ctx.today, StepResult(state))
    said.say("details_done.html", letter=letter, blanks=missing(state, debt))
    # Before the question the turn ends with, which stays the one to answer.
    result.replies[max(len(result.replies) - 1, 0) : max(len(result.replies) - 1, 0)] = said.result.replies
