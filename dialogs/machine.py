"""The whole conversation of one negotiation, as one table.

Read it top to bottom: statement, side doors, budget, offer, counteroffer rounds, agreement,
repayment. Each row is a `transitions` transition; when a trigger has several rows for one source,
the first whose conditions hold wins. The README's diagram is generated from this table
(`debtcoach diagram`), so the picture cannot drift from the code.

One machine serves every debt, built once at import. A step fires the trigger's `Event` on a
fresh `Negotiation` whose `state` is the debt's: the machine reads and sets that attribute and
resolves the conditions on it by name, so the model never needs `add_model`, which binds every
trigger and an `is_<state>` check for all the states onto it (most of a step's time, measured).
"""

from __future__ import annotations

from typing import Any

from transitions import Machine

from dialogs.state import NOT_FOR_SETTLEMENT, Debt, Holder, UserState

# Years behind on payment after which a payment may restart the statute of limitations in many
# US states (the shortest limits are three years; we warn a year early).
LIMITATIONS_WARNING_MONTHS = 24

STATES: list[str] = [
    # statement
    "creditor",
    "kind",
    "balance",
    "in_writing",
    "delinquency",
    "holder",
    "lawsuit",
    # side doors
    "not_negotiable",
    "awaiting_validation",
    "confirm_balance",
    "limitations",
    # budget
    "budget_review",
    "lump_sum",
    "monthly",
    "goals",
    "hardship",
    # offer and rounds
    "unaffordable",
    "awaiting_reply",
    "counter_amount",
    "decision",
    "over_ceiling",
    # agreement
    "agreed_amount",
    "structure",
    "instalment_count",
    "instalment_amount",
    "first_due",
    "frequency",
    "sign_by",
    "awaiting_signature",
    # keeping the promise
    "repaying",
    "settled",
]

_AFTER_STATEMENT: list[dict[str, Any]] = [
    {"conditions": "is_years_old", "dest": "limitations"},
    {"conditions": "has_budget", "dest": "budget_review"},
    {"dest": "lump_sum"},
]

# fmt: off
TRANSITIONS: list[dict[str, Any]] = [
    # -- statement ------------------------------------------------------------------------
    {"trigger": "answer", "source": "creditor", "dest": "kind"},
    {"trigger": "answer", "source": "kind", "dest": "not_negotiable", "conditions": "is_not_for_settlement"},
    {"trigger": "answer", "source": "kind", "dest": "balance"},
    {"trigger": "answer", "source": "balance", "dest": "in_writing"},
    {"trigger": "answer", "source": "in_writing", "dest": "delinquency"},
    {"trigger": "answer", "source": "delinquency", "dest": "holder"},
    {"trigger": "answer", "source": "holder", "dest": "lawsuit"},
    {"trigger": "answer", "source": "lawsuit", "dest": "not_negotiable", "conditions": "has_lawsuit"},
    {"trigger": "answer", "source": "lawsuit", "dest": "awaiting_validation", "conditions": "needs_validation"},
    *({"trigger": "answer", "source": "lawsuit", **row} for row in _AFTER_STATEMENT),
    # -- side doors -----------------------------------------------------------------------
    {"trigger": "statement_arrived", "source": "awaiting_validation", "dest": "confirm_balance"},
    *({"trigger": "answer", "source": "confirm_balance", **row} for row in _AFTER_STATEMENT),
    {"trigger": "answer", "source": "limitations", "dest": "budget_review", "conditions": "has_budget"},
    {"trigger": "answer", "source": "limitations", "dest": "lump_sum"},
    # -- budget ---------------------------------------------------------------------------
    {"trigger": "keep_budget", "source": "budget_review", "dest": "goals"},
    {"trigger": "change_budget", "source": ["budget_review", "unaffordable"], "dest": "lump_sum"},
    {"trigger": "answer", "source": "lump_sum", "dest": "monthly"},
    {"trigger": "answer", "source": "monthly", "dest": "goals"},
    {"trigger": "answer", "source": "goals", "dest": "hardship"},
    {"trigger": "answer", "source": "hardship", "dest": "awaiting_reply", "conditions": "is_affordable"},
    {"trigger": "answer", "source": "hardship", "dest": "unaffordable"},
    # -- offer and counteroffer rounds ----------------------------------------------------
    {"trigger": "switch_to_plan", "source": ["unaffordable", "decision"], "dest": "awaiting_reply", "conditions": "can_pay_monthly"},
    {"trigger": "accepted", "source": "awaiting_reply", "dest": "agreed_amount"},
    {"trigger": "rejected", "source": "awaiting_reply", "dest": "decision"},
    {"trigger": "countered", "source": "awaiting_reply", "dest": "counter_amount"},
    {"trigger": "named_figure", "source": "awaiting_reply", "dest": "decision"},
    {"trigger": "answer", "source": "counter_amount", "dest": "decision"},
    {"trigger": "accept", "source": "decision", "dest": "agreed_amount", "unless": "is_above_ceiling"},
    {"trigger": "accept", "source": "decision", "dest": "over_ceiling"},
    {"trigger": "counter", "source": "decision", "dest": "awaiting_reply", "unless": "is_above_ceiling"},
    {"trigger": "counter", "source": "decision", "dest": "over_ceiling"},
    {"trigger": "pause", "source": "decision", "dest": "awaiting_reply"},
    {"trigger": "supervisor", "source": "decision", "dest": "awaiting_reply"},
    {"trigger": "confirm", "source": "over_ceiling", "dest": "agreed_amount", "conditions": "is_agreeing"},
    {"trigger": "confirm", "source": "over_ceiling", "dest": "awaiting_reply"},
    {"trigger": "decline", "source": "over_ceiling", "dest": "decision", "conditions": "has_rounds"},
    {"trigger": "decline", "source": "over_ceiling", "dest": "agreed_amount"},
    # -- written agreement ----------------------------------------------------------------
    {"trigger": "answer", "source": "agreed_amount", "dest": "over_ceiling", "conditions": "is_above_ceiling"},
    {"trigger": "answer", "source": "agreed_amount", "dest": "structure"},
    {"trigger": "lump", "source": "structure", "dest": "first_due"},
    {"trigger": "instalments", "source": "structure", "dest": "instalment_count"},
    {"trigger": "answer", "source": "instalment_count", "dest": "instalment_amount"},
    {"trigger": "answer", "source": "instalment_amount", "dest": "first_due"},
    {"trigger": "answer", "source": "first_due", "dest": "frequency", "conditions": "is_instalment_plan"},
    {"trigger": "answer", "source": "first_due", "dest": "sign_by"},
    {"trigger": "answer", "source": "frequency", "dest": "sign_by"},
    {"trigger": "answer", "source": "sign_by", "dest": "awaiting_signature"},
    {"trigger": "signed", "source": "awaiting_signature", "dest": "repaying"},
    # -- keeping the promise --------------------------------------------------------------
    {"trigger": "paid", "source": ["repaying", "awaiting_signature"], "dest": "settled", "conditions": "is_paid_in_full"},
    {"trigger": "paid", "source": ["repaying", "awaiting_signature"], "dest": "="},
    {"trigger": "missed", "source": "repaying", "dest": "repaying"},
]
# fmt: on


class Negotiation:
    """The machine's model for one step: one debt, seen with its owner's whole state.

    Conditions only read; the engine writes the answer into the debt before firing a trigger,
    so each condition sees the situation the answer created. No attribute here may share a
    trigger's name (a transitions pitfall: it would silently shadow the trigger).
    """

    state: str

    def __init__(self, user: UserState, debt: Debt) -> None:
        self.user = user
        self.debt = debt

    # statement
    def is_not_for_settlement(self) -> bool:
        return self.debt.kind in NOT_FOR_SETTLEMENT

    def has_lawsuit(self) -> bool:
        return bool(self.debt.lawsuit)

    def needs_validation(self) -> bool:
        return self.debt.holder is Holder.COLLECTOR and not self.debt.in_writing

    def is_years_old(self) -> bool:
        return (self.debt.months_delinquent or 0) >= LIMITATIONS_WARNING_MONTHS

    def has_budget(self) -> bool:
        budget = self.user.budget
        return budget.lump_sum is not None and budget.monthly is not None

    # offer
    def is_affordable(self) -> bool:
        return self.debt.offer is not None

    def can_pay_monthly(self) -> bool:
        return self.debt.offer is not None and self.debt.offer.basis.value == "payment_plan"

    def is_above_ceiling(self) -> bool:
        offer, amount = self.debt.offer, self.debt.pending_amount
        if offer is None or amount is None or amount.currency != offer.ceiling.currency:
            return False
        return amount > offer.ceiling and amount != self.debt.confirmed_above_ceiling

    def is_agreeing(self) -> bool:
        """Confirming a figure the creditor named (or agreed) leads to the agreement; confirming
        a figure of the user's own is a counteroffer."""
        return self.debt.state == "over_ceiling" and _pending_is_theirs(self.debt)

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


MACHINE = build_machine()
# The triggers each state answers to, read from the table once.
_TRIGGERS: dict[str, frozenset[str]] = {state: frozenset(MACHINE.get_triggers(state)) for state in STATES}


def fire(user: UserState, debt: Debt, trigger: str) -> bool:
    """Run one trigger for one debt; the debt's `state` is updated in place.

    Returns False when the trigger does not apply in the debt's state (a stale button), which
    the engine turns into a kind explanation rather than an error.
    """
    if trigger not in _TRIGGERS.get(debt.state, frozenset()):
        return False
    model = Negotiation(user, debt)
    model.state = debt.state
    moved = bool(MACHINE.events[trigger].trigger(model))
    debt.state = model.state
    return moved


def diagram() -> str:
    """The conversation as a Mermaid state diagram, straight from the table above."""
    from transitions.extensions import GraphMachine

    graph = build_machine(
        GraphMachine, model=Machine.self_literal, graph_engine="mermaid", title="One negotiation", show_conditions=True
    )
    return str(graph.get_graph().draw(None)).strip()
