"""Customs declaration data per shipment, thresholds as dated configuration, IOSS/VAT/EORI.

- ``threshold(destination, kind, on_date)``: the ``CustomsThreshold`` in force (a country's own
  row first, then the EU's for a member state).
- ``customs_numbers(store_id, destination)``: the store's IOSS/VAT/EORI numbers for a
  destination: an exact country row wins over EU (member states), which wins over blank (all).
- ``decide(...)``: DDP or DDU and the numbers to send. An EU consignment whose intrinsic value
  is at most the IOSS threshold (EUR 150) and whose store has an IOSS number ships DDP under
  IOSS; a UK consignment up to the VAT-at-sale threshold (GBP 135) with the store's UK VAT
  number ships DDP (VAT charged at sale); otherwise DDU unless the rule says DDP.
- ``document_kind(...)``: which customs document: on postal channels a CN22 up to the CN22
  value and weight limits (300 SDR, 2 kg; the amount is configured in XDR, the ISO 4217 code
  of the SDR, and converted with ``core.fx``; with no XDR rate, ``SDR_IN_USD``),
  a CN23 above; a commercial invoice on express and line channels; none inside the EU's own
  customs territory is not modelled (we ship from CN).
- ``declaration(shipment)``: what a label, CN22/CN23 or invoice prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from tradelane.core.countries import EU_MEMBERS
from tradelane.core.fx import Rates
from tradelane.core.money import Money

from ..rates.descriptions import SERVICE_POSTAL
from .models import CustomsThreshold, StoreCustomsNumber

if TYPE_CHECKING:  # a declaration is drawn for a shipment; customs sits below shipping
    from ..shipping.models import Shipment

IOSS = "ioss"
VAT_AT_SALE = "vat_at_sale"
DE_MINIMIS = "de_minimis"
CN22 = "cn22"
EU_FLAT_DUTY = "eu_flat_duty"
KINDS = (IOSS, VAT_AT_SALE, DE_MINIMIS, CN22, EU_FLAT_DUTY)

# 1 SDR in USD when no XDR rate is kept (IMF, about 1.33-1.37 in 2024-2025; conservative)
SDR_IN_USD = Decimal("1.33")

DOC_NONE = "none"
DOC_CN22 = "cn22"
DOC_CN23 = "cn23"
DOC_INVOICE = "invoice"


def _destinations(country: str) -> list[str]:
    out = [country]
    if country in EU_MEMBERS:
        out.append("EU")
    out.append("")  # blank: every destination (the UPU's CN22 limit)
    return out


def threshold(destination: str, kind: str, on_date: dt.date | None = None):
    """The threshold in force on ``on_date`` (today by default), or None."""
    on = on_date or dt.date.today()
    rows = list(
        CustomsThreshold.objects.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on),
            destination__in=_destinations(destination),
            kind=kind,
            effective_from__lte=on,
        ).order_by("-effective_from")
    )
    for dest in _destinations(destination):  # the country's own row first
        for row in rows:
            if row.destination == dest:
                return row
    return None


def cn22_limit(on_date: dt.date | None = None) -> CustomsThreshold | None:
    """CN22 is a UPU rule, the same everywhere: configured with a blank destination."""
    return threshold("", CN22, on_date)


def customs_numbers(store_id: int | None, destination: str) -> dict[str, str]:
    if store_id is None:
        return {}
    rank = (
        {destination: 0, "EU": 1, "": 2} if destination in EU_MEMBERS else {destination: 0, "": 2}
    )
    best: dict[str, tuple[int, str]] = {}
    for dest, kind, number in StoreCustomsNumber.objects.filter(
        store_id=store_id, destination__in=list(rank)
    ).values_list("destination", "kind", "number"):
        r = rank[dest]
        if kind not in best or r < best[kind][0]:
            best[kind] = (r, number)
    return {k: v[1] for k, v in best.items()}


@dataclass(frozen=True, slots=True)
class Decision:
    incoterm: str  # DDP or DDU
    ioss_number: str = ""
    vat_number: str = ""
    eori_number: str = ""
    reason: str = ""


def decide(
    *,
    country: str,
    store_id: int | None,
    value: Money,
    on_date: dt.date | None = None,
    force_ddp: bool = False,
    rates: Rates | None = None,
) -> Decision:
    rates = rates or Rates()
    numbers = customs_numbers(store_id, country)
    eori = numbers.get("eori", "")
    if country in EU_MEMBERS:
        t = threshold(country, IOSS, on_date)
        ioss = numbers.get("ioss", "")
        if t is not None and ioss:
            conv = rates.convert(value, t.currency)  # cross rate through a pivot if need be
            if conv is not None and conv.amount <= t.amount:
                return Decision(
                    "DDP", ioss, numbers.get("vat", ""), eori,
                    f"IOSS: {conv} up to {t.amount} {t.currency}",
                )  # fmt: skip
    if country == "GB":
        t = threshold(country, VAT_AT_SALE, on_date)
        vat = numbers.get("vat", "")
        if t is not None and vat:
            conv = rates.convert(value, t.currency)  # cross rate through a pivot if need be
            if conv is not None and conv.amount <= t.amount:
                return Decision(
                    "DDP", "", vat, eori, f"UK VAT at sale: {conv} up to {t.amount} {t.currency}"
                )
    if force_ddp:
        return Decision("DDP", "", numbers.get("vat", ""), eori, "DDP by the shipping rule")
    return Decision("DDU", "", numbers.get("vat", ""), eori, "duties and taxes paid by the buyer")


def document_kind(
    service_type: str,
    value: Money,
    weight_g: int,
    on_date: dt.date | None = None,
    rates: Rates | None = None,
    limit: CustomsThreshold | None | object = ...,
) -> str:
    """``limit``: the CN22 threshold already looked up (batch callers look it up once per
    date); by default it is read for ``on_date``."""
    if service_type != SERVICE_POSTAL:
        return DOC_INVOICE
    t = cn22_limit(on_date) if limit is ... else limit
    if t is None:
        return DOC_CN23
    rates = rates or Rates()
    limit = t.amount
    conv = rates.convert(value, t.currency)
    if conv is None and t.currency == "XDR":  # no SDR rate kept: the documented USD equivalent
        conv, limit = rates.convert(value, "USD"), t.amount * SDR_IN_USD
    if conv is None:
        return DOC_CN23  # cannot prove it is under the limit
    if conv.amount > limit or (t.max_weight_g is not None and weight_g > t.max_weight_g):
        return DOC_CN23
    return DOC_CN22


def declaration(shipment: Shipment) -> dict:
    """The declaration of one shipment: per item and totals (weights in grams)."""
    items = []
    total_value = Decimal(0)
    total_weight = 0
    currency = shipment.declared_currency
    for it in shipment.items.all():
        value = it.unit_value * it.quantity
        total_value += value
        total_weight += it.weight_g * it.quantity
        currency = currency or it.currency
        items.append(
            {
                "name_zh": it.name_zh,
                "name_en": it.name_en,
                "hs_code": it.hs_code,
                "quantity": it.quantity,
                "unit_value": str(it.unit_value),
                "value": str(value),
                "currency": it.currency,
                "origin_country": it.origin_country,
                "weight_g": it.weight_g,
                "total_weight_g": it.weight_g * it.quantity,
                "battery": it.battery,
            }
        )
    return {
        "shipment": shipment.number,
        "destination": shipment.ship_country,
        "category": shipment.customs_category,
        "document": shipment.customs_document,
        "incoterm": shipment.incoterm,
        "ioss_number": shipment.ioss_number,
        "vat_number": shipment.vat_number,
        "eori_number": shipment.eori_number,
        "items": items,
        "total_value": str(total_value),
        "currency": currency,
        "total_weight_g": total_weight,
        "gross_weight_g": shipment.weight_g,
    }
