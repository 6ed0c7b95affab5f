"""A local fake of Login with Amazon and the SP-API Orders API v0, for tests and the demo.

    fake = FakeAmazon(orders=10).start()        # http://127.0.0.1:<port>
    credentials: fake.credentials()               # refresh token, client id/secret, lwa_endpoint
    fake.confirmations                            # shipment confirmations received
    fake.expire_tokens()                          # every issued access token expires now
    fake.limits["getOrders"] = (0.5, 2)           # usage plan (rate/s, burst) per operation
    fake.fail_next(1, status=503); fake.drop_after_bytes = 100
    fake.stop()

Speaks the documented shapes: ``POST /auth/o2/token`` (form ``grant_type=refresh_token``)
answering ``access_token``/``expires_in``; ``GET /orders/v0/orders`` (``MarketplaceIds``,
``LastUpdatedAfter``/``LastUpdatedBefore`` or ``CreatedAfter``, ``MaxResultsPerPage`` up to
100, ``NextToken``) answering ``{"payload": {"Orders", "NextToken", "LastUpdatedBefore"}}``;
``GET /orders/v0/orders/{id}``; ``GET /orders/v0/orders/{id}/orderItems``;
``POST /orders/v0/orders/{id}/shipmentConfirmation`` (204). Every SP-API call needs a valid,
unexpired ``x-amz-access-token`` (403 ``Unauthorized`` otherwise) and is counted against its
operation's token bucket: 429 ``QuotaExceeded`` when empty. Answers carry
``x-amzn-RateLimit-Limit`` and ``x-amzn-RequestId``.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from .base import HIDDEN, FakeServer

ORDERS = "/orders/v0/orders"
ONE = re.compile(rf"^{ORDERS}/([0-9A-Za-z\-]+)$")
ITEMS = re.compile(rf"^{ORDERS}/([0-9A-Za-z\-]+)/orderItems$")
CONFIRM = re.compile(rf"^{ORDERS}/([0-9A-Za-z\-]+)/shipmentConfirmation$")
MARKETPLACE = "ATVPDKIKX0DER"  # amazon.com


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: str, currency: str = "USD") -> dict:
    return {"CurrencyCode": currency, "Amount": amount}


def make_order(
    i: int, *, base: datetime | None = None, channel: str = "MFN", status: str = "Unshipped"
) -> tuple[dict, list[dict]]:
    """One order (getOrders shape) and its items (getOrderItems shape)."""
    base = base or datetime(2026, 1, 1, tzinfo=UTC)
    created = base + timedelta(seconds=i)
    qty = 1 + i % 2
    price = 15 + i % 10
    order = {
        "AmazonOrderId": f"113-{i:07d}-{1000000 + i:07d}",
        "PurchaseDate": _iso(created),
        "LastUpdateDate": _iso(created),
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


def _error(code: str, message: str, details: str = "") -> dict:
    return {"errors": [{"code": code, "message": message, "details": details}]}


class _Bucket:
    def __init__(self, rate: float, burst: float):
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class FakeAmazon(FakeServer):
    def __init__(
        self,
        *,
        orders: int = 0,
        client_id: str = "amzn1.application-oa2-client.fake",
        client_secret: str = "amzn1.oa2-cs.fake",
        refresh_token: str = "Atzr|fake",
        expires_in: int = 3600,
    ):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.expires_in = expires_in
        self.tokens: dict[str, float] = {}  # access token -> expires at (monotonic)
        self.grants = 0
        self.orders: dict[str, dict] = {}
        self.items: dict[str, list[dict]] = {}
        self.confirmations: list[dict] = []
        self.packages: dict[tuple[str, str], dict] = {}  # (order id, package ref) -> detail
        # usage plans (rate per second, burst); generous by default so tests run fast
        self.limits = {"getOrders": (50.0, 20), "getOrder": (50.0, 30),
                       "getOrderItems": (50.0, 30), "confirmShipment": (50.0, 10)}  # fmt: skip
        self._buckets: dict[str, _Bucket] = {}
        self.throttled = 0
        self.page_size_seen: list[int] = []
        for i in range(orders):
            self.add_order(*make_order(i))

    # --- data -------------------------------------------------------------------------------

    def add_order(self, order: dict, items: list[dict]) -> dict:
        with self.lock:
            self.orders[order["AmazonOrderId"]] = order
            self.items[order["AmazonOrderId"]] = items
        return order

    def touch(self, order_id: str, when: datetime | None = None, **changes) -> dict:
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            moment = when or (
                datetime.fromisoformat(order["LastUpdateDate"].replace("Z", "+00:00"))
                + timedelta(seconds=1)
            )
            order["LastUpdateDate"] = _iso(moment)
            return copy.deepcopy(order)

    def credentials(self, base_url: str | None = None) -> dict:
        return {"client_id": self.client_id, "client_secret": self.client_secret,
                "refresh_token": self.refresh_token,
                "lwa_endpoint": f"{base_url or self.base_url}/auth/o2/token"}  # fmt: skip

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0.0

    def set_limit(self, operation: str, rate: float, burst: float) -> None:
        with self.lock:
            self.limits[operation] = (rate, burst)
            self._buckets.pop(operation, None)

    # --- HTTP -------------------------------------------------------------------------------

    def _operation(self, method: str, path: str) -> str | None:
        if path == ORDERS and method == "GET":
            return "getOrders"
        if ITEMS.match(path) and method == "GET":
            return "getOrderItems"
        if CONFIRM.match(path) and method == "POST":
            return "confirmShipment"
        if ONE.match(path) and method == "GET":
            return "getOrder"
        return None

    def before(self, method, path, query, headers, raw):
        if path == "/auth/o2/token":
            return None
        op = self._operation(method, path)
        if op is None:
            return 404, _error("NotFound", "Resource not found"), {}
        token = headers.get("x-amz-access-token") or ""
        with self.lock:
            expires = self.tokens.get(token)
        if expires is None or expires <= time.monotonic():
            detail = "The access token you provided has expired." if expires is not None else ""
            return 403, _error("Unauthorized", "Access to requested resource is denied.",
                               detail), {}  # fmt: skip
        rate, burst = self.limits[op]
        limit = {"x-amzn-RateLimit-Limit": f"{rate}", "x-amzn-RequestId": str(uuid.uuid4())}
        with self.lock:
            bucket = self._buckets.setdefault(op, _Bucket(rate, burst))
            ok = bucket.take()
            if not ok:
                self.throttled += 1
        if not ok:
            return 429, _error("QuotaExceeded", "You exceeded your quota for the requested "
                               "resource."), limit  # fmt: skip
        return None

    def failure_body(self, status: int):
        return _error("InternalFailure", "We encountered an internal error. Please try again.")

    def route(self, method, path, query, headers, raw):
        if path == "/auth/o2/token":
            return self._token(raw)
        op = self._operation(method, path)
        limit = {"x-amzn-RateLimit-Limit": f"{self.limits[op][0]}",
                 "x-amzn-RequestId": str(uuid.uuid4())}  # fmt: skip
        if op == "getOrders":
            status, body = self._orders(query)
        elif op == "getOrderItems":
            status, body = self._items(ITEMS.match(path).group(1))
        elif op == "confirmShipment":
            status, body = self._confirm(CONFIRM.match(path).group(1), raw)
        else:
            oid = ONE.match(path).group(1)
            with self.lock:
                order = copy.deepcopy(self.orders.get(oid))
            status, body = (200, {"payload": order}) if order else (
                404, _error("NotFound", f"Order {oid} not found"))  # fmt: skip
        return status, body, limit

    def _token(self, raw: bytes):
        form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return 401, {"error": "invalid_client",
                         "error_description": "Client authentication failed"}, {}  # fmt: skip
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != (
            self.refresh_token
        ):
            return 400, {"error": "invalid_grant", "error_description": "The request has an "
                         "invalid grant parameter : refresh_token"}, {}  # fmt: skip
        token = "Atza|" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.expires_in
            self.grants += 1
        return 200, {"access_token": token, "refresh_token": self.refresh_token,
                     "token_type": "bearer", "expires_in": self.expires_in}, {}  # fmt: skip

    def _orders(self, q: dict):
        if not q.get("MarketplaceIds"):
            return 400, _error("InvalidInput", "Missing required 'MarketplaceIds'")
        if q.get("NextToken"):
            try:
                state = json.loads(base64.b64decode(q["NextToken"]))
            except ValueError:
                return 400, _error("InvalidInput", "Invalid NextToken")
        else:
            if not (q.get("LastUpdatedAfter") or q.get("CreatedAfter")):
                return 400, _error("InvalidInput", "Either CreatedAfter or LastUpdatedAfter "
                                   "must be specified")  # fmt: skip
            size = int(q.get("MaxResultsPerPage") or 100)
            if not 1 <= size <= 100:
                return 400, _error("InvalidInput", "MaxResultsPerPage must be 1 to 100")
            state = {"after": q.get("LastUpdatedAfter"), "before": q.get("LastUpdatedBefore"),
                     "created": q.get("CreatedAfter"), "size": size, "offset": 0,
                     "markets": q["MarketplaceIds"].split(",")}  # fmt: skip
        with self.lock:
            rows = sorted(
                (o for o in self.orders.values()
                 if o["MarketplaceId"] in state["markets"] and not o.get(HIDDEN)
                 and (not state["after"] or o["LastUpdateDate"] >= state["after"])
                 and (not state["before"] or o["LastUpdateDate"] <= state["before"])
                 and (not state["created"] or o["PurchaseDate"] >= state["created"])),
                key=lambda o: (o["LastUpdateDate"], o["AmazonOrderId"]),
            )  # fmt: skip
            page = copy.deepcopy(rows[state["offset"] : state["offset"] + state["size"]])
            self.page_size_seen.append(state["size"])
        payload: dict = {"Orders": page}
        if state["offset"] + state["size"] < len(rows):
            nxt = {**state, "offset": state["offset"] + state["size"]}
            payload["NextToken"] = base64.b64encode(json.dumps(nxt).encode()).decode()
        if state["before"]:
            payload["LastUpdatedBefore"] = state["before"]
        return 200, {"payload": payload}

    def _items(self, oid: str):
        with self.lock:
            items = copy.deepcopy(self.items.get(oid))
        if items is None:
            return 404, _error("NotFound", f"Order {oid} not found")
        return 200, {"payload": {"AmazonOrderId": oid, "OrderItems": items}}

    def _confirm(self, oid: str, raw: bytes):
        try:
            body = json.loads(raw)
            detail = body["packageDetail"]
            ref = detail["packageReferenceId"]
            rows = detail["orderItems"]
        except (ValueError, KeyError, TypeError):
            return 400, _error("InvalidInput", "The input you have submitted is not valid.")
        if not (isinstance(ref, str) and ref.isdigit() and int(ref) > 0):
            return 400, _error("InvalidInput", "The input you have submitted is not valid. Please "
                               "check the fields with invalid type [packageDetail."
                               "packageReferenceId].")  # fmt: skip
        for key in ("carrierCode", "trackingNumber", "shipDate"):
            if not detail.get(key):
                return 400, _error("InvalidInput", f"Missing packageDetail.{key}")
        if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
            return 400, _error("InvalidInput", "carrierName is required when carrierCode is Other")
        with self.lock:
            order = self.orders.get(oid)
            if order is None:
                return 404, _error("NotFound", f"Order {oid} not found")
            if body.get("marketplaceId") != order["MarketplaceId"]:
                return 400, _error("InvalidInput", "marketplaceId does not match the order")
            if order["FulfillmentChannel"] == "AFN" or order["OrderStatus"] in (
                "Canceled", "Pending", "PendingAvailability",
            ):  # fmt: skip
                return 400, _error("InvalidInput", f"Order is {order['OrderStatus']}")
            items = {i["OrderItemId"]: i for i in self.items[oid]}
            update = (oid, ref) in self.packages
            if order["OrderStatus"] == "Shipped" and not update:
                return 400, _error("GeneralError", "Failed to create package due to not finding "
                                   "a matching package or order already fulfilled.")  # fmt: skip
            for row in rows:
                item = items.get(row.get("orderItemId"))
                qty = int(row.get("quantity") or 0)
                if item is None or qty <= 0:
                    return 400, _error("InvalidInput", "Invalid orderItemId or quantity")
                left = item["QuantityOrdered"] - (0 if update else item["QuantityShipped"])
                if qty > left:
                    return 400, _error("InvalidInput", "Quantity exceeds the quantity to ship")
            for row in rows:
                if not update:
                    items[row["orderItemId"]]["QuantityShipped"] += int(row["quantity"])
            self.packages[(oid, ref)] = detail
            self.confirmations.append({"order_id": oid, "update": update, **detail})
            done = all(i["QuantityShipped"] >= i["QuantityOrdered"] for i in items.values())
            order["OrderStatus"] = "Shipped" if done else "PartiallyShipped"
            order["LastUpdateDate"] = _iso(datetime.now(UTC))
        return 204, None
