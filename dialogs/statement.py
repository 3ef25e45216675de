"""Step 1: know exactly what is owed, and notice the debts that must not be settled.

The questions themselves are rows of `dialogs/conversation.py`; here are the words they read,
and the few steps that need more than a reader.
"""

from __future__ import annotations

from decimal import Decimal

from dialogs import buttons
from dialogs.answers import first_amount, one_of
from dialogs.context import Ctx, Invalid, Stay, Taken
from dialogs.letters import draft_letter
from dialogs.lexicon import find
from dialogs.money import Money
from dialogs.places import rules
from dialogs.readers.amounts import has_exponent
from dialogs.readers.schedules import names_a_range
from dialogs.readers.yes_no import parse_yes_no
from dialogs.render import label
from dialogs.state import Debt, DebtKind
from dialogs.step_io import Choice
from dialogs.vocabulary import Trigger

MAX_NAME = 80

_any_kind = one_of(DebtKind, "kind", "e_kind.html")


def kind_choices(ctx: Ctx) -> tuple[Choice, ...]:
    """The kinds of debt people in the person's place have (Taiwan's cash cards, the US's federal
    student loans), in the order they think of them; any kind can still be typed."""
    return tuple(ctx.choice(f"kind_{kind.value}", kind.value) for kind in rules(ctx.user).kinds)


def kind_of_debt(ctx: Ctx) -> DebtKind | Invalid:
    """A student loan must say which: federal and private loans take different roads."""
    us_loans = (DebtKind.FEDERAL_STUDENT_LOAN, DebtKind.PRIVATE_STUDENT_LOAN)
    if (
        ctx.action is None
        and DebtKind.FEDERAL_STUDENT_LOAN in rules(ctx.user).kinds
        and find(ctx.text, ctx.locale, "student_loan")
        and find(ctx.text, ctx.locale, "kind") not in us_loans
    ):
        return Invalid("e_kind_student.html")
    return _any_kind(ctx)


# A balance below this is more likely a slip ("5" for "5k", "3,2") than a debt worth negotiating.
UNLIKELY_BALANCE = Decimal(10)


def read_balance(ctx: Ctx) -> Money | Invalid:
    """The balance, unless the answer cannot be one figure: "1e9" is not read as $1, and
    "between 4 and 5 thousand" not as $4 (the statement has the exact figure)."""
    if has_exponent(ctx.text):
        return Invalid("e_balance_exponent.html")
    if names_a_range(ctx.text):
        return Invalid("e_balance_range.html")
    return first_amount(ctx)


def is_unlikely_balance(debt: Debt) -> bool:
    return debt.balance is not None and debt.balance.amount < UNLIKELY_BALANCE


def take_check_balance(ctx: Ctx) -> Taken:
    """An unlikely balance confirmed (its button, a yes), or the right one typed."""
    if ctx.action == "right" or (ctx.action is None and parse_yes_no(ctx.text) is True):
        return Trigger.ANSWER
    typed = _balance_typed(ctx)
    if typed is not None:
        return typed
    return Stay() if is_unlikely_balance(ctx.debt) else Trigger.ANSWER


def _balance_typed(ctx: Ctx) -> Invalid | None:
    """A balance typed again: taken and read back, or why it cannot be (None: taken)."""
    amount = read_balance(ctx)
    if isinstance(amount, Invalid):
        return amount
    ctx.debt.balance = amount
    remember_currency(ctx)
    ctx.read_back("balance", amount)
    return None


def remember_currency(ctx: Ctx) -> None:
    assert ctx.debt.balance is not None
    ctx.user.currency = ctx.debt.balance.currency


# -- side doors and settled debts: nothing left to answer, only where to go next ------------
def explain_side_door(ctx: Ctx, trigger: Trigger) -> None:
    ctx.say("side_door.html")


def next_debt_choices(ctx: Ctx) -> tuple[Choice, ...]:
    return (
        Choice(label(ctx.locale, "add_debt"), buttons.control("new", ctx.user.next_seq())),
        Choice(label(ctx.locale, "list_debts"), buttons.control("debts")),
    )


def take_closed(ctx: Ctx) -> Taken:
    return Invalid("e_closed.html")


# -- validation first ------------------------------------------------------------------------
def draft_validation_request(ctx: Ctx, trigger: Trigger) -> None:
    ctx.debt.validation_sent_on = ctx.today
    draft_letter(ctx, "validation_request")
    ctx.say("validation_drafted.html")


def take_validation(ctx: Ctx) -> Taken:
    """The collector's statement arrived, the letter again, or (the same day the request was
    drafted, when a reply by post cannot have come yet) a question before taking it."""
    if ctx.action == "arrived_really":
        return Trigger.STATEMENT_ARRIVED
    # The "has it gone in the mail?" reminder answered in words: before "arrived", whose yes
    # would otherwise take "yes, I mailed it" for the collector's statement.
    mailed = find(ctx.text, ctx.locale, "validation_posted") if ctx.action is None else None
    if mailed is not None:
        return Stay("validation_posted.html" if mailed == "posted" else "validation_not_posted.html")
    if ctx.action == "arrived" or (ctx.action is None and _says_arrived(ctx)):
        if ctx.debt.validation_sent_on == ctx.today:
            choices = (ctx.choice("arrived_really", "arrived_really"), ctx.choice("not_yet_arrived", "not_yet"))
            ctx.say("warn_too_soon_statement.html", choices)
            return Stay(reprompt=False)
        return Trigger.STATEMENT_ARRIVED
    if ctx.action == "not_yet":
        return Stay()
    if ctx.action == "letter":
        # The same letter again: the date it was first drafted (the 30-day window) stays.
        draft_letter(ctx, "validation_request")
        return Stay()
    if ctx.action in ("posted", "not_posted"):
        # The "has it gone in the mail?" reminder, answered: the wait for the statement goes on.
        return Stay("validation_posted.html" if ctx.action == "posted" else "validation_not_posted.html")
    return Invalid("e_awaiting_validation.html")


def _says_arrived(ctx: Ctx) -> bool:
    return find(ctx.text, ctx.locale, "statement_arrived") is not None or parse_yes_no(ctx.text) is True


def take_confirm_balance(ctx: Ctx) -> Taken:
    """The balance on the statement: the same as told (a button or a yes), or a new one; a new
    one under $10 is asked about, as the first balance is (its "right" button, or a yes)."""
    if ctx.action in ("same", "right") or parse_yes_no(ctx.text) is True:
        return Trigger.ANSWER
    typed = _balance_typed(ctx)
    if typed is not None:
        return typed
    if is_unlikely_balance(ctx.debt):
        ctx.say("q_check_balance.html", (ctx.choice("balance_right", "right", amount=ctx.debt.balance),))
        return Stay(reprompt=False)
    return Trigger.ANSWER
