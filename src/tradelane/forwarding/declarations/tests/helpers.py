"""Received waybills to declare: a US line parcel with two goods lines, EU and UK parcels."""

from __future__ import annotations

from tradelane.forwarding.tests.factories import payload
from tradelane.forwarding.waybills import services as waybills

TWO_ITEMS = [
    {"name_en": "Cotton T-shirt", "name_zh": "棉T恤", "quantity": 2, "unit_value": "12.50",
     "currency": "USD", "hs_code": "610910", "origin": "CN"},
    {"name_en": "Ceramic mug", "name_zh": "陶瓷杯", "quantity": 1, "unit_value": "5.00",
     "currency": "USD", "hs_code": "691200", "origin": "CN"},
]  # fmt: skip
DE = {"name": "Max Muster", "phone": "+49 30 1234567", "address1": "Unter den Linden 1",
      "city": "Berlin", "postcode": "10117", "country": "DE"}  # fmt: skip
GB = {"name": "John Smith", "phone": "+44 20 7946 0958", "address1": "10 Downing Street",
      "city": "London", "postcode": "SW1A 2AA", "country": "GB"}  # fmt: skip


def received(p, reference: str, *, weight_g: int = 1500, **over):
    """A waybill of ACME, scanned in at the hub at ``weight_g``."""
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload(reference, **over))
    return waybills.receive(p.hub, w, weight_g=weight_g)


def items_in(currency: str, *lines):
    """Goods lines ``(name_en, quantity, unit_value, hs_code)`` in ``currency``."""
    return [{"name_en": n, "quantity": q, "unit_value": v, "currency": currency,
             "hs_code": hs, "origin": "CN"} for n, q, v, hs in lines]  # fmt: skip
