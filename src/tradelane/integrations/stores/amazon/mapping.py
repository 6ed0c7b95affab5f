"""Pure mapping between Amazon SP-API Orders v0 shapes and the platform-neutral order of
``contract.py``; the shipment confirmation body. No I/O here."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ..wire_formats import decimal_text, unit_price

# Amazon OrderStatus -> orders.PaymentStatus
PAYMENT = {
    "PendingAvailability": "pending",  # pre-order, not yet chargeable
    "Pending": "pending",  # payment not yet authorized: do not ship
    "Unshipped": "paid",
    "PartiallyShipped": "paid",
    "Shipped": "paid",
    "InvoiceUnconfirmed": "paid",
    "Canceled": "voided",
    "Unfulfillable": "voided",
}
NOT_YET = frozenset({"Pending", "PendingAvailability"})
# A few of Amazon's carrier codes; any other carrier is sent as "Other" with its name.
CARRIERS = {c.lower(): c for c in ("USPS", "UPS", "FedEx", "DHL", "Royal Mail", "China Post")}
PACKAGE_REFERENCE = "1"  # one package per order; the same id again updates its tracking


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _amount(money: Any) -> Decimal:
    if isinstance(money, dict):
        return Decimal(decimal_text(money.get("Amount")) or "0")
    return Decimal("0")


def _sum(items: list[dict], *keys: str) -> str:
    return str(sum((_amount(i.get(k)) for i in items for k in keys), Decimal("0")))


def is_fba(order: dict) -> bool:
    return _s(order.get("FulfillmentChannel")) == "AFN"


def wanted(order: dict) -> bool:
    """FBA orders are recorded once Amazon has taken them on (not while payment is pending);
    merchant-fulfilled ones are imported in every state (a pending one waits in review)."""
    return not (is_fba(order) and _s(order.get("OrderStatus")) in NOT_YET)


def _address(addr: dict | None, *, fba: bool) -> dict:
    addr = addr or {}
    lines = [_s(addr.get(k)).strip() for k in ("AddressLine1", "AddressLine2", "AddressLine3")]
    lines = [line for line in lines if line]
    out = {
        "name": _s(addr.get("Name")),
        "company": _s(addr.get("CompanyName")),
        "address1": lines[0] if lines else "",
        "address2": ", ".join(lines[1:]),
        "city": _s(addr.get("City")),
        "state": _s(addr.get("StateOrRegion")),
        "postcode": _s(addr.get("PostalCode")),
        "country": _s(addr.get("CountryCode")),
        "phone": _s(addr.get("Phone")),
    }
    if fba:  # Amazon ships it and may withhold the buyer's details: never shipped from here
        out["name"] = out["name"] or "Amazon buyer"
        out["address1"] = out["address1"] or "(fulfilled by Amazon)"
    return out


def from_sp(order: dict, items: list[dict]) -> dict:
    """An ``Order`` (getOrders / getOrder payload) and its ``OrderItems`` -> neutral order.

    A merchant-fulfilled order whose address Amazon withholds (no restricted data token) keeps
    it empty, so the import refuses it rather than ship to a made-up address."""
    fba = is_fba(order)
    status = _s(order.get("OrderStatus"))
    total = order.get("OrderTotal") or {}
    buyer = order.get("BuyerInfo") or {}
    address = _address(order.get("ShippingAddress"), fba=fba)
    lines = []
    for item in items:
        qty = int(item.get("QuantityOrdered") or 0)
        if qty <= 0:
            continue
        sku = _s(item.get("SellerSKU")).strip() or f"amazon-{_s(item.get('ASIN'))}"
        lines.append(
            {
                "store_sku": sku,
                "title": _s(item.get("Title"))[:300],
                "quantity": qty,
                # ItemPrice is the price of the whole line (unit price x quantity)
                "unit_price": unit_price(_amount(item.get("ItemPrice")), qty),
            }
        )
    currency = _s(total.get("CurrencyCode")) or next(
        (_s((i.get("ItemPrice") or {}).get("CurrencyCode")) for i in items if i.get("ItemPrice")),
        "",
    )
    return {
        "external_id": _s(order.get("AmazonOrderId")),
        "number": _s(order.get("AmazonOrderId")),
        "placed_at": order.get("PurchaseDate"),
        "platform_updated_at": order.get("LastUpdateDate"),
        "cancelled": status == "Canceled",
        "platform_status": status,
        "currency": currency,
        "payment_status": PAYMENT.get(status, "pending"),
        "fulfilled_by_platform": fba,
        "buyer": {
            "name": _s(buyer.get("BuyerName")) or address["name"],
            "email": _s(buyer.get("BuyerEmail")),
            "phone": address["phone"],
        },
        "shipping_address": address,
        "totals": {
            "items": _sum(items, "ItemPrice"),
            "shipping": _sum(items, "ShippingPrice"),
            "tax": _sum(items, "ItemTax", "ShippingTax"),
            "discount": _sum(items, "PromotionDiscount", "ShippingDiscount"),
            "grand": decimal_text(total.get("Amount")),
        },
        "lines": lines,
        "note": "",
    }


def confirmation(
    marketplace_id: str,
    items: list[dict],
    company: str,
    number: str,
    shipped: datetime,
    *,
    update: bool = False,
) -> dict:
    """The ``confirmShipment`` body: one package with the order's items still to ship (all of
    them when ``update``: the same package again, with new tracking)."""
    rows = []
    for item in items:
        ordered = int(item.get("QuantityOrdered") or 0)
        left = ordered if update else ordered - int(item.get("QuantityShipped") or 0)
        if left > 0:
            rows.append({"orderItemId": _s(item.get("OrderItemId")), "quantity": left})
    code = CARRIERS.get(company.strip().lower())
    detail = {
        "packageReferenceId": PACKAGE_REFERENCE,
        "carrierCode": code or "Other",
        "trackingNumber": number,
        "shipDate": shipped.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "orderItems": rows,
    }
    if code is None:
        detail["carrierName"] = company
    return {"marketplaceId": marketplace_id, "packageDetail": detail}
