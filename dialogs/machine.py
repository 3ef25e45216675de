"""The `transitions` machine of one negotiation, built from the table in `dialogs/conversation.py`,
and the conditions its transitions check.

One machine serves every debt, built once at import. A step fires the trigger's `Event` on a
fresh `Negotiation` whose `state` is the debt's: the machine reads and sets that attribute and
resolves the conditions on it by name, so the model never needs `add_model`, which binds every
trigger and an `is_<state>` check for all the states onto it (most of a step's time, measured).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from transitions import Machine

from dialogs.agreement import unlikely_agreement
from dialogs.conversation import BEFORE_AN_AGREEMENT, CONFIRMATIONS, INTO_A_BANK_PLAN, SIDE_QUESTIONS, STEPS, Go
from dialogs.offer import CHARGE_OFF_MONTHS, within_limit
from dialogs.places import rules
from dialogs.portfolio import ledger
from dialogs.state import NOT_FOR_SETTLEMENT, Debt, Holder, UserState
from dialogs.statement import is_unlikely_balance
from dialogs.vocabulary import Condition, State, Trigger

# Years behind on payment after which a payment may restart the statute of limitations in many
# US states (the shortest limits are three years; we warn a year early).
LIMITATIONS_WARNING_MONTHS = 24

STATES: list[str] = [step.state.value for step in STEPS]


def _row(state: State, go: Go) -> dict[str, Any]:
    dest = go.dest.value if go.dest is not None else "="  # "=": the same state, asked again
    row: dict[str, Any] = {"trigger": go.trigger.value, "source": state.value, "dest": dest}
    if go.when is not None:
        row["conditions"] = go.when.value
    if go.unless is not None:
        row["unless"] = go.unless.value
    return row


_STEP_ROWS: list[dict[str, Any]] = [_row(step.state, go) for step in STEPS for go in step.go]
TRANSITIONS = _STEP_ROWS + [_row(state, go) for state in BEFORE_AN_AGREEMENT for go in INTO_A_BANK_PLAN]


class Negotiation:
    """The machine's model for one step: one debt, seen with its owner's whole state.

    Conditions only read; the engine writes the answer into the debt before firing a trigger,
    so each condition sees the situation the answer created. No attribute here may share a
    trigger's name (a transitions pitfall: it would silently shadow the trigger).
    """

    state: str

    def __init__(self, user: UserState, debt: Debt, today: date) -> None:
        self.user = user
        self.debt = debt
        self.today = today

    # statement
    def is_not_for_settlement(self) -> bool:
        return self.debt.kind in NOT_FOR_SETTLEMENT

    def has_lawsuit(self) -> bool:
        return bool(self.debt.lawsuit)

    def may_be_charged_off(self) -> bool:
        """Months behind with the original lender: it may have written the account off."""
        return self.debt.holder is Holder.ORIGINAL and (self.debt.months_delinquent or 0) >= CHARGE_OFF_MONTHS

    def needs_validation(self) -> bool:
        # A written request the US law (FDCPA) obliges a collector to answer.
        return (
            rules(self.user).validation_requests and self.debt.holder is Holder.COLLECTOR and not self.debt.in_writing
        )

    def is_unlikely_balance(self) -> bool:
        return is_unlikely_balance(self.debt)

    def is_years_old(self) -> bool:
        old = (self.debt.months_delinquent or 0) >= LIMITATIONS_WARNING_MONTHS
        return old and rules(self.user).time_barred_debts

    def has_budget(self) -> bool:
        budget = self.user.budget
        return budget.lump_sum is not None and budget.monthly is not None

    # offer
    def is_affordable(self) -> bool:
        return self.debt.offer is not None

    def can_pay_monthly(self) -> bool:
        return self.debt.offer is not None and self.debt.offer.basis.value == "payment_plan"

    def is_above_ceiling(self) -> bool:
        """The pending figure is past the walk-away limit on its own schedule ("3 x $600" is
        judged as three monthly payments, not as $1,800 today), and was not confirmed."""
        offer, amount = self.debt.offer, self.debt.pending_amount
        if offer is None or amount is None or amount.currency != offer.ceiling.currency:
            return False
        book = ledger(self.user, self.today, excluding=self.debt.seq)
        within = within_limit(self.debt, amount, self.debt.pending_payments, book, self.today)
        return not within and amount != self.debt.confirmed_above_ceiling

    def is_unlikely_agreement(self) -> bool:
        return unlikely_agreement(self.debt) is not None

    def is_agreeing(self) -> bool:
        """Confirming a figure the creditor named (or agreed) leads to the agreement; confirming
        a figure of the user's own is a counteroffer."""
        return self.debt.state == State.OVER_CEILING and _pending_is_theirs(self.debt)

    def has_rounds(self) -> bool:
        return bool(self.debt.rounds) and self.debt.agreement is None

    # agreement and payments
    def is_instalment_plan(self) -> bool:
        return self.debt.agreement is not None and self.debt.agreement.instalments > 1

    def is_paid_in_full(self) -> bool:
        return bool(self.debt.payments) and all(p.status.value == "paid" for p in self.debt.payments)


def _pending_is_theirs(debt: Debt) -> bool:
    if debt.agreement is not None:
        return True
    theirs = [r.amount for r in debt.rounds if r.who.value == "creditor" and r.amount is not None]
    return bool(theirs) and theirs[-1] == debt.pending_amount


def build_machine(machine_class: type[Machine] = Machine, model: Any = None, **options: Any) -> Machine:
    return machine_class(
        model=model,
        states=STATES,
        transitions=TRANSITIONS,
        initial="creditor",
        auto_transitions=False,
        send_event=False,
        **options,
    )


assert all(callable(getattr(Negotiation, c.value, None)) for c in Condition), "a condition without its check"
assert not any(hasattr(Negotiation, t.value) for t in Trigger), "an attribute would shadow its trigger"
MACHINE = build_machine()
# The triggers each state answers to, read from the table once.
_TRIGGERS: dict[str, frozenset[str]] = {state: frozenset(MACHINE.get_triggers(state)) for state in STATES}


def fire(user: UserState, debt: Debt, trigger: Trigger, today: date) -> bool:
    """Run one trigger for one debt; the debt's `state` is updated in place.

    Returns False when the trigger does not apply in the debt's state (a stale button), which
    the engine turns into a kind explanation rather than an error.
    """
    if trigger not in _TRIGGERS.get(debt.state, frozenset()):
        return False
    model = Negotiation(user, debt, today)
    model.state = debt.state
    moved = bool(MACHINE.events[trigger].trigger(model))
    debt.state = model.state
    return moved


# Where the side questions and confirmations that any step can open are drawn from.
ANY_STEP = "any_step"
# Where a bank's pre-negotiation plan takes a debt from (any step short of an agreement).
BEFORE_AN_AGREEMENT_STEP = "before_an_agreement"


def _aside_rows() -> tuple[list[str], list[dict[str, Any]]]:
    """The side questions and confirmations as states of the drawing, with the edges that open
    them and lead back (to the step they were asked over, or to wherever the person was)."""
    states: list[str] = [ANY_STEP, BEFORE_AN_AGREEMENT_STEP]
    rows: list[dict[str, Any]] = [
        {"trigger": go.trigger.value, "source": BEFORE_AN_AGREEMENT_STEP, "dest": str(go.dest)}
        for go in INTO_A_BANK_PLAN
    ]
    for side in SIDE_QUESTIONS:
        name = side.name.name.lower()
        states.append(name)
        for over in side.over or (ANY_STEP,):
            rows.append({"trigger": side.opened_by, "source": str(over), "dest": name})
            rows.append({"trigger": "answered", "source": name, "dest": str(over)})
    for confirm in CONFIRMATIONS:
        name = f"confirm_{confirm.name.value}"
        states.append(name)
        rows.append({"trigger": f"/{confirm.opened_by}", "source": ANY_STEP, "dest": name})
        rows.append({"trigger": "yes", "source": name, "dest": State.CREDITOR.value})
        rows.append({"trigger": "no", "source": name, "dest": ANY_STEP})
    return states, rows


def diagram() -> str:
    """The conversation as a Mermaid state diagram, straight from the table, side questions and
    confirmations included."""
    from transitions.extensions import GraphMachine

    states, rows = _aside_rows()
    graph = GraphMachine(
        model=Machine.self_literal,
        states=[*STATES, *states],
        transitions=[*_STEP_ROWS, *rows],
        initial=State.CREDITOR.value,
        auto_transitions=False,
        graph_engine="mermaid",
        title="One negotiation",
        show_conditions=True,
    )
    return str(graph.get_graph().draw(None)).strip()
