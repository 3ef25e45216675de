"""Step 1: know exactly what is owed, and notice the debts that must not be settled."""

from __future__ import annotations

from dialogs import buttons
from dialogs.context import Ctx, Invalid, Outcome, Question, Stay, member
from dialogs.contracts import Choice, Reply
from dialogs.letters import draft_letter
from dialogs.readers.durations import parse_months
from dialogs.readers.keywords import keyword
from dialogs.readers.yes_no import parse_yes_no
from dialogs.render import label
from dialogs.state import DebtKind, Holder

MAX_NAME = 80

KIND_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (DebtKind.PRIVATE_STUDENT_LOAN, ("private student",)),
    (DebtKind.FEDERAL_STUDENT_LOAN, ("federal", "direct loan", "fafsa")),
    (DebtKind.STORE_CARD, ("store card", "store", "retail")),
    (DebtKind.CREDIT_CARD, ("credit", "card", "visa", "mastercard", "amex")),
    (DebtKind.CAR_LOAN, ("car", "auto", "vehicle", "truck")),
    (DebtKind.MORTGAGE, ("mortgage", "home loan", "house")),
    (DebtKind.MEDICAL, ("medical", "hospital", "doctor", "dentist", "dental", "clinic")),
    (DebtKind.COLLECTION, ("collection",)),
    (DebtKind.TAX, ("tax", " irs ")),
    (DebtKind.UTILITY, ("utility", "electric", "water", "gas bill", "power", "phone", "internet")),
    (DebtKind.PERSONAL_LOAN, ("personal", "payday", "loan")),
    (DebtKind.OTHER, ("other",)),
]

HOLDER_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (Holder.COLLECTOR, ("collect", "buyer", "agency", "bought", "sold")),
    (Holder.ORIGINAL, ("original", "bank", "lender", "same", "still with", "creditor")),
]


def _yes_no(ctx: Ctx) -> bool | None:
    if ctx.action in ("yes", "no"):
        return ctx.action == "yes"
    return parse_yes_no(ctx.text)


def _yes_no_choices(ctx: Ctx) -> tuple[Choice, ...]:
    return (ctx.choice("yes", "yes"), ctx.choice("no", "no"))


# -- creditor --------------------------------------------------------------------------------
def ask_creditor(ctx: Ctx) -> Reply:
    return ctx.reply("q_creditor.html")


def take_creditor(ctx: Ctx) -> Outcome:
    name = " ".join(ctx.text.split())[:MAX_NAME]
    if not name or ctx.action is not None or name.startswith("/"):
        return Invalid("e_creditor.html")
    ctx.debt.creditor = name
    return "answer"


# -- kind ------------------------------------------------------------------------------------
def ask_kind(ctx: Ctx) -> Reply:
    return ctx.reply("q_kind.html", tuple(ctx.choice(f"kind_{k.value}", k.value) for k in DebtKind))


def take_kind(ctx: Ctx) -> Outcome:
    low = ctx.text.lower()
    if ctx.action is None and "student" in low and "federal" not in low and "private" not in low:
        return Invalid("e_kind_student.html")
    kind = member(DebtKind, ctx.action or keyword(ctx.text, KIND_WORDS))
    if kind is None:
        return Invalid("e_kind.html")
    ctx.debt.kind = kind
    return "answer"


def explain_side_door(ctx: Ctx, trigger: str = "") -> None:
    ctx.say("side_door.html")


def ask_closed(ctx: Ctx) -> Reply:
    """Side doors and settled debts: nothing left to answer here, only where to go next."""
    template = "q_settled.html" if ctx.debt.state == "settled" else "q_not_negotiable.html"
    return ctx.reply(template, _next_debt_choices(ctx))


def _next_debt_choices(ctx: Ctx) -> tuple[Choice, ...]:
    return (
        Choice(label(ctx.locale, "add_debt"), buttons.control("new", ctx.user.next_seq())),
        Choice(label(ctx.locale, "list_debts"), buttons.control("debts")),
    )


def take_closed(ctx: Ctx) -> Outcome:
    return Invalid("e_closed.html")


# -- balance ---------------------------------------------------------------------------------
def ask_balance(ctx: Ctx) -> Reply:
    return ctx.reply("q_balance.html", numeric=True)


def take_balance(ctx: Ctx) -> Outcome:
    amount = ctx.amount()
    if amount is None or not amount:
        return Invalid("e_amount.html", (("example", "$5,000"),))
    if ctx.user.currency is not None and amount.currency != ctx.user.currency:
        return Invalid("e_currency.html", (("currency", ctx.user.currency),))
    ctx.user.currency = amount.currency
    ctx.debt.balance = amount
    return "answer"


# -- in writing, delinquency, holder, lawsuit ------------------------------------------------
def ask_in_writing(ctx: Ctx) -> Reply:
    return ctx.reply("q_in_writing.html", _yes_no_choices(ctx))


def take_in_writing(ctx: Ctx) -> Outcome:
    answer = _yes_no(ctx)
    if answer is None:
        return Invalid("e_yes_no.html")
    ctx.debt.in_writing = answer
    return "answer"


def ask_delinquency(ctx: Ctx) -> Reply:
    choices = (ctx.choice("not_late", "0"),)
    return ctx.reply("q_delinquency.html", choices, numeric=True)


def take_delinquency(ctx: Ctx) -> Outcome:
    months = parse_months(ctx.action or ctx.text)
    if months is None:
        return Invalid("e_months.html")
    ctx.debt.months_delinquent = months
    return "answer"


def ask_holder(ctx: Ctx) -> Reply:
    return ctx.reply(
        "q_holder.html",
        (ctx.choice("holder_original", Holder.ORIGINAL.value), ctx.choice("holder_collector", Holder.COLLECTOR.value)),
    )


def take_holder(ctx: Ctx) -> Outcome:
    holder = member(Holder, ctx.action or keyword(ctx.text, HOLDER_WORDS))
    if holder is None:
        return Invalid("e_holder.html")
    ctx.debt.holder = holder
    return "answer"


def ask_lawsuit(ctx: Ctx) -> Reply:
    return ctx.reply("q_lawsuit.html", _yes_no_choices(ctx))


def take_lawsuit(ctx: Ctx) -> Outcome:
    answer = _yes_no(ctx)
    if answer is None:
        return Invalid("e_yes_no.html")
    ctx.debt.lawsuit = answer
    return "answer"


# -- validation first ------------------------------------------------------------------------
def draft_validation_request(ctx: Ctx, trigger: str = "") -> None:
    ctx.debt.validation_sent_on = ctx.today
    draft_letter(ctx, "validation_request")
    ctx.say("validation_drafted.html")


def ask_validation(ctx: Ctx) -> Reply:
    return ctx.reply(
        "q_awaiting_validation.html", (ctx.choice("statement_arrived", "arrived"), ctx.choice("show_letter", "letter"))
    )


def take_validation(ctx: Ctx) -> Outcome:
    if ctx.action == "arrived" or (ctx.action is None and _says_arrived(ctx.text)):
        return "statement_arrived"
    if ctx.action == "letter":
        # The same letter again: the date it was first drafted (the 30-day window) stays.
        draft_letter(ctx, "validation_request")
        return Stay()
    return Invalid("e_awaiting_validation.html")


def _says_arrived(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in ("arrived", "came", "got it", "received", "statement")) or parse_yes_no(text) is True


def ask_confirm_balance(ctx: Ctx) -> Reply:
    assert ctx.debt.balance is not None
    return ctx.reply(
        "q_confirm_balance.html", (ctx.choice("balance_unchanged", "same", amount=ctx.debt.balance),), numeric=True
    )


def take_confirm_balance(ctx: Ctx) -> Outcome:
    if ctx.action == "same" or parse_yes_no(ctx.text) is True:
        return "answer"
    return take_balance(ctx)


# -- statute of limitations ------------------------------------------------------------------
def ask_limitations(ctx: Ctx) -> Reply:
    return ctx.reply("q_limitations.html", (ctx.choice("understood_continue", "continue"),))


def take_limitations(ctx: Ctx) -> Outcome:
    if ctx.action == "continue" or parse_yes_no(ctx.text) is True or "continue" in ctx.text.lower():
        return "answer"
    return Invalid("e_limitations.html")


QUESTIONS: dict[str, Question] = {
    "creditor": Question(ask_creditor, take_creditor),
    "kind": Question(ask_kind, take_kind),
    "balance": Question(ask_balance, take_balance),
    "in_writing": Question(ask_in_writing, take_in_writing),
    "delinquency": Question(ask_delinquency, take_delinquency),
    "holder": Question(ask_holder, take_holder),
    "lawsuit": Question(ask_lawsuit, take_lawsuit),
    "not_negotiable": Question(ask_closed, take_closed, enter=explain_side_door),
    "awaiting_validation": Question(ask_validation, take_validation, enter=draft_validation_request),
    "confirm_balance": Question(ask_confirm_balance, take_confirm_balance),
    "limitations": Question(ask_limitations, take_limitations),
}
