"""Which of a person's debts Taiwan's pre-negotiation covers, and the bank to apply to."""

from __future__ import annotations

from dialogs.money import Money
from dialogs.prenegotiation import overview
from dialogs.state import Debt, DebtKind, Holder, UserState


def debt(
    seq: int, creditor: str, kind: DebtKind, amount: int, holder: Holder = Holder.ORIGINAL, state: str = ""
) -> Debt:
    made = Debt(seq=seq, creditor=creditor, kind=kind, balance=Money.of(amount, "TWD"), holder=holder)
    if state:
        made.state = state
    return made


def test_the_bank_with_the_largest_unsecured_claim_takes_the_application() -> None:
    state = UserState(
        debts=[
            debt(1, "國泰世華", DebtKind.CREDIT_CARD, 120_000),
            debt(2, "台新", DebtKind.CASH_CARD, 200_000),
            debt(3, "中信", DebtKind.PERSONAL_LOAN, 150_000),
            debt(4, "玉山", DebtKind.CAR_LOAN, 900_000),  # secured: the bank's own road
            debt(5, "良京", DebtKind.CREDIT_CARD, 50_000, Holder.COLLECTOR),  # sold on: pre-mediation
            debt(6, "永豐", DebtKind.CREDIT_CARD, 80_000, state="settled"),  # already done
            Debt(seq=7, creditor="富邦", kind=DebtKind.CREDIT_CARD),  # no balance yet
        ]
    )
    seen = overview(state)
    assert [d.creditor for d in seen.covered] == ["台新", "中信", "國泰世華"]
    assert seen.apply_to is not None and seen.apply_to.creditor == "台新"
    assert [d.creditor for d in seen.to_mediation] == ["良京"]


def test_without_a_bank_debt_there_is_no_bank_to_name() -> None:
    seen = overview(UserState(debts=[debt(1, "台電", DebtKind.UTILITY, 3_000)]))
    assert seen.apply_to is None and seen.covered == () and seen.to_mediation == ()
