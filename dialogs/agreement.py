"""Steps 7-9: the written agreement, then keeping the promise, then the paid-in-full letter.

Nothing is paid before a signed agreement is in hand; the coach says so every time a payment is
recorded too early.
"""

from __future__ import annotations

from datetime import date, timedelta

from dialogs import portfolio
from dialogs.asides import ask_call_time
from dialogs.context import Ctx, Invalid, Outcome, Question, Stay, member
from dialogs.contracts import CalendarRequested, Choice, Reply
from dialogs.letters import draft_letter
from dialogs.money import Money
from dialogs.portfolio import PER_MONTH, available, paid_so_far
from dialogs.readers.counts import parse_count
from dialogs.readers.dates import parse_date
from dialogs.readers.keywords import keyword
from dialogs.schedule import even_instalment, payments_for, split
from dialogs.state import Agreement, Basis, Budget, Frequency, Payment, PaymentStatus

MAX_INSTALMENTS = 60
LATEST_FIRST_PAYMENT = timedelta(days=366)
# US: a creditor files a 1099-C when this much or more is forgiven.
FORM_1099C_THRESHOLD = Money.of("600", "USD")

FREQUENCY_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (Frequency.BIWEEKLY, ("two weeks", "2 weeks", "biweekly", "bi-weekly", "fortnight")),
    (Frequency.WEEKLY, ("week",)),
    (Frequency.MONTHLY, ("month",)),
]


def _agreement(ctx: Ctx) -> Agreement:
    assert ctx.debt.agreement is not None
    return ctx.debt.agreement


# -- the agreed amount -----------------------------------------------------------------------
def _is_plan(ctx: Ctx) -> bool:
    """Payment-plan figures are monthly: the agreed total is then the balance, not a figure."""
    return ctx.debt.offer is not None and ctx.debt.offer.basis is Basis.PAYMENT_PLAN


def _agreed_figure(ctx: Ctx) -> Money | None:
    return ctx.debt.balance if _is_plan(ctx) else ctx.debt.pending_amount


def ask_agreed_amount(ctx: Ctx) -> Reply:
    figure = _agreed_figure(ctx)
    choices = (ctx.choice("agreed_same", "same", amount=figure),) if figure is not None else ()
    monthly = ctx.debt.pending_amount if _is_plan(ctx) else None
    return ctx.reply("q_agreed_amount.html", choices, numeric=True, figure=figure, monthly=monthly)


def take_agreed_amount(ctx: Ctx) -> Outcome:
    amount = _agreed_figure(ctx) if ctx.action == "same" else ctx.amount()
    if amount is None or not amount:
        return Invalid("e_amount.html", (("example", "$1,500"),))
    if amount.currency != ctx.currency:
        return Invalid("e_currency.html", (("currency", ctx.currency),))
    if not _is_plan(ctx):
        ctx.debt.pending_amount = amount
    ctx.debt.agreement = Agreement(amount)
    return "answer"


# -- lump sum or instalments -----------------------------------------------------------------
def ask_structure(ctx: Ctx) -> Reply:
    return ctx.reply(
        "q_structure.html", (ctx.choice("structure_lump", "lump"), ctx.choice("structure_instalments", "instalments"))
    )


def take_structure(ctx: Ctx) -> Outcome:
    low = ctx.text.lower()
    if ctx.action == "lump" or (ctx.action is None and ("lump" in low or "one payment" in low or "once" in low)):
        agreement = _agreement(ctx)
        agreement.instalments, agreement.instalment_amount = 1, None
        return "lump"
    if ctx.action == "instalments" or "instal" in low or "install" in low or "payments" in low:
        return "instalments"
    return Invalid("e_structure.html")


def _plan_monthly(ctx: Ctx) -> Money | None:
    return ctx.debt.pending_amount if _is_plan(ctx) else None


def ask_instalment_count(ctx: Ctx) -> Reply:
    monthly = _plan_monthly(ctx)
    choices: tuple[Choice, ...] = ()
    if monthly:
        count = min(-(-_agreement(ctx).amount.amount // monthly.amount), MAX_INSTALMENTS)
        choices = (ctx.choice("instalment_count", str(count), count=count),)
    return ctx.reply("q_instalment_count.html", choices, numeric=True, monthly=monthly)


def take_instalment_count(ctx: Ctx) -> Outcome:
    count = parse_count(ctx.action or ctx.text)
    if count is None or not 2 <= count <= MAX_INSTALMENTS:
        return Invalid("e_instalment_count.html", (("most", MAX_INSTALMENTS),))
    agreement = _agreement(ctx)
    agreement.instalments = count
    agreement.instalment_amount = _suggested_instalment(ctx)
    return "answer"


def _suggested_instalment(ctx: Ctx) -> Money:
    agreement = _agreement(ctx)
    monthly = _plan_monthly(ctx)
    if monthly and split(agreement.amount, agreement.instalments, monthly) is not None:
        return monthly
    return even_instalment(agreement.amount, agreement.instalments)


def ask_instalment_amount(ctx: Ctx) -> Reply:
    suggested = _suggested_instalment(ctx)
    return ctx.reply(
        "q_instalment_amount.html",
        (ctx.choice("instalment_even", "even", amount=suggested),),
        numeric=True,
        even=suggested,
    )


def take_instalment_amount(ctx: Ctx) -> Outcome:
    agreement = _agreement(ctx)
    each = _suggested_instalment(ctx) if ctx.action == "even" else ctx.amount()
    if each is None or each.currency != agreement.amount.currency:
        return Invalid("e_amount.html", (("example", "$500"),))
    if split(agreement.amount, agreement.instalments, each) is None:
        return Invalid("e_instalment_amount.html", (("agreement", agreement),))
    agreement.instalment_amount = each
    return "answer"


# -- dates -----------------------------------------------------------------------------------
def ask_first_due(ctx: Ctx) -> Reply:
    return ctx.reply("q_first_due.html")


def take_first_due(ctx: Ctx) -> Outcome:
    when = parse_date(ctx.text, ctx.today, ctx.locale)
    if when is None or when < ctx.today or when > ctx.today + LATEST_FIRST_PAYMENT:
        return Invalid("e_date.html", (("example", "2026-12-01"),))
    _agreement(ctx).first_due = when
    return "answer"


def ask_frequency(ctx: Ctx) -> Reply:
    return ctx.reply("q_frequency.html", tuple(ctx.choice(f"every_{f.value}", f.value) for f in Frequency))


def take_frequency(ctx: Ctx) -> Outcome:
    frequency = member(Frequency, ctx.action or keyword(ctx.text, FREQUENCY_WORDS))
    if frequency is None:
        return Invalid("e_frequency.html")
    _agreement(ctx).frequency = frequency
    return "answer"


def ask_sign_by(ctx: Ctx) -> Reply:
    return ctx.reply("q_sign_by.html", agreement=_agreement(ctx))


def take_sign_by(ctx: Ctx) -> Outcome:
    agreement = _agreement(ctx)
    when = parse_date(ctx.text, ctx.today, ctx.locale)
    if when is None or when < ctx.today:
        return Invalid("e_date.html", (("example", "next friday"),))
    assert agreement.first_due is not None
    if when > agreement.first_due:
        return Invalid("e_sign_after_payment.html", (("agreement", agreement),))
    agreement.sign_by = when
    agreement.sent_on = ctx.today
    ctx.debt.payments = payments_for(agreement)
    ctx.debt.pending_amount = None
    return "answer"


# -- the written agreement -------------------------------------------------------------------
def draft_agreement(ctx: Ctx, trigger: str = "") -> None:
    agreement = _agreement(ctx)
    draft_letter(ctx, "settlement_agreement")
    free = available(ctx.user, excluding=ctx.debt.seq)
    ctx.say("agreement_drafted.html", agreement=agreement, free=free, stretched=_stretches_budget(ctx, free))


def _stretches_budget(ctx: Ctx, free: Budget) -> bool:
    agreement = _agreement(ctx)
    if agreement.instalments == 1:
        return free.lump_sum is not None and agreement.amount > free.lump_sum
    assert agreement.instalment_amount is not None
    monthly = agreement.instalment_amount * PER_MONTH[agreement.frequency]
    return free.monthly is not None and monthly > free.monthly


def ask_awaiting_signature(ctx: Ctx) -> Reply:
    return ctx.reply(
        "q_awaiting_signature.html",
        (ctx.choice("signed_back", "signed"), ctx.choice("made_payment", "paid"), ctx.choice("show_letter", "letter")),
        agreement=_agreement(ctx),
    )


def take_awaiting_signature(ctx: Ctx) -> Outcome:
    low = ctx.text.lower()
    if ctx.action == "signed" or (ctx.action is None and ("signed" in low or "came back" in low)):
        _agreement(ctx).signed_on = ctx.today
        return "signed"
    if ctx.action == "paid" or (ctx.action is None and "paid" in low):
        ctx.say("warn_unsigned.html", (ctx.choice("signed_back", "signed"), ctx.choice("paid_anyway", "paid_anyway")))
        return Stay(reprompt=False)
    if ctx.action == "paid_anyway":
        return _record_paid(ctx)
    if ctx.action == "letter":
        draft_agreement(ctx)
        return Stay()
    return Invalid("e_awaiting_signature.html")


# -- keeping the promise ---------------------------------------------------------------------
def _next_unpaid(ctx: Ctx) -> int | None:
    return next((i for i, p in enumerate(ctx.debt.payments) if p.status is not PaymentStatus.PAID), None)


def start_repaying(ctx: Ctx, trigger: str) -> None:
    if trigger == "signed":
        ctx.say("signed.html", agreement=_agreement(ctx))
        ctx.result.effects.append(CalendarRequested(ctx.debt.seq))


def ask_repaying(ctx: Ctx) -> Reply:
    index = _next_unpaid(ctx)
    choices: tuple[Choice, ...] = ()
    if index is not None:
        payment = ctx.debt.payments[index]
        due = f"{payment.due_on:%b} {payment.due_on.day}"
        choices = (
            ctx.payment_choice("paid_payment", "paid", index, amount=payment.amount, due=due),
            ctx.payment_choice("missed_payment", "missed", index),
        )
    if any(p.status is PaymentStatus.MISSED for p in ctx.debt.payments):
        choices += (ctx.choice("remind_before_call", "call"),)
    return ctx.reply("q_repaying.html", choices, paid=paid_so_far(ctx.debt), agreement=_agreement(ctx), index=index)


def take_repaying(ctx: Ctx) -> Outcome:
    low = ctx.text.lower()
    action, _, which = (ctx.action or "").partition(".")
    # Buttons name their instalment ("paid.1"); typed words mean the next unpaid one.
    index = int(which) if which.isdigit() and int(which) < len(ctx.debt.payments) else _next_unpaid(ctx)
    if action == "paid" or (ctx.action is None and "paid" in low and "not" not in low):
        return _record_paid(ctx, index)
    if action == "notyet":
        return _not_yet(ctx, index)
    if action in ("missed", "cant") or any(w in low for w in ("miss", "can't", "cannot", "not paid", "late")):
        return _missed(ctx, index)
    if action == "call":
        return ask_call_time(ctx)
    return Invalid("e_repaying.html")


def nothing_to_record(verb: str, payment: Payment, today: date) -> str | None:
    """What to say when a payment button has nothing left to record for its instalment (it is
    a repeat, or the instalment was recorded since), or None when it has. A missed instalment
    can still be paid."""
    if payment.status is PaymentStatus.PAID:
        return "already_paid.html"
    if payment.status is PaymentStatus.MISSED and verb != "paid":
        return "already_missed.html"
    if verb == "notyet" and payment.due_on >= today:
        return "not_yet.html"
    return None


def _not_yet(ctx: Ctx, index: int | None) -> Outcome:
    """Not paid yet: before the due date there is nothing to do; after it, the payment is late
    and the right next step is the same as for one that cannot be paid: call them now."""
    if index is None or ctx.debt.payments[index].status is PaymentStatus.PAID:
        return Invalid("e_repaying.html")
    payment = ctx.debt.payments[index]
    if payment.due_on < ctx.today:
        return _missed(ctx, index)
    return Stay("not_yet.html", (("payment", payment),))


def _missed(ctx: Ctx, index: int | None) -> Outcome:
    if index is None or ctx.debt.payments[index].status is PaymentStatus.PAID:
        return Invalid("e_repaying.html")
    payment = ctx.debt.payments[index]
    payment.status, payment.recorded_on = PaymentStatus.MISSED, ctx.today
    ctx.say("missed.html", payment=payment, overdue=payment.due_on < ctx.today)
    return "missed"


def _record_paid(ctx: Ctx, index: int | None = None) -> Outcome:
    if index is None:
        index = _next_unpaid(ctx)
    if index is None:
        return Invalid("e_repaying.html")
    payment = ctx.debt.payments[index]
    if payment.status is PaymentStatus.PAID:
        return Stay("already_paid.html", (("payment", payment),))
    payment.status, payment.recorded_on = PaymentStatus.PAID, ctx.today
    budget = ctx.user.budget
    if _agreement(ctx).instalments == 1 and budget.lump_sum is not None:
        # A lump sum paid out of savings is no longer there to offer anyone else.
        budget.lump_sum = max(budget.lump_sum - payment.amount, Money.zero(budget.lump_sum.currency))
    ctx.say("payment_recorded.html", payment=payment, paid=paid_so_far(ctx.debt), agreement=_agreement(ctx))
    return "paid"


def finish(ctx: Ctx, trigger: str) -> None:
    agreement = _agreement(ctx)
    assert ctx.debt.balance is not None
    forgiven = portfolio.forgiven(ctx.debt) or Money.zero(ctx.currency)
    draft_letter(ctx, "paid_in_full_request", forgiven=forgiven)
    tax_note = forgiven.currency == "USD" and forgiven >= FORM_1099C_THRESHOLD
    ctx.say("settled.html", agreement=agreement, forgiven=forgiven, tax_note=tax_note)


QUESTIONS: dict[str, Question] = {
    "agreed_amount": Question(ask_agreed_amount, take_agreed_amount),
    "structure": Question(ask_structure, take_structure),
    "instalment_count": Question(ask_instalment_count, take_instalment_count),
    "instalment_amount": Question(ask_instalment_amount, take_instalment_amount),
    "first_due": Question(ask_first_due, take_first_due),
    "frequency": Question(ask_frequency, take_frequency),
    "sign_by": Question(ask_sign_by, take_sign_by),
    "awaiting_signature": Question(
        ask_awaiting_signature, take_awaiting_signature, enter=draft_agreement, follow_ups=frozenset({"paid_anyway"})
    ),
    "repaying": Question(ask_repaying, take_repaying, enter=start_repaying),
}
