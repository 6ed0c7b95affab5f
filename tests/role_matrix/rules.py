"""Who may call what: the README's "Roles and demo logins" table, one row per API operation
and per UI page.

A row names the roles that may use the route; every other role is refused (403, and for the
UI a visitor without a session is sent to the login page; the API answers 401). ``PUBLIC``
rows are for anyone, logged in or not. Paths use the OpenAPI form for the API (the key of the
row) and ``{name}`` placeholders for the seeded world's ids (``world.seed``); a route whose id
is not named after its placeholder says so in ``ids``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tradelane.accounts.roles import ADMIN, BOSS, CUSTOMER_SERVICE, LOGISTICS, PURCHASING, SALES
from tradelane.accounts.roles import WAREHOUSE as WH

PUBLIC = frozenset({"*"})
EVERY = frozenset({ADMIN, CUSTOMER_SERVICE, PURCHASING, LOGISTICS, WH, SALES, BOSS})
ADM = frozenset({ADMIN})
CS = frozenset({ADMIN, CUSTOMER_SERVICE})
LOG = frozenset({ADMIN, LOGISTICS})
MERGE_SPLIT = CS | LOG
PRODUCT_ADD = frozenset({ADMIN, PURCHASING})
PRODUCT_CHANGE = PRODUCT_ADD | {SALES}
STORE_SKUS = frozenset({ADMIN, SALES})
RECEIVE = frozenset({ADMIN, PURCHASING, WH})
ADJUST = frozenset({ADMIN, WH})
TRANSFER = frozenset({ADMIN, LOGISTICS, WH})
SHIP = frozenset({ADMIN, LOGISTICS, WH})  # create shipments, hand over
LOG_READ = LOG | {BOSS}  # channels, rate sheets, rules, tracking exceptions, dispatch
SHIPMENTS_READ = SHIP | {BOSS}  # shipments, labels, customs documents, manifests
TRACKING_READ = SHIPMENTS_READ | {CUSTOMER_SERVICE}  # tracking search, timelines, order parcels
EXCEPTIONS_READ = LOG_READ | {CUSTOMER_SERVICE}  # the tracking exception queue (read)
# the provider's open API: of the seller roles only those holding forwarding.view_waybill
# (the boss reads, the admin does all); a staff caller names the customer (``?customer=``).
# Portal keys (one customer each) are walked in forwarding/waybills/tests/test_api.py.
WAYBILL_READ = frozenset({ADMIN, BOSS})
FOR_ACME = {"customer": "ACME"}


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    allowed: frozenset
    json: Any = None  # request body (JSON for the API)
    data: dict | None = None  # form fields (UI), or multipart fields with ``files``
    files: dict | None = None  # field -> (name, bytes)
    query: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # placeholder -> world name
    variant: str = ""  # several rows for one route (e.g. one per action)


def R(method, path, allowed, json=None, **kw) -> Rule:  # noqa: N802 - reads like a table
    return Rule(method, path, allowed, json=json, **kw)


ORDER = {
    "store": "US1", "external_id": "M-1", "currency": "USD", "payment_status": "paid",
    "buyer": {"name": "Jane Doe", "email": "jane@example.com"},
    "shipping_address": {"name": "Jane Doe", "address1": "1600 Amphitheatre Pkwy",
                         "city": "Mountain View", "state": "CA", "postcode": "94043",
                         "country": "US", "phone": "+1 650-253-0000"},
    "lines": [{"store_sku": "S-A", "title": "Mug", "quantity": 1, "unit_price": "10.00"}],
}  # fmt: skip
SHEET = {
    "kind": "cost", "currency": "CNY", "effective_date": "2030-01-01",
    "zones": [{"code": "Z1", "rules": [{"country": "US"}]}],
    "brackets": [{"zone": "Z1", "to_kg": "30", "per_kg": "30", "registration": "5"}],
}  # fmt: skip
CSV_FILE = {"file": ("orders.csv", b"external_id,sku,quantity\nM-9,MUG-WHT,1\n")}
XLSX = {"file": ("sheet.xlsx", b"not really a workbook")}
MAPPING = {"mapping": {"external_id": "external_id"}}
OWN_UPLOAD = {"upload_id": "upload"}  # the acting user's own uploaded file
WAYBILL = {
    "reference": "R-NEW", "channel": "SLOW",
    "consignee": {"name": "Jane Doe", "address1": "350 Fifth Avenue", "city": "New York",
                  "state": "NY", "postcode": "10118", "country": "US"},
    "pieces": [{"weight_kg": "0.5"}],
    "items": [{"name_en": "Mug", "quantity": 1, "unit_value": "10", "currency": "USD"}],
}  # fmt: skip
WAYBILL_ID = {"number": "waybill_number"}

API_RULES: list[Rule] = [
    # accounts: everyone has their own keys
    R("GET", "/me", EVERY),
    R("GET", "/me/api-keys", EVERY),
    R("POST", "/me/api-keys", EVERY, {"name": "laptop"}),
    R("DELETE", "/me/api-keys/{key_id}", EVERY, ids={"key_id": "key"}),
    # catalog
    R("GET", "/products", EVERY),
    R("POST", "/products", PRODUCT_ADD, {"code": "P-NEW", "name": "新品"}),
    R("GET", "/products/{product_id}", EVERY),
    R("PATCH", "/products/{product_id}", PRODUCT_CHANGE, {"name_en": "Big mug"}),
    R("POST", "/products/{product_id}/skus", PRODUCT_ADD, {"code": "MUG-RED", "name": "red"}),
    R("GET", "/skus", EVERY),
    R("GET", "/skus/{sku_id}", EVERY),
    R("PATCH", "/skus/{sku_id}", PRODUCT_CHANGE, {"variant": "350ml"}),
    # inventory
    R("GET", "/warehouses", EVERY),
    R("POST", "/warehouses", ADM, {"code": "FRA", "name": "Frankfurt", "country": "DE"}),
    R("GET", "/warehouses/{warehouse_id}", EVERY),
    R("PATCH", "/warehouses/{warehouse_id}", ADM, {"priority": 5}),
    R("DELETE", "/warehouses/{warehouse_id}", ADM, ids={"warehouse_id": "warehouse_la"}),
    R("GET", "/stock/balances", EVERY),
    R("GET", "/stock/movements", EVERY),
    R("POST", "/stock/receipts", RECEIVE, {"sku": "MUG-WHT", "warehouse_id": "{warehouse}",
                                           "quantity": 5}),
    R("POST", "/stock/adjustments", ADJUST, {"sku": "MUG-WHT", "warehouse_id": "{warehouse}",
                                             "delta": -1, "note": "broken"}),
    R("POST", "/stock/transfers", TRANSFER, {"sku": "MUG-WHT", "from_warehouse_id": "{warehouse}",
                                             "to_warehouse_id": "{warehouse_la}", "quantity": 1}),
    R("POST", "/stock/safety-stock", ADJUST, {"sku": "MUG-WHT", "warehouse_id": "{warehouse}",
                                              "quantity": 3}),
    # stores and SKU mappings
    R("GET", "/stores", EVERY),
    R("POST", "/stores", ADM, {"code": "DE1", "name": "Shop DE", "platform": "woocommerce",
                               "currency": "EUR", "country": "DE"}),
    R("GET", "/stores/{store_id}", EVERY),
    R("PATCH", "/stores/{store_id}", ADM, {"name": "Shop USA"}),
    R("GET", "/stores/{store_id}/sku-mappings", EVERY),
    R("POST", "/stores/{store_id}/sku-mappings", STORE_SKUS,
      {"store_sku": "S-KIT", "components": [{"sku": "MUG-WHT", "quantity": 2}]}),
    # orders
    R("GET", "/orders", EVERY),
    R("POST", "/orders", CS, ORDER),
    R("GET", "/orders/status-counts", EVERY),
    R("GET", "/orders/{order_id}", EVERY, ids={"order_id": "order_review"}),
    R("POST", "/orders/import", CS, {"orders": [ORDER]}),
    R("POST", "/orders/import/file", CS, files=CSV_FILE),
    R("POST", "/orders/{order_id}/transition", CS, {"to": "pending_contact", "reason": "call"},
      ids={"order_id": "order_review"}),
    R("POST", "/orders/{order_id}/cancel", CS, {"reason": "buyer asked"},
      ids={"order_id": "order_review"}),
    R("PATCH", "/orders/{order_id}", CS, {"note": "call after six"},
      ids={"order_id": "order_review"}),
    R("POST", "/orders/review", CS, {"ids": ["{order_review}"]}),
    R("POST", "/orders/allocate", LOG, {"ids": ["{order_approved}"]}),
    R("POST", "/orders/merge", MERGE_SPLIT, {"ids": ["{order_review}", "{order_approved}"]}),
    R("POST", "/orders/{order_id}/split", MERGE_SPLIT,
      {"parts": [{"warehouse_id": "{warehouse}", "lines": [{"line_id": "{split_line}",
                                                            "quantity": 1}]},
                 {"warehouse_id": "{warehouse_la}", "lines": [{"line_id": "{split_line}",
                                                               "quantity": 1}]}]},
      ids={"order_id": "order_split"}),
    # voiding needs the shipment-cancel permission as well as merge/split
    R("POST", "/orders/{order_id}/void-and-split", LOG,
      {"parts": [{"warehouse_id": "{warehouse}", "lines": [{"line_id": "{split_line}",
                                                            "quantity": 1}]},
                 {"warehouse_id": "{warehouse_la}", "lines": [{"line_id": "{split_line}",
                                                               "quantity": 1}]}],
       "shipment_ids": [1]},
      ids={"order_id": "order_split"}),
    # spreadsheets (an orders file: customer service imports orders)
    R("POST", "/spreadsheets/uploads", CS, data={"entity": "orders"}, files=CSV_FILE),
    R("POST", "/spreadsheets/uploads/{upload_id}/preview", CS, MAPPING, ids=OWN_UPLOAD),
    R("POST", "/spreadsheets/uploads/{upload_id}/import", CS, MAPPING, ids=OWN_UPLOAD),
    R("GET", "/spreadsheets/templates", EVERY),
    R("POST", "/spreadsheets/templates", CS, {"name": "mine", "entity": "orders", **MAPPING}),
    R("PUT", "/spreadsheets/templates/{template_id}", CS,
      {"name": "renamed", "entity": "orders", **MAPPING}),
    R("DELETE", "/spreadsheets/templates/{template_id}", CS),
    R("GET", "/spreadsheets/export/{entity}", EVERY, ids={"entity": "=orders"}),
    # the push API
    R("POST", "/push/orders", CS, {"orders": [ORDER]}),
    R("POST", "/push/products", PRODUCT_CHANGE, {"items": [{"code": "MUG-WHT", "name": "Mug"}]}),
    R("POST", "/push/stock", ADJUST, {"mode": "stocktake", "items": [
        {"sku": "MUG-WHT", "warehouse": "SZ", "quantity": 120}]}),
    # tracking: read by whoever reads shipments and by customer service; changed by logistics
    R("GET", "/shipments/{shipment_id}/tracking", TRACKING_READ),
    R("POST", "/shipments/{shipment_id}/tracking/events", LOG,
      {"status": "delivery_failed", "text": "nobody home"}),
    R("POST", "/shipments/{shipment_id}/tracking/last-mile", LOG,
      {"carrier": "USPS", "tracking_number": "9400100000000000000000"}),
    R("GET", "/tracking/exceptions", EXCEPTIONS_READ),
    R("POST", "/tracking/exceptions/{exception_id}/resolve", LOG, {"resolution": "called them"},
      ids={"exception_id": "exception"}),
    R("GET", "/tracking/{number}", PUBLIC, ids={"number": "tracking_number"}),
    # channels and rate sheets
    R("GET", "/channels", LOG_READ),
    R("POST", "/channels", LOG, {"code": "FAST", "name": "Fast", "currency": "CNY"}),
    R("GET", "/channels/{code}", LOG_READ),
    R("PATCH", "/channels/{code}", LOG, {"name": "Slow line"}),
    R("POST", "/channels/{code}/activate", LOG),
    R("POST", "/channels/{code}/deactivate", LOG),
    R("GET", "/channels/{code}/rate-sheets", LOG_READ),
    R("POST", "/channels/{code}/rate-sheets", LOG, SHEET),
    R("POST", "/channels/{code}/rate-sheets/upload", LOG,
      data={"kind": "cost", "currency": "CNY", "effective_date": "2030-01-01"}, files=XLSX),
    R("GET", "/channels/{code}/rate-sheets/{sheet_id}", LOG_READ),
    R("PUT", "/channels/{code}/rate-sheets/{sheet_id}", LOG, SHEET),
    R("DELETE", "/channels/{code}/rate-sheets/{sheet_id}", LOG),
    R("GET", "/channels/{code}/rate-sheets/{sheet_id}/download", LOG_READ),
    R("POST", "/channels/{code}/rate-sheets/{sheet_id}/upload", LOG, data={}, files=XLSX),
    R("POST", "/channels/{code}/rate-sheets/{sheet_id}/activate", LOG),
    R("POST", "/channels/{code}/rate-sheets/{sheet_id}/deactivate", LOG),
    R("POST", "/channels/{code}/rate-sheets/{sheet_id}/fuel-rates", LOG,
      {"effective_from": "2030-01-01", "percent": "12.5"}),
    R("POST", "/quotes", LOG_READ, {"weight_kg": "1", "country": "US"}),  # a read
    # rate shopping, shipments, labels, manifests
    R("POST", "/rate-shop", LOG, {"order_ids": ["{order_pending}"]}),
    R("POST", "/rate-shop/bulk", LOG, {"order_ids": ["{order_pending}"]}),
    R("GET", "/jobs/{job_id}", EVERY, ids={"job_id": "job"}),  # one's own job
    R("POST", "/shipments", SHIP, {"order_ids": ["{order_pending}"], "channel": "SLOW"}),
    R("GET", "/shipments", SHIPMENTS_READ),
    R("GET", "/shipments/{shipment_id}", SHIPMENTS_READ),
    R("POST", "/shipments/{shipment_id}/cancel", LOG, {"reason": "wrong box"}),
    R("POST", "/shipments/{shipment_id}/ship", SHIP),
    R("GET", "/shipments/{shipment_id}/customs", SHIPMENTS_READ),
    R("GET", "/shipments/{shipment_id}/label", SHIPMENTS_READ),
    R("POST", "/shipments/labels", SHIPMENTS_READ, {"ids": ["{shipment_labelled}"]}),  # a read
    R("GET", "/shipments/{shipment_id}/customs-document", SHIPMENTS_READ),
    R("POST", "/manifests", LOG, {"channel": "SLOW"}),
    R("GET", "/manifests", SHIPMENTS_READ),
    R("GET", "/manifests/{manifest_id}.pdf", SHIPMENTS_READ, ids={"manifest_id": "manifest"}),
    R("GET", "/manifests/{manifest_id}.csv", SHIPMENTS_READ, ids={"manifest_id": "manifest"}),
    # shipping configuration; a store's customs numbers are a store setting (admin)
    R("GET", "/shipping-rules", LOG_READ),
    R("POST", "/shipping-rules", LOG, {"name": "fastest to GB", "countries": ["GB"]}),
    R("PATCH", "/shipping-rules/{pk}", LOG, {"priority": 20}, ids={"pk": "rule"}),
    R("DELETE", "/shipping-rules/{pk}", LOG, ids={"pk": "rule"}),
    R("GET", "/customs-thresholds", LOG_READ),
    R("POST", "/customs-thresholds", LOG, {"destination": "AU", "kind": "vat", "amount": "1000",
                                           "currency": "AUD", "effective_from": "2020-01-01"}),
    R("PATCH", "/customs-thresholds/{pk}", LOG, {"note": "HMRC"}, ids={"pk": "threshold"}),
    R("DELETE", "/customs-thresholds/{pk}", LOG, ids={"pk": "threshold"}),
    R("GET", "/store-customs-numbers", LOG_READ),
    R("POST", "/store-customs-numbers", ADM, {"store_id": "{store}", "destination": "EU",
                                              "kind": "ioss", "number": "IM1234567890"}),
    R("PATCH", "/store-customs-numbers/{pk}", ADM, {"number": "GB987654321"}, ids={"pk": "number"}),
    R("DELETE", "/store-customs-numbers/{pk}", ADM, ids={"pk": "number"}),
    # the dispatch center
    R("GET", "/dispatch/stores", LOG_READ),
    R("GET", "/dispatch/hourly", LOG_READ),
    R("GET", "/dispatch/sync-runs", LOG_READ),
    R("GET", "/dispatch/webhooks", LOG_READ),
    R("GET", "/dispatch/webhooks/{delivery_id}", LOG_READ, ids={"delivery_id": "delivery"}),
    R("GET", "/dispatch/outbox", LOG_READ),
    R("GET", "/dispatch/jobs", LOG_READ),
    R("POST", "/dispatch/stores/{connection_id}/sync", LOG),
    R("POST", "/dispatch/stores/{connection_id}/push-stock", LOG),
    R("POST", "/dispatch/sync-runs/{run_id}/retry", LOG, ids={"run_id": "run"}),
    R("POST", "/dispatch/webhooks/{delivery_id}/replay", LOG, ids={"delivery_id": "delivery"}),
    R("POST", "/dispatch/outbox/{message_id}/replay", LOG, ids={"message_id": "outbox"}),
    # the provider's open API
    R("GET", "/provider/channels", WAYBILL_READ, query=FOR_ACME),
    R("POST", "/provider/quote", WAYBILL_READ,  # a read
      {"consignee": {"country": "US"}, "pieces": [{"weight_kg": "1"}]}, query=FOR_ACME),
    R("POST", "/provider/waybills", ADM, {"waybills": [WAYBILL]}, query=FOR_ACME),
    R("GET", "/provider/waybills", WAYBILL_READ),
    R("GET", "/provider/waybills/by-reference/{reference}", WAYBILL_READ, query=FOR_ACME,
      ids={"reference": "waybill_reference"}),
    R("GET", "/provider/waybills/{number}", WAYBILL_READ, ids=WAYBILL_ID),
    R("POST", "/provider/waybills/{number}/cancel", ADM, ids=WAYBILL_ID),
    R("POST", "/provider/waybills/{number}/intercept", ADM, {"reason": "stop it"},
      ids=WAYBILL_ID),
    R("GET", "/provider/waybills/{number}/label", WAYBILL_READ, ids=WAYBILL_ID),
    R("GET", "/provider/waybills/{number}/tracking", WAYBILL_READ, ids=WAYBILL_ID),
    R("POST", "/provider/labels", WAYBILL_READ, {"numbers": ["{waybill_number}"]},
      query=FOR_ACME),
    R("PUT", "/provider/webhook", ADM, {"url": "https://erp.example.com/hook"}, query=FOR_ACME),
    R("GET", "/provider/collection.json", PUBLIC),
]  # fmt: skip

# the id each API placeholder takes unless a row says otherwise
API_IDS = {
    "product_id": "product", "sku_id": "sku", "warehouse_id": "warehouse", "store_id": "store",
    "shipment_id": "shipment_labelled", "code": "channel", "sheet_id": "sheet",
    "template_id": "template", "connection_id": "connection",
}  # fmt: skip
