"""Steps 2-4: what the person can pay, what to ask for, and the offer that follows from both."""

from __future__ import annotations

from dialogs import offer as figures
from dialogs.context import Ctx, Invalid, Outcome, Question, Stay, member
from dialogs.contracts import Choice, Reply
from dialogs.money import Money
from dialogs.portfolio import available, committed
from dialogs.readers.yes_no import parse_yes_no
from dialogs.state import Basis, Goal

MAX_HARDSHIP = 600

GOAL_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (Goal.LUMP_SUM, ("lump", "one payment", "single payment", "at once")),
    (Goal.INSTALMENTS, ("instal", "install", "several payments", "in payments")),
    (Goal.MORE_TIME, ("time", "lower payment", "lower monthly", "smaller payment")),
    (Goal.LOWER_RATE, ("rate", "interest")),
    (Goal.FEES_WAIVED, ("fee", "penalt")),
]


def _budget_amount(ctx: Ctx) -> Money | Invalid:
    if ctx.action == "zero":
        return Money.zero(ctx.currency)
    amount = ctx.amount()
    if amount is None:
        return Invalid("e_amount.html", (("example", "$1,200"),))
    if amount.currency != ctx.currency:
        return Invalid("e_currency.html", (("currency", ctx.currency),))
    return amount


# -- budget ----------------------------------------------------------------------------------
def ask_budget_review(ctx: Ctx) -> Reply:
    return ctx.reply(
        "q_budget_review.html",
        (ctx.choice("keep_budget", "keep"), ctx.choice("change_budget", "change")),
        taken=committed(ctx.user, excluding=ctx.debt.seq),
        free=available(ctx.user, excluding=ctx.debt.seq),
    )


def take_budget_review(ctx: Ctx) -> Outcome:
    low = ctx.text.lower()
    said = parse_yes_no(ctx.text) if ctx.action is None else None
    if ctx.action == "keep" or (ctx.action is None and ("keep" in low or "same" in low or said is True)):
        return "keep_budget"
    if ctx.action == "change" or "change" in low or said is False:
        return "change_budget"
    return Invalid("e_budget_review.html")


def ask_lump_sum(ctx: Ctx) -> Reply:
    return ctx.reply("q_lump_sum.html", (ctx.choice("nothing_now", "zero"),), numeric=True)


def take_lump_sum(ctx: Ctx) -> Outcome:
    amount = _budget_amount(ctx)
    if isinstance(amount, Invalid):
        return amount
    ctx.user.budget.lump_sum = amount
    return "answer"


def ask_monthly(ctx: Ctx) -> Reply:
    return ctx.reply("q_monthly.html", (ctx.choice("nothing_monthly", "zero"),), numeric=True)


def take_monthly(ctx: Ctx) -> Outcome:
    amount = _budget_amount(ctx)
    if isinstance(amount, Invalid):
        return amount
    ctx.user.budget.monthly = amount
    return "answer"


# -- what to ask for -------------------------------------------------------------------------
def ask_goals(ctx: Ctx) -> Reply:
    chosen = set(ctx.debt.goals)
    choices = [ctx.choice(f"goal_{g.value}" + ("_on" if g in chosen else ""), g.value) for g in Goal]
    if chosen:
        choices.append(ctx.choice("goals_done", "done"))
    return ctx.reply("q_goals.html", tuple(choices), suggested=_suggested_goal(ctx))


def _suggested_goal(ctx: Ctx) -> Goal:
    free = available(ctx.user, excluding=ctx.debt.seq)
    assert ctx.debt.balance is not None
    lump = free.lump_sum or Money.zero(ctx.currency)
    opening = figures.round_down(ctx.debt.balance.share(figures.figures_for(ctx.debt)[0]))
    if lump >= opening:
        return Goal.LUMP_SUM
    return Goal.INSTALMENTS if free.monthly else Goal.MORE_TIME


def take_goals(ctx: Ctx) -> Outcome:
    if ctx.action == "done":
        return "answer" if ctx.debt.goals else Invalid("e_goals.html")
    goal = member(Goal, ctx.action)
    if goal is not None:
        if goal in ctx.debt.goals:
            ctx.debt.goals.remove(goal)
        else:
            ctx.debt.goals.append(goal)
        return Stay()
    named = _goals_in(ctx.text)
    low = ctx.text.lower().strip()
    if not named and low in ("done", "that's all", "thats all", "next", "ok") and ctx.debt.goals:
        return "answer"
    if not named:
        return Invalid("e_goals.html")
    ctx.debt.goals = named
    return "answer"


def _goals_in(text: str) -> list[Goal]:
    low = f" {text.lower()} "
    return [Goal(value) for value, words in GOAL_WORDS if any(w in low for w in words)]


# -- hardship, then the offer ----------------------------------------------------------------
def ask_hardship(ctx: Ctx) -> Reply:
    return ctx.reply("q_hardship.html", (ctx.choice("skip", "skip"),))


def take_hardship(ctx: Ctx) -> Outcome:
    if ctx.action == "skip":
        ctx.debt.hardship = ""
    elif ctx.action is None and ctx.text.strip():
        ctx.debt.hardship = " ".join(ctx.text.split())[:MAX_HARDSHIP]
    else:
        return Invalid("e_hardship.html")
    redraft(ctx, figures.basis_for(ctx.debt.goals))
    return "answer"


def redraft(ctx: Ctx, basis: Basis) -> None:
    ctx.debt.offer = figures.draft(ctx.debt, basis, available(ctx.user, excluding=ctx.debt.seq))


def explain_unaffordable(ctx: Ctx, trigger: str = "") -> None:
    basis = figures.basis_for(ctx.debt.goals)
    assert ctx.debt.balance is not None
    ctx.say(
        "unaffordable.html",
        can_pay=figures.affordable(basis, available(ctx.user, excluding=ctx.debt.seq), ctx.currency),
        realistic=figures.round_down(ctx.debt.balance.share(figures.figures_for(ctx.debt)[0])),
        basis=basis.value,
    )


def ask_unaffordable(ctx: Ctx) -> Reply:
    free = available(ctx.user, excluding=ctx.debt.seq)
    choices: list[Choice] = []
    if free.monthly:
        choices.append(ctx.choice("ask_payment_plan", "plan"))
    choices.append(ctx.choice("change_budget", "change"))
    return ctx.reply("q_unaffordable.html", tuple(choices))


def take_unaffordable(ctx: Ctx) -> Outcome:
    low = ctx.text.lower()
    if ctx.action == "plan" or (ctx.action is None and "plan" in low):
        redraft(ctx, Basis.PAYMENT_PLAN)
        if ctx.debt.offer is None:
            return Invalid("e_no_monthly.html")
        return "switch_to_plan"
    if ctx.action == "change" or "budget" in low or "change" in low:
        return "change_budget"
    return Invalid("e_unaffordable.html")


QUESTIONS: dict[str, Question] = {
    "budget_review": Question(ask_budget_review, take_budget_review),
    "lump_sum": Question(ask_lump_sum, take_lump_sum),
    "monthly": Question(ask_monthly, take_monthly),
    "goals": Question(ask_goals, take_goals),
    "hardship": Question(ask_hardship, take_hardship),
    "unaffordable": Question(ask_unaffordable, take_unaffordable, enter=explain_unaffordable),
}
