"""Taiwan's pre-negotiation (前置協商) from the debts the person entered: which of them it covers,
the bank to apply to, and which creditors go to pre-mediation (前置調解) instead.

Consumer Debt Clearance Act §151: before court relief (更生, 清算) a person who owes banks first
tries one negotiation, applied for in writing at the bank with the largest claim, which then
negotiates for every bank. It covers unsecured bank debts (cards, cash cards, credit loans);
asset-management companies, private lenders and guarantees go to pre-mediation at a district
court or a township mediation committee instead (DOMAIN.md, "Taiwan").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dialogs import buttons
from dialogs.money import Money, total_of
from dialogs.render import label
from dialogs.state import Debt, DebtKind, Document, Holder, PreNegotiation, UserState
from dialogs.step_io import Choice

__all__ = ["PRE_MEDIATION_FEE", "UNSECURED_BANK_KINDS", "Overview", "checklist_choices", "overview", "press"]

UNSECURED_BANK_KINDS = frozenset({DebtKind.CREDIT_CARD, DebtKind.CASH_CARD, DebtKind.PERSONAL_LOAN})
# Not the banks' to negotiate: a collector's or an asset-management company's, a guarantee.
FOR_MEDIATION = frozenset({DebtKind.COLLECTION, DebtKind.GUARANTEE})
# What a court charges to file for pre-mediation (前置調解).
PRE_MEDIATION_FEE = Money.of(1000, "TWD")


def letter_figures(state: UserState) -> dict[str, object]:
    """What the cover letter says: every bank debt it covers and their total, what can be paid a
    month, and the documents it encloses."""
    seen = overview(state)
    own = state.prenegotiation
    gathered = own.gathered if own else []
    return {"overview": seen, "total": seen.owed_to_banks, "monthly": state.budget.monthly, "gathered": gathered}


@dataclass(frozen=True, slots=True)
class Overview:
    # Owed to banks and unsecured: what one pre-negotiation settles, largest claim first.
    covered: tuple[Debt, ...]
    # Owed to a collector or an asset-management company: for pre-mediation instead.
    to_mediation: tuple[Debt, ...]

    @property
    def apply_to(self) -> Debt | None:
        """The bank with the largest claim, which takes the application for all of them."""
        return self.covered[0] if self.covered else None

    @property
    def owed_to_banks(self) -> Money | None:
        """What the debts the application covers come to (None before any balance)."""
        return _owed(self.covered)

    @property
    def owed_in_all(self) -> Money | None:
        """What the covered debts and those for pre-mediation come to: the papers list both."""
        return _owed((*self.covered, *self.to_mediation))


def _owed(debts: tuple[Debt, ...]) -> Money | None:
    # Every balance is in the person's one currency (the first balance set it).
    amounts = [d.balance for d in debts if d.balance is not None]
    return total_of(amounts) if amounts else None


def checklist_choices(state: UserState) -> tuple[Choice, ...]:
    """Who may apply (§2), which starts the checklist; then the papers the coach drafts and a
    button for each document still missing; once none is, "I mailed it"; once mailed, the bank's
    answer. Each says what it records, so pressing it again records nothing more."""
    own = state.prenegotiation
    locale = state.locale
    if own is None:
        return (
            Choice(label(locale, "pn_no_business"), buttons.control("pn", "start")),
            Choice(label(locale, "pn_small_business"), buttons.control("pn", "start")),
            Choice(label(locale, "pn_big_business"), buttons.control("pn", "business")),
        )
    if own.plan is not None and own.plan.signed_on is not None:
        return ()
    if own.mailed_on is not None:
        return (Choice(label(locale, "pn_plan"), buttons.control("pn", "plan")),)
    drafts: tuple[Choice, ...] = ()
    if overview(state).apply_to is not None:
        drafts = (
            Choice(label(locale, "pn_letter"), buttons.control("pn", "letter")),
            Choice(label(locale, "pn_list"), buttons.control("pn", "list")),
            Choice(label(locale, "pn_statement"), buttons.control("pn", "statement")),
        )
    if own.missing:
        named = {d: label(locale, f"doc_{d.value}") for d in own.missing}
        got = {d: label(locale, "pn_got", document=name) for d, name in named.items()}
        return (*drafts, *(Choice(got[d], buttons.control("pn", d.value)) for d in named))
    return (*drafts, Choice(label(locale, "pn_mailed"), buttons.control("pn", "mailed")))


# The papers the coach drafts from what the person entered: the cover letter, the list of
# creditors, the statement of assets and income.
DRAFTS = ("letter", "list", "statement")
# The bank's answer, once the application is mailed: its plan, read; then signed, or too much
# ("signed.2": the bank's second offer).
ANSWERS = ("plan", "signed", "too_much")


def press(state: UserState, value: str, today: date) -> str | None:
    """A checklist button: what it did, named for the reply ("started", "gathered", "mailed"
    change the application; a draft or an answer is the caller's to do, named as it is;
    "business" is an answer that rules it out), "" when it had been done already or cannot be
    done now, "stale" for a button of an offer since replaced, or None for a value that is no
    button of it."""
    own = state.prenegotiation
    if value == "business":  # a business above §2's size: the Act is not the road, nothing to record
        return "business"
    if value in DRAFTS:
        return value if own is not None and overview(state).apply_to is not None else ""
    if value == "start":
        if own is not None:
            return ""
        state.prenegotiation = PreNegotiation(started_on=today)
        return "started"
    if own is None:
        return ""
    answer, _, which = value.partition(".")
    if answer in ANSWERS:
        signed = own.plan is not None and own.plan.signed_on is not None
        if own.mailed_on is None or signed:
            return ""
        if answer == "plan":
            return answer
        # The check's buttons name the offer they were shown with.
        if own.plan is not None and which != str(own.plan.number):
            return "stale"
        return answer
    if value == "mailed":
        if own.mailed_on is not None or own.missing:
            return ""
        own.mailed_on = today
        return "mailed"
    try:
        document = Document(value)
    except ValueError:
        return None
    if document in own.gathered or own.mailed_on is not None:
        return ""
    own.gathered.append(document)
    return "gathered"


def _open(debt: Debt) -> bool:
    return debt.balance is not None and debt.state != "settled"


def overview(state: UserState) -> Overview:
    open_debts = [d for d in state.debts if _open(d)]
    covered = [d for d in open_debts if d.kind in UNSECURED_BANK_KINDS and d.holder is not Holder.COLLECTOR]
    to_mediation = [d for d in open_debts if d.holder is Holder.COLLECTOR or d.kind in FOR_MEDIATION]
    covered.sort(key=lambda d: d.balance.amount if d.balance is not None else 0, reverse=True)
    return Overview(tuple(covered), tuple(to_mediation))
