"""Pure mapping between Shopify's shapes (GraphQL Admin API nodes, REST-shaped webhook
payloads) and the platform-neutral order of ``contract.py``. No I/O here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# Shopify financial status (REST lower case, GraphQL ``displayFinancialStatus`` upper case)
# -> orders.PaymentStatus
FINANCIAL = {
    "pending": "pending",
    "authorized": "authorized",
    "partially_paid": "pending",
    "paid": "paid",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
    "voided": "voided",
    "expired": "voided",
}

ORDER_GID = "gid://shopify/Order/"


def order_gid(external_id: str) -> str:
    return external_id if external_id.startswith("gid://") else ORDER_GID + external_id


def legacy_id(gid_or_id: Any) -> str:
    text = str(gid_or_id or "")
    return text.rsplit("/", 1)[-1]


def _money(node: Any) -> str | None:
    """``{"shopMoney": {"amount": "1.00"}}`` (GraphQL MoneyBag) -> "1.00"."""
    if isinstance(node, dict):
        shop = node.get("shopMoney") or node.get("shop_money") or {}
        amount = shop.get("amount")
        return None if amount is None else str(amount)
    return None


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _address(addr: dict | None, fallback_name: str) -> dict:
    addr = addr or {}
    name = _s(addr.get("name")).strip() or " ".join(
        p for p in (_s(addr.get("first_name")).strip(), _s(addr.get("last_name")).strip()) if p
    )
    return {
        "name": name or fallback_name,
        "company": _s(addr.get("company")),
        "address1": _s(addr.get("address1")),
        "address2": _s(addr.get("address2")),
        "city": _s(addr.get("city")),
        "state": _s(addr.get("provinceCode") or addr.get("province_code") or addr.get("province")),
        "postcode": _s(addr.get("zip")),
        "country": _s(addr.get("countryCodeV2") or addr.get("country_code")),
        "phone": _s(addr.get("phone")),
    }


def _payment(status: Any) -> str:
    return FINANCIAL.get(_s(status).lower(), "pending")


def from_graphql(node: dict) -> dict:
    """A GraphQL ``Order`` node (as ``queries.ORDER_FIELDS`` asks for it) -> neutral order."""
    customer = node.get("customer") or {}
    buyer_name = " ".join(
        p for p in (_s(customer.get("firstName")), _s(customer.get("lastName"))) if p
    )
    lines = []
    for item in (node.get("lineItems") or {}).get("nodes") or []:
        sku = _s(item.get("sku")).strip() or f"shopify-line-{legacy_id(item.get('id'))}"
        lines.append(
            {
                "store_sku": sku,
                "title": _s(item.get("title")),
                "quantity": int(item.get("quantity") or 0),
                "unit_price": _money(item.get("originalUnitPriceSet")) or "0",
            }
        )
    return {
        "external_id": legacy_id(node.get("legacyResourceId") or node.get("id")),
        "number": _s(node.get("name")),
        "placed_at": node.get("createdAt"),
        "platform_updated_at": node.get("updatedAt"),
        "cancelled": bool(node.get("cancelledAt")),
        "platform_status": _s(node.get("displayFinancialStatus")).lower(),
        "currency": _s(node.get("currencyCode")),
        "payment_status": _payment(node.get("displayFinancialStatus")),
        "buyer": {
            "name": buyer_name,
            "email": _s(
                node.get("email") or (customer.get("defaultEmailAddress") or {}).get("emailAddress")
            ),
            "phone": _s(
                node.get("phone") or (customer.get("defaultPhoneNumber") or {}).get("phoneNumber")
            ),
        },
        "shipping_address": _address(node.get("shippingAddress"), buyer_name),
        "totals": {
            "items": _money(node.get("subtotalPriceSet")),
            "shipping": _money(node.get("totalShippingPriceSet")),
            "tax": _money(node.get("totalTaxSet")),
            "discount": _money(node.get("totalDiscountsSet")),
            "grand": _money(node.get("totalPriceSet")),
        },
        "lines": lines,
        "note": _s(node.get("note")),
    }


def from_webhook(payload: dict) -> dict:
    """A REST-shaped order payload (orders/create, orders/updated, ...) -> neutral order."""
    customer = payload.get("customer") or {}
    buyer_name = " ".join(
        p for p in (_s(customer.get("first_name")), _s(customer.get("last_name"))) if p
    )
    lines = []
    for item in payload.get("line_items") or []:
        sku = _s(item.get("sku")).strip() or f"shopify-line-{_s(item.get('id'))}"
        lines.append(
            {
                "store_sku": sku,
                "title": _s(item.get("title")),
                "quantity": int(item.get("quantity") or 0),
                "unit_price": _s(item.get("price")) or "0",
            }
        )
    shipping = None
    shipping_set = payload.get("total_shipping_price_set")
    if shipping_set:
        shipping = _money(shipping_set)
    return {
        "external_id": _s(payload.get("id")),
        "number": _s(payload.get("name")),
        "placed_at": payload.get("created_at"),
        "platform_updated_at": payload.get("updated_at"),
        "cancelled": bool(payload.get("cancelled_at")),
        "platform_status": _s(payload.get("financial_status")),
        "currency": _s(payload.get("currency")),
        "payment_status": _payment(payload.get("financial_status")),
        "buyer": {
            "name": buyer_name,
            "email": _s(payload.get("email") or customer.get("email")),
            "phone": _s(payload.get("phone") or customer.get("phone")),
        },
        "shipping_address": _address(payload.get("shipping_address"), buyer_name),
        "totals": {
            "items": _s(payload.get("subtotal_price")) or None,
            "shipping": shipping,
            "tax": _s(payload.get("total_tax")) or None,
            "discount": _s(payload.get("total_discounts")) or None,
            "grand": _s(payload.get("total_price")) or None,
        },
        "lines": lines,
        "note": _s(payload.get("note")),
    }


def cursor_of(updated_at: str) -> str:
    """A fixed-width UTC cursor (string order = time order) from an ISO timestamp."""
    moment = datetime.fromisoformat(updated_at.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def search_since(cursor: str | None) -> str | None:
    """The ``query`` argument of ``orders``: changed at or after the cursor (search syntax)."""
    return f"updated_at:>='{cursor}'" if cursor else None


def fulfillment_input(pairs, company: str, number: str, url: str, notify: bool) -> dict:
    """``FulfillmentInput`` of one location's fulfilment orders: ``pairs`` =
    [(fulfilment order id, [{"id": fulfilment order line item id, "quantity": n}] or None for
    every remaining line)]."""
    tracking = {"company": company, "number": number}
    if url:
        tracking["url"] = url
    by_fo = []
    for fo_id, items in pairs:
        entry: dict = {"fulfillmentOrderId": fo_id}
        if items:
            entry["fulfillmentOrderLineItems"] = items
        by_fo.append(entry)
    return {
        "lineItemsByFulfillmentOrder": by_fo,
        "trackingInfo": tracking,
        "notifyCustomer": notify,
    }


def inventory_input(levels) -> dict:
    """``InventorySetQuantitiesInput``: absolute ``available`` quantities. Each quantity
    carries ``changeFromQuantity`` (mandatory since 2026-04) as null: the compare-and-swap is
    skipped because our ledger is the source of truth for these numbers (Shopify's own sales
    move them between our pushes, so any remembered value would be stale):
    https://shopify.dev/docs/api/admin-graphql/latest/input-objects/InventoryQuantityInput"""
    return {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "gid://tradelane/StockSync/1",
        "quantities": [
            {
                "inventoryItemId": lv.inventory_item_id,
                "locationId": lv.location_id,
                "quantity": int(lv.available),
                "changeFromQuantity": None,
            }
            for lv in levels
        ],
    }
