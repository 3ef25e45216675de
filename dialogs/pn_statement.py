"""The papers of a pre-negotiation application drafted from what the person entered: the list of
creditors (債權人清冊), and the statement of assets and income (財產及收入狀況說明書), whose
four figures are asked first as side questions, each showing what is kept.

The bank's own forms have the final say (the checklist says so); these drafts let the person
fill them in from one page, and take them along. The figures are personal data: stored on the
application, exported and erased with everything else, and never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dialogs import side_questions as sq
from dialogs.context import Ctx
from dialogs.letters import draft_letter
from dialogs.money import Money
from dialogs.places import rules
from dialogs.prenegotiation import Overview, checklist_choices, overview
from dialogs.readers.amounts import means_nothing, parse_amount
from dialogs.readers.counts import parse_count
from dialogs.reminder_plan import local_now
from dialogs.render import example_money
from dialogs.state import Debt, PreNegotiation, UserState
from dialogs.step_io import StepResult
from dialogs.vocabulary import SideQuestion

Q = SideQuestion
ORDER = (Q.PN_INCOME, Q.PN_EXPENSES, Q.PN_DEPENDANTS, Q.PN_ASSETS)
MOST_DEPENDANTS = 20
MOST_ASSETS = 300
ASK = {
    Q.PN_INCOME: "q_pn_income.html",
    Q.PN_EXPENSES: "q_pn_expenses.html",
    Q.PN_DEPENDANTS: "q_pn_dependants.html",
    Q.PN_ASSETS: "q_pn_assets.html",
}
ERROR = {
    Q.PN_INCOME: "e_pn_income.html",
    Q.PN_EXPENSES: "e_pn_expenses.html",
    Q.PN_DEPENDANTS: "e_pn_dependants.html",
    Q.PN_ASSETS: "e_pn_assets.html",
}
# What to type, in dollars (render.example_money): an income, and expenses below it.
EXAMPLE = {Q.PN_INCOME: 900, Q.PN_EXPENSES: 600, Q.PN_DEPENDANTS: 0, Q.PN_ASSETS: 0}
_FIELD = {Q.PN_INCOME: "income", Q.PN_EXPENSES: "expenses", Q.PN_DEPENDANTS: "dependants", Q.PN_ASSETS: "assets"}


def _own(state: UserState) -> PreNegotiation:
    assert state.prenegotiation is not None, "asked only once the application is started"
    return state.prenegotiation


def _currency(state: UserState) -> str:
    return state.currency or rules(state).currency


def start(state: UserState) -> None:
    state.asking = ORDER[0].value


def shown(question: SideQuestion) -> Callable[[UserState, Debt | None, datetime], dict[str, object]]:
    def shows(state: UserState, debt: Debt | None, now: datetime) -> dict[str, object]:
        return {"kept": getattr(_own(state), _FIELD[question]), "example": example_money(EXAMPLE[question], state)}

    return shows


def reader(question: SideQuestion) -> Callable[[UserState, str, datetime], object]:
    """Income may be nothing (out of work); expenses may not."""
    if question is Q.PN_DEPENDANTS:
        return read_dependants
    if question is Q.PN_ASSETS:
        return read_assets

    def read(state: UserState, text: str, now: datetime) -> Money | None:
        currency = _currency(state)
        if question is Q.PN_INCOME and means_nothing(text):
            return Money.zero(currency)
        amount = parse_amount(text, currency)
        return amount if amount is not None and amount and amount.currency == currency else None

    read.__name__ = f"read_{question.value}"
    return read


def read_dependants(state: UserState, text: str, now: datetime) -> int | None:
    if means_nothing(text):
        return 0
    found = parse_count(text)
    return found if found is not None and 0 <= found <= MOST_DEPENDANTS else None


def read_assets(state: UserState, text: str, now: datetime) -> str | None:
    """What the person owns in their words; "" for nothing ("none", "沒有")."""
    if means_nothing(text):
        return ""
    said = " ".join(text.split())
    return said if said and len(said) <= MOST_ASSETS else None


def error_shows(question: SideQuestion) -> Callable[[UserState, datetime], dict[str, object]]:
    def shows(state: UserState, now: datetime) -> dict[str, object]:
        return {"example": example_money(EXAMPLE[question], state), "most": MOST_ASSETS}

    return shows


def take(state: UserState, value: object, now: datetime, result: StepResult) -> None:
    """One figure kept; then the next, or the statement drafted."""
    asked = sq.opened(state.asking)
    assert asked is not None and asked[0] in ORDER
    question = asked[0]
    setattr(_own(state), _FIELD[question], value)
    result.changed = True
    later = ORDER[ORDER.index(question) + 1 :]
    if later:
        state.asking = later[0].value
        return
    state.asking = None
    draft_statement(state, now, result)


def draft_statement(state: UserState, now: datetime, result: StepResult) -> None:
    seen = overview(state)
    if seen.apply_to is None:
        return
    ctx = Ctx(state, seen.apply_to, local_now(state, now).date(), result)
    figures = statement_figures(state, seen)
    letter = draft_letter(ctx, "prenegotiation_statement", ask_details=False, **figures)
    ctx.say("pn_statement.html", checklist_choices(state), letter=letter, **figures)


def statement_figures(state: UserState, seen: Overview | None = None) -> dict[str, object]:
    """What the statement adds up: the debts in all, what is left of the income after the
    necessary expenses, and the budget beside it (a budget above what is left is asked about)."""
    own = _own(state)
    seen = seen or overview(state)
    left = own.income - own.expenses if own.income is not None and own.expenses is not None else None
    monthly = state.budget.monthly
    over = monthly is not None and left is not None and monthly.currency == left.currency and monthly > left
    return {
        "own": own,
        "overview": seen,
        "debts": [*seen.covered, *seen.to_mediation],
        "owed": seen.owed_in_all,
        "left": left,
        "monthly": monthly,
        "over_budget": over,
    }


def draft_list(state: UserState, now: datetime, result: StepResult) -> None:
    """The list of creditors: every debt entered, the banks the application covers first."""
    seen = overview(state)
    if seen.apply_to is None:
        return
    ctx = Ctx(state, seen.apply_to, local_now(state, now).date(), result)
    letter = draft_letter(ctx, "prenegotiation_creditors", ask_details=False, **statement_figures(state, seen))
    ctx.say("pn_list.html", checklist_choices(state), letter=letter)
