"""Steps 2-4: what the person can pay, what to ask for, and the offer that follows from both."""

from __future__ import annotations

from dialogs import offer as figures
from dialogs.answers import member
from dialogs.context import Ctx, Invalid, Stay, Taken
from dialogs.ledger import Ledger
from dialogs.lexicon import find, mentions
from dialogs.portfolio import ledger, promised, spent
from dialogs.readers.yes_no import parse_yes_no
from dialogs.state import Basis, Goal
from dialogs.step_io import Choice
from dialogs.vocabulary import Trigger

MAX_HARDSHIP = 600
# A sentence ends with one of these, perhaps inside a closing quote or bracket.
SENTENCE_ENDS = ".!?…。！？"
CLOSERS = "\"')]}”’»」』"


# -- budget ----------------------------------------------------------------------------------
def others(ctx: Ctx) -> Ledger:
    """The ledger this debt's figures are drawn from: the budget less what was paid from it
    and what other creditors are promised."""
    return ledger(ctx.user, ctx.today, excluding=ctx.debt.seq)


def date_budget(ctx: Ctx) -> None:
    """A budget given (or given again) today: its cash is what the person has today."""
    ctx.user.budget.as_of = ctx.today


def budget_review_figures(ctx: Ctx) -> dict[str, object]:
    return {
        "spent": spent(ctx.user),
        "promised": promised(ctx.user, excluding=ctx.debt.seq),
        "free": others(ctx).free(),
    }


def take_budget_review(ctx: Ctx) -> Taken:
    said = parse_yes_no(ctx.text) if ctx.action is None else None
    typed = find(ctx.text, ctx.locale, "budget_review") if ctx.action is None else None
    if ctx.action == "keep" or typed == "keep" or (typed is None and said is True):
        return Trigger.KEEP_BUDGET
    if ctx.action == "change" or typed == "change" or said is False:
        return Trigger.CHANGE_BUDGET
    return Invalid("e_budget_review.html")


# -- what to ask for -------------------------------------------------------------------------
def goal_choices(ctx: Ctx) -> tuple[Choice, ...]:
    """One toggle per goal, each showing whether it is chosen; "done" once one is."""
    chosen = set(ctx.debt.goals)
    choices = [ctx.choice(f"goal_{g.value}" + ("_on" if g in chosen else ""), g.value) for g in Goal]
    if chosen:
        choices.append(ctx.choice("goals_done", "done"))
    return tuple(choices)


def suggested_goal(ctx: Ctx) -> dict[str, Goal]:
    return {"suggested": _suggested_goal(ctx)}


def _suggested_goal(ctx: Ctx) -> Goal:
    assert ctx.debt.balance is not None
    book = others(ctx)
    lump = book.free_now()
    opening = figures.round_down(ctx.debt.balance.share(figures.figures_for(ctx.debt)[0]))
    if lump >= opening:
        return Goal.LUMP_SUM
    return Goal.INSTALMENTS if book.monthly_room() else Goal.MORE_TIME


def take_goals(ctx: Ctx) -> Taken:
    if ctx.action == "done":
        return Trigger.ANSWER if ctx.debt.goals else Invalid("e_goals.html")
    goal = member(Goal, ctx.action)
    if goal is not None:
        if goal in ctx.debt.goals:
            ctx.debt.goals.remove(goal)
        else:
            ctx.debt.goals.append(goal)
        return Stay()
    named = [Goal(value) for value in mentions(ctx.text, ctx.locale, "goal")]
    if not named and find(ctx.text, ctx.locale, "enough") and ctx.debt.goals:
        return Trigger.ANSWER
    if not named:
        return Invalid("e_goals.html")
    ctx.debt.goals = named
    return Trigger.ANSWER


# -- hardship, then the offer ----------------------------------------------------------------
def read_hardship(ctx: Ctx) -> str | Invalid:
    """The person's reason in their own words, spliced into a script and a letter: so it ends as
    a sentence does, and it is never cut mid-word; one too long is theirs to shorten."""
    if ctx.action == "skip":
        return ""
    text = " ".join(ctx.text.split())
    if ctx.action is not None or not text:
        return Invalid("e_hardship.html")
    if len(text) > MAX_HARDSHIP:
        return Invalid("e_hardship_long.html", (("length", len(text)), ("most", MAX_HARDSHIP)))
    return as_sentence(text)


def as_sentence(text: str) -> str:
    """A full stop added when the text has no final punctuation ("I lost my job" → "... job.")."""
    if text.rstrip(CLOSERS)[-1:] in tuple(SENTENCE_ENDS):
        return text
    return text + ("。" if "\u3000" <= text[-1] <= "\u9fff" else ".")


def draft_offer(ctx: Ctx) -> None:
    """Everything is known: the offer follows from the goals and what is free to pay."""
    redraft(ctx, figures.basis_for(ctx.debt.goals))


def redraft(ctx: Ctx, basis: Basis) -> None:
    ctx.debt.offer = figures.draft(ctx.debt, basis, others(ctx))


def explain_unaffordable(ctx: Ctx, trigger: Trigger) -> None:
    basis = figures.basis_for(ctx.debt.goals)
    assert ctx.debt.balance is not None
    ctx.say(
        "unaffordable.html",
        can_pay=figures.affordable(basis, others(ctx)),
        realistic=figures.round_down(ctx.debt.balance.share(figures.figures_for(ctx.debt)[0])),
        basis=basis.value,
        monthly_room=has_monthly_room(ctx),
    )


def has_monthly_room(ctx: Ctx) -> bool:
    return bool(others(ctx).monthly_room())


def take_unaffordable(ctx: Ctx) -> Taken:
    typed = find(ctx.text, ctx.locale, "unaffordable") if ctx.action is None else None
    if ctx.action == "plan" or typed == "plan":
        redraft(ctx, Basis.PAYMENT_PLAN)
        if ctx.debt.offer is None:
            return Invalid("e_no_monthly.html")
        return Trigger.SWITCH_TO_PLAN
    if ctx.action == "change" or typed == "change":
        return Trigger.CHANGE_BUDGET
    return Invalid("e_unaffordable.html")
