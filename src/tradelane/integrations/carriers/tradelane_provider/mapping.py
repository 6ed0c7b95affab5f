"""Pure mapping between our carrier contract and a Tradelane provider's open API.

We keep grams, millimetres and ``Money``; the open API speaks kg and cm as decimal strings
and money as ``{"amount": "12.30", "currency": "USD"}`` (the contract: the provider API's
documentation, "The provider's open push API"). Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tradelane.core.errors import DomainError
from tradelane.core.money import Money
from tradelane.logistics.carriers import contract as g
from tradelane.logistics.tracking import codes as tc

# the provider's waybill statuses -> our tracking statuses (what the status means for the
# parcel: "received" is the hub's inbound scan, so the provider has it)
WAYBILL_STATUS = {
    "created": tc.INFO_RECEIVED,
    "received": tc.PICKED_UP,
    "held": tc.EXCEPTION,
    "in_transit": tc.IN_TRANSIT,
    "delivered": tc.DELIVERED,
    "returned": tc.RETURNED,
    "cancelled": tc.EXCEPTION,
}
PENDING = "pending"


def kg(grams: int) -> str:
    """Integer grams as a kg decimal string: 1250 -> "1.25"."""
    value = (Decimal(int(grams)) / 1000).normalize()
    return format(value, "f")


def cm(millimetres: int) -> str:
    value = (Decimal(int(millimetres)) / 10).normalize()
    return format(value, "f")


def grams(kilograms: Any) -> int | None:
    """A kg value from the API as integer grams (rounded up: a provider never weighs less)."""
    if kilograms in (None, ""):
        return None
    try:
        value = Decimal(str(kilograms)) * 1000
    except InvalidOperation:
        return None
    return int(value.to_integral_value(rounding="ROUND_CEILING"))


def money(data: Any) -> Money | None:
    if not isinstance(data, dict) or data.get("amount") in (None, "") or not data.get("currency"):
        return None
    try:
        return Money.of(Decimal(str(data["amount"])), str(data["currency"]))
    except (InvalidOperation, ValueError, DomainError):
        return None


def _piece(p: g.PieceSpec) -> dict[str, str]:
    out = {"weight_kg": kg(p.weight_g)}
    if p.length_mm and p.width_mm and p.height_mm:
        out.update(length_cm=cm(p.length_mm), width_cm=cm(p.width_mm), height_cm=cm(p.height_mm))
    return out


def party(a: g.PartyAddress) -> dict[str, str]:
    return {
        "name": a.name, "company": a.company, "phone": a.phone, "email": a.email,
        "address1": a.address1, "address2": a.address2, "city": a.city, "state": a.state,
        "postcode": a.postcode, "country": a.country,
    }  # fmt: skip


def quote_body(req: g.RateRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "consignee": {"country": req.recipient.country, "postcode": req.recipient.postcode,
                      "city": req.recipient.city},
        "pieces": [_piece(p) for p in req.pieces],
    }  # fmt: skip
    if req.declared_value is not None:
        body["declared_value"] = str(req.declared_value.amount)
        body["declared_currency"] = req.declared_value.currency
    return body


def rate_results(data: Any, service_code: str = "") -> list[g.RateResult]:
    """The accepting offers, cheapest first as the provider orders them (refusals dropped);
    only the channel asked for when ``service_code`` names one."""
    out = []
    for offer in (data or {}).get("offers") or []:
        total = money(offer.get("price"))
        if not offer.get("ok") or total is None:
            continue
        channel = str(offer.get("channel") or "")
        if service_code and channel != service_code:
            continue
        charges = tuple(
            (str(c.get("code") or ""), m)
            for c in offer.get("charges") or []
            if (m := money(c)) is not None
        )
        out.append(
            g.RateResult(
                service_code=channel, total=total, charges=charges,
                transit_days=offer.get("transit_days_max") or offer.get("transit_days_min"),
            )
        )  # fmt: skip
    return out


def _item(line: g.CustomsLine) -> dict[str, Any]:
    return {
        "name_en": line.description, "name_zh": line.description_zh, "quantity": line.quantity,
        "unit_value": str(line.unit_value.amount), "currency": line.unit_value.currency,
        "unit_weight_kg": kg(line.weight_g), "hs_code": line.hs_code,
        "origin": line.origin_country, "sku": line.sku,
    }  # fmt: skip


def waybill_body(req: g.LabelRequest) -> dict[str, Any]:
    """``POST /provider/waybills`` with one waybill: our shipment number is its reference."""
    waybill: dict[str, Any] = {
        "reference": req.reference,
        "consignee": party(req.recipient),
        "shipper": party(req.shipper),
        "pieces": [_piece(p) for p in req.pieces],
        "items": [_item(line) for line in req.lines],
        "incoterm": req.incoterm or "DDU",
        "ioss": req.ioss_number,
        "vat_number": req.vat_number,
        "eori": req.eori_number,
    }
    if req.service_code:
        waybill["channel"] = req.service_code
    # one waybill: "all or nothing" would change nothing (and the open API's service refuses
    # every batch sent with it, valid or not, when one is still to be written)
    return {"waybills": [waybill], "all_or_nothing": False}


@dataclass(frozen=True, slots=True)
class WaybillView:
    """What we read of a provider's waybill (the open API's ``Waybill``)."""

    number: str
    reference: str
    status: str
    tracking_number: str
    tracking_pending: bool
    last_mile_carrier: str
    last_mile_number: str
    price: Money | None
    chargeable_weight_g: int | None


def waybill_view(data: dict[str, Any]) -> WaybillView:
    return WaybillView(
        number=str(data.get("number") or ""),
        reference=str(data.get("reference") or ""),
        status=str(data.get("status") or ""),
        tracking_number=str(data.get("tracking_number") or ""),
        tracking_pending=data.get("tracking_status") == PENDING or not data.get("tracking_number"),
        last_mile_carrier=str(data.get("last_mile_carrier") or ""),
        last_mile_number=str(data.get("last_mile_number") or ""),
        price=money(data.get("price")),
        chargeable_weight_g=grams(data.get("chargeable_weight_kg")),
    )


def created_item(data: Any) -> dict[str, Any]:
    """The one item of a creation answer; a rejected one raises ``CarrierError``."""
    items = (data or {}).get("items") or []
    if len(items) != 1 or not isinstance(items[0], dict):
        raise g.CarrierError("The provider's answer has no waybill", code="carrier_no_label")
    item = items[0]
    if item.get("result") == "rejected" or not item.get("number"):
        errors = item.get("errors") or []
        text = "; ".join(f"{e.get('field') or ''}: {e.get('message') or e.get('code')}"
                         for e in errors) or "rejected"  # fmt: skip
        raise g.CarrierError(
            f"The provider refused the waybill: {text}",
            code="carrier_refused",
            details={"errors": errors, "carrier_code": (errors[0].get("code") if errors else "")},
        )
    return item


def label_result(w: WaybillView, label: bytes, label_format: str) -> g.LabelResult:
    return g.LabelResult(
        tracking_number=w.tracking_number,
        label=label,
        label_format=label_format,
        carrier_shipment_id=w.number,
        meta={"provider_number": w.number, "last_mile_carrier": w.last_mile_carrier,
              "last_mile_number": w.last_mile_number},
        charge=w.price,
    )  # fmt: skip


def pending_result(w: WaybillView) -> g.LabelResult:
    return g.LabelResult(
        tracking_number="", label=b"", label_format="PDF", carrier_shipment_id=w.number,
        meta={"provider_number": w.number}, number_pending=True, charge=w.price,
    )  # fmt: skip


def parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def track_event(e: dict[str, Any]) -> g.TrackEvent | None:
    when = parse_time(e.get("occurred_at"))
    if when is None:
        return None
    status = str(e.get("status") or "")
    return g.TrackEvent(
        occurred_at=when,
        status=status if status in tc.STATUSES else tc.UNKNOWN,
        raw_code=status[:64],
        raw_text=str(e.get("description") or "")[:500],
        location=str(e.get("location") or "")[:200],
    )


def track_result(number: str, data: dict[str, Any]) -> g.TrackResult:
    """``GET .../tracking`` as our result for ``number`` (the number we asked about)."""
    events = tuple(ev for e in data.get("events") or [] if (ev := track_event(e)) is not None)
    return g.TrackResult(
        tracking_number=number,
        events=events,
        delivered=data.get("status") == "delivered",
        last_mile_carrier=str(data.get("last_mile_carrier") or ""),
        last_mile_tracking_number=str(data.get("last_mile_number") or ""),
    )


def picked_up_event(occurred_at: dt.datetime, number: str) -> g.TrackEvent:
    """A ``waybill.picked_up`` webhook: the provider's driver has the parcel."""
    return g.TrackEvent(
        occurred_at=occurred_at, status=tc.PICKED_UP, raw_code="waybill.picked_up",
        raw_text=f"Provider waybill {number}: picked up by the provider's driver",
    )  # fmt: skip


# a problem's outcome at the provider's hub as the seller's tracking code
PROBLEM_OUTCOME_STATUS = {
    "released": tc.IN_TRANSIT, "rerouted": tc.IN_TRANSIT, "returned": tc.RETURNING,
    "destroyed": tc.EXCEPTION,
}  # fmt: skip


def problem_event(
    event: str, occurred_at: dt.datetime, number: str, changes: dict[str, Any]
) -> g.TrackEvent | None:
    """A ``waybill.problem_opened`` webhook is an exception on our shipment (the seller's
    customer service sees it in the exception queue); ``waybill.problem_resolved`` says how
    the hub settled it. None when the body carries no problem."""
    problem = changes.get("problem") if isinstance(changes, dict) else None
    if not isinstance(problem, dict):
        return None
    reason = str(problem.get("reason") or "")[:40]
    note = str(problem.get("note") or "")[:300]
    if event == "waybill.problem_opened":
        status, text = tc.EXCEPTION, f"Provider waybill {number}: problem at the hub ({reason})"
    else:
        outcome = str(problem.get("outcome") or "")
        status = PROBLEM_OUTCOME_STATUS.get(outcome, tc.EXCEPTION)
        text = f"Provider waybill {number}: problem ({reason}) settled: {outcome or '?'}"
    return g.TrackEvent(
        occurred_at=occurred_at, status=status, raw_code=event[:64],
        raw_text=(f"{text}: {note}" if note else text)[:500],
    )  # fmt: skip


def status_event(status: str, occurred_at: dt.datetime, number: str) -> g.TrackEvent | None:
    """The event a ``waybill.status_changed`` webhook means (None for a status we ignore)."""
    ours = WAYBILL_STATUS.get(status)
    if ours is None:
        return None
    return g.TrackEvent(
        occurred_at=occurred_at, status=ours, raw_code=f"waybill.{status}"[:64],
        raw_text=f"Provider waybill {number}: {status}",
    )  # fmt: skip
