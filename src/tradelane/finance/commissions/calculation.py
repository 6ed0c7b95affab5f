"""The arithmetic of commissions, pure (no queries): which agreement covers a waybill, the
month's volume of an agreement, the tier it reaches and one waybill's amount.

Rules (tested in ``tests/test_calculation.py`` with figures worked by hand):

- a channel agreement valid on the waybill's day wins over the general one;
- stage performance: the tier reached by the month's volume of the agreement's waybills
  (waybills, chargeable kg, or revenue) applies to every one of them;
- a percentage of a negative margin (or revenue) is nothing (0.00, noted
  ``negative_margin``): a loss-making waybill does not claw back the agent's other waybills;
- per kg: the waybill's chargeable grams / 1000 x rate; every amount is rounded to the
  currency's minor units, ROUND_HALF_UP, per waybill.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tradelane.core.money import quantize

from .models import Basis, TierMeasure

ZERO = Decimal(0)
HUNDRED = Decimal(100)
KG = Decimal(1000)


@dataclass(frozen=True)
class Terms:
    """What one agreement says, read once per computation."""

    pk: int
    owner: int
    channel: int | None
    basis: str
    tier_measure: str
    rate: Decimal
    currency: str
    valid_from: dt.date
    valid_to: dt.date | None
    tiers: tuple[tuple[Decimal, Decimal], ...]  # (min_volume, rate), ascending

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass
class WaybillFigures:
    waybill: int
    owner: int
    channel: int
    day: dt.date
    chargeable_g: int
    receivable: Decimal  # nets in the agreement's currency
    payable: Decimal

    @property
    def margin(self) -> Decimal:
        return self.receivable - self.payable


def pick(terms: list[Terms], channel: int, day: dt.date) -> Terms | None:
    """The owner's agreement for a waybill on ``channel`` of ``day``: the channel's own
    first, else the general one; None when neither is valid that day."""
    general = None
    for t in terms:
        if not t.covers(day):
            continue
        if t.channel == channel:
            return t
        if t.channel is None and general is None:
            general = t
    return general


def measure(t: Terms, w: WaybillFigures) -> Decimal:
    """What one waybill adds to its agreement's month for the tiers."""
    if t.tier_measure == TierMeasure.WAYBILLS:
        return Decimal(1)
    if t.tier_measure == TierMeasure.KG:
        return Decimal(w.chargeable_g) / KG
    if t.tier_measure == TierMeasure.REVENUE:
        return w.receivable
    return ZERO


def tier_for(t: Terms, volume: Decimal) -> tuple[Decimal | None, Decimal]:
    """(the tier's lower bound, its rate) reached by ``volume``; (None, rate) without tiers.
    Below the lowest tier nothing is earned (rate 0)."""
    if t.tier_measure == TierMeasure.NONE or not t.tiers:
        return None, t.rate
    reached: tuple[Decimal | None, Decimal] = (None, ZERO)
    for low, rate in t.tiers:
        if volume >= low:
            reached = (low, rate)
    return reached


def base_of(t: Terms, w: WaybillFigures) -> Decimal:
    if t.basis == Basis.MARGIN_PCT:
        return w.margin
    if t.basis == Basis.REVENUE_PCT:
        return w.receivable
    if t.basis == Basis.PER_KG:
        return Decimal(w.chargeable_g) / KG
    return Decimal(1)


def amount_of(t: Terms, base: Decimal, rate: Decimal) -> tuple[Decimal, str]:
    """One waybill's commission and a note (``negative_margin`` when a share of a loss)."""
    if t.basis in (Basis.MARGIN_PCT, Basis.REVENUE_PCT):
        if base < 0:
            return quantize(ZERO, t.currency), "negative_margin"
        return quantize(base * rate / HUNDRED, t.currency), ""
    return quantize(base * rate, t.currency), ""
