"""A local fake of the WooCommerce REST API v3 and its webhooks, for tests and the demo.

    fake = FakeWooCommerce(orders=100).start()   # http://127.0.0.1:<port>/wp-json/wc/v3/...
    fake.completions, fake.notes, fake.stock      # what was pushed
    fake.fail_next(2, status=503)                 # the next 2 requests answer 503
    fake.drop_after_bytes = 100                   # the next response is cut mid-body
    fake.send_webhook(url, "order.created", order, secret)
    fake.stop()

Speaks the documented shapes: ``GET /orders`` with ``page``/``per_page`` (max 100),
``modified_after`` (strict, GMT with ``dates_are_gmt``), ``orderby`` (date, id, modified),
``order``, answering ``X-WP-Total`` and ``X-WP-TotalPages``; ``GET``/``PUT /orders/<id>``
(status, ``meta_data`` written by key; every change moves ``date_modified_gmt``);
``GET``/``POST /orders/<id>/notes``; ``POST /products/batch`` and
``/products/<id>/variations/batch`` (``update`` with ``stock_quantity``/``manage_stock``).
Basic auth with the consumer key and secret is required (401
``woocommerce_rest_authentication_error`` otherwise).

Core WooCommerce has no tracking field. With ``tracking_plugin`` set, the fake also serves a
tracking plugin's routes, and the WordPress REST index (``GET /wp-json/``, public) lists its
namespace, as WordPress does for every registered namespace:

- ``"shipment_tracking"`` (WooCommerce Shipment Tracking,
  https://woocommerce.com/document/shipment-tracking/ (REST API)):
  ``GET``/``POST /wp-json/wc-shipment-tracking/v3/orders/<id>/shipment-trackings``;
  ``tracking_number`` is required; a ``custom_tracking_provider`` with a
  ``custom_tracking_link`` stands for a carrier the plugin does not list.
- ``"ast"`` (Advanced Shipment Tracking, same route,
  https://docs.zorem.com/docs/ast-free/add-tracking-to-orders/shipment-tracking-api/):
  ``tracking_provider`` is required and must match a provider enabled in the shop
  (``ast_providers``); ``status_shipped`` 1 marks the order completed ("Shipped"), 2
  partially shipped.
Without a plugin those routes answer 404 ``rest_no_route``, as WordPress does.

Key permissions (read, write, read_write), ``GET /system_status`` and the webhook routes
(``GET``/``POST /webhooks``, ``DELETE /webhooks/<id>?force=true``): ``woocommerce_onboarding``.

Webhooks carry ``X-WC-Webhook-Source``,
``-Topic``, ``-Resource``, ``-Event``, ``-Signature``, ``-ID`` and ``-Delivery-ID`` (a hash of
the webhook id and the current second, as WooCommerce makes it).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ..wire_formats import hmac_sha256_b64
from . import woocommerce_catalog
from .base import HIDDEN, FakeServer, post
from .woocommerce_onboarding import FakeWooOnboarding

PREFIX = "/wp-json/wc/v3"
ORDER = re.compile(rf"^{PREFIX}/orders/(\d+)$")
NOTES = re.compile(rf"^{PREFIX}/orders/(\d+)/notes$")
VARIATIONS = re.compile(rf"^{PREFIX}/products/(\d+)/variations/batch$")
TRACKING_NS = "wc-shipment-tracking/v3"
TRACKINGS = re.compile(rf"^/wp-json/{TRACKING_NS}/orders/(\d+)/shipment-trackings/?$")
NO_ROUTE = {"code": "rest_no_route", "message": "No route was found matching the URL and "
            "request method.", "data": {"status": 404}}  # fmt: skip
STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed",
            "trash")  # fmt: skip


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def make_order(i: int, *, base: datetime | None = None, currency: str = "EUR") -> dict:
    """One order as ``GET /orders/<id>`` returns it."""
    base = base or datetime(2026, 1, 1, tzinfo=UTC)
    created = base + timedelta(seconds=i)
    qty = 1 + i % 3
    price = Decimal(f"{10 + i % 40}.50")
    subtotal = price * qty
    address = {
        "first_name": "Käufer",
        "last_name": str(i),
        "company": "",
        "address_1": f"Hauptstraße {i}",
        "address_2": "",
        "city": "Berlin",
        "state": "",
        "postcode": "10115",
        "country": "DE",
    }
    return {
        "id": 700 + i,
        "parent_id": 0,
        "number": str(700 + i),
        "order_key": f"wc_order_{i:08d}",
        "created_via": "checkout",
        "status": "processing",
        "currency": currency,
        "date_created": _gmt(created),
        "date_created_gmt": _gmt(created),
        "date_modified": _gmt(created),
        "date_modified_gmt": _gmt(created),
        "discount_total": "0.00",
        "shipping_total": "4.90",
        "total": f"{subtotal + Decimal('4.90'):.2f}",
        "total_tax": "0.00",
        "customer_note": "",
        "billing": {**address, "email": f"kunde{i}@example.com", "phone": "+4930123456"},
        "shipping": {**address, "phone": ""},
        "payment_method": "stripe",
        "date_paid_gmt": _gmt(created),
        "meta_data": [],
        "line_items": [
            {
                "id": 9000 + i,
                "name": f"Fake product {i % 50}",
                "product_id": 100 + i % 50,
                "variation_id": 0,
                "quantity": qty,
                "subtotal": f"{subtotal:.2f}",
                "total": f"{subtotal:.2f}",
                "sku": f"WC-SKU-{i % 50:03d}",
                "price": price,  # a JSON number, as WooCommerce sends it
                "meta_data": [],
            }
        ],
        "shipping_lines": [{"id": 1, "method_id": "flat_rate", "total": "4.90"}],
        "refunds": [],
    }


def sign(body: bytes, secret: str) -> str:
    return hmac_sha256_b64(body, secret)


class FakeWooCommerce(FakeServer):
    def __init__(
        self,
        *,
        orders: int = 0,
        consumer_key: str = "ck_fake",
        consumer_secret: str = "cs_fake",
        site: str = "fake-woo.example",
        webhook_id: int = 17,
        tracking_plugin: str | None = None,
        ast_providers: tuple[str, ...] = ("YunExpress", "DHL Express", "China Post", "USPS"),
    ):
        super().__init__()
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.site = site
        self.webhook_id = webhook_id
        assert tracking_plugin in (None, "shipment_tracking", "ast")
        self.tracking_plugin = tracking_plugin
        self.ast_providers = set(ast_providers)
        self.trackings: dict[int, list[dict]] = {}  # the plugin's tracking items per order
        self.orders: dict[int, dict] = {}
        self.notes: dict[int, list[dict]] = {}
        self.completions: list[dict] = []  # every PUT that set status completed
        self.meta_writes: list[dict] = []  # every PUT with meta_data
        self.note_posts: list[dict] = []  # every note added
        self.products: dict[int, dict] = {}
        self.variations: dict[tuple[int, int], dict] = {}
        self.stock_batches: list[dict] = []
        self._note_id = 1000
        # onboarding: key permissions (``onboarding.permissions``), system status, webhooks
        self.onboarding = FakeWooOnboarding(self)
        for i in range(orders):
            self.add_order(make_order(i))

    # --- data -------------------------------------------------------------------------------

    def add_order(self, order: dict) -> dict:
        with self.lock:
            self.orders[order["id"]] = order
        return order

    def add_product(self, product_id: int, variations: list[int] = ()) -> None:
        with self.lock:
            self.products[product_id] = {"id": product_id, "manage_stock": False,
                                         "stock_quantity": None}  # fmt: skip
            for vid in variations:
                self.variations[(product_id, vid)] = {"id": vid, "manage_stock": False,
                                                      "stock_quantity": None}  # fmt: skip

    def touch(self, order_id: int, when: datetime | None = None, **changes) -> dict:
        """Change an order (``date_modified_gmt`` moves on one second) and return a copy."""
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            self._bump(order, when)
            return copy.deepcopy(order)

    def _bump(self, order: dict, when: datetime | None = None) -> None:
        moment = when or (
            datetime.fromisoformat(order["date_modified_gmt"]).replace(tzinfo=UTC)
            + timedelta(seconds=1)
        )
        order["date_modified_gmt"] = order["date_modified"] = _gmt(moment)

    def tracking_of(self, order_id: int) -> list[dict]:
        """The tracking items the plugin keeps for an order ([] without a plugin)."""
        with self.lock:
            return copy.deepcopy(self.trackings.get(order_id, []))

    # --- HTTP -------------------------------------------------------------------------------

    def _authorized(self, headers) -> bool:
        value = headers.get("Authorization") or ""
        if not value.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return (user, password) == (self.consumer_key, self.consumer_secret)

    def before(self, method, path, query, headers, raw):
        if path in ("/wp-json", "/wp-json/") and method == "GET":
            return 200, self._index(), {}  # the REST index is public
        plugin_route = self.tracking_plugin and path.startswith(f"/wp-json/{TRACKING_NS}/")
        if not path.startswith(PREFIX + "/") and not plugin_route:
            return 404, NO_ROUTE, {}
        if not self._authorized(headers):
            error = {"code": "woocommerce_rest_authentication_error",
                     "message": "Consumer key is invalid.", "data": {"status": 401}}  # fmt: skip
            return 401, error, {}
        return self.onboarding.refuse_by_permission(method)

    def failure_body(self, status: int):
        return {"code": "http_error", "message": "Service Unavailable", "data": {"status": status}}

    def _index(self) -> dict:
        namespaces = ["oembed/1.0", "wp/v2", "wc/v1", "wc/v2", "wc/v3", "wc/store/v1"]
        if self.tracking_plugin:
            namespaces.append(TRACKING_NS)
        return {"name": self.site, "description": "", "url": f"https://{self.site}",
                "home": f"https://{self.site}", "gmt_offset": "1", "namespaces": namespaces,
                "authentication": {}, "routes": {}}  # fmt: skip

    def route(self, method, path, query, headers, raw):
        body = json.loads(raw, parse_float=Decimal) if raw else {}
        answer = self.onboarding.route(method, path, query, body)
        if answer is not None:
            return answer
        if m := TRACKINGS.match(path):
            return self._trackings(method, int(m.group(1)), body)
        if path == f"{PREFIX}/orders" and method == "GET":
            return self._list(query)
        if m := ORDER.match(path):
            oid = int(m.group(1))
            if oid not in self.orders:
                return 404, {"code": "woocommerce_rest_shop_order_invalid_id",
                             "message": "Invalid ID.", "data": {"status": 404}}, {}  # fmt: skip
            if method == "GET":
                with self.lock:
                    return 200, copy.deepcopy(self.orders[oid]), {}
            if method == "PUT":
                return self._update(oid, body)
        if m := NOTES.match(path):
            oid = int(m.group(1))
            if oid not in self.orders:
                return 404, {"code": "woocommerce_rest_shop_order_invalid_id",
                             "message": "Invalid ID.", "data": {"status": 404}}, {}  # fmt: skip
            if method == "GET":
                with self.lock:
                    return 200, list(reversed(self.notes.get(oid, []))), {}
            if method == "POST":
                return self._add_note(oid, body)
        if method == "GET" and (found := woocommerce_catalog.route(self, path, query)):
            return found  # fakes/woocommerce_catalog.py
        if path == f"{PREFIX}/products/batch" and method == "POST":
            return self._batch(body, None)
        if (m := VARIATIONS.match(path)) and method == "POST":
            return self._batch(body, int(m.group(1)))
        return 404, {"code": "rest_no_route", "message": "No route was found matching the URL "
                     "and request method.", "data": {"status": 404}}, {}  # fmt: skip

    def _list(self, q: dict):
        try:
            per_page = int(q.get("per_page") or 10)
            page = int(q.get("page") or 1)
        except ValueError:
            return 400, {"code": "rest_invalid_param", "message": "Invalid parameter(s): page",
                         "data": {"status": 400}}, {}  # fmt: skip
        if not 1 <= per_page <= 100 or page < 1:
            return 400, {"code": "rest_invalid_param", "message": "Invalid parameter(s): "
                         "per_page", "data": {"status": 400}}, {}  # fmt: skip
        after = q.get("modified_after")
        if after and q.get("dates_are_gmt") == "true":
            after = datetime.fromisoformat(after.replace("Z", "+00:00")).astimezone(UTC)
            after = _gmt(after)
        field = {"modified": "date_modified_gmt", "id": "id"}.get(q.get("orderby") or "date",
                                                                  "date_created_gmt")  # fmt: skip
        with self.lock:
            rows = [
                o for o in self.orders.values()
                if o["status"] != "trash" and not o.get(HIDDEN)
                and (not after or o["date_modified_gmt"] > after)
            ]  # fmt: skip
            rows.sort(key=lambda o: (o[field], o["id"]), reverse=(q.get("order") or "desc")
                      == "desc")  # fmt: skip
            total = len(rows)
            pages = math.ceil(total / per_page)
            chunk = copy.deepcopy(rows[(page - 1) * per_page : page * per_page])
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        return 200, chunk, headers

    def _update(self, oid: int, body: dict):
        with self.lock:
            order = self.orders[oid]
            status = body.get("status")
            if status is not None and status not in STATUSES:
                return 400, {"code": "rest_invalid_param", "message": "Invalid parameter(s): "
                             "status", "data": {"status": 400}}, {}  # fmt: skip
            if status:
                order["status"] = status
                if status == "completed":
                    self.completions.append({"order_id": oid})
            for meta in body.get("meta_data") or []:
                self.meta_writes.append({"order_id": oid, **meta})
                kept = [m for m in order["meta_data"] if m["key"] != meta["key"]]
                kept.append({"id": len(self.meta_writes) + 5000, "key": meta["key"],
                             "value": meta.get("value")})  # fmt: skip
                order["meta_data"] = kept
            self._bump(order, datetime.now(UTC))
            return 200, copy.deepcopy(order), {}

    def _trackings(self, method: str, oid: int, body: dict):
        if oid not in self.orders:
            return 404, {"code": "woocommerce_rest_order_invalid_id", "message": "Order ID is "
                         "invalid.", "data": {"status": 404}}, {}  # fmt: skip
        if method == "GET":
            return 200, self.tracking_of(oid), {}
        if method != "POST":
            return 404, NO_ROUTE, {}
        number = str(body.get("tracking_number") or "")
        provider = str(body.get("tracking_provider") or "")
        if not number:
            return 400, {"code": "rest_missing_callback_param", "message": "Missing "
                         "parameter(s): tracking_number", "data": {"status": 400}}, {}  # fmt: skip
        if self.tracking_plugin == "ast":
            if provider not in self.ast_providers:
                return 400, {"code": "rest_invalid_param", "message": "Tracking provider not "
                             "found: enable it in Shipment Tracking > Shipping providers",
                             "data": {"status": 400}}, {}  # fmt: skip
            link, custom = "", ""
        else:
            custom = str(body.get("custom_tracking_provider") or "")
            if not provider and not custom:
                return 400, {"code": "rest_missing_callback_param", "message": "Missing "
                             "parameter(s): tracking_provider",
                             "data": {"status": 400}}, {}  # fmt: skip
            link = str(body.get("custom_tracking_link") or "") if custom else ""
        item = {
            "tracking_id": hashlib.md5(f"{oid}:{number}".encode()).hexdigest(),  # noqa: S324
            "tracking_provider": provider, "custom_tracking_provider": custom,
            "tracking_link": link, "tracking_number": number,
            "date_shipped": str(body.get("date_shipped") or ""),
        }  # fmt: skip
        with self.lock:
            items = self.trackings.setdefault(oid, [])
            if self.tracking_plugin == "ast" and str(body.get("replace_tracking")) == "1":
                items.clear()
            items.append(item)
            order = self.orders[oid]
            shipped = str(body.get("status_shipped") or "0")
            if self.tracking_plugin == "ast" and shipped in ("1", "2"):
                order["status"] = "completed" if shipped == "1" else "partial-shipped"
                if shipped == "1":
                    self.completions.append({"order_id": oid})
            self._bump(order, datetime.now(UTC))
        return 201, item, {}

    def _add_note(self, oid: int, body: dict):
        if not body.get("note"):
            return 400, {"code": "rest_missing_callback_param", "message": "Missing parameter(s):"
                         " note", "data": {"status": 400}}, {}  # fmt: skip
        with self.lock:
            self._note_id += 1
            note = {"id": self._note_id, "author": "WooCommerce", "date_created_gmt":
                    _gmt(datetime.now(UTC)), "note": body["note"],
                    "customer_note": bool(body.get("customer_note"))}  # fmt: skip
            self.notes.setdefault(oid, []).append(note)
            self.note_posts.append({"order_id": oid, **note})
        return 201, note, {}

    def _batch(self, body: dict, parent: int | None):
        out = []
        with self.lock:
            for row in body.get("update") or []:
                key = row.get("id") if parent is None else (parent, row.get("id"))
                target = (self.products if parent is None else self.variations).get(key)
                if target is None:
                    code = ("woocommerce_rest_product_invalid_id" if parent is None
                            else "woocommerce_rest_product_variation_invalid_id")  # fmt: skip
                    out.append({"id": row.get("id"), "error": {"code": code, "message":
                                "Invalid ID.", "data": {"status": 400}}})  # fmt: skip
                    continue
                for k in ("manage_stock", "stock_quantity"):
                    if k in row:
                        target[k] = row[k]
                out.append(dict(target))
            self.stock_batches.append({"parent": parent, "update": body.get("update") or []})
        return 200, {"create": [], "update": out, "delete": []}, {}

    # --- webhooks ---------------------------------------------------------------------------

    def delivery_id(self, moment: datetime | None = None) -> str:
        """WooCommerce's: a hash of the webhook id and the current second."""
        second = int((moment or datetime.now(UTC)).timestamp())
        return hashlib.md5(f"{self.webhook_id}{second}".encode()).hexdigest()  # noqa: S324

    def webhook_request(
        self, topic: str, payload: dict, secret: str, *, delivery_id: str | None = None
    ) -> tuple[bytes, dict]:
        body = json.dumps(payload, default=str).encode()
        resource, _, event = topic.partition(".")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "WooCommerce/9.8.0 Hookshot (WordPress/6.8)",
            "X-WC-Webhook-Source": f"https://{self.site}/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": sign(body, secret),
            "X-WC-Webhook-ID": str(self.webhook_id),
            "X-WC-Webhook-Delivery-ID": delivery_id or self.delivery_id(),
        }
        return body, headers

    def send_webhook(self, url: str, topic: str, payload: dict, secret: str, **kw) -> int:
        body, headers = self.webhook_request(topic, payload, secret, **kw)
        return post(url, body, headers)

    def send_ping(self, url: str) -> int:
        """The unsigned ping WooCommerce sends when a webhook is saved (expects 200)."""
        return post(url, f"webhook_id={self.webhook_id}".encode(),
                    {"User-Agent": "WooCommerce/9.8.0 Hookshot (WordPress/6.8)",
                     "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
