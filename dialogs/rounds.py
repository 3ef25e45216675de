"""Steps 5-6: the call, the creditor's answer, and what to say next.

Every round is recorded (date, who, amount, terms). The coach recommends; the person decides.
Going above the walk-away ceiling is allowed, but only after a warning and an explicit yes.
"""

from __future__ import annotations

from dialogs import offer as figures
from dialogs.budget import others, redraft
from dialogs.context import Ctx, Invalid, Opens, Stay, Taken
from dialogs.letters import draft_letter
from dialogs.lexicon import find
from dialogs.money import Money, total_of
from dialogs.offer import Action
from dialogs.readers.schedules import parse_figure
from dialogs.readers.yes_no import parse_yes_no
from dialogs.render import example_money
from dialogs.state import Basis, Round, Who
from dialogs.state import Outcome as Said
from dialogs.step_io import Choice
from dialogs.vocabulary import SideQuestion, State, Trigger

MAX_TERMS = 200


def standing_offer(ctx: Ctx) -> Money | None:
    made = figures.our_offers(ctx.debt)
    if made:
        return made[-1]
    return ctx.debt.offer.opening if ctx.debt.offer else None


def record_our_offer(ctx: Ctx, amount: Money, *, above_ceiling: bool = False) -> None:
    ctx.debt.rounds.append(Round(ctx.today, Who.USER, Said.OFFERED, amount, above_ceiling=above_ceiling))


def _their_counter(ctx: Ctx) -> Money | None:
    latest = _their_latest(ctx)
    return latest.amount if latest is not None else None


def _their_latest(ctx: Ctx) -> Round | None:
    """The creditor's latest answer when it named a figure."""
    for r in reversed(ctx.debt.rounds):
        if r.who is Who.CREDITOR:
            return r if r.outcome is Said.COUNTERED else None
    return None


# -- awaiting the creditor's answer ----------------------------------------------------------
def on_enter_awaiting_reply(ctx: Ctx, trigger: Trigger) -> None:
    """A new offer (first drafted, or switched to a plan) is recorded and written up; any other
    way back here is the next call with the standing offer."""
    offer = ctx.debt.offer
    assert offer is not None
    if trigger in (Trigger.ANSWER, Trigger.SWITCH_TO_PLAN):
        offer.first_round = len(ctx.debt.rounds)
        record_our_offer(ctx, offer.opening)
        ctx.say("offer_drafted.html", (), **script_figures(ctx))
        ctx.say("script.html", (), **script_figures(ctx))
        draft_letter(ctx, "offer")
    elif trigger in (Trigger.COUNTER, Trigger.CONFIRM):
        ctx.say("countered.html", (), **script_figures(ctx))
    elif trigger == Trigger.PAUSE:
        ctx.say("pause.html", offer=offer, figure=standing_offer(ctx))
    else:
        ctx.say("supervisor.html", offer=offer, figure=standing_offer(ctx))


def script_figures(ctx: Ctx) -> dict[str, object]:
    """What a script may truthfully say: the figure on the table, whether it is the most the
    person can pay (only then "that's the most I can pay"), and whether the cash free now covers
    the whole balance (then paying in full is an option, and "I can't pay it all" would be a lie)."""
    offer = ctx.debt.offer
    assert offer is not None
    figure = standing_offer(ctx)
    book = others(ctx)
    at_limit = figure is not None and figure >= offer.ceiling
    by_budget = offer.ceiling >= figures.budget_reach(ctx.debt, [], book, ctx.today)
    return {
        "offer": offer,
        "figure": figure,
        "at_limit": at_limit,
        "by_budget": by_budget,
        **figures.offer_terms(ctx.debt, figure, book),
    }


def standing_figure(ctx: Ctx) -> dict[str, Money | None]:
    return {"figure": standing_offer(ctx)}


def take_awaiting_reply(ctx: Ctx) -> Taken:
    said = ctx.action or find(ctx.text, ctx.locale, "reply")
    amount = ctx.amount() if ctx.action is None else None
    if said == "script":
        ctx.say("script.html", (), **script_figures(ctx))
        return Stay()
    if ctx.action == "call":
        return Opens(SideQuestion.CALL_TIME)
    if said is not None or amount is not None:
        ctx.debt.call_at = None  # the answer is in: no "how did it go?" needed
    # A figure other than our own offer is theirs ("they want 2500", "no, they said 2500");
    # our own figure repeated is about our offer ("they rejected my $1,000").
    if amount is not None and said != "accepted" and amount != standing_offer(ctx):
        return _their_counter_is(ctx, amount)
    if said == "accepted":
        figure = standing_offer(ctx)
        ctx.debt.rounds.append(Round(ctx.today, Who.CREDITOR, Said.ACCEPTED, figure))
        ctx.debt.pending_amount = figure
        return Trigger.ACCEPTED
    if said == "rejected":
        ctx.debt.rounds.append(Round(ctx.today, Who.CREDITOR, Said.REJECTED, None))
        return Trigger.REJECTED
    if said == "countered":
        return Trigger.COUNTERED
    return Invalid("e_awaiting_reply.html")


def _their_counter_is(ctx: Ctx, amount: Money) -> Taken:
    """The creditor's figure as they put it: one amount, a schedule ("3 x $600", "$800 over 3
    months"), or an amount a month. Recorded in the offer's units (a total for a settlement, a
    monthly amount for a plan) with its payments; what cannot be told apart is asked about."""
    if amount.currency != ctx.currency:
        return Invalid("e_currency.html", (("currency", ctx.currency),))
    offer = ctx.debt.offer
    assert offer is not None
    figure = parse_figure(ctx.text, ctx.currency)
    plan = offer.basis is Basis.PAYMENT_PLAN
    if figure is None:
        return Invalid("e_their_figure.html")
    if figure.monthly is not None:
        if not plan:
            return Invalid("e_how_many_months.html", (("monthly", figure.monthly),))
        amount, payments = figure.monthly, []
    elif figure.is_schedule:
        payments = list(figure.payments)
        amount = payments[0] if plan else (figure.total or amount)
    else:
        amount, payments = figure.payments[0], []
        if plan and _month_or_total(ctx, amount):
            return Invalid("e_month_or_total.html", (("amount", amount),))
    terms = " ".join(ctx.text.split())[:MAX_TERMS]
    ctx.debt.rounds.append(Round(ctx.today, Who.CREDITOR, Said.COUNTERED, amount, terms, payments=payments))
    return Trigger.NAMED_FIGURE if ctx.debt.state == State.AWAITING_REPLY else Trigger.ANSWER


# On a plan, a bare figure this many times the monthly offer on the table may be a total.
MONTHLY_OR_TOTAL = 3


def _month_or_total(ctx: Ctx, amount: Money) -> bool:
    """Whether a bare figure on a plan could as well be a total as an amount a month: "$800"
    against a $100-a-month offer. Then the coach asks rather than book $800 a month."""
    standing = standing_offer(ctx)
    return standing is not None and amount.amount >= standing.amount * MONTHLY_OR_TOTAL


# -- the creditor named a figure -------------------------------------------------------------
def take_counter_amount(ctx: Ctx) -> Taken:
    amount = ctx.amount()
    if amount is None or not amount:
        return Invalid("e_amount.html", (("example", example_money(2000, ctx.user)),))
    return _their_counter_is(ctx, amount)


# -- the coach's recommendation and the person's decision ------------------------------------
def decision_choices(ctx: Ctx) -> tuple[Choice, ...]:
    """The options that apply now, the coach's recommendation first."""
    rec = figures.recommend(ctx.debt, others(ctx), ctx.today)
    offer = ctx.debt.offer
    assert offer is not None
    latest = _their_latest(ctx)
    options: list[tuple[Action, Choice]] = []
    if latest is not None and len(latest.payments) > 1:
        total = total_of(latest.payments)
        choice = ctx.choice("accept_their_payments", Action.ACCEPT, amount=total, count=len(latest.payments))
        options.append((Action.ACCEPT, choice))
    elif latest is not None and latest.amount is not None:
        options.append((Action.ACCEPT, ctx.choice("accept_theirs", Action.ACCEPT, amount=latest.amount)))
    if rec.counter is not None:
        options.append((Action.COUNTER, ctx.choice("counter_with", Action.COUNTER, amount=rec.counter)))
    options.append((Action.SUPERVISOR, ctx.choice("ask_supervisor", Action.SUPERVISOR)))
    options.append((Action.PAUSE, ctx.choice("pause_call_back", Action.PAUSE)))
    if offer.basis is not Basis.PAYMENT_PLAN and others(ctx).monthly_room():
        options.append((Action.SWITCH_TO_PLAN, ctx.choice("ask_payment_plan", Action.SWITCH_TO_PLAN)))
    options.sort(key=lambda pair: pair[0] is not rec.action)
    return tuple(choice for _, choice in options)


def decision_figures(ctx: Ctx) -> dict[str, object]:
    book = others(ctx)
    rec = figures.recommend(ctx.debt, book, ctx.today)
    latest = _their_latest(ctx)
    payments = latest.payments if latest is not None and len(latest.payments) > 1 else []
    return {
        "rec": rec.action.value,
        "counter": rec.counter,
        "theirs": _their_counter(ctx),
        "their_payments": payments,
        "their_limit": figures.limit_for(ctx.debt, payments, book, ctx.today) if payments else None,
        "offer": ctx.debt.offer,
        "answers": figures.creditor_answers(ctx.debt),
    }


def take_decision(ctx: Ctx) -> Taken:
    action = ctx.action or find(ctx.text, ctx.locale, "decision")
    typed = ctx.amount() if ctx.action is None else None
    if typed is not None and action in (None, Action.COUNTER):
        return _counter_with(ctx, typed)
    if action == Action.ACCEPT:
        latest = _their_latest(ctx)
        if latest is None or latest.amount is None:
            return Invalid("e_nothing_to_accept.html")
        ctx.debt.pending_amount = latest.amount
        ctx.debt.pending_payments = list(latest.payments)
        return Trigger.ACCEPT
    if action == Action.COUNTER:
        counter = figures.recommend(ctx.debt, others(ctx), ctx.today).counter
        if counter is None:
            return Invalid("e_no_room.html")
        return _counter_with(ctx, counter)
    if action == Action.SWITCH_TO_PLAN:
        standing = ctx.debt.offer
        redraft(ctx, Basis.PAYMENT_PLAN)
        if ctx.debt.offer is None or ctx.debt.offer.basis is not Basis.PAYMENT_PLAN:
            ctx.debt.offer = standing  # nothing changes on an answer that cannot be taken
            return Invalid("e_no_monthly.html")
        return Trigger.SWITCH_TO_PLAN
    if action in (Action.SUPERVISOR, Action.PAUSE):
        return Trigger(action)  # the actions are named like the triggers
    return Invalid("e_decision.html")


def _counter_with(ctx: Ctx, amount: Money) -> Taken:
    if amount.currency != ctx.currency:
        return Invalid("e_currency.html", (("currency", ctx.currency),))
    last = standing_offer(ctx)
    if last is not None and amount <= last and ctx.debt.offer and ctx.debt.offer.basis is not Basis.PAYMENT_PLAN:
        return Invalid("e_counter_lower.html", (("last", last),))
    ctx.debt.pending_amount = amount
    ctx.debt.pending_payments = []
    if _is_confirmed_or_within(ctx, amount):
        record_our_offer(ctx, amount, above_ceiling=_above(ctx, amount))
    return Trigger.COUNTER


def _above(ctx: Ctx, amount: Money) -> bool:
    offer = ctx.debt.offer
    return offer is not None and amount > offer.ceiling


def _is_confirmed_or_within(ctx: Ctx, amount: Money) -> bool:
    return not _above(ctx, amount) or ctx.debt.confirmed_above_ceiling == amount


# -- above the ceiling: warn, then require an explicit yes -----------------------------------
def pending_figure(ctx: Ctx) -> dict[str, object]:
    offer, amount = ctx.debt.offer, ctx.debt.pending_amount
    assert offer is not None and amount is not None
    book = others(ctx)
    payments = ctx.debt.pending_payments if len(ctx.debt.pending_payments) > 1 else []
    limit = figures.limit_for(ctx.debt, payments, book, ctx.today)
    reach = figures.budget_reach(ctx.debt, payments, book, ctx.today)
    return {"amount": amount, "offer": offer, "payments": payments, "limit": limit, "by_budget": limit >= reach}


def take_over_ceiling(ctx: Ctx) -> Taken:
    answer = (ctx.action == "yes") if ctx.action in ("yes", "no") else parse_yes_no(ctx.text)
    if answer is None:
        return Invalid("e_yes_no.html")
    amount = ctx.debt.pending_amount
    assert amount is not None
    if not answer:
        ctx.debt.pending_amount = None
        ctx.debt.pending_payments = []
        return Trigger.DECLINE
    ctx.debt.confirmed_above_ceiling = amount
    if ctx.debt.agreement is None and _their_counter(ctx) != amount:
        record_our_offer(ctx, amount, above_ceiling=True)
    return Trigger.CONFIRM
