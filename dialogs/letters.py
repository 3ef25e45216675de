"""The letters the coach drafts, each from a template, all drafted the same way.

A letter is ready to post as it is: it carries the details the person gave (dialogs/details.py)
and a line to write on by hand for one they skipped, and never a note to the person (that goes
in the chat). Each offer the person makes is its own letter, numbered ("offer letter 2"), so a
later one never replaces an earlier one's file; the others are one letter per debt.
"""

from __future__ import annotations

from typing import Any

from dialogs import details
from dialogs.budget import others
from dialogs.context import Ctx
from dialogs.money import Money
from dialogs.offer import offer_terms, our_offers
from dialogs.state import Debt, Who
from dialogs.step_io import LetterDrafted

# kind -> (body template, title template, file name stem)
LETTERS = {
    "validation_request": ("letter_validation_request.txt", "title_validation_request.txt", "validation-request"),
    "offer": ("letter_offer.txt", "title_offer.txt", "offer-letter"),
    "settlement_agreement": ("letter_agreement.txt", "title_agreement.txt", "settlement-agreement"),
    "paid_in_full_request": ("letter_paid_in_full.txt", "title_paid_in_full.txt", "paid-in-full-request"),
    "prenegotiation_application": (
        "letter_prenegotiation.txt",
        "title_prenegotiation.txt",
        "prenegotiation-application",
    ),
    "prenegotiation_creditors": ("letter_pn_creditors.txt", "title_pn_creditors.txt", "list-of-creditors"),
    "prenegotiation_statement": ("letter_pn_statement.txt", "title_pn_statement.txt", "assets-and-income"),
}


def draft_letter(ctx: Ctx, kind: str, *, ask_details: bool = True, **extra: Any) -> LetterDrafted | None:
    """The letter, or None when it waits for a detail it needs, which is asked now (the letter
    follows the last answer). Without `ask_details`, as it is: a line to write on for each
    detail not given."""
    if ask_details and details.hold(ctx):
        return None
    body, title, stem = LETTERS[kind]
    context: dict[str, Any] = {"offer": ctx.debt.offer, "agreement": ctx.debt.agreement, **extra}
    filename = f"debt{ctx.debt.seq}-{stem}"
    if kind == "offer":
        number, figure = offer_letter(ctx.debt)
        context.update(number=number, figure=figure, **offer_terms(ctx.debt, figure, others(ctx)))
        filename = f"{filename}-{number}"
    letter = LetterDrafted(
        kind,
        ctx.debt.seq,
        ctx.render_letter(title, **context),
        ctx.render_letter(body, **context),
        filename,
        ctx.render_letter("letter_footer.txt"),
    )
    ctx.result.effects.append(letter)
    return letter


def offer_letter(debt: Debt) -> tuple[int, Money | None]:
    """Which offer letter is the current one, and its figure: the person's latest offer, the
    n-th they made on this debt (a counter and a switch to a payment plan are offers too)."""
    made = sum(1 for r in debt.rounds if r.who is Who.USER and r.amount is not None)
    standing = our_offers(debt)
    figure = standing[-1] if standing else debt.offer.opening if debt.offer is not None else None
    return max(made, 1), figure
