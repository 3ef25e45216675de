"""The names the conversation is made of: its steps, the triggers between them, the conditions
on those, and the tags that group steps.

They are enums so that a misspelt name fails type-checking instead of a person. Their values are
the strings stored in `Debt.state` and carried by buttons, so a value never changes: a new name
is a new member. The table that uses them is `dialogs/conversation.py`.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """A step a debt can be at (`Debt.state`)."""

    # statement
    CREDITOR = "creditor"
    KIND = "kind"
    BALANCE = "balance"
    CHECK_BALANCE = "check_balance"
    IN_WRITING = "in_writing"
    DELINQUENCY = "delinquency"
    HOLDER = "holder"
    CHARGED_OFF = "charged_off"
    LAWSUIT = "lawsuit"
    # side doors
    NOT_NEGOTIABLE = "not_negotiable"
    AWAITING_VALIDATION = "awaiting_validation"
    CONFIRM_BALANCE = "confirm_balance"
    LIMITATIONS = "limitations"
    # budget
    BUDGET_REVIEW = "budget_review"
    LUMP_SUM = "lump_sum"
    MONTHLY = "monthly"
    GOALS = "goals"
    HARDSHIP = "hardship"
    # offer and rounds
    UNAFFORDABLE = "unaffordable"
    AWAITING_REPLY = "awaiting_reply"
    COUNTER_AMOUNT = "counter_amount"
    DECISION = "decision"
    OVER_CEILING = "over_ceiling"
    # agreement
    AGREED_AMOUNT = "agreed_amount"
    CHECK_AGREED = "check_agreed"
    STRUCTURE = "structure"
    INSTALMENT_COUNT = "instalment_count"
    INSTALMENT_AMOUNT = "instalment_amount"
    FIRST_DUE = "first_due"
    FREQUENCY = "frequency"
    SIGN_BY = "sign_by"
    AWAITING_SIGNATURE = "awaiting_signature"
    # keeping the promise
    REPAYING = "repaying"
    SETTLED = "settled"
    # Taiwan: a bank debt paid through the pre-negotiation plan of the bank with the largest claim.
    IN_PLAN = "in_plan"


class Trigger(StrEnum):
    """What an answer does to the debt's step; the table says where each one leads from where."""

    ANSWER = "answer"
    STATEMENT_ARRIVED = "statement_arrived"
    KEEP_BUDGET = "keep_budget"
    CHANGE_BUDGET = "change_budget"
    SWITCH_TO_PLAN = "switch_to_plan"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COUNTERED = "countered"
    NAMED_FIGURE = "named_figure"
    ACCEPT = "accept"
    COUNTER = "counter"
    PAUSE = "pause"
    SUPERVISOR = "supervisor"
    CONFIRM = "confirm"
    DECLINE = "decline"
    LUMP = "lump"
    INSTALMENTS = "instalments"
    SCHEDULE = "schedule"
    SIGNED = "signed"
    PAID = "paid"
    MISSED = "missed"
    # A pre-negotiation plan signed at the bank (dialogs/bank_plan.py): the bank with the largest
    # claim is paid under it, the other banks' debts are in it.
    PLAN_SIGNED = "plan_signed"
    IN_BANK_PLAN = "in_bank_plan"


class Condition(StrEnum):
    """A guard on a transition: the name of a `dialogs.machine.Negotiation` method (checked when
    the machine is built)."""

    IS_NOT_FOR_SETTLEMENT = "is_not_for_settlement"
    HAS_LAWSUIT = "has_lawsuit"
    MAY_BE_CHARGED_OFF = "may_be_charged_off"
    NEEDS_VALIDATION = "needs_validation"
    IS_YEARS_OLD = "is_years_old"
    HAS_BUDGET = "has_budget"
    IS_AFFORDABLE = "is_affordable"
    CAN_PAY_MONTHLY = "can_pay_monthly"
    IS_ABOVE_CEILING = "is_above_ceiling"
    IS_UNLIKELY_AGREEMENT = "is_unlikely_agreement"
    IS_UNLIKELY_BALANCE = "is_unlikely_balance"
    IS_AGREEING = "is_agreeing"
    HAS_ROUNDS = "has_rounds"
    IS_INSTALMENT_PLAN = "is_instalment_plan"
    IS_PAID_IN_FULL = "is_paid_in_full"


class Tag(StrEnum):
    """A group of steps other modules ask about."""

    # Between calls to the creditor, with a script to read from (/script).
    NEGOTIATING = "negotiating"
    # A call may be planned: its script arrives before it, "how did it go?" after.
    CALLING = "calling"
    # An agreement was reached and its payments are owed: the budget is committed to it, and
    # its instalments are reminded.
    UNDER_AGREEMENT = "under_agreement"
    # The debt has a payment schedule (under agreement, or paid off): totals, calendar file.
    SCHEDULED = "scheduled"
    # Nothing left to negotiate: left out of the suggested order.
    CLOSED = "closed"


class SideQuestion(StrEnum):
    """A question asked over the debt's own (`UserState.asking`, where a call also names its
    debt: "call:<seq>"). Typed text answers it; a command or a current button sets it aside."""

    # Where the person lives (Taiwan or the US), asked of a Chinese reader after their first answer.
    PLACE = "place"
    TIME_ZONE = "timezone"
    # Asked by the way, with the first reminder: text that is no time zone answers the debt.
    TIME_ZONE_BY_THE_WAY = "timezone_first"
    QUIET_HOURS = "quiet"
    CALL_TIME = "call"
    # What a letter needs to be posted as it is, asked once before the first letter that needs
    # it (and again by /details), each naming the debt whose letter waits: "your_name:<seq>".
    YOUR_NAME = "your_name"
    YOUR_ADDRESS = "your_address"
    CREDITOR_ADDRESS = "creditor_address"
    ACCOUNT_REF = "account_ref"
    # Asked before the agreement with a collector or debt buyer: the agreement names it.
    ORIGINAL_CREDITOR = "original_creditor"
    # Taiwan's pre-negotiation: the statement of assets and income, asked in this order
    # (dialogs/pn_statement.py), then the bank's plan and its first payment (dialogs/bank_plan.py).
    PN_INCOME = "pn_income"
    PN_EXPENSES = "pn_expenses"
    PN_DEPENDANTS = "pn_dependants"
    PN_ASSETS = "pn_assets"
    PN_PLAN = "pn_plan"
    PN_FIRST_DUE = "pn_first_due"
    # What can be paid a month, asked before the plan is checked when no budget was given.
    PN_MONTHLY = "pn_monthly"


class ToConfirm(StrEnum):
    """A destructive command waiting for its yes (`UserState.confirming`, which names exactly
    what: "cancel.<seq>.<turn>", "delete.<when asked>")."""

    CANCEL = "cancel"
    DELETE = "delete"


class Command(StrEnum):
    """What works at any point, in the order the menu and /help list them."""

    START = "start"
    HELP = "help"
    STATUS = "status"
    DEBTS = "debts"
    NEW = "new"
    SCRIPT = "script"
    LETTER = "letter"
    DETAILS = "details"
    BACK = "back"
    CANCEL = "cancel"
    EXPORT = "export"
    DELETE = "delete"
    LANGUAGE = "language"
    REMINDERS = "reminders"
    TIMEZONE = "timezone"
    PLACE = "place"
    PRENEGOTIATION = "prenegotiation"
    CALENDAR = "calendar"
    PRIVACY = "privacy"
