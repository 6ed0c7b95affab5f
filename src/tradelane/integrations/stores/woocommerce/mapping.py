"""Pure mapping between WooCommerce REST v3 shapes (the order resource, which webhooks carry
too) and the platform-neutral order of ``contract.py``; tracking for the tracking plugins' route
and order notes. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..wire_formats import decimal_text, parse_time, unit_price, utc_cursor

# WooCommerce order status -> orders.PaymentStatus
PAYMENT = {
    "pending": "pending",  # awaiting payment
    "on-hold": "pending",  # awaiting confirmation (bank transfer, ...)
    "checkout-draft": "pending",
    "processing": "paid",
    "completed": "paid",
    "cancelled": "voided",
    "failed": "voided",
    "refunded": "refunded",
    "trash": "voided",
}
CANCELLED = frozenset({"cancelled", "trash"})
# The REST namespace of the tracking plugins (WooCommerce Shipment Tracking, and Advanced
# Shipment Tracking, which serves the same route): core WooCommerce has no tracking field.
TRACKING_NAMESPACE = "wc-shipment-tracking/v3"


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def gmt(value: Any) -> str | None:
    """``date_modified_gmt`` ("2017-03-22T19:28:08", no offset) -> ISO 8601 with +00:00."""
    moment = parse_time(_s(value))
    return moment.astimezone(UTC).isoformat() if moment else None


def cursor_of(order: dict) -> str:
    moment = parse_time(_s(order.get("date_modified_gmt")))
    return utc_cursor(moment) if moment else ""


def _address(addr: dict | None) -> dict:
    addr = addr or {}
    name = " ".join(p for p in (_s(addr.get("first_name")).strip(),
                                _s(addr.get("last_name")).strip()) if p)  # fmt: skip
    return {
        "name": name,
        "company": _s(addr.get("company")),
        "address1": _s(addr.get("address_1")),
        "address2": _s(addr.get("address_2")),
        "city": _s(addr.get("city")),
        "state": _s(addr.get("state")),
        "postcode": _s(addr.get("postcode")),
        "country": _s(addr.get("country")),
        "phone": _s(addr.get("phone")),
    }


def _payment(order: dict) -> str:
    status = _s(order.get("status"))
    payment = PAYMENT.get(status, "pending")
    if payment == "paid" and order.get("refunds"):
        return "partially_refunded"
    return payment


def from_rest(order: dict) -> dict:
    """A REST v3 order (``GET /orders/<id>``, a page of ``GET /orders``, or an ``order.*``
    webhook body) -> neutral order."""
    billing = _address(order.get("billing"))
    shipping = _address(order.get("shipping"))
    if not shipping["address1"]:  # nothing to ship to given: the billing address
        shipping = {**billing, "phone": shipping["phone"] or billing["phone"]}
    shipping["name"] = shipping["name"] or billing["name"]
    shipping["phone"] = shipping["phone"] or _s((order.get("billing") or {}).get("phone"))
    lines = []
    items_total = Decimal("0")
    for item in order.get("line_items") or []:
        qty = int(item.get("quantity") or 0)
        sku = _s(item.get("sku")).strip()
        if not sku:
            pid, vid = item.get("product_id") or 0, item.get("variation_id") or 0
            sku = f"woocommerce-{pid}-{vid}" if vid else f"woocommerce-{pid}"
        subtotal = decimal_text(item.get("subtotal")) or "0"
        items_total += Decimal(subtotal)
        lines.append(
            {
                "store_sku": sku,
                "title": _s(item.get("name")),
                "quantity": qty,
                "unit_price": unit_price(subtotal, qty),
            }
        )
    status = _s(order.get("status"))
    return {
        "external_id": _s(order.get("id")),
        "number": _s(order.get("number")),
        "placed_at": gmt(order.get("date_created_gmt")),
        "platform_updated_at": gmt(order.get("date_modified_gmt")),
        "cancelled": status in CANCELLED,
        "platform_status": status,
        "currency": _s(order.get("currency")),
        "payment_status": _payment(order),
        "buyer": {
            "name": billing["name"],
            "email": _s((order.get("billing") or {}).get("email")),
            "phone": billing["phone"],
        },
        "shipping_address": shipping,
        "totals": {
            "items": str(items_total),
            "shipping": decimal_text(order.get("shipping_total")),
            "tax": decimal_text(order.get("total_tax")),
            "discount": decimal_text(order.get("discount_total")),
            "grand": decimal_text(order.get("total")),
        },
        "lines": lines,
        "note": _s(order.get("customer_note")),
    }


# --- tracking -------------------------------------------------------------------------------


def plugin_tracking(
    company: str, number: str, url: str, shipped: datetime, *, replace: bool = False
) -> dict:
    """The body of ``POST /wc-shipment-tracking/v3/orders/<id>/shipment-trackings`` that both
    plugins take: Shipment Tracking shows ``custom_tracking_provider`` and its link (our carrier
    is rarely one it lists); Advanced Shipment Tracking needs ``tracking_provider`` to name a
    provider enabled in the shop and reads ``status_shipped`` (1: mark the order shipped) and
    ``replace_tracking``; each ignores the other's fields."""
    return {
        "tracking_provider": company,
        "custom_tracking_provider": company,
        "custom_tracking_link": url,
        "tracking_number": number,
        "date_shipped": shipped.strftime("%Y-%m-%d"),
        "status_shipped": 1,
        "replace_tracking": 1 if replace else 0,
    }


def has_tracking(items: list[dict] | None, number: str) -> bool:
    return any(number and _s(i.get("tracking_number")) == number for i in items or [])


def tracking_note(company: str, number: str, url: str, *, update: bool = False) -> str:
    head = "Tracking updated" if update else "Shipped"
    text = f"{head}: {company} {number}".strip()
    return f"{text} {url}".strip() if url else text


def has_note_for(notes: list[dict], number: str) -> bool:
    return any(number and number in _s(n.get("note")) for n in notes or [])


# --- stock ----------------------------------------------------------------------------------


def stock_target(item_id: str) -> tuple[int, int | None]:
    """A platform inventory item id: "<product id>" or "<product id>:<variation id>"."""
    text = _s(item_id).replace("/", ":")
    parent, _, variation = text.partition(":")
    return int(parent), (int(variation) if variation else None)
