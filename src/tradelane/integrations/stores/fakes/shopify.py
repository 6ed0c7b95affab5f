"""A local fake of Shopify's GraphQL Admin API and webhooks, for tests, the benchmark and the demo.

    fake = FakeShopify(orders=100).start()      # http://127.0.0.1:<port>
    ... ShopifyConnector over fake.base_url ...
    fake.fulfillments, fake.stock_pushes         # what was pushed
    fake.fail_next(2, status=503)                # the next 2 requests answer 503
    fake.drop_after_bytes = 100                  # the next request is cut mid-body
    fake.send_webhook(url, "orders/create", payload, secret)
    fake.stop()

It answers the documents ``shopify/queries.py`` sends (recognised by operation name) with the
documented response shapes: ``orders`` connection with ``pageInfo { hasNextPage endCursor }``
filtered by ``query: "updated_at:>='...'"`` and sorted by UPDATED_AT, ``order``,
``fulfillmentOrders``/``fulfillments``, ``fulfillmentCreate``, ``fulfillmentTrackingInfoUpdate``,
``inventorySetQuantities``; every response carries ``extensions.cost`` with a leaky bucket
(``throttleStatus``), and a request costing more than what is available gets the THROTTLED
error. ``X-Shopify-Access-Token`` is required.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from ..wire_formats import hmac_sha256_b64
from .base import HIDDEN, FakeServer, post

API_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")
SINCE = re.compile(r"updated_at:>=?'?([0-9T:\-\.Z+]+)'?")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: str, currency: str) -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


def make_order(i: int, *, base: datetime | None = None, currency: str = "USD") -> dict:
    """One order in the fake's own (REST-like) form; ``rest_payload``/``graphql_node`` map it."""
    base = base or datetime(2026, 1, 1, tzinfo=UTC)
    created = base + timedelta(seconds=i)
    qty = 1 + i % 3
    price = f"{10 + i % 40}.50"
    subtotal = f"{(10 + i % 40 + 0.5) * qty:.2f}"
    return {
        "id": 5_000_000 + i,
        "name": f"#{1000 + i}",
        "email": f"buyer{i}@example.com",
        "phone": "",
        "created_at": _iso(created),
        "updated_at": _iso(created),
        "cancelled_at": None,
        "financial_status": "paid",
        "currency": currency,
        "subtotal_price": subtotal,
        "total_tax": "0.00",
        "total_discounts": "0.00",
        "shipping": "5.00",
        "total_price": f"{float(subtotal) + 5:.2f}",
        "note": "",
        "customer": {"first_name": "Buyer", "last_name": str(i), "email": f"buyer{i}@example.com"},
        "shipping_address": {
            "first_name": "Buyer",
            "last_name": str(i),
            "name": f"Buyer {i}",
            "address1": f"{i} Main Street",
            "address2": "",
            "city": "Springfield",
            "province_code": "IL",
            "zip": "62701",
            "country_code": "US",
            "phone": "+12175550100",
            "company": "",
        },
        "line_items": [
            {
                "id": 9_000_000 + i,
                "sku": f"FK-SKU-{i % 50:03d}",
                "title": f"Fake product {i % 50}",
                "quantity": qty,
                "price": price,
            }
        ],
    }


def rest_payload(order: dict) -> dict:
    """The REST-shaped webhook payload of an order (orders/create, orders/updated, ...)."""
    out = {k: v for k, v in order.items() if k != "shipping"}
    out["admin_graphql_api_id"] = f"gid://shopify/Order/{order['id']}"
    out["total_shipping_price_set"] = {
        "shop_money": {"amount": order["shipping"], "currency_code": order["currency"]}
    }
    return out


def graphql_node(order: dict) -> dict:
    cur = order["currency"]
    addr = order.get("shipping_address") or {}
    cust = order.get("customer") or {}
    return {
        "id": f"gid://shopify/Order/{order['id']}",
        "legacyResourceId": str(order["id"]),
        "name": order["name"],
        "createdAt": order["created_at"],
        "updatedAt": order["updated_at"],
        "cancelledAt": order["cancelled_at"],
        "note": order.get("note") or None,
        "displayFinancialStatus": order["financial_status"].upper(),
        "currencyCode": cur,
        "email": order.get("email"),
        "phone": order.get("phone") or None,
        "customer": {
            "firstName": cust.get("first_name"),
            "lastName": cust.get("last_name"),
            "email": cust.get("email"),
            "phone": None,
        },
        "shippingAddress": {
            "name": addr.get("name"),
            "firstName": addr.get("first_name"),
            "lastName": addr.get("last_name"),
            "company": addr.get("company") or None,
            "address1": addr.get("address1"),
            "address2": addr.get("address2") or None,
            "city": addr.get("city"),
            "province": None,
            "provinceCode": addr.get("province_code"),
            "zip": addr.get("zip"),
            "countryCodeV2": addr.get("country_code"),
            "phone": addr.get("phone"),
        }
        if addr
        else None,
        "subtotalPriceSet": _money(order["subtotal_price"], cur),
        "totalShippingPriceSet": _money(order["shipping"], cur),
        "totalTaxSet": _money(order["total_tax"], cur),
        "totalDiscountsSet": _money(order["total_discounts"], cur),
        "totalPriceSet": _money(order["total_price"], cur),
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/LineItem/{li['id']}",
                    "sku": li["sku"],
                    "title": li["title"],
                    "quantity": li["quantity"],
                    "originalUnitPriceSet": _money(li["price"], cur),
                }
                for li in order["line_items"]
            ]
        },
    }


def sign(body: bytes, secret: str) -> str:
    return hmac_sha256_b64(body, secret)


class FakeShopify(FakeServer):
    def __init__(
        self,
        *,
        orders: int = 0,
        token: str = "shpat_fake",
        shop: str = "fake-shop.myshopify.com",
        bucket_max: float = 2000.0,
        restore_rate: float = 100.0,
    ):
        super().__init__()
        self.token = token
        self.shop = shop
        self.orders: dict[int, dict] = {}
        for i in range(orders):
            self.add_order(make_order(i))
        self.bucket_max = bucket_max
        self.restore_rate = restore_rate
        self.clock = time.monotonic  # tests may put a manual clock here
        self._available = bucket_max
        self._at = self.clock()
        self.fulfillment_orders: dict[int, str] = {}  # order id -> status
        self.fulfillments: list[dict] = []
        self.stock_pushes: list[dict] = []
        self.throttled = 0

    # --- data -------------------------------------------------------------------------------

    def add_order(self, order: dict) -> dict:
        with self.lock:
            self.orders[order["id"]] = order
        return order

    def touch(self, order_id: int, when: datetime | None = None, **changes) -> dict:
        """Change an order (``updated_at`` moves on) and return it."""
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            moment = when or (
                datetime.fromisoformat(order["updated_at"].replace("Z", "+00:00"))
                + timedelta(seconds=1)
            )
            order["updated_at"] = _iso(moment)
            return order

    # --- server (``FakeServer`` does the plumbing) ------------------------------------------

    def before(self, method, path, query, headers, raw):
        if method != "POST" or not API_PATH.match(path):
            return 404, {"errors": "Not Found"}, {}
        if headers.get("X-Shopify-Access-Token") != self.token:
            return 401, {"errors": "[API] Invalid API key or access token (unrecognized login or "
                                   "wrong password)"}, {}  # fmt: skip
        return None

    def failure_body(self, status: int):
        return {"errors": "Service Unavailable"}

    def route(self, method, path, query, headers, raw):
        try:
            request = json.loads(raw)
            query, variables = request["query"], request.get("variables") or {}
        except (ValueError, KeyError):
            return 400, {"errors": {"query": "Required parameter missing"}}, {}
        status, body = self.execute(query, variables)
        return status, body, {}

    # --- GraphQL ----------------------------------------------------------------------------

    def _bucket(self, requested: float) -> tuple[bool, dict]:
        with self.lock:
            now = self.clock()
            self._available = min(
                self.bucket_max, self._available + (now - self._at) * self.restore_rate
            )
            self._at = now
            ok = requested <= self._available
            if ok:
                self._available -= requested
            else:
                self.throttled += 1
            status = {
                "maximumAvailable": self.bucket_max,
                "currentlyAvailable": int(self._available),
                "restoreRate": self.restore_rate,
            }
        return ok, status

    def execute(self, query: str, variables: dict) -> tuple[int, dict]:
        op = re.search(r"(query|mutation)\s+(\w+)", query)
        name = op.group(2) if op else ""
        handlers = {
            "Orders": self._q_orders,
            "Order": self._q_order,
            "FulfillmentOrders": self._q_fulfillment_orders,
            "FulfillmentCreate": self._m_fulfillment_create,
            "FulfillmentTrackingInfoUpdate": self._m_tracking_update,
            "InventorySet": self._m_inventory_set,
        }
        fn = handlers.get(name)
        if fn is None:
            return 200, {"errors": [{"message": f"Unknown operation {name!r}"}]}
        requested = 2 + 3 * int(variables.get("first") or 1) if name == "Orders" else 10
        ok, status = self._bucket(requested)
        cost = {"requestedQueryCost": requested, "actualQueryCost": None, "throttleStatus": status}
        if not ok:
            return 200, {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {
                            "code": "THROTTLED",
                            "documentation": "https://shopify.dev/api/usage/rate-limits",
                        },
                    }
                ],
                "extensions": {"cost": cost},
            }
        data, actual = fn(variables)
        cost["actualQueryCost"] = actual
        return 200, {"data": data, "extensions": {"cost": cost}}

    def _q_orders(self, v: dict):
        first = min(250, int(v.get("first") or 50))
        since = None
        match = SINCE.search(v.get("query") or "")
        if match:
            since = match.group(1)
        with self.lock:
            rows = sorted(
                (
                    o
                    for o in self.orders.values()
                    if not o.get(HIDDEN) and (since is None or o["updated_at"] >= since)
                ),
                key=lambda o: (o["updated_at"], o["id"]),
            )
        if v.get("after"):
            last = json.loads(base64.b64decode(v["after"]))
            key = (last["updated_at"], last["id"])
            rows = [o for o in rows if (o["updated_at"], o["id"]) > key]
        page = rows[:first]
        end = None
        if page:
            end = base64.b64encode(
                json.dumps({"updated_at": page[-1]["updated_at"], "id": page[-1]["id"]}).encode()
            ).decode()
        nodes = [graphql_node(o) for o in page]
        info = {"hasNextPage": len(rows) > first, "endCursor": end}
        return {"orders": {"pageInfo": info, "nodes": nodes}}, 2 + 3 * len(page)

    def _order_of(self, gid: str) -> dict | None:
        try:
            oid = int(str(gid).rsplit("/", 1)[-1])
        except ValueError:
            return None
        return self.orders.get(oid)

    def _q_order(self, v: dict):
        order = self._order_of(v.get("id"))
        return {"order": graphql_node(order) if order else None}, 5

    def _q_fulfillment_orders(self, v: dict):
        order = self._order_of(v.get("id"))
        if order is None:
            return {"order": None}, 1
        oid = order["id"]
        with self.lock:
            status = self.fulfillment_orders.get(oid, "OPEN")
            fulfilled = [f for f in self.fulfillments if f["order_id"] == oid]
        return {
            "order": {
                "id": f"gid://shopify/Order/{oid}",
                "fulfillmentOrders": {
                    "nodes": [{"id": f"gid://shopify/FulfillmentOrder/{oid}", "status": status}]
                },
                "fulfillments": [
                    {"id": f["id"], "status": "SUCCESS", "trackingInfo": [f["trackingInfo"]]}
                    for f in fulfilled
                ],
            }
        }, 5

    def _m_fulfillment_create(self, v: dict):
        f = v.get("fulfillment") or {}
        pairs = f.get("lineItemsByFulfillmentOrder") or []
        errors = []
        oids = []
        for pair in pairs:
            oid = int(str(pair.get("fulfillmentOrderId", "")).rsplit("/", 1)[-1] or 0)
            with self.lock:
                if oid not in self.orders:
                    errors.append({"field": ["fulfillment"], "message": "not found"})
                elif self.fulfillment_orders.get(oid, "OPEN") != "OPEN":
                    errors.append(
                        {"field": ["fulfillment"], "message": "Fulfillment order is closed"}
                    )
                else:
                    oids.append(oid)
        if errors or not oids:
            return {"fulfillmentCreate": {"fulfillment": None, "userErrors": errors or [
                {"field": ["fulfillment"], "message": "no fulfillment order"}]}}, 10  # fmt: skip
        tracking = f.get("trackingInfo") or {}
        record = {
            "id": f"gid://shopify/Fulfillment/{uuid.uuid4().int % 10**12}",
            "order_id": oids[0],
            "trackingInfo": {
                "company": tracking.get("company"),
                "number": tracking.get("number"),
                "url": tracking.get("url"),
            },
            "notifyCustomer": bool(f.get("notifyCustomer")),
        }
        with self.lock:
            for oid in oids:
                self.fulfillment_orders[oid] = "CLOSED"
            self.fulfillments.append(record)
        out = {"id": record["id"], "status": "SUCCESS", "trackingInfo": [record["trackingInfo"]]}
        return {"fulfillmentCreate": {"fulfillment": out, "userErrors": []}}, 10

    def _m_tracking_update(self, v: dict):
        fid = v.get("fulfillmentId")
        info = v.get("trackingInfoInput") or {}
        with self.lock:
            found = next((f for f in self.fulfillments if f["id"] == fid), None)
            if found is not None:
                found["trackingInfo"] = {
                    "company": info.get("company"),
                    "number": info.get("number"),
                    "url": info.get("url"),
                }
                found.setdefault("updates", 0)
                found["updates"] += 1
        if found is None:
            error = {"field": ["fulfillmentId"], "message": "Fulfillment does not exist."}
            return {
                "fulfillmentTrackingInfoUpdate": {"fulfillment": None, "userErrors": [error]}
            }, 10
        out = {"id": fid, "status": "SUCCESS", "trackingInfo": [found["trackingInfo"]]}
        return {"fulfillmentTrackingInfoUpdate": {"fulfillment": out, "userErrors": []}}, 10

    def _m_inventory_set(self, v: dict):
        data = v.get("input") or {}
        errors = []
        if data.get("name") not in ("available", "on_hand"):
            errors.append({"code": "INVALID_NAME", "field": ["input", "name"],
                           "message": "The quantity name must be either 'available' or "
                                      "'on_hand'."})  # fmt: skip
        for i, q in enumerate(data.get("quantities") or []):
            if int(q.get("quantity", 0)) < 0:
                errors.append({"code": "INVALID_QUANTITY_NEGATIVE",
                               "field": ["input", "quantities", str(i), "quantity"],
                               "message": "The quantity can't be negative."})  # fmt: skip
        if errors:
            return {"inventorySetQuantities": {"inventoryAdjustmentGroup": None,
                                               "userErrors": errors}}, 10  # fmt: skip
        with self.lock:
            self.stock_pushes.append(data)
        group = {
            "reason": data.get("reason"),
            "changes": [{"name": data.get("name"), "delta": 0} for _ in data.get("quantities")],
        }
        return {"inventorySetQuantities": {"inventoryAdjustmentGroup": group, "userErrors": []}}, 10

    # --- webhooks ---------------------------------------------------------------------------

    def webhook_request(
        self, topic: str, payload: dict, secret: str, *, webhook_id: str | None = None
    ) -> tuple[bytes, dict]:
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-SHA256": sign(body, secret),
            "X-Shopify-Shop-Domain": self.shop,
            "X-Shopify-API-Version": "2025-07",
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
        }
        return body, headers

    def send_webhook(
        self, url: str, topic: str, payload: dict, secret: str, *, webhook_id: str | None = None
    ) -> int:
        body, headers = self.webhook_request(topic, payload, secret, webhook_id=webhook_id)
        return post(url, body, headers)
