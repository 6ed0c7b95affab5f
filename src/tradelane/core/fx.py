"""Exchange rates kept in ``FxRate`` (each with its source and date), and ``Rates``: conversion
with the rates loaded once per target currency, cross rates through a pivot."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from .models import FxRate
from .money import Money


def latest_rates_to(base: str) -> dict[str, Decimal]:
    """The latest known rate from each currency to ``base``: 1 X = rates[X] base.

    A row quoted the other way round (1 base = r X) is inverted; the newer date wins.
    """
    rates: dict[str, Decimal] = {}
    for row in FxRate.objects.filter(Q(quote=base) | Q(base=base)).order_by("date", "id"):
        if row.quote == base:
            rates[row.base] = row.rate
        else:
            rates[row.quote] = 1 / row.rate
    rates[base] = Decimal(1)
    return rates


class Rates:
    """FX conversion with rates loaded once per target currency (``latest_rates_to``).

    Rates are usually kept against one base (the company's, e.g. CNY): without a direct rate
    between two currencies, the cross rate through a pivot both are quoted against is used
    (A->B = A->P / B->P, DOMAIN.md)."""

    PIVOTS = ("CNY", "USD", "EUR")

    def __init__(self) -> None:
        self._to: dict[str, dict[str, Decimal]] = {}

    def _rate(self, from_currency: str, to_currency: str) -> Decimal | None:
        if from_currency == to_currency:
            return Decimal(1)
        table = self._to.get(to_currency)
        if table is None:
            table = self._to[to_currency] = latest_rates_to(to_currency)
        return table.get(from_currency)

    def convert(self, value: Money, currency: str) -> Money | None:
        if value.currency == currency:
            return value
        rate = self._rate(value.currency, currency)
        if rate is not None:
            amount = value.amount * rate
        else:
            for pivot in self.PIVOTS:
                a, b = self._rate(value.currency, pivot), self._rate(currency, pivot)
                if a is not None and b:
                    amount = value.amount * a / b
                    break
            else:
                return None
        return Money(amount.quantize(Decimal("0.0001"), ROUND_HALF_UP), currency)


def total_in(rates: Rates, parts: Iterable[Money], currency: str) -> Money:
    """The sum of ``parts`` in ``currency`` (the value of a merged or split parcel). A part
    with no exchange rate at all counts at its face amount."""
    total = Decimal(0)
    for part in parts:
        total += (rates.convert(part, currency) or part).amount
    return Money(total, currency)
