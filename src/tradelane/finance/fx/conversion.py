"""Conversion on a date, with the rate, its source and its date kept with the result.

``rate_on(base, quote, on)`` is the rate of the latest fixing on or before ``on`` (a weekend
or a holiday has no fixing: the previous one is used, DOMAIN.md), either quoted directly
between the two currencies (either way round: a manual rate, say) or crossed through EUR, the
ECB's base: A->B = (EUR->B) / (EUR->A). The newer of the two wins; on the same date the direct
quote does, and among direct quotes of one date a manual rate comes before the ECB's and the
ECB's before any other source. No rate on or before the date is refused (``RateMissing``),
never guessed.

``convert(money, to_currency, on=date)`` returns a ``Conversion``: the amount, the rate
(12 significant digits, ROUND_HALF_UP), the converted amount (amount x rate, ROUND_HALF_UP to
the target currency's minor units, ``core.money``), the rate's source and date. Anyone can
redo the sum from what is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, IntegerField, Q, Value, When

from tradelane.core.errors import ValidationFailed
from tradelane.core.models import FxRate
from tradelane.core.money import Money, check_currency, quantize

from .ecb import BASE as EUR
from .ecb import SOURCE as ECB

MANUAL = "manual"
SIGNIFICANT_DIGITS = 12
MAX_RATE_DECIMALS = 16  # as the columns that keep a rate (``fx.models.ConvertedFrom``)


class RateMissing(ValidationFailed):
    code = "fx_rate_missing"


@dataclass(frozen=True, slots=True)
class DatedRate:
    """1 ``base`` = ``rate`` ``quote``, from the fixing of ``date`` by ``source``."""

    base: str
    quote: str
    rate: Decimal
    source: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class Conversion:
    """``original`` converted to ``converted`` at 1 original = ``rate`` converted."""

    original: Money
    converted: Money
    rate: Decimal
    rate_source: str
    rate_date: dt.date


def significant(rate: Decimal) -> Decimal:
    """``rate`` to 12 significant digits (at most 16 decimals), ROUND_HALF_UP."""
    exponent = max(rate.adjusted() - (SIGNIFICANT_DIGITS - 1), -MAX_RATE_DECIMALS)
    return rate.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


_SOURCE_ORDER = Case(
    When(source=MANUAL, then=Value(0)),
    When(source=ECB, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _direct(base: str, quote: str, on: dt.date) -> tuple[Decimal, str, dt.date] | None:
    """The latest row quoting the pair either way round, on or before ``on``: (exact rate
    1 base = r quote, source, date)."""
    row = (
        FxRate.objects.filter(Q(base=base, quote=quote) | Q(base=quote, quote=base), date__lte=on)
        .annotate(source_order=_SOURCE_ORDER)
        .order_by("-date", "source_order", "source", "id")
        .values_list("base", "rate", "source", "date")
        .first()
    )
    if row is None:
        return None
    row_base, rate, source, date = row
    return (rate if row_base == base else 1 / rate), source, date


def rate_on(base: str, quote: str, on: dt.date) -> DatedRate:
    """The rate 1 ``base`` = r ``quote`` of the latest fixing on or before ``on``."""
    base, quote = check_currency(base), check_currency(quote)
    if base == quote:
        return DatedRate(base, quote, Decimal(1), "identity", on)
    candidates = []
    direct = _direct(base, quote, on)
    if direct is not None:
        candidates.append(direct)
    if EUR not in (base, quote):
        to_base, to_quote = _direct(EUR, base, on), _direct(EUR, quote, on)
        if to_base is not None and to_quote is not None:
            sources = sorted({to_base[1], to_quote[1]})
            candidates.append(
                (to_quote[0] / to_base[0], "+".join(sources), min(to_base[2], to_quote[2]))
            )
    if not candidates:
        raise RateMissing(
            f"No exchange rate from {base} to {quote} on or before {on.isoformat()}: "
            "import the ECB rates or enter a manual rate",
            details={"base": base, "quote": quote, "date": on.isoformat()},
        )
    # the newest date wins; on one date the direct quote (listed first) does
    rate, source, date = max(candidates, key=lambda c: c[2])
    return DatedRate(base, quote, significant(rate), source, date)


def convert(money: Money, to_currency: str, *, on: dt.date) -> Conversion:
    """``money`` in ``to_currency`` at the rate of ``on`` (see ``rate_on``), rounded
    ROUND_HALF_UP to the target currency's minor units."""
    to_currency = check_currency(to_currency)
    found = rate_on(money.currency, to_currency, on)
    converted = Money(quantize(money.amount * found.rate, to_currency), to_currency)
    return Conversion(money, converted, found.rate, found.source, found.date)
