"""`step(state, input, now)`: the whole coach as one pure function.

It reads one input against the stored state, moves the active debt through the machine, and
returns the new state with the replies and effects. No I/O happens here; the channel and the
store do that with what comes back. The state object passed in is updated and returned.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dialogs import agreement, asides, budget, commands, rounds, statement
from dialogs.codec import decode, encode
from dialogs.context import Ctx, Invalid, Question, Stay
from dialogs.contracts import Input, InputKind, StepResult
from dialogs.machine import STATES, fire
from dialogs.parsing import parse_yes_no
from dialogs.reminders import local_now
from dialogs.state import Budget, Debt, UserState

MAX_TEXT = 2000
UNDO_DEPTH = 20

QUESTIONS: dict[str, Question] = {
    **statement.QUESTIONS,
    **budget.QUESTIONS,
    **rounds.QUESTIONS,
    **agreement.QUESTIONS,
    "settled": Question(statement.ask_closed, statement.take_closed, enter=agreement.finish),
}
assert set(QUESTIONS) == set(STATES), set(STATES) ^ set(QUESTIONS)


def step(state: UserState, inp: Input, now: datetime) -> StepResult:
    """`now` is aware; "today" is the person's own date, in their time zone."""
    result = StepResult(state)
    confirming, asking = state.confirming, state.asking
    _dispatch(state, inp, now, result)
    after = result.state
    if after.confirming != confirming or after.asking != asking:
        result.changed = True
    if asides.wants_time_zone(after):
        asides.ask_time_zone(after, now, result, first=True)
    return result


def where_we_are(state: UserState, now: datetime) -> StepResult:
    """The current question and nothing else, for a channel that must show it again (after a
    restart cut off its reply); it applies no answer, so it is safe to repeat."""
    result = StepResult(state)
    prompt(state, local_now(state, now).date(), result)
    return result


def _dispatch(state: UserState, inp: Input, now: datetime, result: StepResult) -> None:
    today = local_now(state, now).date()
    if not state.welcomed:
        commands.welcome(state, result)
        if inp.kind is not InputKind.COMMAND or inp.value in ("start", "help"):
            prompt(state, today, result)
            return
    text = inp.value.strip()[:MAX_TEXT]
    if state.asking and inp.kind is InputKind.TEXT and asides.answer(state, text, now, result, prompt):
        return
    state.asking = None  # a button or a command sets a side question aside
    if inp.kind is InputKind.COMMAND:
        commands.run(state, inp, now, result, prompt=prompt, undo=undo)
    elif inp.kind is InputKind.BUTTON and inp.value.startswith("g:"):
        commands.press(state, inp.value[2:], now, result, prompt=prompt)
    elif state.confirming and inp.kind is InputKind.TEXT and (said := parse_yes_no(inp.value)) is not None:
        commands.press(state, "yes" if said else "no", now, result, prompt=prompt)
    else:
        state.confirming = None
        answer(state, inp, today, result)


def prompt(state: UserState, today: date, result: StepResult) -> None:
    """Ask the active debt's current question (starting a first debt if there is none)."""
    debt = state.active_debt
    if debt is None:
        debt = commands.start_debt(state)
        result.changed = True
    ctx = Ctx(state, debt, today, result)
    result.replies.append(QUESTIONS[debt.state].prompt(ctx))


def answer(state: UserState, inp: Input, today: date, result: StepResult) -> None:
    debt = state.active_debt
    if debt is None:
        prompt(state, today, result)
        return
    ctx = Ctx(state, debt, today, result)
    if inp.kind is InputKind.BUTTON:
        target = _button_target(state, inp.value, ctx)
        if target is None:
            prompt(state, today, result)
            return
        debt, ctx.action = target
        ctx.debt = debt
    else:
        ctx.text = inp.value.strip()[:MAX_TEXT]
        ctx.action = _typed_label(ctx)
    _apply(state, debt, ctx, today, result)


def _apply(state: UserState, debt: Debt, ctx: Ctx, today: date, result: StepResult) -> None:
    question = QUESTIONS[debt.state]
    before = snapshot(state, debt)
    outcome = question.handle(ctx)
    if isinstance(outcome, Invalid):
        ctx.say(outcome.template, **dict(outcome.extra))
        result.replies.append(question.prompt(ctx))
        return
    _remember(state, before)
    result.changed = True
    if isinstance(outcome, Stay):
        if outcome.template:
            ctx.say(outcome.template, **dict(outcome.extra))
        if outcome.reprompt:
            result.replies.append(question.prompt(ctx))
        return
    origin = debt.state
    if not fire(state, debt, outcome):
        raise RuntimeError(f"{outcome!r} does not apply in {origin!r}")
    arrived = QUESTIONS[debt.state]
    if debt.state != origin and arrived.enter is not None:
        arrived.enter(ctx, outcome)
    result.replies.append(arrived.prompt(ctx))


def _button_target(state: UserState, value: str, ctx: Ctx) -> tuple[Debt, str] | None:
    """Resolve `<debt>:<state>:<action>` against the presser's own debts. A button for another
    step, or for a debt that is not theirs, changes nothing and says why."""
    parts = value.split(":", 2)
    seq = int(parts[0]) if len(parts) == 3 and parts[0].isdigit() else None
    debt = state.debt(seq)
    if debt is None:
        ctx.say("e_unknown_button.html")
        return None
    if debt.state != parts[1]:
        ctx.say("e_stale_button.html", other=debt if debt.seq != state.active else None)
        return None
    if debt.seq != state.active:
        state.active = debt.seq
        ctx.say("switched.html", switched_to=debt)
    return debt, parts[2]


def _typed_label(ctx: Ctx) -> str | None:
    """Someone who types a button's label means the button."""
    wanted = ctx.text.casefold()
    if not wanted:
        return None
    asked = Ctx(ctx.user, ctx.debt, ctx.today, StepResult(ctx.user), buttons_only=True)
    for choice in QUESTIONS[ctx.debt.state].prompt(asked).choices:
        if choice.label.casefold() == wanted and choice.value.startswith(f"{ctx.debt.seq}:"):
            return choice.value.split(":", 2)[2]
    return None


# -- back ------------------------------------------------------------------------------------
def snapshot(state: UserState, debt: Debt) -> dict[str, Any]:
    return {
        "active": state.active,
        "currency": state.currency,
        "budget": encode(state.budget),
        "debt": encode(debt),
    }


def _remember(state: UserState, before: dict[str, Any]) -> None:
    state.undo.append(before)
    del state.undo[:-UNDO_DEPTH]


def undo(state: UserState) -> bool:
    """Put back the active debt and the budget as they were before the last answer."""
    if not state.undo:
        return False
    before = state.undo.pop()
    restored = decode(Debt, before["debt"])
    state.debts = [restored if d.seq == restored.seq else d for d in state.debts]
    if state.debt(restored.seq) is None:
        state.debts.append(restored)
        state.debts.sort(key=lambda d: d.seq)
    state.budget = decode(Budget, before["budget"])
    state.currency = before["currency"]  # type: ignore[assignment]
    state.active = restored.seq
    return True
