"""Steps 7-9: the written agreement, then keeping the promise, then the paid-in-full letter.

Nothing is paid before a signed agreement is in hand; the coach says so every time a payment is
recorded too early.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dialogs import details, portfolio
from dialogs.answers import date_within
from dialogs.budget import others
from dialogs.context import Ctx, Invalid, Opens, Stay, Taken
from dialogs.letters import draft_letter
from dialogs.lexicon import find
from dialogs.money import Money, total_of
from dialogs.offer import current_rounds
from dialogs.places import rules
from dialogs.portfolio import paid_so_far
from dialogs.readers.dates import parse_date
from dialogs.readers.schedules import parse_figure
from dialogs.readers.yes_no import parse_yes_no
from dialogs.render import example_money, label, short_day
from dialogs.schedule import even_instalment, payments_for, split
from dialogs.state import Agreement, Basis, Debt, Payment, PaymentStatus
from dialogs.step_io import CalendarRequested, Choice
from dialogs.vocabulary import SideQuestion, Trigger

MAX_INSTALMENTS = 60
LATEST_FIRST_PAYMENT = timedelta(days=366)
# US: a creditor files a 1099-C when this much or more is forgiven.
FORM_1099C_THRESHOLD = Money.of("600", "USD")


def _agreement(ctx: Ctx) -> Agreement:
    assert ctx.debt.agreement is not None
    return ctx.debt.agreement


# -- the agreed amount -----------------------------------------------------------------------
def _is_plan(ctx: Ctx) -> bool:
    """Payment-plan figures are monthly: the agreed total is then the balance, not a figure."""
    return ctx.debt.offer is not None and ctx.debt.offer.basis is Basis.PAYMENT_PLAN


def _agreed_figure(ctx: Ctx) -> Money | None:
    """The figure on the table: the total of a schedule the creditor named; on a plan with no
    end named, the balance; otherwise the pending figure."""
    if len(ctx.debt.pending_payments) > 1:
        return total_of(ctx.debt.pending_payments)
    return ctx.debt.balance if _is_plan(ctx) else ctx.debt.pending_amount


def has_agreed_figure(ctx: Ctx) -> bool:
    return _agreed_figure(ctx) is not None


def agreed_figure(ctx: Ctx) -> dict[str, Money | None]:
    return {"amount": _agreed_figure(ctx)}


def agreed_figures(ctx: Ctx) -> dict[str, Money | None]:
    return {"figure": _agreed_figure(ctx), "monthly": ctx.debt.pending_amount if _is_plan(ctx) else None}


def take_agreed_amount(ctx: Ctx) -> Taken:
    """The figure agreed on: its button, a "yes" to it, or an amount typed (which is questioned
    when it is unlikely: see `unlikely_agreement`)."""
    figure = _agreed_figure(ctx)
    said = parse_yes_no(ctx.text) if ctx.action is None and ctx.amount() is None else None
    if ctx.action == "same" or (said is True and figure is not None):
        amount = figure
    elif said is not None:
        return Invalid("e_agreed_amount.html", (("figure", figure),))
    else:
        amount = ctx.amount()
    if amount is None or not amount:
        return Invalid("e_amount.html", (("example", example_money(1500, ctx.user)),))
    if amount.currency != ctx.currency:
        return Invalid("e_currency.html", (("currency", ctx.currency),))
    _agree_on(ctx, amount)
    return Trigger.ANSWER


def _agree_on(ctx: Ctx, amount: Money) -> None:
    if not _is_plan(ctx):
        ctx.debt.pending_amount = amount
    ctx.debt.agreement = Agreement(amount)


# A typed figure this far from the one on the table is asked about before it becomes the deal.
UNLIKELY_BELOW = Decimal("0.5")
UNLIKELY_ABOVE = Decimal(2)


def unlikely_agreement(debt: Debt) -> str | None:
    """Why the agreed amount is unlikely ("above_balance", "far_from_table"), or None. A stray
    "10" on a $12,000 debt must not become a $10 agreement without a question."""
    agreement = debt.agreement
    if agreement is None:
        return None
    amount = agreement.amount
    if debt.balance is not None and amount.currency == debt.balance.currency and amount > debt.balance:
        return "above_balance"
    plan = debt.offer is not None and debt.offer.basis is Basis.PAYMENT_PLAN
    figure = None if plan else table_figure(debt)
    if figure is None or figure.currency != amount.currency or not figure:
        return None
    if amount.amount < figure.amount * UNLIKELY_BELOW or amount.amount > figure.amount * UNLIKELY_ABOVE:
        return "far_from_table"
    return None


def table_figure(debt: Debt) -> Money | None:
    """The last figure named by either side: what a deal was most likely struck at."""
    named = [r.amount for r in current_rounds(debt) if r.amount is not None]
    return named[-1] if named else None


def check_agreed_figures(ctx: Ctx) -> dict[str, object]:
    return {"why": unlikely_agreement(ctx.debt), "agreement": _agreement(ctx), "figure": table_figure(ctx.debt)}


def take_check_agreed(ctx: Ctx) -> Taken:
    """The unlikely figure confirmed, the figure on the table taken instead, or another typed."""
    figure = table_figure(ctx.debt)
    said = parse_yes_no(ctx.text) if ctx.action is None else None
    if ctx.action == "typed" or said is True:
        return Trigger.ANSWER
    if ctx.action == "table" and figure is not None:
        _agree_on(ctx, figure)
        return Trigger.ANSWER
    amount = ctx.amount() if ctx.action is None else None
    if amount is None or not amount or amount.currency != ctx.currency:
        return Invalid("e_check_agreed.html", (("agreement", _agreement(ctx)),))
    _agree_on(ctx, amount)
    return Stay() if unlikely_agreement(ctx.debt) is not None else Trigger.ANSWER


# -- lump sum or instalments -----------------------------------------------------------------
def _pay_as(agreement: Agreement, payments: list[Money]) -> Taken:
    agreement.schedule = payments
    agreement.instalments, agreement.instalment_amount = len(payments), None
    return Trigger.SCHEDULE


def agreed_payments(ctx: Ctx) -> list[Money]:
    """The creditor's schedule for the agreed amount, when they named one ("3 x $600")."""
    payments = ctx.debt.pending_payments
    agreement = ctx.debt.agreement
    if len(payments) < 2 or agreement is None or total_of(payments) != agreement.amount:
        return []
    return list(payments)


def has_agreed_payments(ctx: Ctx) -> bool:
    return bool(agreed_payments(ctx))


def agreed_payments_label(ctx: Ctx) -> dict[str, object]:
    return {"count": len(agreed_payments(ctx))}


def structure_figures(ctx: Ctx) -> dict[str, object]:
    return {"agreed_payments": agreed_payments(ctx)}


def take_structure(ctx: Ctx) -> Taken:
    """One payment, equal instalments (asked next), or the payments themselves: the creditor's
    schedule (its button) or one typed ("$1,000 first then $400 and $400"), which must add up to
    the agreed amount."""
    agreement = _agreement(ctx)
    if ctx.action == "as_agreed" and agreed_payments(ctx):
        return _pay_as(agreement, agreed_payments(ctx))
    if ctx.action is None and (figure := parse_figure(ctx.text, ctx.currency)) is not None and figure.is_schedule:
        total = figure.total
        if total != agreement.amount:
            return Invalid("e_schedule_total.html", (("total", total), ("agreement", agreement)))
        return _pay_as(agreement, list(figure.payments))
    typed = find(ctx.text, ctx.locale, "structure") if ctx.action is None else None
    if ctx.action == "lump" or typed == "lump":
        agreement.instalments, agreement.instalment_amount, agreement.schedule = 1, None, []
        return Trigger.LUMP
    if ctx.action == "instalments" or typed == "instalments":
        agreement.schedule = []
        return Trigger.INSTALMENTS
    return Invalid("e_structure.html")


def _plan_monthly(ctx: Ctx) -> Money | None:
    return ctx.debt.pending_amount if _is_plan(ctx) else None


def suggested_count(ctx: Ctx) -> tuple[Choice, ...]:
    """On a payment plan, the count the agreed monthly figure pays off."""
    monthly = _plan_monthly(ctx)
    if not monthly:
        return ()
    count = min(int(-(-_agreement(ctx).amount.amount // monthly.amount)), MAX_INSTALMENTS)
    # One payment is a lump sum, not a count of instalments the question could take.
    return (ctx.choice("instalment_count", str(count), count=count),) if count >= 2 else ()


def plan_monthly(ctx: Ctx) -> dict[str, Money | None]:
    return {"monthly": _plan_monthly(ctx)}


def suggest_instalment(ctx: Ctx) -> None:
    _agreement(ctx).instalment_amount = _suggested_instalment(ctx)


def _suggested_instalment(ctx: Ctx) -> Money:
    agreement = _agreement(ctx)
    monthly = _plan_monthly(ctx)
    if monthly and split(agreement.amount, agreement.instalments, monthly) is not None:
        return monthly
    return even_instalment(agreement.amount, agreement.instalments)


def even_instalment_label(ctx: Ctx) -> dict[str, Money]:
    return {"amount": _suggested_instalment(ctx)}


def even_instalment_figure(ctx: Ctx) -> dict[str, Money]:
    return {"even": _suggested_instalment(ctx)}


def instalment_size(ctx: Ctx) -> Money | Invalid:
    """One instalment's amount: the even split (its button), or one the schedule can pay in
    the count agreed, the last instalment taking the rest."""
    agreement = _agreement(ctx)
    each = _suggested_instalment(ctx) if ctx.action == "even" else ctx.amount()
    if each is None or each.currency != agreement.amount.currency:
        return Invalid("e_amount.html", (("example", example_money(500, ctx.user)),))
    if split(agreement.amount, agreement.instalments, each) is None:
        return Invalid("e_instalment_amount.html", (("agreement", agreement),))
    return each


# -- dates -----------------------------------------------------------------------------------
_first_due = date_within(LATEST_FIRST_PAYMENT)


def take_first_due(ctx: Ctx) -> Taken:
    """The first payment's date, read back; today is asked about: the agreement has to be
    signed by both sides before anything is paid, which rarely happens in a day."""
    agreement = _agreement(ctx)
    if ctx.action == "due_today" and agreement.first_due == ctx.today:
        return Trigger.ANSWER
    when = _first_due(ctx)
    if isinstance(when, Invalid):
        return when
    agreement.first_due = when
    ctx.read_back("first_due", when)
    if when == ctx.today:
        ctx.say("warn_due_today.html", (ctx.choice("due_today", "due_today"),))
        return Stay(reprompt=False)
    return Trigger.ANSWER


def the_agreement(ctx: Ctx) -> dict[str, Agreement]:
    return {"agreement": _agreement(ctx)}


def take_sign_by(ctx: Ctx) -> Taken:
    agreement = _agreement(ctx)
    when = parse_date(ctx.text, ctx.today, ctx.locale)
    if when is None or when < ctx.today:
        return Invalid("e_date.html", (("example", label(ctx.locale, "example_date")),))
    assert agreement.first_due is not None
    if when > agreement.first_due:
        return Invalid("e_sign_after_payment.html", (("agreement", agreement),))
    agreement.sign_by = when
    agreement.sent_on = ctx.today
    ctx.read_back("sign_by", when)
    ctx.debt.payments = payments_for(agreement)
    ctx.debt.pending_amount = None
    ctx.debt.pending_payments = []
    return Trigger.ANSWER


# -- the written agreement -------------------------------------------------------------------
def draft_agreement(ctx: Ctx, trigger: Trigger = Trigger.ANSWER) -> None:
    """The letter, and whether its payments fit on their dates beside everything else promised
    (a plan that needs more than the budget has by some month is one the person may not keep)."""
    agreement = _agreement(ctx)
    draft_letter(ctx, "settlement_agreement")
    unpaid = [(p.due_on, p.amount) for p in ctx.debt.payments if p.status is not PaymentStatus.PAID]
    short = others(ctx).shortfall(unpaid) if ctx.user.budget.lump_sum is not None else None
    ctx.say("agreement_drafted.html", agreement=agreement, short=short, blanks=details.missing(ctx.user, ctx.debt))


def take_awaiting_signature(ctx: Ctx) -> Taken:
    """The signed copy back (asked about when that is the day the agreement was drafted: it goes
    by post or email to the creditor and back), a payment (warned about), or the letter again."""
    typed = find(ctx.text, ctx.locale, "signature") if ctx.action is None else None
    said_signed = typed == "signed" and parse_yes_no(ctx.text) is not False
    signed = ctx.action in ("signed", "signed_really") or (ctx.action is None and said_signed)
    if signed and ctx.action != "signed_really" and _agreement(ctx).sent_on == ctx.today:
        choices = (ctx.choice("signed_really", "signed_really"), ctx.choice("not_yet_signed", "not_yet"))
        ctx.say("warn_too_soon_signed.html", choices)
        return Stay(reprompt=False)
    if signed:
        _agreement(ctx).signed_on = ctx.today
        return Trigger.SIGNED
    if ctx.action == "not_yet":
        return Stay()
    if ctx.action == "paid" or typed == "paid":
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


def start_repaying(ctx: Ctx, trigger: Trigger) -> None:
    if trigger == Trigger.SIGNED:
        ctx.say("signed.html", agreement=_agreement(ctx))
        ctx.result.effects.append(CalendarRequested(ctx.debt.seq))


def payment_choices(ctx: Ctx) -> tuple[Choice, ...]:
    """The next unpaid instalment's buttons; after a missed one, a call to plan."""
    index = _next_unpaid(ctx)
    choices: tuple[Choice, ...] = ()
    if index is not None:
        payment = ctx.debt.payments[index]
        due = short_day(ctx.locale, payment.due_on)
        choices = (
            ctx.payment_choice("paid_payment", "paid", index, amount=payment.amount, due=due),
            ctx.payment_choice("missed_payment", "missed", index),
        )
    if any(p.status is PaymentStatus.MISSED for p in ctx.debt.payments):
        choices += (ctx.choice("remind_before_call", "call"),)
    return choices


def paid_so_far_figures(ctx: Ctx) -> dict[str, object]:
    return {"paid": paid_so_far(ctx.debt), "agreement": _agreement(ctx), "index": _next_unpaid(ctx)}


def take_repaying(ctx: Ctx) -> Taken:
    action, _, which = (ctx.action or "").partition(".")
    typed = find(ctx.text, ctx.locale, "payment") if ctx.action is None else None
    # Buttons name their instalment ("paid.1"); typed words mean the next unpaid one.
    index = int(which) if which.isdigit() and int(which) < len(ctx.debt.payments) else _next_unpaid(ctx)
    if action == "paid" or typed == "paid":
        return _record_paid(ctx, index)
    if action == "notyet" or typed == "notyet":
        return _not_yet(ctx, index)
    if action in ("missed", "cant") or typed == "missed":
        return _missed(ctx, index)
    if action == "call":
        return Opens(SideQuestion.CALL_TIME)
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


def _not_yet(ctx: Ctx, index: int | None) -> Taken:
    """Not paid yet: before the due date there is nothing to do; after it, the payment is late
    and the right next step is the same as for one that cannot be paid: call them now."""
    if index is None or ctx.debt.payments[index].status is PaymentStatus.PAID:
        return Invalid("e_repaying.html")
    payment = ctx.debt.payments[index]
    if payment.due_on < ctx.today:
        return _missed(ctx, index)
    return Stay("not_yet.html", (("payment", payment),))


def _missed(ctx: Ctx, index: int | None) -> Taken:
    if index is None or ctx.debt.payments[index].status is PaymentStatus.PAID:
        return Invalid("e_repaying.html")
    payment = ctx.debt.payments[index]
    payment.status, payment.recorded_on = PaymentStatus.MISSED, ctx.today
    ctx.say("missed.html", payment=payment, overdue=payment.due_on < ctx.today)
    return Trigger.MISSED


def _record_paid(ctx: Ctx, index: int | None = None) -> Taken:
    if index is None:
        index = _next_unpaid(ctx)
    if index is None:
        return Invalid("e_repaying.html")
    payment = ctx.debt.payments[index]
    if payment.status is PaymentStatus.PAID:
        return Stay("already_paid.html", (("payment", payment),))
    if ctx.user.budget.as_of is None:
        # A budget from before budgets were dated: from today on, what is paid is spent out of it
        # (the ledger counts payments made since the day the budget was given).
        ctx.user.budget.as_of = ctx.today
    payment.status, payment.recorded_on = PaymentStatus.PAID, ctx.today
    ctx.say("payment_recorded.html", payment=payment, paid=paid_so_far(ctx.debt), agreement=_agreement(ctx))
    return Trigger.PAID


def finish(ctx: Ctx, trigger: Trigger) -> None:
    agreement = _agreement(ctx)
    assert ctx.debt.balance is not None
    forgiven = portfolio.forgiven(ctx.debt) or Money.zero(ctx.currency)
    draft_letter(ctx, "paid_in_full_request", forgiven=forgiven)
    tax_note = rules(ctx.user).forgiven_is_income and forgiven.currency == "USD" and forgiven >= FORM_1099C_THRESHOLD
    ctx.say("settled.html", agreement=agreement, forgiven=forgiven, tax_note=tax_note)
