"""The letters the coach drafts, each from a template, all drafted the same way."""

from __future__ import annotations

from typing import Any

from dialogs.context import Ctx
from dialogs.step_io import LetterDrafted

# kind -> (body template, title template, file name stem)
LETTERS = {
    "validation_request": ("letter_validation_request.txt", "title_validation_request.txt", "validation-request"),
    "offer": ("letter_offer.txt", "title_offer.txt", "offer-letter"),
    "settlement_agreement": ("letter_agreement.txt", "title_agreement.txt", "settlement-agreement"),
    "paid_in_full_request": ("letter_paid_in_full.txt", "title_paid_in_full.txt", "paid-in-full-request"),
}


def draft_letter(ctx: Ctx, kind: str, **extra: Any) -> None:
    body, title, stem = LETTERS[kind]
    context = {"offer": ctx.debt.offer, "agreement": ctx.debt.agreement, **extra}
    ctx.result.effects.append(
        LetterDrafted(kind, ctx.debt.seq, ctx.render(title), ctx.render(body, **context), f"debt{ctx.debt.seq}-{stem}")
    )
