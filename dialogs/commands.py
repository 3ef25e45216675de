"""What works at any point: help, status, back, cancel, export, delete, language, and the
several-debts commands (debts, new, script, letter).

Destructive commands ask first; the confirmation is a button (or a typed yes) and anything else
leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from dialogs import asides, portfolio
from dialogs.context import Ctx
from dialogs.contracts import Choice, EraseRequested, ExportRequested, Input, StepResult
from dialogs.letters import draft_letter
from dialogs.reminders import local_now
from dialogs.render import available_locales, label, render, resolve_locale
from dialogs.rounds import standing_offer
from dialogs.state import Debt, UserState

MAX_DEBTS = 30

Prompt = Callable[[UserState, date, StepResult], None]
Undo = Callable[[UserState], bool]

LETTER_STATES = {
    "awaiting_validation": "validation_request",
    "confirm_balance": "validation_request",
    "awaiting_reply": "offer",
    "counter_amount": "offer",
    "decision": "offer",
    "over_ceiling": "offer",
    "awaiting_signature": "settlement_agreement",
    "repaying": "settlement_agreement",
    "settled": "paid_in_full_request",
}
SCRIPT_STATES = frozenset({"awaiting_reply", "counter_amount", "decision", "over_ceiling"})
CONFIRMATIONS = {"cancel": "confirm_cancel.html", "delete": "confirm_delete.html"}
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
        _ask_confirmation(state, name, result)
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


def press(state: UserState, action: str, now: datetime, result: StepResult, *, prompt: Prompt) -> None:
    """Buttons that are not answers to a question: `g:<action>`."""
    today = local_now(state, now).date()
    confirming, state.confirming = state.confirming, None
    if asides.press(state, action, now, result, prompt):
        return
    if action in ("yes", "no"):
        if confirming is None:
            say(state, result, "e_stale_button.html", other=None)
            prompt(state, today, result)
        elif action == "yes":
            _confirmed(state, confirming, today, result, prompt)
        else:
            say(state, result, "kept.html")
            prompt(state, today, result)
    elif action == "new":
        _new_debt(state, today, result, prompt)
    elif action == "debts":
        _debts(state, result)
    elif action.startswith("debt:") and action[5:].isdigit() and state.debt(int(action[5:])) is not None:
        state.active = int(action[5:])
        result.changed = True
        say(state, result, "switched.html", switched_to=state.active_debt)
        prompt(state, today, result)
    elif action.startswith("lang:") and action[5:] in available_locales():
        state.locale = resolve_locale(action[5:])
        result.changed = True
        say(state, result, "language_set.html")
        prompt(state, today, result)
    else:
        say(state, result, "e_unknown_button.html")
        prompt(state, today, result)


def _ask_confirmation(state: UserState, what: str, result: StepResult) -> None:
    state.confirming = what
    result.changed = True
    choices = (
        Choice(label(state.locale, f"confirm_{what}"), "g:yes"),
        Choice(label(state.locale, "keep_everything"), "g:no"),
    )
    say(state, result, CONFIRMATIONS[what], choices, debt=state.active_debt)


def _confirmed(state: UserState, what: str, today: date, result: StepResult, prompt: Prompt) -> None:
    result.changed = True
    if what == "delete":
        fresh = UserState(locale=state.locale)
        result.state = fresh
        result.effects.append(EraseRequested())
        say(fresh, result, "erased.html")
        return
    debt = state.active_debt
    if debt is not None:
        state.debts = [Debt(seq=d.seq) if d is debt else d for d in state.debts]
        state.undo = [s for s in state.undo if s.get("active") != debt.seq]
    say(state, result, "started_over.html")
    prompt(state, today, result)


def _status(state: UserState, result: StepResult) -> None:
    say(state, result, "status.html", debt=state.active_debt, others=len(state.debts) - 1)


def _languages(state: UserState, result: StepResult) -> None:
    choices = tuple(Choice(label(code, "language_name"), f"g:lang:{code}") for code in available_locales())
    say(state, result, "language.html", choices)


def _debts(state: UserState, result: StepResult) -> None:
    order = portfolio.suggested_order(state)
    choices = tuple(
        Choice(label(state.locale, "work_on", seq=d.seq, creditor=d.creditor or "…"), f"g:debt:{d.seq}")
        for d in state.debts
        if d.seq != state.active
    )
    if len(state.debts) < MAX_DEBTS:
        choices += (Choice(label(state.locale, "add_debt"), "g:new"),)
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
    start_debt(state)
    result.changed = True
    say(state, result, "new_debt.html", debt=state.active_debt)
    prompt(state, today, result)


def _script(state: UserState, today: date, result: StepResult, prompt: Prompt) -> None:
    debt = state.active_debt
    if debt is None or debt.offer is None or debt.state not in SCRIPT_STATES:
        say(state, result, "e_no_script.html", debt=debt)
    else:
        ctx = Ctx(state, debt, today, result)
        ctx.say("script.html", offer=debt.offer, figure=standing_offer(ctx))
    prompt(state, today, result)


def _letter(state: UserState, today: date, result: StepResult, prompt: Prompt) -> None:
    debt = state.active_debt
    kind = LETTER_STATES.get(debt.state) if debt is not None else None
    if debt is None or kind is None:
        say(state, result, "e_no_letter.html", debt=debt)
    else:
        draft_letter(Ctx(state, debt, today, result), kind, forgiven=portfolio.forgiven(debt))
        say(state, result, "letter_again.html", debt=debt, kind=kind)
    prompt(state, today, result)
