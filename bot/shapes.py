"""Between the coach's dataclasses and the store's columns: one place knows both shapes.

Money becomes integer cents plus the debt's currency; enums become their values; datetimes
are always timezone-aware UTC. Everything here is pure and independent of any connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, time
from enum import Enum
from typing import Any

from dialogs.money import Money
from dialogs.state import (
    Agreement,
    Basis,
    Debt,
    DebtKind,
    Frequency,
    Goal,
    Holder,
    Offer,
    Outcome,
    Payment,
    PaymentStatus,
    ReminderSettings,
    Round,
    UserState,
    Who,
)

Values = dict[str, Any]


# -- conversions ----------------------------------------------------------------------------


def check_length(what: str, value: str, limit: int) -> None:
    # SQLite ignores VARCHAR lengths and PostgreSQL enforces them: check here so an overlong
    # key fails the same way on both.
    if len(value) > limit:
        raise ValueError(f"{what} longer than {limit} characters")


def aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("naive datetime: the store keeps UTC and needs an aware `now`")
    return now


def cents(money: Money | None) -> int | None:
    return None if money is None else money.cents


def money(cents: int | None, currency: str | None) -> Money | None:
    if cents is None:
        return None
    return required_money(cents, currency)


def required_money(cents: int | None, currency: str | None) -> Money:
    if cents is None or currency is None:
        raise ValueError("a stored amount is missing, or has no currency")
    return Money.from_cents(cents, currency)


def value(member: Enum | None) -> str | None:
    return None if member is None else str(member.value)


def one_currency(what: str, amounts: Iterable[Money | None]) -> str | None:
    """The one currency shared by `amounts`; storing mixed ones in one column would misstate
    every amount but one, so that is refused."""
    currencies = {m.currency for m in amounts if m is not None}
    if len(currencies) > 1:
        raise ValueError(f"{what} mixes currencies {sorted(currencies)}")
    return next(iter(currencies), None)


def amounts(debt: Debt) -> Iterator[Money | None]:
    yield debt.balance
    yield debt.pending_amount
    yield debt.confirmed_above_ceiling
    if debt.offer is not None:
        yield from (debt.offer.opening, debt.offer.target, debt.offer.ceiling)
    for r in debt.rounds:
        yield r.amount
    if debt.agreement is not None:
        yield debt.agreement.amount
        yield debt.agreement.instalment_amount
    for p in debt.payments:
        yield p.amount


# -- column values --------------------------------------------------------------------------
#
# Each part of the state as a dict of column values (keys as in the _*_FIELDS tuples above):
# save() compares them with what was read and writes only the differing columns.


def user_values(state: UserState) -> Values:
    budget = state.budget
    budget_currency = one_currency("the budget", (budget.lump_sum, budget.monthly))
    currency = state.currency if state.currency is not None else budget_currency
    if budget_currency not in (None, currency):
        raise ValueError(f"budget in {budget_currency} but the user's currency is {currency}")
    return {
        "locale": state.locale,
        "currency": currency,
        "budget_lump_sum_cents": cents(budget.lump_sum),
        "budget_monthly_cents": cents(budget.monthly),
        "active_debt_seq": state.active,
        "confirming": state.confirming,
        "welcomed": state.welcomed,
        "timezone": state.reminders.timezone,
        "quiet_start_min": minutes(state.reminders.quiet_start),
        "quiet_end_min": minutes(state.reminders.quiet_end),
        "days_before": state.reminders.days_before,
        "call_lead_minutes": state.reminders.call_lead_minutes,
        "asking": state.asking,
    }


def minutes(at: time | None) -> int | None:
    return None if at is None else at.hour * 60 + at.minute


def clock_time(minutes: int | None) -> time | None:
    return None if minutes is None else time(minutes // 60, minutes % 60)


def reminder_settings(v: Values) -> ReminderSettings:
    return ReminderSettings(
        timezone=v["timezone"],
        quiet_start=clock_time(v["quiet_start_min"]),
        quiet_end=clock_time(v["quiet_end_min"]),
        days_before=v["days_before"],
        call_lead_minutes=v["call_lead_minutes"],
    )


def debt_values(debt: Debt) -> Values:
    offer = debt.offer
    return {
        "state": debt.state,
        "creditor": debt.creditor,
        "kind": value(debt.kind),
        "balance_cents": cents(debt.balance),
        "currency": one_currency(f"debt {debt.seq}", amounts(debt)),
        "in_writing": debt.in_writing,
        "months_delinquent": debt.months_delinquent,
        "holder": value(debt.holder),
        "charged_off": debt.charged_off,
        "lawsuit": debt.lawsuit,
        "goals": [goal.value for goal in debt.goals],
        "hardship": debt.hardship,
        "offer_basis": None if offer is None else offer.basis.value,
        "offer_opening_cents": None if offer is None else offer.opening.cents,
        "offer_target_cents": None if offer is None else offer.target.cents,
        "offer_ceiling_cents": None if offer is None else offer.ceiling.cents,
        "offer_first_round": None if offer is None else offer.first_round,
        "pending_amount_cents": cents(debt.pending_amount),
        "confirmed_above_ceiling_cents": cents(debt.confirmed_above_ceiling),
        "validation_sent_on": debt.validation_sent_on,
        "call_at": debt.call_at,
        "turn": debt.turn,
    }


def round_values(item: Round) -> Values:
    return {
        "on": item.on,
        "who": item.who.value,
        "outcome": item.outcome.value,
        "amount_cents": cents(item.amount),
        "terms": item.terms,
        "above_ceiling": item.above_ceiling,
    }


def payment_values(item: Payment) -> Values:
    return {
        "due_on": item.due_on,
        "amount_cents": item.amount.cents,
        "status": item.status.value,
        "recorded_on": item.recorded_on,
    }


def agreement_values(agreement: Agreement) -> Values:
    return {
        "amount_cents": agreement.amount.cents,
        "instalments": agreement.instalments,
        "instalment_amount_cents": cents(agreement.instalment_amount),
        "first_due": agreement.first_due,
        "frequency": agreement.frequency.value,
        "sign_by": agreement.sign_by,
        "signed_on": agreement.signed_on,
        "sent_on": agreement.sent_on,
    }


def debt(
    seq: int,
    v: Values,
    rounds: Iterable[Values],
    agreement: Values | None,
    payments: Iterable[Values],
) -> Debt:
    cur = v["currency"]
    offer = None
    if v["offer_basis"] is not None:
        offer = Offer(
            basis=Basis(v["offer_basis"]),
            opening=required_money(v["offer_opening_cents"], cur),
            target=required_money(v["offer_target_cents"], cur),
            ceiling=required_money(v["offer_ceiling_cents"], cur),
            first_round=v["offer_first_round"] or 0,
        )
    deal = None
    if (a := agreement) is not None:
        deal = Agreement(
            amount=required_money(a["amount_cents"], cur),
            instalments=a["instalments"],
            instalment_amount=money(a["instalment_amount_cents"], cur),
            first_due=a["first_due"],
            frequency=Frequency(a["frequency"]),
            sign_by=a["sign_by"],
            signed_on=a["signed_on"],
            sent_on=a["sent_on"],
        )
    return Debt(
        seq=seq,
        state=v["state"],
        creditor=v["creditor"],
        kind=None if v["kind"] is None else DebtKind(v["kind"]),
        balance=money(v["balance_cents"], cur),
        in_writing=v["in_writing"],
        months_delinquent=v["months_delinquent"],
        holder=None if v["holder"] is None else Holder(v["holder"]),
        charged_off=v["charged_off"],
        lawsuit=v["lawsuit"],
        goals=[Goal(g) for g in v["goals"]],
        hardship=v["hardship"],
        offer=offer,
        rounds=[
            Round(
                on=r["on"],
                who=Who(r["who"]),
                outcome=Outcome(r["outcome"]),
                amount=money(r["amount_cents"], cur),
                terms=r["terms"],
                above_ceiling=r["above_ceiling"],
            )
            for r in rounds
        ],
        agreement=deal,
        payments=[
            Payment(
                due_on=p["due_on"],
                amount=required_money(p["amount_cents"], cur),
                status=PaymentStatus(p["status"]),
                recorded_on=p["recorded_on"],
            )
            for p in payments
        ],
        pending_amount=money(v["pending_amount_cents"], cur),
        confirmed_above_ceiling=money(v["confirmed_above_ceiling_cents"], cur),
        validation_sent_on=v["validation_sent_on"],
        call_at=v["call_at"],
        turn=v["turn"],
    )
