"""What the fake Amazon says and checks, apart from its HTTP plumbing: the order it keeps (in
the Orders API v0 shape, ``make_order``), that order as Orders API v0 shows it to an app
without a Restricted Data Token, the same order in the Orders API v2026-01-01 shape, and the
rules on ``confirmShipment`` and ``patchListingsItem`` bodies. Each rule names its source.

Sources (the published models, amzn/selling-partner-api-models, and the guides):
- v0: models/orders-api-model/ordersV0.json;
  https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-use-case-guide
- v2026-01-01: models/orders-api-model/orders_2026-01-01.json;
  https://developer-docs.amazon.com/sp-api/docs/orders-api-migration-guide
- PII: https://developer-docs.amazon.com/sp-api/docs/access-orders-pii
- Listings Items 2021-08-01: models/listings-items-api-model/listingsItems_2021-08-01.json;
  https://developer-docs.amazon.com/sp-api/docs/merge-a-listing
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

MARKETPLACE = "ATVPDKIKX0DER"  # amazon.com
MARKETPLACE_NAMES = {"ATVPDKIKX0DER": "Amazon.com", "A1F83G8C2ARO7P": "Amazon.co.uk",
                     "A1PA6795UKMFR9": "Amazon.de", "A2EUQ1WTGCTBG2": "Amazon.ca"}  # fmt: skip

# v0 OrderStatus -> v2026-01-01 FulfillmentStatus (enum of the v2026 model)
FULFILLMENT_STATUS = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "InvoiceUnconfirmed": "SHIPPED",  # v0 only: shipped, invoice not yet confirmed
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
}
# searchOrders / getOrder ``includedData`` values (v2026 model, parameter enum)
DATASETS = frozenset(
    ("BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION", "FULFILLMENT",
     "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS")
)  # fmt: skip
# Address fields that are PII: v0 leaves them out without a Restricted Data Token (the v0
# use case guide: "To access buyer and shipping address information, you must ... use a
# restricted data token"); the non-PII parts (city, region, postcode, country) stay.
V0_PII_ADDRESS = ("Name", "CompanyName", "AddressLine1", "AddressLine2", "AddressLine3", "Phone")
PATCH_OPS = frozenset({"add", "replace", "merge", "delete"})  # PatchOperation.op enum


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: str, currency: str = "USD") -> dict:
    return {"CurrencyCode": currency, "Amount": amount}


def make_order(
    i: int, *, base: datetime | None = None, channel: str = "MFN", status: str = "Unshipped"
) -> tuple[dict, list[dict]]:
    """One order (v0 getOrders shape, as the fake keeps it) and its items (getOrderItems)."""
    base = base or datetime(2026, 1, 1, tzinfo=UTC)
    created = base + timedelta(seconds=i)
    qty = 1 + i % 2
    price = 15 + i % 10
    order = {
        "AmazonOrderId": f"113-{i:07d}-{1000000 + i:07d}",
        "PurchaseDate": iso(created),
        "LastUpdateDate": iso(created),
        "OrderStatus": status,
        "FulfillmentChannel": channel,
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom",
        "OrderTotal": _money(f"{price * qty + 4}.99"),
        "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": qty,
        "PaymentMethod": "Other",
        "MarketplaceId": MARKETPLACE,
        "OrderType": "StandardOrder",
        "IsPrime": False,
        "IsBusinessOrder": False,
        "BuyerInfo": {"BuyerEmail": f"buyer{i}@marketplace.amazon.com", "BuyerName": f"Buyer {i}"},
        "ShippingAddress": {
            "Name": f"Buyer {i}",
            "AddressLine1": f"{i} Main St",
            "City": "Seattle",
            "StateOrRegion": "WA",
            "PostalCode": "98109",
            "CountryCode": "US",
            "Phone": "+1 206-555-0100",
        },
    }
    items = [
        {
            "ASIN": f"B0{i:08d}",
            "SellerSKU": f"AMZ-SKU-{i % 20:03d}",
            "OrderItemId": f"{50000000000000 + i}",
            "Title": f"Fake Amazon product {i % 20}",
            "QuantityOrdered": qty,
            "QuantityShipped": 0,
            "ItemPrice": _money(f"{price * qty}.00"),
            "ShippingPrice": _money("4.99"),
            "ItemTax": _money("0.00"),
            "PromotionDiscount": _money("0.00"),
        }
    ]
    return order, items


def v0_without_rdt(order: dict) -> dict:
    """The order as v0 getOrders/getOrder answers an app that sends no Restricted Data Token:
    no buyer name or email, and the address without name, street lines and phone."""
    out = dict(order)
    out["BuyerInfo"] = {}
    address = {k: v for k, v in (order.get("ShippingAddress") or {}).items()
               if k not in V0_PII_ADDRESS}  # fmt: skip
    if address:
        out["ShippingAddress"] = address
    else:
        out.pop("ShippingAddress", None)
    return out


def _m(amount, currency: str) -> dict:
    return {"amount": str(amount), "currencyCode": currency}  # Money: amount is a string


def _amount(money: dict | None) -> Decimal:
    return Decimal(str((money or {}).get("Amount") or "0"))


def _item_2026(item: dict, currency: str, included: set[str]) -> dict:
    qty = int(item["QuantityOrdered"])
    line = _amount(item.get("ItemPrice"))
    unit = (line / qty).quantize(Decimal("0.01")) if qty else line
    out: dict = {
        "orderItemId": item["OrderItemId"],
        "quantityOrdered": qty,
        "product": {
            "asin": item.get("ASIN", ""),
            "title": item.get("Title", ""),
            "sellerSku": item.get("SellerSKU", ""),
            "price": {"unitPrice": _m(unit, currency)},
        },  # fmt: skip
    }
    if "FULFILLMENT" in included:
        shipped = int(item.get("QuantityShipped") or 0)
        out["fulfillment"] = {"quantityFulfilled": shipped, "quantityUnfulfilled": qty - shipped}
    if "PROCEEDS" in included:
        parts = [("ITEM", line), ("SHIPPING", _amount(item.get("ShippingPrice"))),
                 ("TAX", _amount(item.get("ItemTax")) + _amount(item.get("ShippingTax"))),
                 ("DISCOUNT", -(_amount(item.get("PromotionDiscount"))
                                + _amount(item.get("ShippingDiscount"))))]  # fmt: skip
        out["proceeds"] = {
            "proceedsTotal": _m(sum((v for _, v in parts), Decimal("0")), currency),
            "breakdowns": [{"type": t, "subtotal": _m(v, currency)} for t, v in parts],
        }
    return out


def _address_2026(address: dict) -> dict:
    keys = {"Name": "name", "CompanyName": "companyName", "AddressLine1": "addressLine1",
            "AddressLine2": "addressLine2", "AddressLine3": "addressLine3", "City": "city",
            "County": "districtOrCounty", "StateOrRegion": "stateOrRegion",
            "PostalCode": "postalCode", "CountryCode": "countryCode", "Phone": "phone"}  # fmt: skip
    return {new: address[old] for old, new in keys.items() if address.get(old)}


def order_2026(order: dict, items: list[dict], packages: list[dict], included: set[str]) -> dict:
    """The kept order in the v2026-01-01 ``Order`` shape. Without ``includedData`` only the
    basic information and the items; each dataset adds its part. PII (buyer, recipient
    address) comes without a Restricted Data Token (access-orders-pii: "Accessing PII with the
    Orders API v2026-01-01 does not require a Restricted Data Token (RDT)"); the buyer's email
    only for merchant-fulfilled orders in UNSHIPPED, PARTIALLY_SHIPPED or SHIPPED."""
    currency = (order.get("OrderTotal") or {}).get("CurrencyCode") or "USD"
    status = FULFILLMENT_STATUS.get(order["OrderStatus"], "PENDING")
    mfn = order.get("FulfillmentChannel") != "AFN"
    market = order["MarketplaceId"]
    out: dict = {
        "orderId": order["AmazonOrderId"],
        "createdTime": order["PurchaseDate"],
        "lastUpdatedTime": order["LastUpdateDate"],
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": market,
            "marketplaceName": MARKETPLACE_NAMES.get(market, market),
        },  # fmt: skip
        "orderItems": [_item_2026(i, currency, included) for i in items],
    }
    if "FULFILLMENT" in included:
        out["fulfillment"] = {"fulfillmentStatus": status,
                              "fulfilledBy": "MERCHANT" if mfn else "AMAZON"}  # fmt: skip
    if "BUYER" in included:
        info = order.get("BuyerInfo") or {}
        buyer = {"buyerName": info.get("BuyerName", "")}
        if mfn and status in ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"):
            buyer["buyerEmail"] = info.get("BuyerEmail", "")
        out["buyer"] = buyer
    if "RECIPIENT" in included and order.get("ShippingAddress"):
        out["recipient"] = {"deliveryAddress": _address_2026(order["ShippingAddress"])}
    if "PROCEEDS" in included and order.get("OrderTotal"):
        out["proceeds"] = {"grandTotal": _m(order["OrderTotal"]["Amount"], currency)}
    if "PACKAGES" in included and mfn:  # "Only available for merchant-fulfilled (FBM) orders"
        out["packages"] = packages
    return out


def package_2026(detail: dict, created: str) -> dict:
    """A confirmed package (v0 ``PackageDetail``) as the v2026 ``OrderPackage``."""
    return {
        "packageReferenceId": detail["packageReferenceId"],
        "createdTime": created,
        "packageStatus": {"status": "SHIPPED"},
        "carrier": detail.get("carrierName") or detail["carrierCode"],
        "shipTime": detail["shipDate"],
        "trackingNumber": detail["trackingNumber"],
        "packageItems": [
            {"orderItemId": r["orderItemId"], "quantity": int(r["quantity"])}
            for r in detail["orderItems"]
        ],  # fmt: skip
    }


def confirmation_problem(body) -> str | None:
    """What is wrong with a ``confirmShipment`` body (v0 ``ConfirmShipmentRequest``), or None.

    - ``marketplaceId`` and ``packageDetail`` are required (ConfirmShipmentRequest.required).
    - ``packageReferenceId``, ``carrierCode``, ``trackingNumber``, ``shipDate`` and
      ``orderItems`` are required (PackageDetail.required); ``packageReferenceId`` is "a
      seller-supplied identifier that uniquely identifies a package within the scope of an
      order. Only positive numeric values are supported." (PackageReferenceId).
    - ``carrierName`` is "Required when ``carrierCode`` is "Other"" (PackageDetail).
    - each order item has ``orderItemId`` and ``quantity`` (ConfirmShipmentOrderItem.required).
    """
    if not isinstance(body, dict) or not isinstance(body.get("packageDetail"), dict):
        return "packageDetail is required"
    if not body.get("marketplaceId"):
        return "marketplaceId is required"
    detail = body["packageDetail"]
    ref = detail.get("packageReferenceId")
    if ref is None or ref == "":
        return "packageDetail.packageReferenceId is required"
    if not (isinstance(ref, str) and ref.isdigit() and int(ref) > 0):
        return ("The input you have submitted is not valid. Please check the fields with invalid "
                "type [packageDetail.packageReferenceId].")  # fmt: skip
    for key in ("carrierCode", "trackingNumber", "shipDate"):
        if not detail.get(key):
            return f"packageDetail.{key} is required"
    if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
        return "carrierName is required when carrierCode is Other"
    rows = detail.get("orderItems")
    if not isinstance(rows, list) or not rows:
        return "packageDetail.orderItems is required"
    for row in rows:
        if not isinstance(row, dict) or not row.get("orderItemId") or "quantity" not in row:
            return "each order item needs orderItemId and quantity"
    return None


def listings_patch_problem(body) -> str | None:
    """What is wrong with a ``patchListingsItem`` body (``ListingsItemPatchRequest``), or None.

    - ``productType`` and ``patches`` are required, ``patches`` has at least one operation
      (ListingsItemPatchRequest: required [productType, patches], minItems 1).
    - each operation has ``op`` (one of add, replace, merge, delete) and ``path``
      (PatchOperation.required); ``value`` is an array of objects (PatchOperation.value).
    - only top-level attributes can be patched ("Patching nested attributes is not
      supported"): ``path`` is ``/attributes/<name>``.
    - ``fulfillment_availability`` entries name a non-empty ``fulfillment_channel_code``
      (merge-a-listing: "You must provide non-empty values for the selector field such as
      fulfillment_channel_code") and a whole, non-negative ``quantity``.
    """
    if not isinstance(body, dict) or not isinstance(body.get("productType"), str):
        return "productType is required"
    if not body["productType"].strip():
        return "productType is required"
    patches = body.get("patches")
    if not isinstance(patches, list) or not patches:
        return "patches must hold at least one operation"
    for patch in patches:
        if not isinstance(patch, dict) or patch.get("op") not in PATCH_OPS:
            return "op must be one of add, replace, merge, delete"
        path = patch.get("path")
        if (
            not isinstance(path, str)
            or not path.startswith("/attributes/")
            or ("/" in path[len("/attributes/") :] or path == "/attributes/")
        ):
            return f"path {path!r} is not a top-level attribute (/attributes/<name>)"
        value = patch.get("value")
        if patch["op"] != "delete" and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            return "value must be an array of objects"
        if path == "/attributes/fulfillment_availability" and patch["op"] != "delete":
            for entry in value:
                if not entry.get("fulfillment_channel_code"):
                    return "fulfillment_channel_code is required"
                qty = entry.get("quantity")
                if not (isinstance(qty, int) and not isinstance(qty, bool) and qty >= 0):
                    return "quantity must be a whole number, 0 or more"
    return None
