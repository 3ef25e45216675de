"""What the destructive commands do once confirmed, and how a confirmation is named.

Each confirmation is a row of `dialogs/conversation.py` (`CONFIRMATIONS`): its question, its
buttons, and the function here that its yes runs. A confirmation's buttons name exactly what
they confirm, so an old one can never confirm another question that waits now.
"""

from __future__ import annotations

from datetime import datetime

from dialogs import buttons
from dialogs.side_questions import say
from dialogs.state import Debt, UserState
from dialogs.step_io import EraseRequested, StepResult
from dialogs.vocabulary import ToConfirm


def pending_name(state: UserState, what: str, now: datetime) -> str:
    """What a confirmation confirms, exactly: its buttons carry this, and `confirming` holds
    it while it waits. Starting over names the debt and its turn (which grows when the debt
    starts over, so a used button cannot confirm the next /cancel); erasing names the second
    it was asked, since an erased person has no counter left. Numbers are in base 36 so the
    name fits its column (16 characters) whatever the turn."""
    if what == ToConfirm.CANCEL:
        debt = state.active_debt
        assert debt is not None
        return f"{ToConfirm.CANCEL}.{debt.seq}.{_base36(debt.turn)}"
    return f"{ToConfirm.DELETE}.{_base36(int(now.timestamp()))}"


def waiting(confirming: str | None) -> tuple[ToConfirm, str] | None:
    """The confirmation `UserState.confirming` holds, and the rest of its name."""
    what, _, rest = (confirming or "").partition(".")
    try:
        return ToConfirm(what), rest
    except ValueError:
        return None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def debt_to_cancel(state: UserState, named: str) -> Debt | None:
    """The debt a `cancel.<seq>.<turn>` names (the active one for a name from an older
    version, which named none)."""
    seq = buttons.number(named.partition(".")[0])
    return state.debt(seq) if seq is not None else state.active_debt


def start_over(state: UserState, named: str, result: StepResult) -> bool:
    debt = debt_to_cancel(state, named)
    if debt is not None:
        # A fresh start, with the turn still growing: the old debt's buttons stay stale.
        state.debts = [Debt(seq=d.seq, turn=d.turn + 1) if d is debt else d for d in state.debts]
        state.undo = [s for s in state.undo if s.get("active") != debt.seq]
        state.active = debt.seq
    say(state, result, "started_over.html")
    return True


def erase(state: UserState, named: str, result: StepResult) -> bool:
    """Everything goes; the person starts again from nothing, in their language."""
    fresh = UserState(locale=state.locale)
    result.state = fresh
    result.effects.append(EraseRequested())
    say(fresh, result, "erased.html")
    return False
