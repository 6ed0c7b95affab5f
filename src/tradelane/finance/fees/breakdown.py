"""Pure functions of fees: a rate engine quote's fee breakdown, and the delta lines that take
a waybill's current lines to a new breakdown. No database: the services read the current nets
and write the deltas, one waybill or many at once (a set-based re-rate).

A breakdown covers the sides it was computed for (``sides``) and owns the rated items of those
sides (``catalogue.RATED_ITEMS``): an owned item the new breakdown no longer has (an oversize
surcharge that no longer applies, or the old currency after a channel change) is taken back
in full; an item it does not own (duty, storage, a manual line) is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from tradelane.logistics.rates.descriptions import SurchargeData
from tradelane.logistics.rates.engine import ChargeLine, PricedQuote, Quote

from .catalogue import CHARGE_ITEMS, RATED_ITEMS, SURCHARGE, SURCHARGE_ITEMS
from .models import FeeSide

# (side, fee item code, currency): the key a net and a delta are kept under
FeeKey = tuple[str, str, str]


@dataclass(frozen=True)
class FeeBasis:
    """What priced one side: written on each of its lines."""

    chargeable_g: int = 0
    channel_code: str = ""
    sheet_id: int | None = None
    zone: str = ""
    extra: Mapping = field(default_factory=dict)  # sheet label, level, date, charge codes


@dataclass(frozen=True)
class FeeAmount:
    side: str
    item: str
    amount: Decimal
    currency: str

    @property
    def key(self) -> FeeKey:
        return (self.side, self.item, self.currency)


@dataclass(frozen=True)
class FeeBreakdown:
    """A waybill's fees as newly computed, for the ``sides`` that could be priced."""

    amounts: tuple[FeeAmount, ...]
    sides: frozenset[str]
    basis: Mapping[str, FeeBasis] = field(default_factory=dict)  # by side

    def total(self, side: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for a in self.amounts:
            if a.side == side:
                out[a.currency] = out.get(a.currency, Decimal(0)) + a.amount
        return out


@dataclass(frozen=True)
class FeeDelta:
    """One line to write: the change of one (side, item, currency), with its basis."""

    side: str
    item: str
    amount: Decimal
    currency: str
    basis: FeeBasis


def item_of(line: ChargeLine) -> str:
    """The fee item of a rate engine charge line."""
    if line.code in CHARGE_ITEMS:
        return CHARGE_ITEMS[line.code]
    surcharge = line.args[0] if line.args else None
    if isinstance(surcharge, SurchargeData):
        return SURCHARGE_ITEMS.get(surcharge.kind, SURCHARGE)
    return SURCHARGE


def _basis(q: Quote) -> FeeBasis:
    return FeeBasis(
        chargeable_g=q.chargeable_g,
        channel_code=q.channel_code,
        sheet_id=q.sheet_id,
        zone=q.zone,
        extra={
            "sheet": q.sheet, "sheet_label": q.sheet_label, "level": q.customer_level,
            "on": q.on_date.isoformat() if isinstance(q.on_date, dt.date) else "",
            "pieces": q.pieces, "charges": [line.code for line in q.lines],
        },
    )  # fmt: skip


def amounts_of_quote(q: Quote, side: str) -> list[FeeAmount]:
    """One amount per fee item of an accepting quote (surcharges of one kind added up)."""
    sums: dict[tuple[str, str], Decimal] = {}
    for line in q.lines:
        key = (item_of(line), line.amount.currency)
        sums[key] = sums.get(key, Decimal(0)) + line.amount.amount
    return [FeeAmount(side, item, amount, cur) for (item, cur), amount in sums.items()]


def breakdown_of_priced(priced: PricedQuote) -> FeeBreakdown:
    """Receivable from the sale quote, payable from the cost quote; a side whose quote refused
    the parcel (no cost sheet, say) is not covered, so its lines stay as they are."""
    amounts: list[FeeAmount] = []
    sides: set[str] = set()
    basis: dict[str, FeeBasis] = {}
    for side, q in ((FeeSide.RECEIVABLE, priced.sale), (FeeSide.PAYABLE, priced.cost)):
        if not q.ok:
            continue
        sides.add(str(side))
        basis[str(side)] = _basis(q)
        amounts.extend(amounts_of_quote(q, str(side)))
    return FeeBreakdown(tuple(amounts), frozenset(sides), basis)


def delta_lines(current: Mapping[FeeKey, Decimal], new: FeeBreakdown) -> list[FeeDelta]:
    """The lines that take ``current`` (the nets of the rated lines, by key) to ``new``: one
    per key whose amount changes, none when nothing does (re-running writes nothing)."""
    wanted: dict[FeeKey, Decimal] = {}
    for a in new.amounts:
        wanted[a.key] = wanted.get(a.key, Decimal(0)) + a.amount
    owned = [k for k in current if k[0] in new.sides and k[1] in RATED_ITEMS]
    keys = list(wanted) + [k for k in owned if k not in wanted]
    out = []
    for key in keys:
        change = wanted.get(key, Decimal(0)) - current.get(key, Decimal(0))
        if change:
            side, item, currency = key
            out.append(FeeDelta(side, item, change, currency, new.basis.get(side, FeeBasis())))
    return out


def nets(rows: Iterable[tuple[str, str, str, Decimal]]) -> dict[FeeKey, Decimal]:
    """(side, item, currency, amount) rows summed by key."""
    out: dict[FeeKey, Decimal] = {}
    for side, item, currency, amount in rows:
        key = (side, item, currency)
        out[key] = out.get(key, Decimal(0)) + amount
    return out
