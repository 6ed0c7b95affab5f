"""A local fake of Login with Amazon and the SP-API, for tests and the demo.

    fake = FakeAmazon(orders=10).start()        # http://127.0.0.1:<port>
    credentials: fake.credentials()               # refresh token, client id/secret, seller id
    fake.confirmations                            # shipment confirmations received
    fake.add_listing("SKU-1", [MARKETPLACE])      # a listing; fake.listings: its quantities
    fake.expire_tokens()                          # every issued access token expires now
    fake.limits["searchOrders"] = (0.5, 2)        # usage plan (rate/s, burst) per operation
    fake.fail_next(1, status=503); fake.drop_after_bytes = 100
    fake.stop()

Speaks the documented shapes (sources and the rules checked: ``amazon_shapes``):
- LWA ``POST /auth/o2/token`` (form ``grant_type=refresh_token``): ``access_token``,
  ``expires_in``.
- Orders API v2026-01-01: ``GET /orders/2026-01-01/orders`` (searchOrders: exactly one of
  ``createdAfter``/``lastUpdatedAfter``, ``lastUpdatedBefore`` at least two minutes before the
  request, ``marketplaceIds``, ``maxResultsPerPage`` 1 to 100, ``paginationToken`` = the last
  answer's ``pagination.nextToken``, ``includedData``) answering ``{"orders", "pagination",
  "lastUpdatedBefore"}``; ``GET /orders/2026-01-01/orders/{id}`` (getOrder) answering
  ``{"order"}``. The buyer and the address come without a Restricted Data Token.
- Orders API v0 (deprecated; kept to show what it withholds): ``GET /orders/v0/orders``,
  ``/orders/v0/orders/{id}`` and ``.../orderItems``. This fake issues no Restricted Data
  Tokens, so v0 answers never carry the buyer or the address's name, street lines and phone.
- ``POST /orders/v0/orders/{id}/shipmentConfirmation`` (204), one package per call: a new
  ``packageReferenceId`` is a new package, the same one again edits that package.
- Listings Items 2021-08-01: ``GET`` and ``PATCH /listings/2021-08-01/items/{sellerId}/{sku}
  ?marketplaceIds=`` (getListingsItem with the ``summaries``, patchListingsItem; a listing not
  in that marketplace answers 404 / ``INVALID``).
- searchListingsItems (``GET /listings/2021-08-01/items/{sellerId}``: one marketplace,
  ``pageSize`` 1 to 20, ``pageToken``): ``amazon_catalog``.
- Sellers API v1: ``GET /sellers/v1/marketplaceParticipations`` (getMarketplaceParticipations:
  each marketplace's id, country, name, default currency and the seller's participation;
  https://developer-docs.amazon.com/sp-api/docs/sellers-api-v1-reference). It needs no role.
- Roles (https://developer-docs.amazon.com/sp-api/docs/roles-in-the-selling-partner-api): an
  operation of an API section whose role the app was not granted answers 403 ``Unauthorized``
  (``roles``: the sections granted, ``orders`` and ``listings`` by default).
Every SP-API call needs a valid, unexpired ``x-amz-access-token`` (403 ``Unauthorized``
otherwise) and is counted against its operation's token bucket: 429 ``QuotaExceeded`` when
empty. Answers carry ``x-amzn-RateLimit-Limit`` and ``x-amzn-RequestId``.
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
from urllib.parse import parse_qs, unquote

from . import amazon_catalog
from .amazon_shapes import (
    DATASETS,
    MARKETPLACE,
    _money,
    confirmation_problem,
    iso,
    listings_patch_problem,
    make_order,
    order_2026,
    package_2026,
    v0_without_rdt,
)
from .base import HIDDEN, FakeServer

__all__ = ["MARKETPLACE", "FakeAmazon", "_money", "make_order"]

V0 = "/orders/v0/orders"
V26 = "/orders/2026-01-01/orders"
ONE = re.compile(rf"^{V0}/([0-9A-Za-z\-]+)$")
ITEMS = re.compile(rf"^{V0}/([0-9A-Za-z\-]+)/orderItems$")
CONFIRM = re.compile(rf"^{V0}/([0-9A-Za-z\-]+)/shipmentConfirmation$")
ONE_26 = re.compile(rf"^{V26}/([0-9A-Za-z\-]+)$")
LISTING = re.compile(r"^/listings/2021-08-01/items/([^/]+)/([^/]+)$")
PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
# the API section (role) of each operation; the Sellers API needs none
SECTIONS = {"searchOrders": "orders", "getOrder": "orders", "getOrders": "orders",
            "getOrderV0": "orders", "getOrderItems": "orders", "confirmShipment": "orders",
            "getListingsItem": "listings", "patchListingsItem": "listings",
            "searchListingsItems": "listings"}  # fmt: skip
SELLER = "A1FAKESELLER0001"
LAG = timedelta(minutes=2)  # searchOrders: the ...Before bound at least two minutes ago


def _iso(moment: datetime) -> str:
    return iso(moment)


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
        seller_id: str = SELLER,
        roles: tuple[str, ...] = ("orders", "listings"),
    ):
        super().__init__()
        self.roles = set(roles)
        self.store_name = "Fake Seller Store"
        self.participations = [  # (marketplace id, country, name, currency, domain)
            (MARKETPLACE, "US", "Amazon.com", "USD", "www.amazon.com"),
            ("A1F83G8C2ARO7P", "GB", "Amazon.co.uk", "GBP", "www.amazon.co.uk"),
        ]
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.expires_in = expires_in
        self.seller_id = seller_id
        self.tokens: dict[str, float] = {}  # access token -> expires at (monotonic)
        self.grants = 0
        self.orders: dict[str, dict] = {}
        self.items: dict[str, list[dict]] = {}
        self.confirmations: list[dict] = []
        self.refused: list[tuple[str, str]] = []  # (operation, why) of bodies refused with 400
        self.packages: dict[tuple[str, str], dict] = {}  # (order id, package ref) -> detail
        self._package_times: dict[tuple[str, str], str] = {}
        # (sku, marketplace) -> {"productType", "asin", "quantity": {channel code: n}}
        self.listings: dict[tuple[str, str], dict] = {}
        self.listing_patches: list[dict] = []  # accepted patches: sku, marketplace, body
        # usage plans (rate per second, burst); generous by default so tests run fast
        self.limits = {"searchOrders": (50.0, 20), "getOrder": (50.0, 30),
                       "getOrders": (50.0, 20), "getOrderV0": (50.0, 30),
                       "getOrderItems": (50.0, 30), "confirmShipment": (50.0, 10),
                       "getListingsItem": (50.0, 10),
                       "patchListingsItem": (50.0, 5),
                       "getMarketplaceParticipations": (50.0, 15),
                       "searchListingsItems": (50.0, 5)}  # fmt: skip
        self.search_calls: list[dict] = []  # the query of every searchListingsItems call
        self._buckets: dict[str, _Bucket] = {}
        self.throttled = 0
        self.page_size_seen: list[int] = []
        self.included_seen: list[frozenset[str]] = []  # includedData of each v2026 call
        for i in range(orders):
            self.add_order(*make_order(i))

    # --- data -------------------------------------------------------------------------------

    def add_order(self, order: dict, items: list[dict]) -> dict:
        with self.lock:
            self.orders[order["AmazonOrderId"]] = order
            self.items[order["AmazonOrderId"]] = items
        return order

    def add_listing(self, sku: str, marketplaces: list[str], *, product_type: str = "LUGGAGE",
                    asin: str = "", item_name: str = "") -> None:  # fmt: skip
        with self.lock:
            for market in marketplaces:
                self.listings[(sku, market)] = {"productType": product_type,
                                                "asin": asin or f"B0{abs(hash(sku)) % 10**8:08d}",
                                                "itemName": item_name or sku,
                                                "quantity": {}}  # fmt: skip

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
                "refresh_token": self.refresh_token, "seller_id": self.seller_id,
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
        if method == "GET":
            if path == V26:
                return "searchOrders"
            if ONE_26.match(path):
                return "getOrder"
            if path == V0:
                return "getOrders"
            if ITEMS.match(path):
                return "getOrderItems"
            if ONE.match(path):
                return "getOrderV0"
            if LISTING.match(path):
                return "getListingsItem"
            if path == PARTICIPATIONS:
                return "getMarketplaceParticipations"
            if amazon_catalog.SEARCH.match(path):
                return "searchListingsItems"  # fakes/amazon_catalog.py
        if method == "POST" and CONFIRM.match(path):
            return "confirmShipment"
        if method == "PATCH" and LISTING.match(path):
            return "patchListingsItem"
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
        if SECTIONS.get(op, "") and SECTIONS[op] not in self.roles:
            return 403, _error("Unauthorized", "Access to requested resource is denied."), {}
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
        if op == "getMarketplaceParticipations":
            status, body = 200, self._participations()
        elif op == "searchOrders":
            status, body = self._search(query)
        elif op == "getOrder":
            status, body = self._get_2026(ONE_26.match(path).group(1), query)
        elif op == "getOrders":
            status, body = self._orders_v0(query)
        elif op == "getOrderItems":
            status, body = self._items(ITEMS.match(path).group(1))
        elif op == "getOrderV0":
            oid = ONE.match(path).group(1)
            with self.lock:
                order = copy.deepcopy(self.orders.get(oid))
            status, body = (200, {"payload": v0_without_rdt(order)}) if order else (
                404, _error("NotFound", f"Order {oid} not found"))  # fmt: skip
        elif op == "confirmShipment":
            status, body = self._confirm(CONFIRM.match(path).group(1), raw)
        elif op == "getListingsItem":
            status, body = self._listing(*LISTING.match(path).groups(), query)
        elif op == "searchListingsItems":
            seller = amazon_catalog.SEARCH.match(path).group(1)
            status, body = amazon_catalog.search(self, seller, query)
        else:
            status, body = self._patch_listing(*LISTING.match(path).groups(), query, raw)
        if status == 400 and body and op in ("confirmShipment", "patchListingsItem"):
            with self.lock:
                self.refused.append((op, body["errors"][0]["message"]))
        return status, body, limit

    def _participations(self) -> dict:
        return {"payload": [
            {"marketplace": {"id": mid, "countryCode": country, "name": name,
                             "defaultCurrencyCode": currency, "defaultLanguageCode": "en_US",
                             "domainName": domain},
             "storeName": self.store_name,
             "participation": {"isParticipating": True, "hasSuspendedListings": False}}
            for mid, country, name, currency, domain in self.participations
        ]}  # fmt: skip

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

    # --- orders -----------------------------------------------------------------------------

    def _page(self, state: dict) -> tuple[list[dict], str | None]:
        """One page of the kept orders for a search ``state``; the next page's token."""
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
        token = None
        if state["offset"] + state["size"] < len(rows):
            nxt = {**state, "offset": state["offset"] + state["size"]}
            token = base64.b64encode(json.dumps(nxt).encode()).decode()
        return page, token

    def _orders_v0(self, q: dict):
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
        page, token = self._page(state)
        payload: dict = {"Orders": [v0_without_rdt(o) for o in page]}
        if token:
            payload["NextToken"] = token
        if state["before"]:
            payload["LastUpdatedBefore"] = state["before"]
        return 200, {"payload": payload}

    def _included(self, q: dict):
        """The ``includedData`` datasets asked for, or an error answer."""
        included = {v for v in (q.get("includedData") or "").split(",") if v}
        unknown = sorted(included - DATASETS)
        if unknown:
            return None, (400, _error("InvalidInput", f"Invalid includedData {unknown}"))
        with self.lock:
            self.included_seen.append(frozenset(included))
        return included, None

    def _view(self, order: dict, included: set[str]) -> dict:
        oid = order["AmazonOrderId"]
        with self.lock:
            items = copy.deepcopy(self.items.get(oid) or [])
            packages = [package_2026(d, self._package_times[k])
                        for k, d in self.packages.items() if k[0] == oid]  # fmt: skip
        return order_2026(order, items, packages, included)

    def _search(self, q: dict):
        """searchOrders (v2026 model, its parameter notes): "You must provide exactly one of
        createdAfter and lastUpdatedAfter"; a ...Before bound is "at least two minutes before
        the time of the request"; maxResultsPerPage "must be between 1 and 100"; the next page
        is asked for with "the nextToken value as the paginationToken query parameter"."""
        included, err = self._included(q)
        if err:
            return err
        if q.get("paginationToken"):
            try:
                state = json.loads(base64.b64decode(q["paginationToken"]))
            except ValueError:
                return 400, _error("InvalidInput", "Invalid paginationToken")
        else:
            created, updated = q.get("createdAfter"), q.get("lastUpdatedAfter")
            if bool(created) == bool(updated):
                return 400, _error("InvalidInput", "Exactly one of createdAfter and "
                                   "lastUpdatedAfter must be provided")  # fmt: skip
            if created and q.get("lastUpdatedBefore") or updated and q.get("createdBefore"):
                return 400, _error("InvalidInput", "created... and lastUpdated... bounds cannot "
                                   "be mixed")  # fmt: skip
            before = q.get("lastUpdatedBefore") or q.get("createdBefore")
            if before and before > _iso(datetime.now(UTC) - LAG):
                return 400, _error("InvalidInput", "The ...Before date must be at least two "
                                   "minutes before the time of the request")  # fmt: skip
            size = int(q.get("maxResultsPerPage") or 100)
            if not 1 <= size <= 100:
                return 400, _error("InvalidInput", "maxResultsPerPage must be between 1 and 100")
            markets = [m for m in (q.get("marketplaceIds") or "").split(",") if m]
            if not markets or len(markets) > 50:
                return 400, _error("InvalidInput", "marketplaceIds: 1 to 50 marketplaces")
            state = {"after": updated, "before": q.get("lastUpdatedBefore"), "created": created,
                     "size": size, "offset": 0, "markets": markets}  # fmt: skip
        page, token = self._page(state)
        body: dict = {"orders": [self._view(o, included) for o in page]}
        if token:
            body["pagination"] = {"nextToken": token}
        if state["before"]:
            body["lastUpdatedBefore"] = state["before"]
        return 200, body

    def _get_2026(self, oid: str, q: dict):
        included, err = self._included(q)
        if err:
            return err
        with self.lock:
            order = copy.deepcopy(self.orders.get(oid))
        if order is None:
            return 404, _error("NotFound", f"Order {oid} not found")
        return 200, {"order": self._view(order, included)}

    def _items(self, oid: str):
        with self.lock:
            items = copy.deepcopy(self.items.get(oid))
        if items is None:
            return 404, _error("NotFound", f"Order {oid} not found")
        return 200, {"payload": {"AmazonOrderId": oid, "OrderItems": items}}

    def _confirm(self, oid: str, raw: bytes):
        """One package per call (rules: ``amazon_shapes.confirmation_problem``). A new
        ``packageReferenceId`` adds a package with the quantities still to ship; the same one
        again edits that package (the v0 guide: confirmShipment can also "edit shipment
        details of orders that have been shipped")."""
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, _error("InvalidInput", "The input you have submitted is not valid.")
        problem = confirmation_problem(body)
        if problem:
            return 400, _error("InvalidInput", problem)
        detail = body["packageDetail"]
        ref, rows = detail["packageReferenceId"], detail["orderItems"]
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
            old = self.packages.get((oid, ref))
            before = {r["orderItemId"]: int(r["quantity"]) for r in (old or {}).get(
                "orderItems", [])}  # fmt: skip
            if order["OrderStatus"] == "Shipped" and old is None:
                return 400, _error("GeneralError", "Failed to create package due to not finding "
                                   "a matching package or order already fulfilled.")  # fmt: skip
            for row in rows:
                item = items.get(row.get("orderItemId"))
                qty = int(row.get("quantity") or 0)
                if item is None or qty <= 0:
                    return 400, _error("InvalidInput", "Invalid orderItemId or quantity")
                left = item["QuantityOrdered"] - item["QuantityShipped"] + before.get(
                    item["OrderItemId"], 0)  # fmt: skip
                if qty > left:
                    return 400, _error("InvalidInput", "Quantity exceeds the quantity to ship")
            for item_id, qty in before.items():  # an edit replaces the package's contents
                items[item_id]["QuantityShipped"] -= qty
            for row in rows:
                items[row["orderItemId"]]["QuantityShipped"] += int(row["quantity"])
            self.packages[(oid, ref)] = detail
            self._package_times.setdefault((oid, ref), _iso(datetime.now(UTC)))
            self.confirmations.append({"order_id": oid, "update": old is not None, **detail})
            done = all(i["QuantityShipped"] >= i["QuantityOrdered"] for i in items.values())
            some = any(i["QuantityShipped"] for i in items.values())
            order["OrderStatus"] = "Shipped" if done else (
                "PartiallyShipped" if some else "Unshipped")  # fmt: skip
            order["LastUpdateDate"] = _iso(datetime.now(UTC))
        return 204, None

    # --- listings ---------------------------------------------------------------------------

    def _listing_key(self, seller: str, sku: str, q: dict):
        if unquote(seller) != self.seller_id:
            return None, (400, _error("InvalidInput", f"Invalid sellerId {unquote(seller)}"))
        markets = [m for m in (q.get("marketplaceIds") or "").split(",") if m]
        if len(markets) != 1:
            return None, (400, _error("InvalidInput", "marketplaceIds: one marketplace"))
        return (unquote(sku), markets[0]), None

    def _listing(self, seller: str, sku: str, q: dict):
        key, err = self._listing_key(seller, sku, q)
        if err:
            return err
        with self.lock:
            found = copy.deepcopy(self.listings.get(key))
        if found is None:
            return 404, _error("NOT_FOUND", f"SKU '{key[0]}' not found in marketplace {key[1]}")
        body: dict = {"sku": key[0]}
        datasets = (q.get("includedData") or "summaries").split(",")
        if "summaries" in datasets:
            body["summaries"] = [{"marketplaceId": key[1], "asin": found["asin"],
                                  "productType": found["productType"],
                                  "conditionType": "new_new", "status": ["BUYABLE"]}]  # fmt: skip
        if "fulfillmentAvailability" in datasets:
            body["fulfillmentAvailability"] = [
                {"fulfillmentChannelCode": c, "quantity": n} for c, n in found["quantity"].items()
            ]
        return 200, body

    def _patch_listing(self, seller: str, sku: str, q: dict, raw: bytes):
        """patchListingsItem (rules: ``amazon_shapes.listings_patch_problem``); the product
        type must be the listing's. Answers ``ListingsItemSubmissionResponse``."""
        key, err = self._listing_key(seller, sku, q)
        if err:
            return err
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, _error("InvalidInput", "The request body is not JSON")
        problem = listings_patch_problem(body)
        if problem:
            return 400, _error("InvalidInput", problem)
        submission = {"sku": key[0], "submissionId": uuid.uuid4().hex}
        with self.lock:
            found = self.listings.get(key)
            issue = None
            if found is None:
                issue = f"SKU '{key[0]}' is not listed in marketplace {key[1]}"
            elif body["productType"] != found["productType"]:
                issue = (f"productType {body['productType']} does not match the listing's "
                         f"{found['productType']}")  # fmt: skip
            if issue:
                return 200, {**submission, "status": "INVALID", "issues": [
                    {"code": "4000001", "message": issue, "severity": "ERROR"}]}  # fmt: skip
            for patch in body["patches"]:
                if patch["path"] != "/attributes/fulfillment_availability":
                    continue
                if patch["op"] == "delete":
                    found["quantity"].clear()
                    continue
                for entry in patch["value"]:
                    found["quantity"][entry["fulfillment_channel_code"]] = entry["quantity"]
            self.listing_patches.append({"sku": key[0], "marketplace": key[1], "body": body})
        return 200, {**submission, "status": "ACCEPTED", "issues": []}
