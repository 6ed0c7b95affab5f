"""Pure mapping between Amazon SP-API shapes and the platform-neutral order of
``contract.py``: Orders API v2026-01-01 orders in, the v0 ``confirmShipment`` body and the
Listings Items ``patchListingsItem`` body out. No I/O here.

Shapes: the published models (amzn/selling-partner-api-models,
models/orders-api-model/orders_2026-01-01.json and ordersV0.json,
models/listings-items-api-model/listingsItems_2021-08-01.json);
https://developer-docs.amazon.com/sp-api/docs/orders-api-migration-guide
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..wire_formats import decimal_text

# v2026-01-01 fulfillment.fulfillmentStatus -> orders.PaymentStatus
PAYMENT = {
    "PENDING_AVAILABILITY": "pending",  # pre-order, not yet chargeable
    "PENDING": "pending",  # payment not yet authorized: do not ship
    "UNSHIPPED": "paid",
    "PARTIALLY_SHIPPED": "paid",
    "SHIPPED": "paid",
    "CANCELLED": "voided",
    "UNFULFILLABLE": "voided",
}
NOT_YET = frozenset({"PENDING", "PENDING_AVAILABILITY"})
# A few of Amazon's carrier codes; any other carrier is sent as "Other" with its name.
CARRIERS = {c.lower(): c for c in ("USPS", "UPS", "FedEx", "DHL", "Royal Mail", "China Post")}
# The merchant-fulfilled channel of a listing's fulfillment_availability (Listings Items:
# fulfillment_channel_code "DEFAULT"; FBA channels such as AMAZON_NA are Amazon's stock).
MERCHANT_CHANNEL = "DEFAULT"


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _amount(money: Any) -> Decimal:
    if isinstance(money, dict):
        return Decimal(decimal_text(money.get("amount")) or "0")
    return Decimal("0")


def status_of(order: dict) -> str:
    return _s((order.get("fulfillment") or {}).get("fulfillmentStatus"))


def is_fba(order: dict) -> bool:
    return _s((order.get("fulfillment") or {}).get("fulfilledBy")) == "AMAZON"


def marketplace_of(order: dict) -> str:
    return _s((order.get("salesChannel") or {}).get("marketplaceId"))


def wanted(order: dict) -> bool:
    """FBA orders are recorded once Amazon has taken them on (not while payment is pending);
    merchant-fulfilled ones are imported in every state (a pending one waits in review)."""
    return not (is_fba(order) and status_of(order) in NOT_YET)


def _address(addr: dict | None, *, fba: bool) -> dict:
    addr = addr or {}
    lines = [_s(addr.get(k)).strip() for k in ("addressLine1", "addressLine2", "addressLine3")]
    lines = [line for line in lines if line]
    out = {
        "name": _s(addr.get("name")),
        "company": _s(addr.get("companyName")),
        "address1": lines[0] if lines else "",
        "address2": ", ".join(lines[1:]),
        "city": _s(addr.get("city")),
        "state": _s(addr.get("stateOrRegion")),
        "postcode": _s(addr.get("postalCode")),
        "country": _s(addr.get("countryCode")),
        "phone": _s(addr.get("phone")),
    }
    if fba:  # Amazon ships it and may withhold the buyer's details: never shipped from here
        out["name"] = out["name"] or "Amazon buyer"
        out["address1"] = out["address1"] or "(fulfilled by Amazon)"
    return out


def item_sku(item: dict) -> str:
    product = item.get("product") or {}
    return _s(product.get("sellerSku")).strip() or f"amazon-{_s(product.get('asin'))}"


def _proceeds(items: list[dict], kind: str) -> Decimal:
    return sum(
        (_amount(b.get("subtotal")) for i in items
         for b in (i.get("proceeds") or {}).get("breakdowns") or [] if b.get("type") == kind),
        Decimal("0"),
    )  # fmt: skip


def from_sp(order: dict) -> dict:
    """A v2026-01-01 ``Order`` (searchOrders / getOrder with the FULFILLMENT, BUYER,
    RECIPIENT and PROCEEDS datasets; its ``orderItems`` always included) -> neutral order.

    A merchant-fulfilled order whose address Amazon does not give (the app lacks the
    Direct-to-Consumer Delivery role) keeps it empty, so the import refuses it rather than
    ship to a made-up address."""
    fba = is_fba(order)
    status = status_of(order)
    items = order.get("orderItems") or []
    grand = (order.get("proceeds") or {}).get("grandTotal") or {}
    buyer = order.get("buyer") or {}
    address = _address((order.get("recipient") or {}).get("deliveryAddress"), fba=fba)
    lines = []
    for item in items:
        qty = int(item.get("quantityOrdered") or 0)
        if qty <= 0:
            continue
        product = item.get("product") or {}
        unit = ((product.get("price") or {}).get("unitPrice")) or {}
        lines.append(
            {
                "store_sku": item_sku(item),
                "title": _s(product.get("title"))[:300],
                "quantity": qty,
                "unit_price": decimal_text(unit.get("amount")) or "0",
            }
        )
    currency = _s(grand.get("currencyCode")) or next(
        (
            _s(u.get("currencyCode"))
            for i in items
            if (u := ((i.get("product") or {}).get("price") or {}).get("unitPrice"))
        ),
        "",
    )
    return {
        "external_id": _s(order.get("orderId")),
        "number": _s(order.get("orderId")),
        "placed_at": order.get("createdTime"),
        "platform_updated_at": order.get("lastUpdatedTime"),
        "cancelled": status == "CANCELLED",
        "platform_status": status,
        "currency": currency,
        "payment_status": PAYMENT.get(status, "pending"),
        "fulfilled_by_platform": fba,
        "buyer": {
            "name": _s(buyer.get("buyerName")) or address["name"],
            "email": _s(buyer.get("buyerEmail")),
            "phone": address["phone"],
        },
        "shipping_address": address,
        "totals": {
            "items": str(_proceeds(items, "ITEM")),
            "shipping": str(_proceeds(items, "SHIPPING")),
            "tax": str(_proceeds(items, "TAX")),
            "discount": str(abs(_proceeds(items, "DISCOUNT"))),  # proceeds carry it negative
            "grand": decimal_text(grand.get("amount")),
        },
        "lines": lines,
        "note": "",
    }


def package_reference(tracking_number: str) -> str:
    """A parcel's ``packageReferenceId``: "a seller-supplied identifier that uniquely identifies
    a package within the scope of an order. Only positive numeric values are supported"
    (ordersV0.json, PackageReferenceId). Derived from the parcel's first tracking number, so a
    retry names the same package and two parcels pushed at once never share one; a later
    number change keeps the reference the package already has on Amazon."""
    digest = int(hashlib.sha256(tracking_number.strip().encode()).hexdigest()[:15], 16)
    return str(digest % 10**12 or 1)


def package_rows(items: list[dict], lines: list[tuple[str, int]] | None) -> list[dict]:
    """The ``orderItems`` of a new package: the parcel's ``lines`` (store SKU, quantity), each
    capped to what is still unshipped of the matching items; all unshipped items without
    ``lines``. Needs the items' ``fulfillment`` (FULFILLMENT dataset)."""
    left = {}
    for item in items:
        f = item.get("fulfillment") or {}
        ordered = int(item.get("quantityOrdered") or 0)
        todo = f.get("quantityUnfulfilled")
        left[_s(item.get("orderItemId"))] = (
            int(todo) if todo is not None else ordered - int(f.get("quantityFulfilled") or 0)
        )
    rows: list[dict] = []
    if not lines:
        return [{"orderItemId": k, "quantity": n} for k, n in left.items() if n > 0]
    for sku, qty in lines:
        for item in items:
            if qty <= 0:
                break
            item_id = _s(item.get("orderItemId"))
            if item_sku(item) != sku or left[item_id] <= 0:
                continue
            take = min(qty, left[item_id])
            left[item_id] -= take
            qty -= take
            rows.append({"orderItemId": item_id, "quantity": take})
    return rows


def confirmation(
    marketplace_id: str,
    reference: str,
    rows: list[dict],
    company: str,
    number: str,
    shipped: datetime,
) -> dict:
    """The ``confirmShipment`` body (v0 ``ConfirmShipmentRequest``): one package."""
    code = CARRIERS.get(company.strip().lower())
    detail = {
        "packageReferenceId": reference,
        "carrierCode": code or "Other",
        "trackingNumber": number,
        "shipDate": shipped.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "orderItems": rows,
    }
    if code is None:
        detail["carrierName"] = company
    return {"marketplaceId": marketplace_id, "packageDetail": detail}


def quantity_patch(product_type: str, quantity: int) -> dict:
    """The ``patchListingsItem`` body that sets the merchant-fulfilled quantity: a JSON Patch
    ``merge`` of ``/attributes/fulfillment_availability`` (which leaves lead time and restock
    date as they are: https://developer-docs.amazon.com/sp-api/docs/merge-a-listing)."""
    return {
        "productType": product_type,
        "patches": [
            {
                "op": "merge",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": MERCHANT_CHANNEL, "quantity": quantity}],
            }
        ],
    }
