"""What the coach remembers about one person: plain dataclasses, no I/O.

The engine works on these objects and nothing else, so the same negotiation can be stored in
SQLite or PostgreSQL, replayed in a test, or carried by a different channel. Every field has a
default so a half-answered debt is a valid value: the conversation fills it in one answer at a
time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from dialogs.money import Money


class DebtKind(StrEnum):
    CREDIT_CARD = "credit_card"
    PERSONAL_LOAN = "personal_loan"
    STORE_CARD = "store_card"
    MEDICAL = "medical"
    COLLECTION = "collection"
    CAR_LOAN = "car_loan"
    MORTGAGE = "mortgage"
    PRIVATE_STUDENT_LOAN = "private_student_loan"
    FEDERAL_STUDENT_LOAN = "federal_student_loan"
    TAX = "tax"
    UTILITY = "utility"
    OTHER = "other"
    # Taiwan: a bank's revolving cash line (現金卡), and the government-backed study loan (就學貸款).
    CASH_CARD = "cash_card"
    STUDENT_LOAN = "student_loan"
    # Taiwan: a loan the person guaranteed for someone else (保證債務): pre-mediation's, not the banks'.
    GUARANTEE = "guarantee"


class Document(StrEnum):
    """What an application for Taiwan's pre-negotiation needs (DOMAIN.md, "Taiwan"), in the order
    it is gathered: the form and the ID first, the papers from offices last."""

    APPLICATION_FORM = "form"  # 前置協商申請書, from the bank
    ID_COPY = "id"  # 身分證正反面影本
    ASSETS_AND_INCOME = "assets"  # 財產及收入狀況說明書
    CREDITOR_LIST = "creditors"  # 債權人及債務人清冊 (JCIC offers one)
    PROPERTY = "property"  # 最近一個月的財產清單
    INCOME = "income"  # 最近兩年的所得資料
    PAYSLIPS = "payslips"  # 最近三個月的薪資證明
    LABOUR_INSURANCE = "insurance"  # 勞保投保資料
    COPIES = "copies"  # 每家債權銀行各一份


@dataclass(slots=True)
class BankPlan:
    """The repayment plan the bank with the largest claim offers for every bank it negotiates
    for: `count` monthly payments of `monthly`, at an annual `rate` in percent (None when the
    person did not say). Signed, it becomes that bank's debt's agreement (`with_debt`)."""

    count: int
    monthly: Money
    rate: Decimal | None = None
    first_due: date | None = None
    signed_on: date | None = None
    with_debt: int | None = None
    # Which of the bank's offers this is, from 1: the buttons of its check name it, so one left
    # on the screen from an earlier offer does not sign this one.
    number: int = 1


@dataclass(slots=True)
class PreNegotiation:
    """A Taiwanese application for pre-negotiation, while it is being put together and sent, and
    the bank's answer."""

    started_on: date
    gathered: list[Document] = field(default_factory=list)
    # The day it went to the bank by registered mail (掛號): the receipt proves it.
    mailed_on: date | None = None
    # For the statement of assets and income (財產及收入狀況說明書): a month's income and necessary
    # expenses, how many people the person supports, what they own in their own words. None
    # until asked.
    income: Money | None = None
    expenses: Money | None = None
    dependants: int | None = None
    assets: str | None = None
    plan: BankPlan | None = None

    @property
    def missing(self) -> list[Document]:
        return [d for d in Document if d not in self.gathered]


class Place(StrEnum):
    """Where the person lives: the rules, the currency and the letters' language follow it, not
    the language they read (a Chinese speaker in Los Angeles owes dollars under US law)."""

    US = "us"
    TW = "tw"


# Kinds that keep accruing interest while unpaid: they go first when several debts compete.
INTEREST_BEARING = frozenset(
    {
        DebtKind.CREDIT_CARD,
        DebtKind.PERSONAL_LOAN,
        DebtKind.STORE_CARD,
        DebtKind.PRIVATE_STUDENT_LOAN,
        DebtKind.CASH_CARD,
    }
)

# Kinds that are not settled by negotiating a reduced payoff, each with its own right door.
NOT_FOR_SETTLEMENT = frozenset(
    {
        DebtKind.CAR_LOAN,
        DebtKind.MORTGAGE,
        DebtKind.FEDERAL_STUDENT_LOAN,
        DebtKind.STUDENT_LOAN,
        DebtKind.TAX,
        DebtKind.UTILITY,
    }
)


class Holder(StrEnum):
    ORIGINAL = "original"
    COLLECTOR = "collector"


class Goal(StrEnum):
    LUMP_SUM = "lump_sum"
    INSTALMENTS = "instalments"
    MORE_TIME = "more_time"
    LOWER_RATE = "lower_rate"
    FEES_WAIVED = "fees_waived"


class Basis(StrEnum):
    """What the figures of an offer measure: a settlement total, or a monthly payment."""

    LUMP_SUM = "lump_sum"
    INSTALMENTS = "instalments"
    PAYMENT_PLAN = "payment_plan"


class Who(StrEnum):
    USER = "user"
    CREDITOR = "creditor"


class Outcome(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COUNTERED = "countered"


class Frequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class PaymentStatus(StrEnum):
    DUE = "due"
    PAID = "paid"
    MISSED = "missed"


@dataclass(slots=True)
class Budget:
    """One budget per person, shared by every negotiation (dialogs/ledger.py does its sums)."""

    lump_sum: Money | None = None
    monthly: Money | None = None
    # The day it was given: the cash is what the person had then, the monthly amount comes from
    # the next month on, and what is paid from that day on is spent out of it. None for a budget
    # given before budgets were dated: what was paid before is not counted against it.
    as_of: date | None = None


@dataclass(slots=True)
class Offer:
    basis: Basis
    opening: Money
    target: Money
    ceiling: Money
    # Index in `Debt.rounds` of the first round made under this offer: switching from a payoff
    # to a payment plan starts a new series of figures in other units.
    first_round: int = 0


@dataclass(slots=True)
class Round:
    on: date
    who: Who
    outcome: Outcome
    amount: Money | None = None
    terms: str = ""
    # The user went above the walk-away ceiling after the warning, explicitly.
    above_ceiling: bool = False
    # How the figure is paid when a schedule was named ("3 x $600": three payments of $600, the
    # amount being their total); empty for one payment, or on a plan for an open-ended monthly.
    payments: list[Money] = field(default_factory=list)


@dataclass(slots=True)
class Agreement:
    """The deal as agreed on the phone; `instalments == 1` means one lump-sum payment."""

    amount: Money
    instalments: int = 1
    instalment_amount: Money | None = None
    first_due: date | None = None
    frequency: Frequency = Frequency.MONTHLY
    # The payments when they are not equal (a down payment, then instalments; any listed
    # schedule): they add up to `amount`, and `instalments` is how many there are.
    schedule: list[Money] = field(default_factory=list)
    sign_by: date | None = None
    signed_on: date | None = None
    # The day the agreement letter was drafted to send: the signed copy is chased 10 days on.
    sent_on: date | None = None


@dataclass(slots=True)
class Payment:
    due_on: date
    amount: Money
    status: PaymentStatus = PaymentStatus.DUE
    recorded_on: date | None = None


@dataclass(slots=True)
class Debt:
    """One creditor, one negotiation; `state` is the conversation step this debt is at."""

    seq: int
    state: str = "creditor"
    creditor: str = ""
    kind: DebtKind | None = None
    balance: Money | None = None
    in_writing: bool | None = None
    months_delinquent: int | None = None
    holder: Holder | None = None
    # Asked of the original lender once months behind: a written-off account settles for less.
    charged_off: bool | None = None
    lawsuit: bool | None = None
    goals: list[Goal] = field(default_factory=list)
    hardship: str = ""
    offer: Offer | None = None
    rounds: list[Round] = field(default_factory=list)
    agreement: Agreement | None = None
    payments: list[Payment] = field(default_factory=list)
    # A figure waiting for the user's decision: the creditor's counter, or an amount above the
    # ceiling that needs an explicit confirmation.
    pending_amount: Money | None = None
    # How the pending figure is paid, when the creditor named a schedule for it.
    pending_payments: list[Money] = field(default_factory=list)
    # The one figure above the ceiling the user explicitly confirmed after the warning.
    confirmed_above_ceiling: Money | None = None
    validation_sent_on: date | None = None
    # For the letters (dialogs/details.py): the creditor's postal address and the account number
    # or reference on its letters. None until asked, before this debt's first letter; "" when
    # skipped, and the letter then has a line to write it on by hand.
    creditor_address: str | None = None
    account_ref: str | None = None
    # A collector's or debt buyer's agreement names the original creditor: asked before it.
    original_creditor: str | None = None
    # When the person said they will call this creditor (aware, UTC): the script is sent before
    # it and "how did it go?" after it. Cleared once the creditor's answer is recorded.
    call_at: datetime | None = None
    # How many answers this debt has taken (and /back and starting over count as answers): the
    # buttons of its question carry it, so one from before the last answer is recognised as
    # stale. It only ever grows.
    turn: int = 0


# Reminders wait until this hour when they fall inside the quiet hours by default.
DEFAULT_QUIET = (time(21, 0), time(8, 0))


@dataclass(slots=True)
class ReminderSettings:
    """When the coach may reach out on its own. `timezone` is an IANA name; None until the
    person is first asked (a guess from the language stands in). Quiet hours run from
    `quiet_start` to `quiet_end` local time, across midnight when start > end; both None means
    the person turned them off."""

    timezone: str | None = None
    quiet_start: time | None = DEFAULT_QUIET[0]
    quiet_end: time | None = DEFAULT_QUIET[1]
    days_before: int = 3
    # How long before a call the person said they would make its script arrives.
    call_lead_minutes: int = 30
    # The person has answered which zone they are in: until then `timezone` is a guess, and a
    # call time typed meanwhile keeps its time on the clock when the zone is answered.
    zone_confirmed: bool = False


@dataclass(slots=True)
class UserState:
    locale: str = "en"
    # Guessed from the language when the person arrives; `place_confirmed` once they answered.
    place: Place | None = None
    place_confirmed: bool = False
    prenegotiation: PreNegotiation | None = None
    currency: str | None = None
    budget: Budget = field(default_factory=Budget)
    debts: list[Debt] = field(default_factory=list)
    active: int | None = None
    # A destructive command waiting for its confirmation, named exactly as its buttons name it:
    # "cancel.<debt seq>.<debt turn>" or "delete.<when asked>" (see commands.pending_name).
    confirming: str | None = None
    # Snapshots for "back": the active debt and the budget before each answer, newest last.
    # Read-only once taken (the store hands back stored ones as read-only mappings).
    undo: list[Mapping[str, object]] = field(default_factory=list)
    welcomed: bool = False
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    # A side question waiting for a typed answer, over the debt's own question: "timezone",
    # "quiet", or "call:<debt seq>". Any button or command sets it aside.
    asking: str | None = None
    # The person's name and postal address as their letters give them (dialogs/details.py):
    # None until asked, once, before the first letter; "" when skipped.
    full_name: str | None = None
    postal_address: str | None = None

    def debt(self, seq: int | None) -> Debt | None:
        return next((d for d in self.debts if d.seq == seq), None)

    @property
    def active_debt(self) -> Debt | None:
        return self.debt(self.active)

    def next_seq(self) -> int:
        return max((d.seq for d in self.debts), default=0) + 1
