"""Money: a Decimal amount with an ISO 4217 currency.

Rounding is always explicit (ROUND_HALF_UP by default) and to the currency's minor units.
Currency codes are checked against pycountry's ISO 4217 list. pycountry does not carry the
minor-unit exponent, so the short list of ISO 4217 currencies whose exponent is not 2 is kept
here (source: the ISO 4217 list, "Minor unit" column).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

import pycountry

from .errors import ValidationFailed

_MINOR_UNITS_NOT_2 = {
    # exponent 0
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # exponent 3
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # exponent 4
    "CLF": 4, "UYW": 4,
}  # fmt: skip


@lru_cache(maxsize=512)
def check_currency(code: str) -> str:
    """Return the upper-cased ISO 4217 code or raise ValidationFailed."""
    if not isinstance(code, str) or len(code.strip()) != 3:
        raise ValidationFailed(f"Unknown currency {code!r}", code="invalid_currency")
    upper = code.strip().upper()
    if pycountry.currencies.get(alpha_3=upper) is None:
        raise ValidationFailed(f"Unknown currency {code!r}", code="invalid_currency")
    return upper


def minor_units(currency: str) -> int:
    return _MINOR_UNITS_NOT_2.get(check_currency(currency), 2)


@lru_cache(maxsize=16)
def _quantum(exponent: int) -> Decimal:
    return Decimal(1).scaleb(-exponent)


def to_decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise ValidationFailed("Money never comes from a float", code="invalid_amount")
    try:
        result = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"Not an amount: {value!r}", code="invalid_amount") from None
    if not result.is_finite():
        raise ValidationFailed(f"Not an amount: {value!r}", code="invalid_amount")
    return result


def quantize(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> Decimal:
    return amount.quantize(_quantum(minor_units(currency)), rounding=rounding)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(self, "currency", check_currency(self.currency))

    @classmethod
    def of(cls, amount: object, currency: str) -> Money:
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def rounded(self, rounding: str = ROUND_HALF_UP) -> Money:
        return Money(quantize(self.amount, self.currency, rounding), self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money only adds to Money")
        if other.currency != self.currency:
            raise ValidationFailed(
                f"Cannot combine {self.currency} with {other.currency} without a rate",
                code="currency_mismatch",
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float):
            raise TypeError("Multiply Money by int or Decimal, never float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def convert(self, rate: Decimal, to_currency: str, rounding: str = ROUND_HALF_UP) -> Money:
        """Convert with an explicit rate (1 self.currency = rate to_currency), rounded."""
        return Money(quantize(self.amount * to_decimal(rate), to_currency, rounding), to_currency)

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency)} {self.currency}"
