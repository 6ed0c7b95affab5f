"""Pure functions: our gateway dataclasses <-> karrio's unified models, and karrio tracking
statuses / carriers' raw event codes -> our ``logistics.tracking.codes``. No I/O here."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from tradelane.core.money import Money
from tradelane.logistics.carriers import contract as g
from tradelane.logistics.tracking import codes as tc

from .karrio_tls import models as km

# karrio's normalized TrackingStatus names -> ours
KARRIO_STATUS = {
    "pending": tc.INFO_RECEIVED,
    "picked_up": tc.PICKED_UP,
    "in_transit": tc.IN_TRANSIT,
    "on_hold": tc.EXCEPTION,
    "cancelled": tc.EXCEPTION,
    "delivered": tc.DELIVERED,
    "delivery_failed": tc.DELIVERY_FAILED,
    "delivery_delayed": tc.DELAYED,
    "out_for_delivery": tc.OUT_FOR_DELIVERY,
    "ready_for_pickup": tc.AVAILABLE_FOR_PICKUP,
    "return_to_sender": tc.RETURNING,
    "unknown": tc.UNKNOWN,
}

# Raw carrier codes whose meaning is finer than karrio's status (customs, damage, returns).
RAW_CODES: dict[str, dict[str, str]] = {
    "fedex": {
        "CD": tc.CUSTOMS,
        "CC": tc.CUSTOMS_RELEASED,
        "RS": tc.RETURNING,
        "DE": tc.DELIVERY_FAILED,
        "SE": tc.EXCEPTION,
    },  # fmt: skip
    "ups": {},  # karrio maps UPS activity types (M, P, I, X, O, D, RS) well enough
    "dhl_express": {
        "PU": tc.PICKED_UP,
        "PL": tc.IN_TRANSIT,
        "DF": tc.IN_TRANSIT,
        "AF": tc.IN_TRANSIT,
        "AR": tc.IN_TRANSIT,
        "CD": tc.CUSTOMS,
        "CR": tc.CUSTOMS_RELEASED,
        "WC": tc.OUT_FOR_DELIVERY,
        "NH": tc.DELIVERY_FAILED,
        "RT": tc.RETURNING,
        "DM": tc.DAMAGED,
        "OK": tc.DELIVERED,
    },
    "usps_international": {
        "GX": tc.INFO_RECEIVED,
        "MA": tc.INFO_RECEIVED,
        "03": tc.PICKED_UP,
        "10": tc.IN_TRANSIT,
        "SF": tc.IN_TRANSIT,
        "T1": tc.IN_TRANSIT,
        "TL": tc.IN_TRANSIT,
        "A1": tc.IN_TRANSIT,
        "07": tc.IN_TRANSIT,
        "OF": tc.OUT_FOR_DELIVERY,
        "01": tc.DELIVERED,
        "02": tc.DELIVERY_FAILED,
        "04": tc.RETURNING,
        "05": tc.DELIVERY_FAILED,
    },  # fmt: skip
}

CARRIER_REFERENCE_MAX = 35  # the shortest customer-reference field of the four carriers


def carrier_reference(idempotency_key: str) -> str:
    """The idempotency key as the carrier's customer reference (short enough for all four)."""
    key = idempotency_key.strip()
    if len(key) <= CARRIER_REFERENCE_MAX and key.isascii():
        return key
    return "TL" + hashlib.sha256(key.encode()).hexdigest()[:30]


def address(a: g.PartyAddress) -> km.Address:
    return km.Address(
        person_name=a.name,
        company_name=a.company or None,
        address_line1=a.address1,
        address_line2=a.address2 or None,
        city=a.city,
        postal_code=a.postcode or None,
        state_code=a.state or None,
        country_code=a.country,
        phone_number=a.phone or None,
        email=a.email or None,
    )


def _kg(grams: int) -> float:
    return round(max(grams, 1) / 1000, 3)


def _cm(mm: int) -> float | None:
    return round(mm / 10, 1) if mm else None


def parcel(p: g.PieceSpec, reference: str = "") -> km.Parcel:
    return km.Parcel(
        weight=_kg(p.weight_g),
        weight_unit="KG",
        length=_cm(p.length_mm),
        width=_cm(p.width_mm),
        height=_cm(p.height_mm),
        dimension_unit="CM",
        reference_number=reference or None,
    )


def customs(req: g.LabelRequest) -> km.Customs | None:
    if not req.lines:
        return None
    currency = req.lines[0].unit_value.currency
    return km.Customs(
        commodities=[
            km.Commodity(
                sku=line.sku or None,
                title=line.description[:35],
                description=line.description,
                quantity=line.quantity,
                hs_code=line.hs_code or None,
                weight=_kg(line.weight_g),
                weight_unit="KG",
                value_amount=float(line.unit_value.amount),
                value_currency=line.unit_value.currency,
                origin_country=line.origin_country,
            )
            for line in req.lines
        ],
        content_type="merchandise" if req.customs_category == "sale_of_goods" else "gift",
        incoterm="DDP" if req.incoterm == "DDP" else "DDU",
        duty=km.Duty(
            paid_by="sender" if req.incoterm == "DDP" else "recipient",
            currency=currency,
            declared_value=float(req.declared_value.amount) if req.declared_value else None,
        ),
        options={
            k: v
            for k, v in (
                ("ioss", req.ioss_number),
                ("vat_registration_number", req.vat_number),
                ("eori_number", req.eori_number),
            )  # fmt: skip
            if v
        },
    )


def rate_request(req: g.RateRequest) -> km.RateRequest:
    return km.RateRequest(
        shipper=address(req.shipper),
        recipient=address(req.recipient),
        parcels=[parcel(p) for p in req.pieces],
        services=[req.service_code] if req.service_code else [],
    )


def shipment_request(req: g.LabelRequest) -> km.ShipmentRequest:
    ref = carrier_reference(req.idempotency_key)
    return km.ShipmentRequest(
        service=req.service_code,
        shipper=address(req.shipper),
        recipient=address(req.recipient),
        parcels=[parcel(p, ref) for p in req.pieces],
        customs=customs(req),
        payment=km.Payment(paid_by="sender"),
        reference=ref,
        label_type="ZPL" if req.label_format == "ZPL" else "PDF",
        metadata={"tradelane_reference": req.reference},
    )


def _money(amount: Any, currency: str) -> Money:
    return Money.of(Decimal(str(amount or 0)), currency)


def rate_result(r: km.RateDetails) -> g.RateResult:
    currency = r.currency or "USD"
    return g.RateResult(
        service_code=r.service,
        total=_money(r.total_charge, currency),
        transit_days=r.transit_days,
        charges=tuple(
            (c.name or "", _money(c.amount, c.currency or currency))
            for c in (r.extra_charges or [])
            if c.amount is not None
        ),
    )


def label_result(s: km.ShipmentDetails, label: bytes, label_format: str) -> g.LabelResult:
    meta = s.meta or {}
    # karrio-mydhl names the pieces' numbers "package_tracking_numbers"
    pieces = tuple(meta.get("tracking_numbers") or meta.get("package_tracking_numbers") or ())
    return g.LabelResult(
        tracking_number=s.tracking_number,
        label=label,
        label_format=label_format,
        carrier_shipment_id=s.shipment_identifier or s.tracking_number,
        piece_tracking_numbers=pieces,
        meta={"carrier": s.carrier_name},
    )


def status_for(carrier: str, raw_code: str, karrio_status: str | None) -> str:
    by_code = RAW_CODES.get(carrier, {}).get((raw_code or "").strip())
    if by_code:
        return by_code
    return KARRIO_STATUS.get(karrio_status or "unknown", tc.UNKNOWN)


def _when(e: km.TrackingEvent) -> dt.datetime:
    if e.timestamp:
        try:
            return dt.datetime.fromisoformat(e.timestamp.replace("Z", "+00:00"))
        except ValueError:
            pass
    day = e.date or "1970-01-01"
    clock = (e.time or "00:00").replace(" ", "")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %I:%M%p"):
        try:
            when = dt.datetime.strptime(f"{day} {clock}", fmt)
            return when.replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return dt.datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=dt.UTC)


def track_event(carrier: str, e: km.TrackingEvent) -> g.TrackEvent:
    when = _when(e)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return g.TrackEvent(
        occurred_at=when,
        status=status_for(carrier, e.code or "", e.status),
        raw_code=e.code or "",
        raw_text=e.description or "",
        location=e.location or "",
    )


def track_result(carrier: str, t: km.TrackingDetails) -> g.TrackResult:
    events = tuple(sorted((track_event(carrier, e) for e in t.events or []),
                          key=lambda e: e.occurred_at))  # fmt: skip
    estimated = None
    if t.estimated_delivery:
        try:
            estimated = dt.date.fromisoformat(t.estimated_delivery[:10])
        except ValueError:
            estimated = None
    delivered = bool(t.delivered) or any(e.status == tc.DELIVERED for e in events)
    return g.TrackResult(
        tracking_number=t.tracking_number,
        events=events,
        delivered=delivered,
        estimated_delivery=estimated,
    )
