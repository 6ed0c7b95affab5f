"""Reads of fees shared by pages and other apps: a waybill's fee lines and its margin."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from tradelane.core.money import Money
from tradelane.forwarding.waybills.models import Waybill

from .models import FeeSide, WaybillFeeLine


@dataclass(frozen=True)
class FeeSummary:
    """A waybill's nets per side and currency, and the margin (receivable − payable) when both
    sides are in one currency; ``margin`` None otherwise (``currencies`` says which)."""

    receivable: dict[str, Decimal]
    payable: dict[str, Decimal]
    margin: Money | None
    currencies: tuple[str, ...]

    @property
    def mixed_currencies(self) -> bool:
        return len(self.currencies) > 1


def fee_lines(waybill: Waybill) -> list[WaybillFeeLine]:
    """Every line of the waybill, oldest first, with its fee item's names (one query)."""
    return list(
        WaybillFeeLine.objects.filter(waybill=waybill)
        .select_related("fee_item", "created_by")
        .order_by("id")
    )


def _summary(rows) -> FeeSummary:
    sides: dict[str, dict[str, Decimal]] = {FeeSide.RECEIVABLE: {}, FeeSide.PAYABLE: {}}
    for side, currency, net in rows:
        if net:
            sides[side][currency] = sides[side].get(currency, Decimal(0)) + net
    receivable, payable = sides[FeeSide.RECEIVABLE], sides[FeeSide.PAYABLE]
    currencies = tuple(sorted(set(receivable) | set(payable)))
    margin = None
    if len(currencies) == 1:
        cur = currencies[0]
        margin = Money(receivable.get(cur, Decimal(0)) - payable.get(cur, Decimal(0)), cur)
    return FeeSummary(receivable, payable, margin, currencies)


def fee_summary(waybill: Waybill) -> FeeSummary:
    """The waybill's receivable and payable nets and its margin (one query)."""
    rows = (
        WaybillFeeLine.objects.filter(waybill=waybill)
        .values_list("side", "currency")
        .annotate(net=Sum("amount"))
        .order_by()
    )
    return _summary(rows)


def summary_of_lines(lines: list[WaybillFeeLine]) -> FeeSummary:
    """The same summary from lines already read (no query)."""
    return _summary((line.side, line.currency, line.amount) for line in lines)
