"""What works at any point: help, status, back, cancel, export, delete, language, and the
several-debts commands (debts, new, script, letter).

Destructive commands ask first; the confirmation is a button (or a typed yes) and anything else
leaves everything as it was. A confirmation's buttons name exactly what they confirm, so an
old one can never confirm another question that waits now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from dialogs import asides, buttons, portfolio
from dialogs.context import Ctx
from dialogs.contracts import Choice, EraseRequested, ExportRequested, Input, StepResult
from dialogs.conversation import STEP, tagged
from dialogs.letters import draft_letter
from dialogs.reminders import local_now
from dialogs.render import available_locales, label, render, resolve_locale
from dialogs.rounds import standing_offer
from dialogs.state import Debt, UserState
from dialogs.vocabulary import Tag

MAX_DEBTS = 30

Prompt = Callable[[UserState, date, StepResult], None]
Undo = Callable[[UserState], bool]

CONFIRMATIONS = {"cancel": "confirm_cancel.html", "delete": "confirm_delete.html"}
# Buttons of older versions that named no value: answered as an earlier question's.
OLDER_CONTROLS = frozenset({("new", ""), ("tz", "keep")})
COMMANDS = (
    "start",
    "help",
    "status",
    "debts",
    "new",
    "script",
    "letter",
    "back",
    "cancel",
    "export",
    "delete",
    "language",
    "reminders",
    "timezone",
    "calendar",
)


def say(state: UserState, result: StepResult, template: str, choices: tuple[Choice, ...] = (), **extra: object) -> None:
    result.say(render(state.locale, template, user=state, **extra), choices)


def welcome(state: UserState, result: StepResult) -> None:
    """Hello, and the first debt to work on: from here on there is always an active debt, so
    showing where we are never has to create one (and a press that changes nothing, doesn't)."""
    state.welcomed = True
    result.changed = True
    if state.active_debt is None:
        start_debt(state)
    say(state, result, "welcome.html")


def start_debt(state: UserState) -> Debt:
    debt = Debt(seq=state.next_seq())
    state.debts.append(debt)
    state.active = debt.seq
    return debt


def run(state: UserState, inp: Input, now: datetime, result: StepResult, *, prompt: Prompt, undo: Undo) -> None:
    today = local_now(state, now).date()
    name = inp.value
    if name != "start":
        state.confirming = None
    if name == "start":
        say(state, result, "welcome_back.html", debt=state.active_debt)
        prompt(state, today, result)
    elif name == "help":
        say(state, result, "help.html", commands=COMMANDS)
        prompt(state, today, result)
    elif name == "status":
        _status(state, result)
        prompt(state, today, result)
    elif name == "back":
        result.changed = undo(state)
        say(state, result, "undone.html" if result.changed else "e_nothing_to_undo.html")
        prompt(state, today, result)
    elif name in ("cancel", "delete"):
        if state.active_debt is None:
            start_debt(state)
        _ask_confirmation(state, name, now, result)
    elif name == "export":
        result.effects.append(ExportRequested())
        say(state, result, "export.html")
    elif name == "language":
        _languages(state, result)
    elif name == "debts":
        _debts(state, result)
    elif name == "new":
        _new_debt(state, today, result, prompt)
    elif name == "script":
        _script(state, today, result, prompt)
    elif name == "letter":
        _letter(state, today, result, prompt)
    elif name == "reminders":
        asides.overview(state, now, result)
    elif name == "timezone":
        asides.ask_time_zone(state, now, result, first=False)
    elif name == "calendar":
        asides.calendar(state, result)
        prompt(state, today, result)
    else:
        say(state, result, "e_unknown_command.html", commands=COMMANDS)
        prompt(state, today, result)


def press(state: UserState, control: buttons.Control, now: datetime, result: StepResult, *, prompt: Prompt) -> None:
    """Buttons that are not answers to a debt's question (`g:<name>:<value>`). Each names its
    value, so pressed again it changes nothing more; one that is not ours changes nothing."""
    today = local_now(state, now).date()
    if asides.press(state, control, now, result, prompt):
        return
    name, value = control.name, control.value
    seq = buttons.number(value)
    if name == "new" and seq is not None and (added := state.debt(seq)) is not None:
        say(state, result, "e_already_added.html", debt=added)
        prompt(state, today, result)
    elif name == "new" and seq == state.next_seq():
        _new_debt(state, today, result, prompt)
    elif name == "debts" and not value:
        asides.set_aside(state)
        _debts(state, result)
    elif name == "debt" and seq is not None and state.debt(seq) is not None:
        if seq != state.active:
            asides.set_aside(state)
            state.active = seq
            result.changed = True
        say(state, result, "switched.html", switched_to=state.active_debt)
        prompt(state, today, result)
    elif name == "lang" and value in available_locales():
        if resolve_locale(value) != state.locale:
            asides.set_aside(state)
            state.locale = resolve_locale(value)
            result.changed = True
        say(state, result, "language_set.html")
        prompt(state, today, result)
    elif (name, value) in OLDER_CONTROLS:
        say(state, result, "e_stale_button.html", other=None)
        prompt(state, today, result)
    else:
        say(state, result, "e_unknown_button.html")
        prompt(state, today, result)


# -- confirmations ---------------------------------------------------------------------------
def pending_name(state: UserState, what: str, now: datetime) -> str:
    """What a confirmation confirms, exactly: its buttons carry this, and `confirming` holds
    it while it waits. Starting over names the debt and its turn (which grows when the debt
    starts over, so a used button cannot confirm the next /cancel); erasing names the second
    it was asked, since an erased person has no counter left. Numbers are in base 36 so the
    name fits its column (16 characters) whatever the turn."""
    if what == "cancel":
        debt = state.active_debt
        assert debt is not None
        return f"cancel.{debt.seq}.{_base36(debt.turn)}"
    return f"delete.{_base36(int(now.timestamp()))}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def _ask_confirmation(state: UserState, what: str, now: datetime, result: StepResult) -> None:
    state.confirming = pending_name(state, what, now)
    result.changed = True
    show_confirmation(state, result)


def show_confirmation(state: UserState, result: StepResult) -> None:
    """The confirmation that waits, asked (again) with its own buttons; changes nothing."""
    pending = state.confirming or ""
    what, _, rest = pending.partition(".")
    if what not in CONFIRMATIONS:
        return
    choices = (
        Choice(label(state.locale, f"confirm_{what}"), buttons.confirmation(True, pending)),
        Choice(label(state.locale, "keep_everything"), buttons.confirmation(False, pending)),
    )
    debt = _debt_to_cancel(state, rest) if what == "cancel" else None
    say(state, result, CONFIRMATIONS[what], choices, debt=debt)


def press_confirmation(
    state: UserState, pressed: buttons.Confirmation, today: date, result: StepResult, *, prompt: Prompt
) -> None:
    """A confirmation's button answers it only while it is the one waiting. Any other (used,
    for another question, or unnamed from an older version) changes nothing, and the question
    that waits, if any, is asked again."""
    if not pressed.pending or pressed.pending != state.confirming:
        say(state, result, "e_stale_button.html", other=None)
        prompt(state, today, result)
        return
    answer_confirmation(state, pressed.yes, today, result, prompt=prompt)


def answer_confirmation(state: UserState, yes: bool, today: date, result: StepResult, *, prompt: Prompt) -> None:
    """The waiting confirmation answered, by its button or a typed yes or no."""
    pending = state.confirming or ""
    asides.set_aside(state)
    result.changed = True
    what, _, rest = pending.partition(".")
    if not yes or what not in CONFIRMATIONS:
        say(state, result, "kept.html")
        prompt(state, today, result)
        return
    if what == "delete":
        fresh = UserState(locale=state.locale)
        result.state = fresh
        result.effects.append(EraseRequested())
        say(fresh, result, "erased.html")
        return
    debt = _debt_to_cancel(state, rest)
    if debt is not None:
        # A fresh start, with the turn still growing: the old debt's buttons stay stale.
        state.debts = [Debt(seq=d.seq, turn=d.turn + 1) if d is debt else d for d in state.debts]
        state.undo = [s for s in state.undo if s.get("active") != debt.seq]
        state.active = debt.seq
    say(state, result, "started_over.html")
    prompt(state, today, result)


def _debt_to_cancel(state: UserState, named: str) -> Debt | None:
    """The debt a `cancel.<seq>.<turn>` names (the active one for a name from an older
    version, which named none)."""
    seq = buttons.number(named.partition(".")[0])
    return state.debt(seq) if seq is not None else state.active_debt


def _status(state: UserState, result: StepResult) -> None:
    say(state, result, "status.html", debt=state.active_debt, others=len(state.debts) - 1)


def _languages(state: UserState, result: StepResult) -> None:
    choices = tuple(Choice(label(code, "language_name"), buttons.control("lang", code)) for code in available_locales())
    say(state, result, "language.html", choices)


def _debts(state: UserState, result: StepResult) -> None:
    order = portfolio.suggested_order(state)
    choices = tuple(
        Choice(label(state.locale, "work_on", seq=d.seq, creditor=d.creditor or "…"), buttons.control("debt", d.seq))
        for d in state.debts
        if d.seq != state.active
    )
    if len(state.debts) < MAX_DEBTS:
        choices += (Choice(label(state.locale, "add_debt"), buttons.control("new", state.next_seq())),)
    say(
        state,
        result,
        "debts.html",
        choices,
        debts=state.debts,
        order=order,
        totals=portfolio.totals(state),
        free=portfolio.available(state, excluding=None),
    )


def _new_debt(state: UserState, today: date, result: StepResult, prompt: Prompt) -> None:
    if len(state.debts) >= MAX_DEBTS:
        say(state, result, "e_too_many_debts.html", most=MAX_DEBTS)
        return
    asides.set_aside(state)
    start_debt(state)
    result.changed = True
    say(state, result, "new_debt.html", debt=state.active_debt)
    prompt(state, today, result)


def _script(state: UserState, today: date, result: StepResult, prompt: Prompt) -> None:
    debt = state.active_debt
    if debt is None or debt.offer is None or debt.state not in tagged(Tag.NEGOTIATING):
        say(state, result, "e_no_script.html", debt=debt)
    else:
        ctx = Ctx(state, debt, today, result)
        ctx.say("script.html", offer=debt.offer, figure=standing_offer(ctx))
    prompt(state, today, result)


def _letter(state: UserState, today: date, result: StepResult, prompt: Prompt) -> None:
    debt = state.active_debt
    kind = STEP[debt.state].letter if debt is not None else None
    if debt is None or kind is None:
        say(state, result, "e_no_letter.html", debt=debt)
    else:
        draft_letter(Ctx(state, debt, today, result), kind, forgiven=portfolio.forgiven(debt))
        say(state, result, "letter_again.html", debt=debt, kind=kind)
    prompt(state, today, result)
