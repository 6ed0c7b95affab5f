"""What a customer may ship and at what price: the channels open to it, each with its sale
price from the customer's own sheet, else its level's, else the standard sale sheet (itdida
#1451: customer-specific quotes come first), the transit time, and every reason a channel
refuses the parcel. The cost is quoted beside it for the provider's margin and never shown to
the customer.

Pieces: the kernel's engine prices ``pieces`` identical pieces. A waybill of identical pieces is
priced exactly so; one of mixed pieces is priced as that many pieces of the average weight
(rounded up to the gram) in the largest piece's size, which never undercharges and keeps the
channel's per-piece limits honest. The hub's measured pieces replace the forecast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from tradelane.core.money import Money
from tradelane.logistics.models import Channel
from tradelane.logistics.rates import selectors as rates
from tradelane.logistics.rates.chargeable import Parcel
from tradelane.logistics.rates.descriptions import SHEET_SALE
from tradelane.logistics.rates.engine import CompiledChannel, PricedQuote, Quote, quote_priced

from ..partners.models import CustomerAccount
from .validation import PieceInput, WaybillInput


@dataclass(frozen=True)
class Offer:
    """One open channel's answer for one parcel, as the customer may see it (``cost`` is for
    the provider's staff only)."""

    channel_code: str
    channel_name: str
    priced: PricedQuote
    sale_level: str

    @property
    def ok(self) -> bool:
        return self.priced.sale.ok

    @property
    def sale(self) -> Quote:
        return self.priced.sale

    @property
    def price(self) -> Money | None:
        return self.priced.sale.total

    @property
    def reasons(self) -> list[dict[str, str]]:
        return [{"code": r.code, "message": r.message} for r in self.priced.sale.reasons]


def open_channels(customer: CustomerAccount) -> list[Channel]:
    """The active channels this customer may use, by code."""
    extra = Q(pk__in=customer.extra_channels.values("pk"))
    allowed = (
        extra
        if customer.channels_restricted
        else (extra | Q(pk__in=customer.level.channels.values("pk")))
    )
    return list(Channel.objects.filter(allowed, is_active=True).order_by("code"))


def parcel_for(
    pieces: Sequence[PieceInput],
    *,
    country: str,
    postcode: str = "",
    city: str = "",
    declared_value: Money | None = None,
    battery: bool = False,
    liquid: bool = False,
    magnet: bool = False,
    on_date: dt.date | None = None,
) -> Parcel:
    n = len(pieces)
    total = sum(p.weight_g for p in pieces)
    dims = [(p.length_mm, p.width_mm, p.height_mm) for p in pieces]
    if len(set(dims)) == 1 and len({p.weight_g for p in pieces}) == 1:
        weight, (length, width, height) = pieces[0].weight_g, dims[0]
    else:
        weight = -(-total // n)
        length, width, height = max(dims, key=lambda d: d[0] * d[1] * d[2])
    return Parcel(
        weight_g=weight,
        length_mm=length,
        width_mm=width,
        height_mm=height,
        country=country,
        postcode=postcode,
        city=city,
        declared_value=declared_value,
        battery=battery,
        liquid=liquid,
        magnet=magnet,
        pieces=n,
        received_on=on_date,
        shipped_on=on_date,
    )


def parcel_of(
    data: WaybillInput,
    *,
    pieces: Sequence[PieceInput] | None = None,
    on_date: dt.date | None = None,
) -> Parcel:
    c = data.consignee
    return parcel_for(
        pieces or data.pieces,
        country=c["country"],
        postcode=c.get("postcode", ""),
        city=c.get("city", ""),
        declared_value=Money.of(data.declared_value, data.declared_currency),
        battery=data.flag("battery"),
        liquid=data.flag("liquid"),
        magnet=data.flag("magnet"),
        on_date=on_date or timezone.localdate(),
    )


class Pricer:
    """The customer's open channels compiled once, for quoting many parcels (a batch)."""

    def __init__(self, customer: CustomerAccount, channels: Sequence[Channel] | None = None):
        self.customer = customer
        chans = list(channels) if channels is not None else open_channels(customer)
        self.names = {ch.code: ch.name for ch in chans}
        compiled = rates.compiled_channels([ch.pk for ch in chans], active_only=False)
        self.compiled: dict[str, CompiledChannel] = {c.cfg.code: c for c in compiled}
        # the rows compiled, by code: a waybill written on an offer links to its channel
        # without reading it again
        self.channels: dict[str, Channel] = {
            ch.code: ch for ch in chans if ch.code in self.compiled
        }
        self.levels = customer.sheet_levels

    def offer(self, ch: CompiledChannel, parcel: Parcel, on: dt.date | None = None) -> Offer:
        on = on or timezone.localdate()
        level = ch.first_level_with_sheet(SHEET_SALE, self.levels, on)
        priced = quote_priced(ch, parcel, level=level, on_date=on)
        return Offer(ch.cfg.code, self.names.get(ch.cfg.code, ch.cfg.code), priced, level)

    def offers(self, parcel: Parcel, on: dt.date | None = None) -> list[Offer]:
        """Every open channel, cheapest accepting first, then the refusals by code."""
        on = on or timezone.localdate()
        found = [self.offer(ch, parcel, on) for ch in self.compiled.values()]
        return sorted(
            found,
            key=lambda o: (not o.ok, o.price.amount if o.ok and o.price else 0, o.channel_code),
        )


def offers(customer: CustomerAccount, parcel: Parcel) -> list[Offer]:
    return Pricer(customer).offers(parcel)
