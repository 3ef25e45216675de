"""The message a due reminder becomes, written from the person's state at the moment it is sent.

A reminder row only says which reminder is due; the words come from the state as it is now, so
a call script carries the latest figures and a payment reminder the instalment's current status.
A payment reminder's buttons name their instalment (`<debt>:repaying:paid.<index>`), so they
work whenever they are pressed and record it once; the others are the buttons of the debt's
current question, at its turn, so a press goes through the engine like any other and a stale
one is explained, never applied twice.
"""

from __future__ import annotations

from datetime import datetime

from dialogs.context import Ctx
from dialogs.conversation import STEP, ask
from dialogs.prenegotiation import checklist_choices
from dialogs.reminder_plan import Kind, Planned, local_now, zone
from dialogs.rounds import script_figures
from dialogs.state import PaymentStatus, UserState
from dialogs.step_io import Choice, Reply, StepResult
from dialogs.vocabulary import State

TEMPLATES = {
    Kind.PAYMENT_SOON: "r_payment_soon.html",
    Kind.PAYMENT_DUE: "r_payment_due.html",
    Kind.OVERDUE: "r_overdue.html",
    Kind.CALL_SCRIPT: "r_call_script.html",
    Kind.CALL_FOLLOW_UP: "r_call_follow_up.html",
    Kind.SIGNATURE: "r_signature.html",
    Kind.VALIDATION_POSTED: "r_validation_posted.html",
    Kind.VALIDATION_WINDOW: "r_validation_window.html",
    Kind.DOCUMENTS: "r_documents.html",
}


def compose(state: UserState, planned: Planned, now: datetime, *, late: bool) -> Reply:
    debt = state.debt(planned.debt_seq)
    assert debt is not None, "compose only what plan(state) still lists"
    local = local_now(state, now)
    ctx = Ctx(state, debt, local.date(), StepResult(state))
    values: dict[str, object] = {
        "late": late,
        "meant_for": planned.due_at.astimezone(zone(state)),
        "local": local,
    }
    choices = _question_choices(ctx)
    if planned.index is not None:
        payment = debt.payments[planned.index]
        signed = debt.state == State.REPAYING
        values.update(payment=payment, number=planned.index + 1, count=len(debt.payments), signed=signed)
        if debt.state == State.REPAYING:
            choices = (
                ctx.payment_choice("reminder_paid", "paid", planned.index),
                ctx.payment_choice("reminder_not_yet", "notyet", planned.index),
                ctx.payment_choice("reminder_cant_pay", "cant", planned.index),
            )
    elif planned.kind in (Kind.CALL_SCRIPT, Kind.CALL_FOLLOW_UP):
        assert debt.call_at is not None
        values["call"] = debt.call_at.astimezone(zone(state))
        missed = next((p for p in debt.payments if p.status is PaymentStatus.MISSED), None)
        values.update(missed=missed, **(script_figures(ctx) if debt.offer else {"offer": None}))
        if planned.kind is Kind.CALL_SCRIPT:
            choices = ()
    elif planned.kind is Kind.DOCUMENTS:
        # Its buttons tick off what it names as missing.
        own = state.prenegotiation
        values["missing"] = own.missing if own is not None else []
        choices = checklist_choices(state)
    elif planned.kind is Kind.VALIDATION_POSTED and debt.state == State.AWAITING_VALIDATION:
        # It asks whether the letter went out: its buttons answer that.
        choices = (ctx.choice("validation_posted", "posted"), ctx.choice("validation_not_posted", "not_posted"))
    return ctx.reply(TEMPLATES[planned.kind], choices, False, **values)


def _question_choices(ctx: Ctx) -> tuple[Choice, ...]:
    """The buttons of the debt's current question, so the reminder can be answered at once."""
    asked = Ctx(ctx.user, ctx.debt, ctx.today, StepResult(ctx.user), buttons_only=True)
    return ask(STEP[ctx.debt.state], asked).choices
