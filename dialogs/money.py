"""Money for DebtCoach: an exact Decimal amount that always carries its currency.

People in debt are hurt by a cent lost to float rounding or by an offer drafted in the
wrong currency, so this type refuses floats, refuses to mix currencies, and rounds only
where it says so (half-up to cents, the way a statement or a cheque is rounded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency

__all__ = ["SUPPORTED_CURRENCIES", "Money", "format_money"]

#: Currencies whose symbols, codes and words `dialogs.readers.amounts.parse_amount` recognises
#: and whose formatted form (in every locale we format for) it reads back exactly.
#: All have cents.
SUPPORTED_CURRENCIES: frozenset[str] = frozenset({"USD", "TWD", "EUR", "GBP", "CAD", "AUD"})

_CENT = Decimal("0.01")
# The fraction part of a number pattern ("0.00" -> "0", "#,##0.###" -> "#,##0"), in each of its
# positive and negative halves.
_DECIMALS = re.compile(r"\.[0#]+")


def _exact(value: object, what: str) -> Decimal:
    """Int or Decimal to Decimal; a float (or bool) here is a bug, not an input."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{what} must be int or Decimal, not {type(value).__name__}")
    return Decimal(value)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency; equal whatever the scale (5 == 5.00)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        # Only Decimal: a float has already lost cents, and an int would leak through
        # arithmetic untyped. NaN/Infinity are not amounts anyone owes.
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be Decimal, never {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise ValueError(f"Money amount must be finite, not {self.amount}")

    # -- construction

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in a given currency (a sum has to start somewhere)."""
        return cls(Decimal("0.00"), currency)

    @classmethod
    def of(cls, value: str | int | Decimal, currency: str) -> Money:
        """From a literal such as "1250.50" or 1250, exactly as given (no rounding)."""
        if isinstance(value, str):
            try:
                amount = Decimal(value.strip())
            except InvalidOperation:
                raise ValueError(f"not a decimal number: {value!r}") from None
            return cls(amount, currency)
        return cls(_exact(value, "Money.of value"), currency)

    @classmethod
    def from_cents(cls, cents: int, currency: str) -> Money:
        """Inverse of `cents`: storage and payment APIs count in whole cents."""
        if isinstance(cents, bool) or not isinstance(cents, int):
            raise TypeError(f"cents must be int, not {type(cents).__name__}")
        return cls(Decimal(cents).scaleb(-2), currency)

    # -- rounding

    def quantized(self) -> Money:
        """Rounded half-up to cents: what can actually be paid."""
        return Money(self.amount.quantize(_CENT, rounding=ROUND_HALF_UP), self.currency)

    @property
    def cents(self) -> int:
        """The amount in whole cents, after rounding half-up to cents (always exact)."""
        scaled = self.quantized().amount.scaleb(2)
        whole = int(scaled)
        if whole != scaled:  # pragma: no cover - impossible after quantize
            raise ArithmeticError(f"{self.amount} is not a whole number of cents")
        return whole

    def share(self, percent: int | Decimal) -> Money:
        """`percent` per cent of this amount, in cents: "offer 30% of the balance"."""
        pct = _exact(percent, "percent")
        return Money(self.amount * pct / 100, self.currency).quantized()

    # -- arithmetic

    def _check_same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented
        return Money(self.amount * factor, self.currency).quantized()

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __bool__(self) -> bool:
        return self.amount != 0

    # -- ordering (same currency only: 100 TWD is not "less than" 100 USD)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        return self.amount >= other.amount


def total_of(amounts: Sequence[Money]) -> Money:
    """What a non-empty list of amounts in one currency comes to (a schedule's payments)."""
    total = amounts[0]
    for amount in amounts[1:]:
        total += amount
    return total


@lru_cache(maxsize=64)
def _locale(locale: str) -> Locale:
    """Parse "en", "en-US", "zh_TW"...; an unknown locale falls back to en_US."""
    tag = locale.strip().replace("-", "_") or "en_US"
    if tag.lower() == "en":
        tag = "en_US"
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en_US")


# Where CLDR's symbol is a bare "$" that a person coached in both countries could misread:
# Taiwan's own locale writes NT dollars as "$", and this coach also speaks of US dollars.
_UNAMBIGUOUS_SYMBOLS: dict[tuple[str, str], str] = {("zh", "TWD"): "NT$"}


@lru_cache(maxsize=64)
def _pattern(locale: Locale, currency: str, whole: bool) -> str:
    """The locale's own currency pattern, its decimals dropped for whole amounts ("¤#,##0.00"
    becomes "¤#,##0", "#,##0.00 ¤" becomes "#,##0 ¤"), with an unambiguous symbol where needed."""
    pattern = str(locale.currency_formats["standard"].pattern)
    if whole:
        pattern = _DECIMALS.sub("", pattern)
    symbol = _UNAMBIGUOUS_SYMBOLS.get((locale.language, currency))
    return pattern if symbol is None else pattern.replace("¤", f"'{symbol}'")


def format_money(money: Money, locale: str = "en") -> str:
    """Format for a person to read: "$5,000", "$1,666.67", "5.000 €", "NT$120,000".

    Whole amounts drop ".00" because "$5,000" reads faster on a phone than
    "$5,000.00"; anything with cents shows both digits. Rounding is half-up to cents,
    done here rather than by Babel (which rounds half-even).
    """
    amount = money.quantized().amount
    # The sign is part of the key: -0.00 equals 0.00 (and hashes alike) but is written "-$0".
    return _formatted(amount, amount.is_signed(), money.currency, locale)


@lru_cache(maxsize=4096)
def _formatted(amount: Decimal, signed: bool, currency: str, locale: str) -> str:
    """Babel's formatting, remembered: Babel re-reads the pattern and the currency's data on every
    call, and one answer formats the person's same few figures (balance, offer, budget) again
    and again."""
    loc = _locale(locale)
    whole = amount == amount.to_integral_value()
    return format_currency(amount, currency, format=_pattern(loc, currency, whole), locale=loc, currency_digits=False)
