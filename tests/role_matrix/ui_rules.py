"""Who may open which UI page or press which button: one row per URL pattern (several for a
route whose actions belong to different roles). Keyed by the pattern as the URLconf spells
it; ``url`` is the address asked for, with ``{name}`` placeholders for the world's ids."""

from __future__ import annotations

from dataclasses import dataclass, field

from tradelane.accounts.roles import ADMIN as ADM_ROLE
from tradelane.accounts.roles import BOSS

from .rules import (
    ADJUST,
    ADM,
    CS,
    EVERY,
    EXCEPTIONS_READ,
    LOG,
    LOG_READ,
    MERGE_SPLIT,
    PRODUCT_ADD,
    PRODUCT_CHANGE,
    PUBLIC,
    RECEIVE,
    SHIP,
    SHIPMENTS_READ,
    TRACKING_READ,
    TRANSFER,
)

DISPATCH_OPERATE = LOG


@dataclass(frozen=True)
class Page:
    route: str
    method: str
    allowed: frozenset
    url: str
    data: dict | None = None
    files: dict | None = None
    headers: dict = field(default_factory=dict)
    variant: str = ""


def U(route, method, allowed, url, data=None, **kw) -> Page:  # noqa: N802 - reads like a table
    return Page(route, method, allowed, url, data=data, **kw)


HX = {"HX-Request": "true"}
CSV = {"file": ("orders.csv", b"external_id,sku,quantity\nM-9,MUG-WHT,1\n")}

SKU_FORM = {
    "code": "MUG-WHT",
    "name": "Mug white",
    "status": "active",
    "weight_g": "350",
    "length_mm": "120",
    "width_mm": "90",
    "height_mm": "100",
    "cost_amount": "12.5",
    "cost_currency": "CNY",
    "declared_name_zh": "马克杯",
    "declared_name_en": "Mug",
    "hs_code": "691200",
    "declared_value": "5",
    "declared_currency": "USD",
    "origin_country": "CN",
}

FWD_READ = frozenset({ADM_ROLE, BOSS})  # the provider's waybills: admin, and the boss reads
WAYBILL_FORM = {
    "reference": "PORTAL-1",
    "consignee.name": "Jane Doe",
    "consignee.address1": "350 Fifth Avenue",
    "consignee.city": "New York",
    "consignee.state": "NY",
    "consignee.postcode": "10118",
    "consignee.country": "US",
    "pieces[0].weight_kg": "1.2",
    "pieces[0].length_cm": "30",
    "pieces[0].width_cm": "20",
    "pieces[0].height_cm": "10",
    "items[0].name_en": "T-shirt",
    "items[0].name_zh": "T恤",
    "items[0].quantity": "2",
    "items[0].unit_value": "12.50",
    "items[0].currency": "USD",
    "items[0].hs_code": "610910",
    "incoterm": "DDU",
}

UI_RULES: list[Page] = [
    # the public: webhooks (signed, see test_role_matrix), login, tracking, the API's docs
    U("hooks/tracking/<str:account_code>", "POST", PUBLIC, "/hooks/tracking/YT"),
    U("^hooks/(?!tracking/)(?P<platform>[^/]+)/(?P<token>[^/]+)$", "POST", PUBLIC,
      "/hooks/shopify/{webhook_token}"),
    U("api/docs", "GET", PUBLIC, "/api/docs"),
    U("api/docs/", "GET", PUBLIC, "/api/docs/"),
    U("^api/", "GET", PUBLIC, "/api/nothing-here"),
    U("login/", "GET", PUBLIC, "/login/"),
    U("logout/", "POST", PUBLIC, "/logout/"),
    U("language/", "POST", PUBLIC, "/language/", {"language": "en"}),
    U("t/<str:number>", "GET", PUBLIC, "/t/{tracking_number}"),
    U("t/<str:number>/<str:key>", "GET", PUBLIC, "/t/{tracking_number}/{public_key}"),
    # user administration is the admin's (the boss reads business data, not failed logins)
    U("settings/login-lockouts/", "GET", ADM, "/settings/login-lockouts/"),
    U("settings/login-lockouts/", "POST", ADM, "/settings/login-lockouts/", {"username": "x"}),
    # the settings pages: people and the company are the admin's
    U("settings/users/", "GET", ADM, "/settings/users/"),
    U("settings/users/", "POST", ADM, "/settings/users/",
      {"username": "newbie", "roles": "sales", "how": "invite"}),
    U("settings/users/<int:pk>/", "GET", ADM, "/settings/users/{person}/"),
    U("settings/users/<int:pk>/", "POST", ADM, "/settings/users/{person}/",
      {"action": "roles", "roles": ["sales", "boss"]}, variant="roles"),
    U("settings/users/<int:pk>/", "POST", ADM, "/settings/users/{person}/",
      {"action": "deactivate"}, variant="deactivate"),
    U("settings/users/<int:pk>/", "POST", ADM, "/settings/users/{person}/",
      {"action": "reset_password"}, variant="reset_password"),
    U("settings/company/", "GET", ADM, "/settings/company/"),
    U("settings/company/", "POST", ADM, "/settings/company/",
      {"name": "ACME", "base_currency": "CNY", "time_zone": "Asia/Shanghai",
       "languages": ["zh-hans", "en"], "review_high_value": "6000",
       "review_duplicate_hours": "48"}),
    U("set-password/<str:uidb64>/<str:token>/", "GET", PUBLIC, "/set-password/MQ/not-a-token/"),
    U("set-password/<str:uidb64>/<str:token>/", "POST", PUBLIC, "/set-password/MQ/not-a-token/",
      {"password": "Quartz-Lantern-47", "again": "Quartz-Lantern-47"}),
    # warehouses are the admin's; adjustments and safety stock the warehouse's, transfers
    # also logistics'
    U("settings/warehouses/", "GET", ADM, "/settings/warehouses/"),
    U("settings/warehouses/", "POST", ADM, "/settings/warehouses/",
      {"code": "FRA", "name": "Frankfurt", "kind": "overseas", "country": "DE",
       "priority": "30", "is_active": "on"}),
    U("settings/warehouses/<int:pk>/", "GET", ADM, "/settings/warehouses/{warehouse_la}/"),
    U("settings/warehouses/<int:pk>/", "POST", ADM, "/settings/warehouses/{warehouse_la}/",
      {"code": "LA", "name": "Los Angeles 2", "kind": "overseas", "country": "US",
       "priority": "25"}),
    U("stock/operations/", "GET", RECEIVE | ADJUST | TRANSFER, "/stock/operations/"),
    U("stock/operations/", "POST", RECEIVE, "/stock/operations/",
      {"action": "receive", "receive-sku": "MUG-WHT", "receive-warehouse": "{warehouse}",
       "receive-quantity": "2", "receive-reference": "PO-1"}, variant="receive"),
    U("stock/operations/", "POST", ADJUST, "/stock/operations/",
      {"action": "adjust", "adjust-sku": "MUG-WHT", "adjust-warehouse": "{warehouse}",
       "adjust-delta": "-1", "adjust-note": "count"}, variant="adjust"),
    U("stock/operations/", "POST", ADJUST, "/stock/operations/",
      {"action": "safety_stock", "safety_stock-sku": "MUG-WHT",
       "safety_stock-warehouse": "{warehouse}", "safety_stock-quantity": "5"},
      variant="safety_stock"),
    U("stock/operations/", "POST", TRANSFER, "/stock/operations/",
      {"action": "transfer", "transfer-sku": "MUG-WHT", "transfer-from_warehouse": "{warehouse}",
       "transfer-to_warehouse": "{warehouse_la}", "transfer-quantity": "1"},
      variant="transfer"),
    # products and SKUs: purchasing creates, sales also edits; everyone sees the pictures
    U("products/new/", "GET", PRODUCT_ADD, "/products/new/"),
    U("products/new/", "POST", PRODUCT_ADD, "/products/new/",
      {"code": "P-NEW", "name": "新品", "status": "active"}),
    U("products/<int:pk>/edit/", "GET", PRODUCT_CHANGE, "/products/{product}/edit/"),
    U("products/<int:pk>/edit/", "POST", PRODUCT_CHANGE, "/products/{product}/edit/",
      {"code": "P-MUG", "name": "马克杯 2", "status": "active"}),
    U("products/<int:pk>/skus/new/", "GET", PRODUCT_ADD, "/products/{product}/skus/new/"),
    U("products/<int:pk>/skus/new/", "POST", PRODUCT_ADD, "/products/{product}/skus/new/",
      {**{f"sku-{k}": v for k, v in SKU_FORM.items()}, "sku-code": "MUG-RED"}),
    U("products/skus/<int:pk>/edit/", "GET", PRODUCT_CHANGE, "/products/skus/{sku}/edit/"),
    U("products/skus/<int:pk>/edit/", "POST", PRODUCT_CHANGE, "/products/skus/{sku}/edit/",
      SKU_FORM),
    U("products/<int:pk>/image/", "GET", EVERY, "/products/{product}/image/"),
    U("products/skus/<int:pk>/image/", "GET", EVERY, "/products/skus/{sku}/image/"),
    # everyone who works here: home, orders, products, stock, their own jobs, exports
    U("", "GET", EVERY, "/"),
    U("orders/", "GET", EVERY, "/orders/"),
    U("orders/<int:pk>/", "GET", EVERY, "/orders/{order_review}/"),
    U("jobs/<int:pk>/", "GET", EVERY, "/jobs/{job}/"),
    U("products/", "GET", EVERY, "/products/"),
    U("stock/", "GET", EVERY, "/stock/"),
    U("io/", "GET", EVERY, "/io/"),
    U("io/jobs/<int:pk>/", "GET", EVERY, "/io/jobs/{job}/"),
    U("io/export/<str:entity>/", "GET", EVERY, "/io/export/orders/"),
    # customer service: orders in, review, merge and split
    U("orders/bulk/", "POST", CS, "/orders/bulk/", {"action": "approve", "ids": "{order_review}"},
      variant="approve"),
    U("orders/bulk/", "POST", MERGE_SPLIT, "/orders/bulk/",
      {"action": "merge", "ids": ["{order_review}", "{order_approved}"]}, variant="merge"),
    U("orders/bulk/", "POST", LOG, "/orders/bulk/",
      {"action": "allocate", "ids": "{order_approved}"}, variant="allocate"),
    U("orders/<int:pk>/edit/", "POST", CS, "/orders/{order_review}/edit/",
      {"note": "call after six", "ship_phone": "+1 650-253-0001"}),
    U("orders/import/", "POST", CS, "/orders/import/", {}, files=CSV),
    # the block list: whoever reviews orders
    U("settings/blocked-buyers/", "GET", CS, "/settings/blocked-buyers/?q=blocked"),
    U("settings/blocked-buyers/", "POST", CS, "/settings/blocked-buyers/",
      {"email": "another@example.com", "reason": "fraud"}),
    U("settings/blocked-buyers/<int:pk>/remove/", "POST", CS,
      "/settings/blocked-buyers/{blocked_buyer}/remove/"),
    U("orders/import/sample.csv", "GET", CS, "/orders/import/sample.csv"),
    U("orders/<int:pk>/action/", "POST", CS, "/orders/{order_review}/action/",
      {"action": "approve"}, variant="approve"),
    U("orders/<int:pk>/action/", "POST", CS, "/orders/{order_review}/action/",
      {"action": "approve"}, headers=HX, variant="approve (htmx)"),
    U("orders/<int:pk>/action/", "POST", LOG, "/orders/{order_approved}/action/",
      {"action": "allocate"}, variant="allocate"),
    U("orders/<int:pk>/split/", "POST", MERGE_SPLIT, "/orders/{order_split}/split/",
      {"parts": "2"}),
    U("io/upload/", "POST", CS, "/io/upload/", {"entity": "orders"}, files=CSV),
    U("io/<int:pk>/preview/", "POST", CS, "/io/{upload}/preview/",
      {"map_external_id": "external_id"}),
    U("io/<int:pk>/import/", "POST", CS, "/io/{upload}/import/",
      {"map_external_id": "external_id"}),
    # the dispatch center and the stores
    U("dispatch/", "GET", LOG_READ, "/dispatch/"),
    U("dispatch/tab/", "GET", LOG_READ, "/dispatch/tab/?tab=webhooks"),
    U("dispatch/summary/", "GET", LOG_READ, "/dispatch/summary/"),
    U("dispatch/payload/<str:kind>/<int:pk>/", "GET", LOG_READ,
      "/dispatch/payload/webhook/{delivery}/"),
    *[
        U("dispatch/action/", "POST", DISPATCH_OPERATE, "/dispatch/action/",
          {"action": action, "id": f"{{{name}}}"}, headers=HX, variant=action)
        for action, name in (("sync_now", "connection"), ("push_stock", "connection"),
                             ("retry_run", "run"), ("replay_webhook", "delivery"),
                             ("replay_outbox", "outbox"))
    ],
    U("stores/", "GET", LOG_READ, "/stores/"),
    U("stores/<int:store_id>/connect/", "GET", ADM, "/stores/{store}/connect/"),
    U("stores/<int:store_id>/connect/", "POST", ADM, "/stores/{store}/connect/", {}),
    U("stores/connections/<int:pk>/settings/", "GET", ADM,
      "/stores/connections/{connection}/settings/"),
    U("stores/connections/<int:pk>/settings/", "POST", ADM,
      "/stores/connections/{connection}/settings/", {"push_stock": "on"}),
    U("stores/connections/<int:pk>/disconnect/", "POST", ADM,
      "/stores/connections/{connection}/disconnect/", {}),
    U("stores/connections/<int:pk>/sync/", "POST", DISPATCH_OPERATE,
      "/stores/connections/{connection}/sync/", {}),
    U("stores/connections/<int:pk>/health/", "GET", LOG_READ,
      "/stores/connections/{connection}/health/"),
    U("stores/connections/<int:pk>/verify/", "POST", ADM,
      "/stores/connections/{connection}/verify/", {}),
    # the store's catalog and locations (onboarding)
    U("stores/connections/<int:pk>/catalog/", "GET", ADM,
      "/stores/connections/{connection}/catalog/"),
    U("stores/connections/<int:pk>/catalog/progress/", "GET", ADM,
      "/stores/connections/{connection}/catalog/progress/"),
    U("stores/connections/<int:pk>/catalog/import/", "POST", ADM,
      "/stores/connections/{connection}/catalog/import/", {}),
    U("stores/connections/<int:pk>/catalog/decide/", "POST", ADM,
      "/stores/connections/{connection}/catalog/decide/",
      {"action": "accept_above", "min_confidence": "95"}),
    U("stores/connections/<int:pk>/locations/", "POST", ADM,
      "/stores/connections/{connection}/locations/", {}),
    # channels and rate sheets: logistics edits, the boss reads
    U("channels/", "GET", LOG_READ, "/channels/"),
    U("quote/", "GET", LOG_READ, "/quote/?weight=1&country=US"),
    U("channels/<str:code>/", "GET", LOG_READ, "/channels/{channel}/"),
    U("channels/<str:code>/edit/", "POST", LOG, "/channels/{channel}/edit/",
      {"name": "Slow line", "currency": "CNY"}),
    U("channels/<str:code>/active/", "POST", LOG, "/channels/{channel}/active/", {"active": "0"}),
    U("channels/<str:code>/upload/", "POST", LOG, "/channels/{channel}/upload/",
      {"kind": "cost"}, files={"file": ("sheet.xlsx", b"not a workbook")}),
    U("channels/<str:code>/fuel/", "POST", LOG, "/channels/{channel}/fuel/",
      {"sheet": "{sheet}", "effective_from": "2030-01-01", "percent": "12.5"}),
    U("channels/<str:code>/sheets/<int:pk>/", "GET", LOG_READ,
      "/channels/{channel}/sheets/{sheet}/"),
    U("channels/<str:code>/sheets/<int:pk>/download/", "GET", LOG_READ,
      "/channels/{channel}/sheets/{sheet}/download/"),
    U("channels/<str:code>/sheets/<int:pk>/action/", "POST", LOG,
      "/channels/{channel}/sheets/{sheet}/action/", {"action": "deactivate"}),
    # tracking: read by whoever reads shipments and by customer service; changed by logistics
    U("tracking/", "GET", TRACKING_READ, "/tracking/?q={tracking_number}"),
    U("tracking/shipments/<int:pk>/", "GET", TRACKING_READ,
      "/tracking/shipments/{shipment_shipped}/"),
    U("tracking/shipments/<int:pk>/action/", "POST", LOG,
      "/tracking/shipments/{shipment_shipped}/action/",
      {"action": "last_mile", "carrier": "USPS", "number": "9400100000000000000000"}),
    U("tracking/exceptions/", "GET", EXCEPTIONS_READ, "/tracking/exceptions/"),
    U("tracking/exceptions/<int:pk>/resolve/", "POST", LOG,
      "/tracking/exceptions/{exception}/resolve/", {"resolution": "called them"}),
    # the shipping workbench: warehouse creates, prints and hands over; logistics also
    # rate-shops, cancels and closes manifests; the boss reads (printing a label is a read)
    U("shipping/", "GET", SHIPMENTS_READ, "/shipping/"),
    U("shipping/rate-shop/", "POST", LOG, "/shipping/rate-shop/", {"ids": "{order_pending}"},
      headers=HX),
    U("shipping/create/", "POST", SHIP, "/shipping/create/",
      {"ids": "{order_pending}", "channel": "SLOW"}, headers=HX),
    U("shipping/shipments/", "GET", SHIPMENTS_READ, "/shipping/shipments/"),
    U("shipping/shipments/bulk/", "POST", SHIP, "/shipping/shipments/bulk/",
      {"action": "ship", "ids": "{shipment_labelled}"}, headers=HX, variant="ship"),
    U("shipping/shipments/bulk/", "POST", LOG, "/shipping/shipments/bulk/",
      {"action": "cancel", "ids": "{shipment_labelled}"}, headers=HX, variant="cancel"),
    U("shipping/shipments/labels/", "POST", SHIPMENTS_READ, "/shipping/shipments/labels/",
      {"ids": "{shipment_labelled}", "format": "pdf"}),
    U("shipping/shipments/<int:pk>/", "GET", SHIPMENTS_READ,
      "/shipping/shipments/{shipment_labelled}/"),
    U("shipping/shipments/<int:pk>/label.pdf", "GET", SHIPMENTS_READ,
      "/shipping/shipments/{shipment_labelled}/label.pdf"),
    U("shipping/shipments/<int:pk>/label.zpl", "GET", SHIPMENTS_READ,
      "/shipping/shipments/{shipment_labelled}/label.zpl"),
    U("shipping/shipments/<int:pk>/customs.pdf", "GET", SHIPMENTS_READ,
      "/shipping/shipments/{shipment_labelled}/customs.pdf"),
    U("shipping/manifests/", "GET", SHIPMENTS_READ, "/shipping/manifests/"),
    U("shipping/manifests/", "POST", LOG, "/shipping/manifests/", {"channel": "SLOW"}, headers=HX),
    U("shipping/manifests/<int:pk>.pdf", "GET", SHIPMENTS_READ,
      "/shipping/manifests/{manifest}.pdf"),
    U("shipping/manifests/<int:pk>.csv", "GET", SHIPMENTS_READ,
      "/shipping/manifests/{manifest}.csv"),
    # the customer portal: a provider's staff open it for a customer in their scope (the
    # boss reads); its own users are portal accounts (forwarding/portal/tests/test_scope.py)
    U("portal/", "GET", FWD_READ, "/portal/?customer={fwd_customer}"),
    U("portal/waybills/", "GET", FWD_READ, "/portal/waybills/?customer={fwd_customer}&q=M-1"),
    U("portal/waybills/new/", "GET", ADM, "/portal/waybills/new/?customer={fwd_customer}"),
    U("portal/waybills/new/", "POST", ADM, "/portal/waybills/new/",
      {**WAYBILL_FORM, "customer": "{fwd_customer}"}),
    U("portal/waybills/quote/", "POST", ADM, "/portal/waybills/quote/",
      {**WAYBILL_FORM, "customer": "{fwd_customer}"}, headers=HX),
    U("portal/waybills/<str:number>/", "GET", FWD_READ, "/portal/waybills/{waybill}/"),
    U("portal/waybills/<str:number>/edit/", "GET", ADM, "/portal/waybills/{waybill}/edit/"),
    U("portal/waybills/<str:number>/edit/", "POST", ADM, "/portal/waybills/{waybill}/edit/",
      {**WAYBILL_FORM, "reference": "M-1", "pieces[0].weight_kg": "2"}),
    U("portal/waybills/<str:number>/cancel/", "POST", ADM, "/portal/waybills/{waybill}/cancel/",
      {}),
    U("portal/waybills/<str:number>/intercept/", "POST", ADM,
      "/portal/waybills/{waybill}/intercept/", {"reason": "wrong address"}),
    U("portal/prices/", "GET", FWD_READ, "/portal/prices/?customer={fwd_customer}"),
    U("portal/prices/download/", "GET", FWD_READ,
      "/portal/prices/download/?customer={fwd_customer}"),
    U("portal/api/", "GET", FWD_READ, "/portal/api/?customer={fwd_customer}"),
    # provider API keys belong to a customer's portal users only: no staff role holds them
    U("portal/api/keys/", "POST", frozenset(), "/portal/api/keys/", {"name": "erp"}),
    U("portal/api/keys/<int:pk>/revoke/", "POST", ADM, "/portal/api/keys/999999/revoke/", {}),
]  # fmt: skip
