"""The whole conversation of one negotiation, as one table: read it top to bottom.

Each `Step` is one question a debt can be at: the template that asks it (`ask`), its buttons,
how its answer is read (`reader`) and the field that answer fills (`fills`), where each trigger
leads and on which condition (`go`: for one trigger the first row whose condition holds wins),
what happens on arrival (`enter`: a letter, an explanation) and its `tags` (the groups other
modules ask about). A plain question is only a row: its answer is read, written into its field,
and fires `answer`. The steps that are genuinely bespoke (the creditor's answer, the decision
after a counteroffer, the payments...) name their `handler`, which returns the trigger itself;
their buttons may depend on the figures, and then a function names them too.

`dialogs/machine.py` turns the `go` columns into the `transitions` machine, and the README's
diagram is drawn from it (`debtcoach diagram`), so the picture cannot drift from this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from dialogs import agreement, bank_plan, budget, buttons, confirmations, details, pn_statement, rounds, statement
from dialogs import side_questions as sq
from dialogs.answers import Reader, amount, count, go_on, months, one_of, words, yes_no
from dialogs.context import Ctx, Invalid, Taken
from dialogs.letters import LETTERS
from dialogs.readers.yes_no import parse_yes_no
from dialogs.render import label, render
from dialogs.state import Agreement, Budget, Debt, Frequency, Holder, UserState
from dialogs.step_io import Choice, Reply, StepResult
from dialogs.vocabulary import Command, Condition, SideQuestion, State, Tag, ToConfirm, Trigger

A = Trigger.ANSWER


@dataclass(frozen=True, slots=True)
class Button:
    """A button of a question: its label (a key of labels.toml) and the action its data names.
    `shown` says when it is offered; `fields` fills its label ("Accept {amount}")."""

    label: str
    action: str
    shown: Callable[[Ctx], bool] | None = None
    fields: Callable[[Ctx], Mapping[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class Go:
    """`trigger` leads to `dest` (None: stays, to be asked again) when `when` holds and
    `unless` does not."""

    trigger: Trigger
    dest: State | None
    when: Condition | None = None
    unless: Condition | None = None


Buttons = tuple[Button, ...] | Callable[[Ctx], tuple[Choice, ...]]


@dataclass(frozen=True, slots=True)
class Step:
    state: State
    ask: str
    buttons: Buttons = ()
    # The question takes a number: a channel must not read a bare number as "choice N".
    numeric: bool = False
    # What the template shows beside the debt (figures worked out for it).
    shows: Callable[[Ctx], Mapping[str, Any]] | None = None
    reader: Reader | None = None
    # "debt.<field>", "budget.<field>" or "agreement.<field>".
    fills: str | None = None
    # Run once the field is filled, before the trigger fires.
    then: Callable[[Ctx], None] | None = None
    handler: Callable[[Ctx], Taken] | None = None
    go: tuple[Go, ...] = ()
    # Runs once when a debt arrives here, with the trigger that brought it (a step can be
    # reached several ways); asking may happen many times and changes nothing.
    enter: Callable[[Ctx, Trigger], None] | None = None
    tags: frozenset[Tag] = frozenset()
    # Actions offered by a message the handler sends (a warning's "do it anyway"): a press of
    # one is taken although the question itself does not show it.
    follow_ups: frozenset[str] = frozenset()
    # The letter /letter sends again at this step.
    letter: str | None = None
    # The value taken is read back at the top of the reply, as this item of got_it.html.
    echo: str | None = None


YES_NO = (Button("yes", "yes"), Button("no", "no"))
AFTER_STATEMENT = (
    Go(A, State.LIMITATIONS, when=Condition.IS_YEARS_OLD),
    Go(A, State.BUDGET_REVIEW, when=Condition.HAS_BUDGET),
    Go(A, State.LUMP_SUM),
)
NEGOTIATING = frozenset({Tag.NEGOTIATING, Tag.CALLING})
PAYING = frozenset({Tag.UNDER_AGREEMENT, Tag.SCHEDULED})


def _balance(ctx: Ctx) -> Mapping[str, Any]:
    return {"amount": ctx.debt.balance}


# fmt: off
STEPS: tuple[Step, ...] = (
    # -- statement ------------------------------------------------------------------------
    Step(State.CREDITOR, "q_creditor.html",
         reader=words(statement.MAX_NAME, "e_creditor.html", name=True), fills="debt.creditor",
         go=(Go(A, State.KIND),)),
    Step(State.KIND, "q_kind.html", statement.kind_choices,
         reader=statement.kind_of_debt, fills="debt.kind",
         go=(Go(A, State.NOT_NEGOTIABLE, when=Condition.IS_NOT_FOR_SETTLEMENT), Go(A, State.BALANCE))),
    Step(State.BALANCE, "q_balance.html", numeric=True,
         reader=statement.read_balance, fills="debt.balance", then=statement.remember_currency, echo="balance",
         go=(Go(A, State.CHECK_BALANCE, when=Condition.IS_UNLIKELY_BALANCE), Go(A, State.IN_WRITING))),
    Step(State.CHECK_BALANCE, "q_check_balance.html", (Button("balance_right", "right", fields=_balance),),
         numeric=True,
         handler=statement.take_check_balance,
         go=(Go(A, State.IN_WRITING),)),
    Step(State.IN_WRITING, "q_in_writing.html", YES_NO,
         reader=yes_no, fills="debt.in_writing",
         go=(Go(A, State.DELINQUENCY),)),
    Step(State.DELINQUENCY, "q_delinquency.html", (Button("not_late", "0"),), numeric=True,
         reader=months, fills="debt.months_delinquent", echo="months",
         go=(Go(A, State.HOLDER),)),
    Step(State.HOLDER, "q_holder.html",
         (Button("holder_original", Holder.ORIGINAL), Button("holder_collector", Holder.COLLECTOR)),
         reader=one_of(Holder, "holder", "e_holder.html"), fills="debt.holder",
         go=(Go(A, State.CHARGED_OFF, when=Condition.MAY_BE_CHARGED_OFF), Go(A, State.LAWSUIT))),
    Step(State.CHARGED_OFF, "q_charged_off.html", YES_NO,
         reader=yes_no, fills="debt.charged_off",
         go=(Go(A, State.LAWSUIT),)),
    Step(State.LAWSUIT, "q_lawsuit.html", YES_NO,
         reader=yes_no, fills="debt.lawsuit",
         go=(Go(A, State.NOT_NEGOTIABLE, when=Condition.HAS_LAWSUIT),
             Go(A, State.AWAITING_VALIDATION, when=Condition.NEEDS_VALIDATION),
             *AFTER_STATEMENT)),
    # -- side doors -----------------------------------------------------------------------
    Step(State.NOT_NEGOTIABLE, "q_not_negotiable.html", statement.next_debt_choices,
         handler=statement.take_closed, enter=statement.explain_side_door,
         tags=frozenset({Tag.CLOSED})),
    Step(State.AWAITING_VALIDATION, "q_awaiting_validation.html",
         (Button("statement_arrived", "arrived"), Button("show_letter", "letter")),
         handler=statement.take_validation, enter=statement.draft_validation_request,
         go=(Go(Trigger.STATEMENT_ARRIVED, State.CONFIRM_BALANCE),),
         follow_ups=frozenset({"arrived_really", "not_yet", "posted", "not_posted"}), letter="validation_request"),
    Step(State.CONFIRM_BALANCE, "q_confirm_balance.html", (Button("balance_unchanged", "same", fields=_balance),),
         numeric=True,
         handler=statement.take_confirm_balance,
         go=AFTER_STATEMENT, follow_ups=frozenset({"right"}),
         letter="validation_request"),
    Step(State.LIMITATIONS, "q_limitations.html", (Button("understood_continue", "continue"),),
         reader=go_on("e_limitations.html"),
         go=(Go(A, State.BUDGET_REVIEW, when=Condition.HAS_BUDGET), Go(A, State.LUMP_SUM))),
    # -- budget ---------------------------------------------------------------------------
    Step(State.BUDGET_REVIEW, "q_budget_review.html",
         (Button("keep_budget", "keep"), Button("change_budget", "change")), shows=budget.budget_review_figures,
         handler=budget.take_budget_review,
         go=(Go(Trigger.KEEP_BUDGET, State.GOALS), Go(Trigger.CHANGE_BUDGET, State.LUMP_SUM))),
    Step(State.LUMP_SUM, "q_lump_sum.html", (Button("nothing_now", "zero"),), numeric=True,
         reader=amount(1200, zero="zero"), fills="budget.lump_sum", then=budget.date_budget, echo="lump_sum",
         go=(Go(A, State.MONTHLY),)),
    Step(State.MONTHLY, "q_monthly.html", (Button("nothing_monthly", "zero"),), numeric=True,
         reader=amount(1200, zero="zero"), fills="budget.monthly", then=budget.date_budget, echo="monthly",
         go=(Go(A, State.GOALS),)),
    Step(State.GOALS, "q_goals.html", budget.goal_choices, shows=budget.suggested_goal,
         handler=budget.take_goals,
         go=(Go(A, State.HARDSHIP),)),
    Step(State.HARDSHIP, "q_hardship.html", (Button("skip", "skip"),),
         reader=budget.read_hardship, fills="debt.hardship",
         then=budget.draft_offer,
         go=(Go(A, State.AWAITING_REPLY, when=Condition.IS_AFFORDABLE), Go(A, State.UNAFFORDABLE))),
    # -- offer and counteroffer rounds ----------------------------------------------------
    Step(State.UNAFFORDABLE, "q_unaffordable.html",
         (Button("ask_payment_plan", "plan", shown=budget.has_monthly_room), Button("change_budget", "change")),
         handler=budget.take_unaffordable, enter=budget.explain_unaffordable,
         go=(Go(Trigger.CHANGE_BUDGET, State.LUMP_SUM),
             Go(Trigger.SWITCH_TO_PLAN, State.AWAITING_REPLY, when=Condition.CAN_PAY_MONTHLY))),
    Step(State.AWAITING_REPLY, "q_awaiting_reply.html",
         (Button("reply_accepted", "accepted"), Button("reply_countered", "countered"),
          Button("reply_rejected", "rejected"), Button("show_script", "script"),
          Button("remind_before_call", "call")),
         shows=rounds.standing_figure,
         handler=rounds.take_awaiting_reply, enter=rounds.on_enter_awaiting_reply,
         go=(Go(Trigger.ACCEPTED, State.AGREED_AMOUNT), Go(Trigger.REJECTED, State.DECISION),
             Go(Trigger.COUNTERED, State.COUNTER_AMOUNT), Go(Trigger.NAMED_FIGURE, State.DECISION)),
         tags=NEGOTIATING, letter="offer"),
    Step(State.COUNTER_AMOUNT, "q_counter_amount.html", numeric=True,
         handler=rounds.take_counter_amount,
         go=(Go(A, State.DECISION),),
         tags=NEGOTIATING, letter="offer"),
    Step(State.DECISION, "q_decision.html", rounds.decision_choices, shows=rounds.decision_figures,
         handler=rounds.take_decision,
         go=(Go(Trigger.SWITCH_TO_PLAN, State.AWAITING_REPLY, when=Condition.CAN_PAY_MONTHLY),
             Go(Trigger.ACCEPT, State.AGREED_AMOUNT, unless=Condition.IS_ABOVE_CEILING),
             Go(Trigger.ACCEPT, State.OVER_CEILING),
             Go(Trigger.COUNTER, State.AWAITING_REPLY, unless=Condition.IS_ABOVE_CEILING),
             Go(Trigger.COUNTER, State.OVER_CEILING),
             Go(Trigger.PAUSE, State.AWAITING_REPLY),
             Go(Trigger.SUPERVISOR, State.AWAITING_REPLY)),
         tags=NEGOTIATING, letter="offer"),
    Step(State.OVER_CEILING, "q_over_ceiling.html",
         (Button("confirm_over", "yes", fields=lambda ctx: {"amount": ctx.debt.pending_amount}),
          Button("decline_over", "no")),
         shows=rounds.pending_figure,
         handler=rounds.take_over_ceiling,
         go=(Go(Trigger.CONFIRM, State.AGREED_AMOUNT, when=Condition.IS_AGREEING),
             Go(Trigger.CONFIRM, State.AWAITING_REPLY),
             Go(Trigger.DECLINE, State.DECISION, when=Condition.HAS_ROUNDS),
             Go(Trigger.DECLINE, State.AGREED_AMOUNT)),
         tags=NEGOTIATING, letter="offer"),
    # -- written agreement ----------------------------------------------------------------
    Step(State.AGREED_AMOUNT, "q_agreed_amount.html",
         (Button("agreed_same", "same", shown=agreement.has_agreed_figure, fields=agreement.agreed_figure),),
         numeric=True, shows=agreement.agreed_figures,
         handler=agreement.take_agreed_amount,
         go=(Go(A, State.CHECK_AGREED, when=Condition.IS_UNLIKELY_AGREEMENT),
             Go(A, State.OVER_CEILING, when=Condition.IS_ABOVE_CEILING), Go(A, State.STRUCTURE))),
    Step(State.CHECK_AGREED, "q_check_agreed.html",
         (Button("agreed_typed", "typed", fields=lambda ctx: {"amount": ctx.debt.agreement and ctx.debt.agreement.amount}),
          Button("agreed_table", "table", shown=lambda ctx: agreement.table_figure(ctx.debt) is not None,
                 fields=lambda ctx: {"amount": agreement.table_figure(ctx.debt)})),
         numeric=True, shows=agreement.check_agreed_figures,
         handler=agreement.take_check_agreed,
         go=(Go(A, State.OVER_CEILING, when=Condition.IS_ABOVE_CEILING), Go(A, State.STRUCTURE))),
    Step(State.STRUCTURE, "q_structure.html",
         (Button("structure_as_agreed", "as_agreed", shown=agreement.has_agreed_payments,
                 fields=agreement.agreed_payments_label),
          Button("structure_lump", "lump"), Button("structure_instalments", "instalments")),
         shows=agreement.structure_figures,
         handler=agreement.take_structure,
         go=(Go(Trigger.LUMP, State.FIRST_DUE), Go(Trigger.INSTALMENTS, State.INSTALMENT_COUNT),
             Go(Trigger.SCHEDULE, State.FIRST_DUE))),
    Step(State.INSTALMENT_COUNT, "q_instalment_count.html", agreement.suggested_count, numeric=True,
         shows=agreement.plan_monthly,
         reader=count(2, agreement.MAX_INSTALMENTS, "e_instalment_count.html"), fills="agreement.instalments",
         then=agreement.suggest_instalment, echo="count",
         go=(Go(A, State.INSTALMENT_AMOUNT),)),
    Step(State.INSTALMENT_AMOUNT, "q_instalment_amount.html",
         (Button("instalment_even", "even", fields=agreement.even_instalment_label),), numeric=True,
         shows=agreement.even_instalment_figure,
         reader=agreement.instalment_size, fills="agreement.instalment_amount", echo="instalment",
         go=(Go(A, State.FIRST_DUE),)),
    Step(State.FIRST_DUE, "q_first_due.html",
         handler=agreement.take_first_due, follow_ups=frozenset({"due_today"}),
         go=(Go(A, State.FREQUENCY, when=Condition.IS_INSTALMENT_PLAN), Go(A, State.SIGN_BY))),
    Step(State.FREQUENCY, "q_frequency.html", tuple(Button(f"every_{f.value}", f.value) for f in Frequency),
         reader=one_of(Frequency, "frequency", "e_frequency.html"), fills="agreement.frequency",
         go=(Go(A, State.SIGN_BY),)),
    Step(State.SIGN_BY, "q_sign_by.html", shows=agreement.the_agreement,
         handler=agreement.take_sign_by,
         go=(Go(A, State.AWAITING_SIGNATURE),)),
    Step(State.AWAITING_SIGNATURE, "q_awaiting_signature.html",
         (Button("signed_back", "signed"), Button("made_payment", "paid"), Button("show_letter", "letter")),
         shows=agreement.the_agreement,
         handler=agreement.take_awaiting_signature, enter=agreement.draft_agreement,
         go=(Go(Trigger.SIGNED, State.REPAYING),
             Go(Trigger.PAID, State.SETTLED, when=Condition.IS_PAID_IN_FULL), Go(Trigger.PAID, None)),
         tags=PAYING, follow_ups=frozenset({"paid_anyway", "signed_really", "not_yet"}), letter="settlement_agreement"),
    # -- keeping the promise --------------------------------------------------------------
    Step(State.REPAYING, "q_repaying.html", agreement.payment_choices, shows=agreement.paid_so_far_figures,
         handler=agreement.take_repaying, enter=agreement.start_repaying,
         go=(Go(Trigger.PAID, State.SETTLED, when=Condition.IS_PAID_IN_FULL), Go(Trigger.PAID, None),
             Go(Trigger.MISSED, None)),
         tags=PAYING | {Tag.CALLING}, letter="settlement_agreement"),
    Step(State.SETTLED, "q_settled.html", statement.next_debt_choices,
         handler=statement.take_closed, enter=agreement.finish,
         tags=frozenset({Tag.CLOSED, Tag.SCHEDULED}), letter="paid_in_full_request"),
    # -- Taiwan: paid through the pre-negotiation plan of the bank with the largest claim ---
    Step(State.IN_PLAN, "q_in_plan.html", statement.next_debt_choices, shows=bank_plan.lead_figures,
         handler=statement.take_closed,
         tags=frozenset({Tag.CLOSED})),
)
# fmt: on

# A pre-negotiation plan signed at the bank (dialogs/bank_plan.py) reaches each bank debt it
# covers wherever it stands short of an agreement of its own: the largest bank's debt is paid
# under it, the others are in it.
INTO_A_BANK_PLAN = (Go(Trigger.PLAN_SIGNED, State.REPAYING), Go(Trigger.IN_BANK_PLAN, State.IN_PLAN))
BEFORE_AN_AGREEMENT = tuple(step.state for step in STEPS if not step.tags & (PAYING | {Tag.CLOSED}))

STEP: dict[str, Step] = {step.state.value: step for step in STEPS}
assert set(STEP) == set(State), set(State) ^ set(STEP)


def tagged(tag: Tag) -> frozenset[str]:
    return _TAGGED[tag]


_TAGGED = {tag: frozenset(s.state.value for s in STEPS if tag in s.tags) for tag in Tag}


# -- side questions: asked over a debt's own step, which waits ------------------------------
@dataclass(frozen=True, slots=True)
class SideStep:
    """A side question (`UserState.asking`). `over` names the steps whose button opens it (none:
    any step, by a command or a button of /reminders); `opened_by` says what opens it. Its
    `reader` reads typed text (None: not an answer, say `error`); `take` sets what it asks for
    and says so. A `passes_on` question lets text it cannot read answer the debt instead (the
    debt's question waits while it is asked, in a turn of its own)."""

    name: SideQuestion
    ask: str
    buttons: Callable[[UserState], tuple[Choice, ...]] | None
    shows: Callable[[UserState, Debt | None, datetime], Mapping[str, Any]] | None
    reader: Callable[[UserState, str, datetime], Any]
    take: Callable[[UserState, Any, datetime, StepResult], None]
    error: str
    opened_by: str
    over: tuple[State, ...] = ()
    error_shows: Callable[[UserState, datetime], Mapping[str, Any]] | None = None
    passes_on: bool = False
    # Guesses what it asks before asking (the zone from the language).
    before: Callable[[UserState, StepResult], None] | None = None
    # What a plain "no" gets (the guess shown is wrong: which, then?), instead of `error`.
    no: str | None = None
    # The debt's question follows the answer; False when what the answer shows has its own
    # buttons, which are then the one menu on the screen.
    then_ask: bool = True


# fmt: off
SIDE_QUESTIONS: tuple[SideStep, ...] = (
    SideStep(SideQuestion.PLACE, "q_place.html", sq.place_choices, sq.place_shown,
             reader=sq.read_place, take=sq.set_place, error="e_place.html",
             opened_by="first answer of a Chinese reader, /place"),
    SideStep(SideQuestion.TIME_ZONE_BY_THE_WAY, "q_timezone.html", sq.zone_choices, sq.zone_shown_by_the_way,
             reader=sq.read_time_zone, take=sq.set_time_zone, error="e_timezone.html",
             opened_by="first reminder", over=(State.AWAITING_VALIDATION, State.AWAITING_REPLY, State.AWAITING_SIGNATURE),
             passes_on=True, before=sq.guess_time_zone, no="e_timezone_no.html"),
    SideStep(SideQuestion.TIME_ZONE, "q_timezone.html", sq.zone_choices, sq.zone_shown,
             reader=sq.read_time_zone, take=sq.set_time_zone, error="e_timezone.html",
             opened_by="/timezone", before=sq.guess_time_zone, no="e_timezone_no.html"),
    SideStep(SideQuestion.QUIET_HOURS, "q_quiet_hours.html", sq.quiet_choices, None,
             reader=sq.read_quiet_hours, take=sq.set_quiet_hours, error="e_quiet_hours.html",
             opened_by="/reminders"),
    SideStep(SideQuestion.CALL_TIME, "q_call_time.html", None, None,
             reader=sq.read_call_time, take=sq.set_call_time, error="e_call_time.html",
             opened_by="call", over=(State.AWAITING_REPLY, State.REPAYING), error_shows=sq.local_time),
    # A letter's details: asked in turn before the first letter that needs them, which waits for
    # them (and by /details); asked again by `ask_waiting_detail` until answered or set aside.
    *(SideStep(q, details.ASK[q], details.skip_button(q), None,
               reader=details.reader(q), take=details.take, error="e_detail.html",
               opened_by="first letter, /details", error_shows=details.error_shows(q))
      for q in details.ORDER),
    # Taiwan's pre-negotiation: the statement's figures in turn, then the bank's plan.
    *(SideStep(q, pn_statement.ASK[q], None, pn_statement.shown(q),
               reader=pn_statement.reader(q), take=pn_statement.take, error=pn_statement.ERROR[q],
               opened_by="/prenegotiation's statement", error_shows=pn_statement.error_shows(q),
               then_ask=q is not pn_statement.ORDER[-1])
      for q in pn_statement.ORDER),
    SideStep(SideQuestion.PN_PLAN, "q_pn_plan.html", None, None,
             reader=bank_plan.read_plan, take=bank_plan.take_plan, error="e_pn_plan.html",
             opened_by="/prenegotiation's plan", error_shows=bank_plan.plan_error_shows),
    SideStep(SideQuestion.PN_FIRST_DUE, "q_pn_first_due.html", None, None,
             reader=bank_plan.read_first_due, take=bank_plan.take_first_due, error="e_date.html",
             opened_by="the plan", error_shows=bank_plan.date_error_shows, then_ask=False),
    SideStep(SideQuestion.PN_MONTHLY, "q_pn_monthly.html", None, None,
             reader=bank_plan.read_monthly, take=bank_plan.take_monthly, error="e_amount.html",
             opened_by="the plan, with no budget", error_shows=bank_plan.monthly_error_shows, then_ask=False),
)
# fmt: on
SIDE: dict[SideQuestion, SideStep] = {row.name: row for row in SIDE_QUESTIONS}
assert set(SIDE) == set(SideQuestion)


def open_side_question(
    state: UserState, question: SideQuestion, now: datetime, result: StepResult, *, about: Debt | None = None
) -> None:
    row = SIDE[question]
    if row.before is not None:
        row.before(state, result)
    state.asking = sq.asking_about(about.seq) if about is not None else question.value
    result.replies.append(_side_reply(state, row, about, now))


def ask_side_question_again(state: UserState, now: datetime, result: StepResult) -> bool:
    """The side question still open (after a restart, or /start), asked again; changes nothing.
    False when none is open (or the debt it was about is gone)."""
    if ask_waiting_detail(state, result):
        return True
    asked = sq.opened(state.asking)
    if asked is None:
        return False
    about = state.debt(asked[1]) if asked[1] is not None else None
    if asked[1] is not None and about is None:
        return False
    result.replies.append(_side_reply(state, SIDE[asked[0]], about, now))
    return True


def _side_reply(state: UserState, row: SideStep, about: Debt | None, now: datetime) -> Reply:
    choices = row.buttons(state) if row.buttons is not None else ()
    shown = row.shows(state, about, now) if row.shows is not None else {}
    return Reply(render(state.locale, row.ask, user=state, debt=about, **shown), choices)


def ask_waiting_detail(state: UserState, result: StepResult) -> bool:
    """The letter's detail that waits, asked (again) in place of the debt's question, which
    follows once the letter is drafted; False when none waits."""
    waiting = details.waiting(state)
    if waiting is None:
        return False
    question, debt = waiting
    row = SIDE[question]
    choices = row.buttons(state) if row.buttons is not None else ()
    shown = details.shown(state, debt, question)
    result.replies.append(Reply(render(state.locale, row.ask, user=state, debt=debt, **shown), choices))
    return True


def answer_side_question(state: UserState, text: str, now: datetime, result: StepResult) -> bool | None:
    """Typed text while a side question is open: True when it was taken and the debt's question
    follows, False when it could not be read (the side question stays) or what follows was
    asked here (the next question of a series, or a reply with its own buttons), None when it
    was not for the side question after all, and is the debt question's to read."""
    asked = sq.opened(state.asking)
    if asked is None:
        state.asking = None
        return None
    row, seq = SIDE[asked[0]], asked[1]
    if seq is not None and state.debt(seq) is None:
        state.asking = None
        return True
    value = row.reader(state, text, now)
    said_no = parse_yes_no(text) is False
    if value is None and row.passes_on and not said_no:
        state.asking = None
        return None
    if value is None:
        # Said why, and asked again with its choices: the question stays the one on the screen.
        error = row.no if said_no and row.no else row.error
        sq.say(state, result, error, **(row.error_shows(state, now) if row.error_shows else {}))
        if not ask_waiting_detail(state, result):  # a letter's detail again, with its Skip button
            result.replies.append(_side_reply(state, row, state.debt(seq) if seq is not None else None, now))
        return False
    row.take(state, value, now, result)
    if state.asking:  # the next question of a series: it is the one on the screen now
        return not ask_side_question_again(state, now, result)
    return row.then_ask


# -- confirmations: a destructive command waits for an explicit yes -------------------------
@dataclass(frozen=True, slots=True)
class ConfirmStep:
    """`UserState.confirming`: asked with a yes and a "keep everything" button, or a typed yes
    or no; anything else sets it aside. `on_yes` returns whether the debt's question follows."""

    name: ToConfirm
    ask: str
    yes: str
    on_yes: Callable[[UserState, str, StepResult], bool]
    opened_by: Command


CONFIRMATIONS: tuple[ConfirmStep, ...] = (
    ConfirmStep(ToConfirm.CANCEL, "confirm_cancel.html", "confirm_cancel", confirmations.start_over, Command.CANCEL),
    ConfirmStep(ToConfirm.DELETE, "confirm_delete.html", "confirm_delete", confirmations.erase, Command.DELETE),
)
CONFIRM: dict[ToConfirm, ConfirmStep] = {row.name: row for row in CONFIRMATIONS}
assert set(CONFIRM) == set(ToConfirm)


def show_confirmation(state: UserState, result: StepResult) -> None:
    """The confirmation that waits, asked (again) with its own buttons; changes nothing."""
    waiting = confirmations.waiting(state.confirming)
    if waiting is None:
        return
    row, rest = CONFIRM[waiting[0]], waiting[1]
    pending = state.confirming or ""
    choices = (
        Choice(label(state.locale, row.yes), buttons.confirmation(True, pending)),
        Choice(label(state.locale, "keep_everything"), buttons.confirmation(False, pending)),
    )
    debt = confirmations.debt_to_cancel(state, rest) if row.name is ToConfirm.CANCEL else None
    sq.say(state, result, row.ask, choices, debt=debt)


def answer_confirmation(state: UserState, yes: bool, result: StepResult) -> bool:
    """The waiting confirmation answered, by its button or a typed yes or no; returns whether
    the debt's question follows."""
    waiting = confirmations.waiting(state.confirming)
    sq.set_aside(state)
    result.changed = True
    if not yes or waiting is None:
        sq.say(state, result, "kept.html")
        return True
    return CONFIRM[waiting[0]].on_yes(state, waiting[1], result)


# -- asking and reading, the same for every row ---------------------------------------------
def ask(step: Step, ctx: Ctx) -> Reply:
    """The question, with the buttons that apply now; changes nothing."""
    if callable(step.buttons):
        choices = step.buttons(ctx)
    else:
        choices = tuple(
            ctx.choice(b.label, b.action, **(b.fields(ctx) if b.fields else {}))
            for b in step.buttons
            if b.shown is None or b.shown(ctx)
        )
    return ctx.reply(step.ask, choices, numeric=step.numeric, **(step.shows(ctx) if step.shows else {}))


def take(step: Step, ctx: Ctx) -> Taken:
    """The answer: a bespoke step's handler decides; a plain one is read into its field."""
    if step.handler is not None:
        return step.handler(ctx)
    assert step.reader is not None
    value = step.reader(ctx)
    if isinstance(value, Invalid):
        return value
    if step.fills is not None:
        where, _, name = step.fills.partition(".")
        setattr(_holder(ctx, where), name, value)
    if step.echo is not None:
        ctx.read_back(step.echo, value)
    if step.then is not None:
        step.then(ctx)
    return A


def _holder(ctx: Ctx, where: str) -> Debt | Budget | Agreement:
    if where == "budget":
        return ctx.user.budget
    if where == "agreement":
        assert ctx.debt.agreement is not None
        return ctx.debt.agreement
    return ctx.debt


def _check(step: Step) -> None:
    """A row that could not work fails at import, not in a conversation."""
    assert (step.handler is None) != (step.reader is None), f"{step.state}: a reader or a handler"
    if step.fills is not None:
        where, _, name = step.fills.partition(".")
        kind = {"debt": Debt, "budget": Budget, "agreement": Agreement}[where]
        assert name in {f.name for f in fields(kind)}, step.fills
    assert step.letter is None or step.letter in LETTERS, step.letter


for _step in STEPS:
    _check(_step)
