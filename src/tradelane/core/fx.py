"""Exchange rates kept in ``FxRate`` (each with its source and date)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from .models import FxRate


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
