"""`step(state, input, now)`: the whole coach as one pure function.

It reads one input against the stored state, moves the active debt through the machine, and
returns the new state with the replies and effects. No I/O happens here; the channel and the
store do that with what comes back. The state object passed in is updated and returned.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from dialogs import agreement, buttons, commands, details, places
from dialogs import side_questions as sq
from dialogs.codec import decode, encode
from dialogs.context import Ctx, Invalid, Opens, Stay
from dialogs.conversation import (
    STEP,
    Step,
    answer_confirmation,
    answer_side_question,
    ask,
    ask_side_question_again,
    ask_waiting_detail,
    open_side_question,
    show_confirmation,
    take,
)
from dialogs.machine import fire
from dialogs.readers.greetings import is_greeting
from dialogs.readers.yes_no import parse_yes_no
from dialogs.reminder_plan import local_now
from dialogs.render import DEFAULT_LOCALE, read_markup
from dialogs.state import Budget, Debt, UserState
from dialogs.step_io import Choice, EraseRequested, Input, InputKind, LetterDrafted, Reply, StepResult
from dialogs.vocabulary import SideQuestion, Trigger

MAX_TEXT = 2000
UNDO_DEPTH = 5


def step(state: UserState, inp: Input, now: datetime) -> StepResult:
    """`now` is aware; "today" is the person's own date, in their time zone."""
    result = StepResult(state)
    confirming, asking = state.confirming, state.asking
    held = details.waiting(state)
    _dispatch(state, inp, now, result)
    after = result.state
    if held is not None and details.waiting(after) is None:
        seq = held[1].seq
        gone = any(isinstance(e, EraseRequested) for e in result.effects)
        drafted = any(isinstance(e, LetterDrafted) and e.debt_seq == seq for e in result.effects)
        if not gone and not drafted:
            details.draft_held(after, seq, now, result)
    if after.confirming != confirming or after.asking != asking:
        result.changed = True
    # Only after an answer that changed something: a stale button or a read-only command
    # changes nothing, not even by opening the place's or the time zone's question.
    uncertain = result.changed and places.place_is_uncertain(after) and not after.asking
    if uncertain and _ends_with_the_debt_question(after, now, result):
        # Before the kind of debt and the balance: the currency and the rules follow it.
        result.replies.pop()
        open_side_question(after, SideQuestion.PLACE, now, result)
        return result
    wanted = result.changed and sq.wants_time_zone(after) and not after.asking
    if wanted and _ends_with_the_debt_question(after, now, result):
        # In a turn of its own: the debt's question waits until the zone is answered or passed
        # on, so a number typed next can only mean a zone. (A turn that ends otherwise, with a
        # confirmation or a menu, keeps its ending: the zone is asked at a later answer.)
        result.replies.pop()
        open_side_question(after, SideQuestion.TIME_ZONE_BY_THE_WAY, now, result)
    return result


def _ends_with_the_debt_question(state: UserState, now: datetime, result: StepResult) -> bool:
    debt = state.active_debt
    if debt is None or not result.replies or state.confirming:
        return False
    asked = Ctx(state, debt, local_now(state, now).date(), StepResult(state))
    return result.replies[-1] == ask(STEP[debt.state], asked)


def where_we_are(state: UserState, now: datetime) -> StepResult:
    """The current question and nothing else, for a channel that must show it again (after a
    restart cut off its reply); it applies no answer, so it is safe to repeat."""
    result = StepResult(state)
    if not ask_side_question_again(state, now, result):
        prompt(state, local_now(state, now).date(), result)
    return result


def _dispatch(state: UserState, inp: Input, now: datetime, result: StepResult) -> None:
    today = local_now(state, now).date()
    if not state.welcomed:
        commands.welcome(state, result)
        if inp.kind is InputKind.TEXT and not is_greeting(inp.value):
            # A newcomer who starts with an answer ("Capital One"), not /start or a hello: the
            # welcome, then the answer taken, as it would be from anyone else.
            answer(state, inp, now, result)
            return
        if inp.kind is not InputKind.COMMAND or inp.value in ("start", "help"):
            prompt(state, today, result)
            return
    text = inp.value.strip()[:MAX_TEXT]
    if state.asking and inp.kind is InputKind.TEXT:
        taken = answer_side_question(state, text, now, result)
        if taken:
            prompt(state, today, result)
        if taken is not None:
            return
    if inp.kind is InputKind.COMMAND:
        commands.run(state, inp, now, result, prompt=prompt, undo=undo)
    elif inp.kind is InputKind.BUTTON:
        press(state, inp.value, now, result)
    elif state.confirming and inp.kind is InputKind.TEXT and (said := parse_yes_no(inp.value)) is not None:
        if answer_confirmation(state, said, result):
            prompt(state, today, result)
    else:
        sq.set_aside(state)
        answer(state, inp, now, result)


def prompt(state: UserState, today: date, result: StepResult) -> None:
    """Ask the current question: a confirmation still waiting, a detail a letter waits for, or
    else the active debt's question (starting a first debt if there is none)."""
    if state.confirming:
        show_confirmation(state, result)
        return
    if ask_waiting_detail(state, result):
        return
    debt = state.active_debt
    if debt is None:
        debt = commands.start_debt(state)
        result.changed = True
    ctx = Ctx(state, debt, today, result)
    result.replies.append(ask(STEP[debt.state], ctx))


def press(state: UserState, data: str, now: datetime, result: StepResult) -> None:
    """A button, checked against the presser's own state before anything changes: one whose
    data is not current (stale, already used, forged) changes nothing, not even the side
    question or the confirmation waiting, and says why."""
    today = local_now(state, now).date()
    pressed = buttons.read(data)
    if isinstance(pressed, buttons.Confirmation):
        # It answers the confirmation only while that is the one waiting. Any other (used, for
        # another question, or unnamed from an older version) changes nothing, and the
        # question that waits, if any, is asked again.
        if not pressed.pending or pressed.pending != state.confirming:
            sq.say(state, result, "e_stale_button.html", other=None)
            prompt(state, today, result)
        elif answer_confirmation(state, pressed.yes, result):
            prompt(state, today, result)
    elif isinstance(pressed, buttons.Control):
        commands.press(state, pressed, now, result, prompt=prompt)
    elif isinstance(pressed, buttons.Answer | buttons.Payment) and (debt := state.debt(pressed.seq)) is not None:
        _press_for_debt(state, debt, pressed, now, result)
    else:
        sq.say(state, result, "e_unknown_button.html")
        prompt(state, today, result)


def answer(state: UserState, inp: Input, now: datetime, result: StepResult) -> None:
    """Typed text, for the active debt's question."""
    today = local_now(state, now).date()
    debt = state.active_debt
    if debt is None:
        prompt(state, today, result)
        return
    ctx = Ctx(state, debt, today, result)
    ctx.text = inp.value.strip()[:MAX_TEXT]
    ctx.action = _typed_label(ctx)
    _apply(state, debt, ctx, now, result)


def _press_for_debt(
    state: UserState, debt: Debt, pressed: buttons.Answer | buttons.Payment, now: datetime, result: StepResult
) -> None:
    today = local_now(state, now).date()
    ctx = Ctx(state, debt, today, result)
    if isinstance(pressed, buttons.Payment):
        action = f"{pressed.verb}.{pressed.index}"
        if pressed.index < len(debt.payments):
            # Said, and nothing changes: the instalment already has what the button records.
            payment = debt.payments[pressed.index]
            unchanged = agreement.nothing_to_record(pressed.verb, payment, today)
            if unchanged is not None:
                ctx.say(unchanged, payment=payment)
                prompt(state, today, result)
                return
        current = debt.state == buttons.PAYMENT_STEP and pressed.index < len(debt.payments)
    else:
        action = pressed.action
        current = _is_shown(ctx, pressed)
    if not current:
        ctx.say("e_stale_button.html", other=debt if debt.seq != state.active else None)
        prompt(state, today, result)
        return
    sq.set_aside(state)
    if debt.seq != state.active:
        state.active = debt.seq
        result.changed = True
        ctx.say("switched.html", switched_to=debt)
    ctx.action = action
    _apply(state, debt, ctx, now, result)


def _is_shown(ctx: Ctx, pressed: buttons.Answer) -> bool:
    """The button is one the debt's question shows now, at this turn: a button from before its
    last answer, or one it never showed, is not."""
    debt = ctx.debt
    if (pressed.turn, pressed.step) != (debt.turn, debt.state):
        return False
    if pressed.action in STEP[debt.state].follow_ups:
        return True
    data = buttons.answer(debt, pressed.action)
    return any(choice.value == data for choice in _shown_choices(ctx, ctx.locale))


def _shown_choices(ctx: Ctx, locale: str) -> tuple[Choice, ...]:
    asked = Ctx(ctx.user, ctx.debt, ctx.today, StepResult(ctx.user), buttons_only=True, speaking=locale)
    return ask(STEP[ctx.debt.state], asked).choices


def _apply(state: UserState, debt: Debt, ctx: Ctx, now: datetime, result: StepResult) -> None:
    question = STEP[debt.state]
    before = snapshot(state, debt)
    # The replies to this answer (a warning's buttons included) carry the next turn, which
    # makes every button shown before it stale.
    debt.turn += 1
    first = len(result.replies)
    outcome = take(question, ctx)
    if isinstance(outcome, Invalid):
        debt.turn -= 1
        ctx.say(outcome.template, **dict(outcome.extra))
        result.replies.append(ask(question, ctx))
        return
    _remember(state, before)
    result.changed = True
    _go_on(state, debt, ctx, question, outcome, now, result)
    if ctx.got and len(result.replies) > first:
        # What was taken, read back at the top of the answer's first message.
        said = result.replies[first]
        result.replies[first] = Reply((*read_markup(ctx.got + "\n"), *said.spans), said.choices, said.numeric)


def _go_on(
    state: UserState,
    debt: Debt,
    ctx: Ctx,
    question: Step,
    outcome: Trigger | Stay | Opens,
    now: datetime,
    result: StepResult,
) -> None:
    if isinstance(outcome, Opens):
        open_side_question(state, outcome.question, now, result, about=debt)
        return
    if isinstance(outcome, Stay):
        if outcome.template:
            ctx.say(outcome.template, **dict(outcome.extra))
        if outcome.reprompt and not ask_waiting_detail(state, result):
            result.replies.append(ask(question, ctx))
        return
    origin = debt.state
    if not fire(state, debt, outcome, ctx.today):
        raise RuntimeError(f"{outcome!r} does not apply in {origin!r}")
    arrived = STEP[debt.state]
    if debt.state != origin and arrived.enter is not None:
        arrived.enter(ctx, outcome)
    if not ask_waiting_detail(state, result):  # the letter drafted on arrival waits for it
        result.replies.append(ask(arrived, ctx))


def _typed_label(ctx: Ctx) -> str | None:
    """Someone who types a button's label means the button: as shown, or in English, which
    people everywhere type ("Skip", "Yes")."""
    wanted = ctx.text.casefold()
    if not wanted:
        return None
    shown = _shown_choices(ctx, ctx.locale)
    # The English labels only for Latin letters that match none of the person's own.
    others = ctx.locale != DEFAULT_LOCALE and wanted.isascii()
    if others and not any(c.label.casefold() == wanted for c in shown):
        shown = _shown_choices(ctx, DEFAULT_LOCALE)
    for choice in shown:
        if choice.label.casefold() != wanted:
            continue
        pressed = buttons.read(choice.value)
        if isinstance(pressed, buttons.Answer) and pressed.seq == ctx.debt.seq:
            return pressed.action
        if isinstance(pressed, buttons.Payment) and pressed.seq == ctx.debt.seq:
            return f"{pressed.verb}.{pressed.index}"
    return None


# -- back ------------------------------------------------------------------------------------
# /back takes back the last UNDO_DEPTH answers. Each snapshot holds only what the answer after
# it changed: the newest of a debt, what differs from the debt as it is now; each older one,
# what differs from the next one of the same debt. A list (rounds, payments) that only grew is
# kept as its old length, one whose items changed as those items. The budget and currency are
# kept only when they differ. So history costs a few fields an answer, never a copy of a debt.
def snapshot(state: UserState, debt: Debt) -> dict[str, Any]:
    return {
        "active": state.active,
        "currency": state.currency,
        "budget": encode(state.budget),
        "debt": encode(debt),
    }


class _Newest(Mapping[str, Any]):
    """The snapshot of the answer being applied: whole while the answer may still change the
    debt, and read (by the store, when it encodes the state) as what differs from the debt as
    the answer left it."""

    __slots__ = ("_state", "whole")

    def __init__(self, state: UserState, whole: dict[str, Any]) -> None:
        self._state = state
        self.whole = whole

    def _compact(self) -> Mapping[str, Any]:
        now = _current(self._state, self.whole["active"])
        return self.whole if now is None else _difference(self.whole, now)

    def __getitem__(self, key: str) -> Any:
        return self.whole["active"] if key == "active" else self._compact()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._compact())

    def __len__(self) -> int:
        return len(self._compact())

    def items(self) -> ItemsView[str, Any]:
        # What encoding the state reads: the difference worked out once, not again per key.
        return self._compact().items()


def _current(state: UserState, seq: object) -> dict[str, Any] | None:
    debt = state.debt(seq if isinstance(seq, int) else None)
    if debt is None:
        return None
    return {"active": seq, "currency": state.currency, "budget": encode(state.budget), "debt": encode(debt)}


def _remember(state: UserState, before: dict[str, Any]) -> None:
    newest = _newest_of(state, before["active"])
    if newest is not None:
        entry = state.undo[newest]
        whole = entry.whole if isinstance(entry, _Newest) else entry if "debt" in entry else None
        if whole is not None:
            state.undo[newest] = _difference(whole, before)
        # Otherwise it is what differs from the debt as stored, which is `before`'s debt.
    state.undo.append(_Newest(state, before))
    del state.undo[:-UNDO_DEPTH]


def _newest_of(state: UserState, seq: object) -> int | None:
    """The index of the newest snapshot of debt `seq` (every snapshot's "active" is its debt)."""
    return next((i for i in range(len(state.undo) - 1, -1, -1) if state.undo[i].get("active") == seq), None)


def _difference(older: Mapping[str, Any], newer: Mapping[str, Any]) -> dict[str, Any]:
    then, after = older["debt"], newer["debt"]
    changed = {k: _list_change(v, after.get(k)) for k, v in then.items() if after.get(k) != v}
    entry: dict[str, Any] = {"active": older["active"], "changed": changed}
    for key in ("currency", "budget"):
        if older[key] != newer[key]:
            entry[key] = older[key]
    return entry


def _list_change(then: Any, after: Any) -> Any:
    if not isinstance(then, list) or not isinstance(after, list):
        return then
    if after[: len(then)] == then:
        return {"length": len(then)}
    if len(after) == len(then):
        return {"items": {str(i): item for i, item in enumerate(then) if after[i] != item}}
    return then


def _whole(entry: Mapping[str, Any], newer: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(entry, _Newest):
        return entry.whole
    if "debt" in entry:
        return dict(entry)
    debt = dict(newer["debt"])
    for key, value in entry["changed"].items():
        now = debt.get(key)
        if isinstance(now, list) and isinstance(value, dict) and "length" in value:
            debt[key] = now[: value["length"]]
        elif isinstance(now, list) and isinstance(value, dict) and "items" in value:
            debt[key] = [value["items"].get(str(i), item) for i, item in enumerate(now)]
        else:
            debt[key] = value
    return {
        "active": entry["active"],
        "currency": entry.get("currency", newer["currency"]),
        "budget": entry.get("budget", newer["budget"]),
        "debt": debt,
    }


def undo(state: UserState) -> bool:
    """Put back the active debt and the budget as they were before the last answer. The
    debt's turn still grows: the buttons shown since, and those from before, are all stale."""
    if not state.undo:
        return False
    entry = state.undo.pop()
    now = _current(state, entry.get("active"))
    if now is None and not (isinstance(entry, _Newest) or "debt" in entry):  # pragma: no cover - its debt is there
        return False
    # What is older than `entry` differs from what `entry` restores: that is the debt once restored.
    before = _whole(entry, now or {})
    restored = decode(Debt, before["debt"])
    current = state.debt(restored.seq)
    restored.turn = max(restored.turn, current.turn if current is not None else 0) + 1
    if current is not None:
        # The letters' details are no answer of the debt's steps: /back keeps them as given.
        restored.creditor_address, restored.account_ref = current.creditor_address, current.account_ref
        restored.original_creditor = current.original_creditor
    state.debts = [restored if d.seq == restored.seq else d for d in state.debts]
    if state.debt(restored.seq) is None:
        state.debts.append(restored)
        state.debts.sort(key=lambda d: d.seq)
    state.budget = decode(Budget, before["budget"])
    state.currency = before["currency"]
    state.active = restored.seq
    return True
