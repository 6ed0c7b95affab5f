"""A local fake of Shopify's GraphQL Admin API, its client-credentials token endpoint, bulk
operation downloads and webhooks, for tests, the benchmark and the demo.

    fake = FakeShopify(orders=100).start()      # http://127.0.0.1:<port>
    ... ShopifyConnector over fake.base_url ...
    fake.fulfillments, fake.stock_pushes         # what was pushed
    fake.fail_next(2, status=503)                # the next 2 requests answer 503
    fake.drop_after_bytes = 100                  # the next request is cut mid-body
    fake.send_webhook(url, "orders/create", payload, secret)
    fake.stop()

It parses every GraphQL document it receives (graphql-core) and answers only the fields asked
for (``shopify_data.shape``), and it refuses what Shopify refuses, each rule with its source:

- API versions: only the supported ones are served; a retired version is 404 ``Not Found``
  (https://shopify.dev/docs/api/usage/versioning: each stable version is supported for at
  least 12 months; ``SUPPORTED_VERSIONS`` is the list as of December 2026).
- Cost: the requested cost by the published rule (``shopify.cost``: objects 1, scalars 0,
  connections 2 + first x item, mutations 10); above 1,000 points ``MAX_COST_EXCEEDED``, not
  run; otherwise a leaky bucket (``throttleStatus``) that must hold the requested cost
  (``THROTTLED``) and is charged the actual cost
  (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits). The default plan is
  Standard: 100 points/second restored, a 2,000-point bucket (the table on that page).
- Connections need ``first`` or ``last`` (at most 250): https://shopify.dev/docs/api/usage/pagination-graphql
- ``inventorySetQuantities`` (2026-04 and later): every quantity must carry
  ``changeFromQuantity`` (null skips the compare; a stale value is ``CHANGE_FROM_QUANTITY_STALE``)
  (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/InventoryQuantityInput) and
  the mutation must carry ``@idempotent(key:)``; the same key again returns the first answer
  without applying twice
  (https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations,
  https://shopify.dev/docs/api/usage/implementing-idempotency).
- ``fulfillmentCreate``: only fulfilment orders that are OPEN or IN_PROGRESS can be fulfilled
  (ON_HOLD, SCHEDULED and the closed states are refused:
  https://shopify.dev/docs/api/admin-graphql/latest/enums/FulfillmentOrderStatus); each
  line's quantity is at most what remains, no line list means all of them
  (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentOrderLineItemsInput);
  one fulfilment takes fulfilment orders of one assigned location (a fulfilment leaves from
  one place; the fake is stricter here than the pages say in words, so a connector that
  passes it sends one ``fulfillmentCreate`` per location).
- Bulk queries: one top-level connection; at most five running per shop (2026-01 and later);
  the result is JSONL at a URL that needs no token
  (https://shopify.dev/docs/api/usage/bulk-operations/queries).
- Shop, access scopes and webhook subscriptions (``shopify_onboarding``): HTTPS addresses
  only, one subscription per topic and address.
- Client credentials: ``POST /admin/oauth/access_token`` with ``grant_type=client_credentials``
  returns a token that expires after ``expires_in`` seconds
  (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from graphql.language import FieldNode, OperationType

from ..shopify import cost as query_cost
from ..shopify.client import API_VERSION
from ..wire_formats import hmac_sha256_b64
from .base import HIDDEN, FakeServer, post
from .shopify_bulk import BulkOperations
from .shopify_catalog import ShopifyCatalogData
from .shopify_data import argument, graphql_node, iso, make_order, rest_payload, shape
from .shopify_fulfillment import FulfillmentOrders
from .shopify_onboarding import FakeShopifyOnboarding

__all__ = ["FakeShopify", "make_order", "rest_payload", "graphql_node", "sign"]

SUPPORTED_VERSIONS = ("2026-01", "2026-04", "2026-07", "2026-10", "2027-01", "unstable")
API_PATH = re.compile(r"^/admin/api/([0-9]{4}-[0-9]{2}|unstable)/graphql\.json$")
TOKEN_PATH = "/admin/oauth/access_token"
SINCE = re.compile(r"updated_at:>=?'?([0-9T:\-\.Z+]+)'?")
MAX_PAGE = 250
DOCS_COST = "https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits"


def sign(body: bytes, secret: str) -> str:
    return hmac_sha256_b64(body, secret)


def _error(message: str, code: str, **extensions) -> dict:
    return {"message": message, "extensions": {"code": code, **extensions}}


class GraphQLRefused(Exception):
    def __init__(self, error: dict):
        super().__init__(error["message"])
        self.error = error


def _raise(error: dict):
    raise GraphQLRefused(error)


class FakeShopify(FakeServer):
    def __init__(
        self,
        *,
        orders: int = 0,
        token: str = "shpat_fake",
        shop: str = "fake-shop.myshopify.com",
        bucket_max: float = 2000.0,
        restore_rate: float = 100.0,
        client_id: str = "fake-client-id",
        client_secret: str = "fake-client-secret",
        token_lifetime: int = 86399,
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
        self.throttled = 0
        self.refused_cost = 0  # MAX_COST_EXCEEDED answers
        self.costs: list[tuple[int, int]] = []  # (requested, actual) of every document run
        # client credentials
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.issued_tokens: dict[str, float] = {}  # token -> expiry (on ``clock``)
        # fulfilment, stock, bulk
        self.fo = FulfillmentOrders(self)
        self.fulfillments = self.fo.fulfillments
        self.stock_pushes: list[dict] = []
        self.inventory: dict[tuple[str, str], int] = {}  # (item, location) -> available
        self._idempotency: dict[str, tuple[str, dict]] = {}  # key -> (input, answer)
        self.bulk = BulkOperations(self)
        self.catalog = ShopifyCatalogData(self)  # locations and products
        self._mutation_lock = threading.Lock()
        # onboarding: shop, granted scopes (``onboarding.scopes``), webhook subscriptions
        self.onboarding = FakeShopifyOnboarding(self)

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
            order["updated_at"] = iso(moment)
            return order

    def listed_orders(self, search: str | None) -> list[dict]:
        since = None
        match = SINCE.search(search or "")
        if match:
            since = match.group(1)
        with self.lock:
            return sorted(
                (
                    o
                    for o in self.orders.values()
                    if not o.get(HIDDEN) and (since is None or o["updated_at"] >= since)
                ),
                key=lambda o: (o["updated_at"], o["id"]),
            )

    # --- server (``FakeServer`` does the plumbing) ------------------------------------------

    def _token_valid(self, given: str | None) -> bool:
        if given and given == self.token:
            return True
        expiry = self.issued_tokens.get(given or "")
        return expiry is not None and self.clock() < expiry

    def before(self, method, path, query, headers, raw):
        if method == "GET" and path.startswith("/bulk/"):
            return None  # a signed download link: no token
        if method == "POST" and path == TOKEN_PATH:
            return None
        match = API_PATH.match(path)
        if method != "POST" or not match or match.group(1) not in SUPPORTED_VERSIONS:
            return 404, {"errors": "Not Found"}, {}
        if not self._token_valid(headers.get("X-Shopify-Access-Token")):
            return 401, {"errors": "[API] Invalid API key or access token (unrecognized login or "
                                   "wrong password)"}, {}  # fmt: skip
        return None

    def failure_body(self, status: int):
        return {"errors": "Service Unavailable"}

    def route(self, method, path, query, headers, raw):
        if method == "GET":
            return self.bulk.download(path)
        if path == TOKEN_PATH:
            return self._issue_token(raw, headers)
        try:
            request = json.loads(raw)
            document, variables = request["query"], request.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return 400, {"errors": {"query": "Required parameter missing"}}, {}
        status, body = self.execute(document, variables)
        return status, body, {}

    def _issue_token(self, raw: bytes, headers):
        form = {k: v[-1] for k, v in parse_qs(raw.decode(errors="replace")).items()}
        if "json" in (headers.get("Content-Type") or ""):
            try:
                form = json.loads(raw)
            except ValueError:
                form = {}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}, {}
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return 400, {"error": "invalid_client",
                         "error_description": "Client authentication failed"}, {}  # fmt: skip
        token = "shpat_cc_" + uuid.uuid4().hex
        with self.lock:
            self.issued_tokens[token] = self.clock() + self.token_lifetime
        return 200, {"access_token": token, "scope": ",".join(self.onboarding.scopes),
                     "expires_in": self.token_lifetime}, {}  # fmt: skip

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
        return ok, self._status()

    def _status(self) -> dict:
        return {
            "maximumAvailable": self.bucket_max,
            "currentlyAvailable": int(self._available),
            "restoreRate": self.restore_rate,
        }

    def _refund(self, amount: float) -> dict:
        with self.lock:
            self._available = min(self.bucket_max, self._available + amount)
            return self._status()

    def execute(self, document: str, variables: dict) -> tuple[int, dict]:
        try:
            doc = query_cost.parse_document(document)
            op = query_cost.operation_of(doc)
            requested = query_cost.requested_cost(document, variables)
        except query_cost.CostError as exc:
            return 200, {"errors": [_error(str(exc), "GRAPHQL_PARSE_FAILED")]}
        if requested > query_cost.MAX_QUERY_COST:
            with self.lock:
                self.refused_cost += 1
            message = (
                f"Query cost is {requested}, which exceeds the single query max cost limit "
                f"({query_cost.MAX_QUERY_COST}).\n\nSee {DOCS_COST} for more information on how "
                "the cost of a query is calculated.\n\nTo query larger amounts of data with fewer "
                "limits, bulk operations should be used instead."
            )
            err = _error(message, "MAX_COST_EXCEEDED", cost=requested,
                         maxCost=query_cost.MAX_QUERY_COST, documentation=DOCS_COST)  # fmt: skip
            return 200, {"errors": [err]}
        ok, status = self._bucket(requested)
        cost = {"requestedQueryCost": requested, "actualQueryCost": None, "throttleStatus": status}
        if not ok:
            err = _error("Throttled", "THROTTLED", documentation=DOCS_COST)
            return 200, {"errors": [err], "extensions": {"cost": cost}}
        mutation = op.operation == OperationType.MUTATION
        data: dict = {}
        try:
            for field in op.selection_set.selections:
                if not isinstance(field, FieldNode):
                    continue
                key = field.alias.value if field.alias else field.name.value
                if mutation:
                    value = self._mutation(field, variables)
                else:
                    value = self._query(field, variables)
                data[key] = shape(field.selection_set, value, variables)
        except GraphQLRefused as exc:
            cost["throttleStatus"] = self._refund(requested)
            return 200, {"errors": [exc.error], "extensions": {"cost": cost}}
        actual = query_cost.actual_cost(document, variables, data)
        cost["actualQueryCost"] = actual
        cost["throttleStatus"] = self._refund(max(0, requested - actual))
        with self.lock:
            self.costs.append((requested, actual))
        return 200, {"data": data, "extensions": {"cost": cost}}

    # --- queries ----------------------------------------------------------------------------

    def _query(self, field: FieldNode, v: dict):
        name = field.name.value
        if name == "orders":
            return self._q_orders(field, v)
        if name == "order":
            order = self._order_of(argument(field, "id", v))
            if order is None:
                return None
            node = graphql_node(order)
            node.update(self.fo.graphql(order))
            return node
        if name == "bulkOperation":
            return self.bulk.status(argument(field, "id", v))
        if name == "currentBulkOperation":
            return self.bulk.current()
        if name == "shop":
            return self.onboarding.shop()
        if name == "currentAppInstallation":
            return self.onboarding.installation()
        if name == "webhookSubscriptions":
            after = argument(field, "after", v)
            return self.onboarding.list(self._page_size(field, v), after)
        if name in ("locations", "productVariants"):  # fakes/shopify_catalog.py
            size = self._page_size(field, v)
            after = argument(field, "after", v)
            backwards = argument(field, "first", v) is None
            if name == "locations":
                inactive = argument(field, "includeInactive", v)
                return self.catalog.locations_page(size, after, backwards, inactive)
            return self.catalog.variants_page(size, after, backwards)
        if name == "productVariantsCount":
            return self.catalog.count(argument(field, "limit", v))
        raise GraphQLRefused(_error(f"Field '{name}' doesn't exist on type 'QueryRoot'",
                                    "undefinedField"))  # fmt: skip

    def _page_size(self, field: FieldNode, v: dict) -> int:
        first = argument(field, "first", v)
        last = argument(field, "last", v)
        if first is None and last is None:
            raise GraphQLRefused(_error("you must provide one of first or last",
                                        "argumentLiteralsIncompatible"))  # fmt: skip
        size = int(first if first is not None else last)
        if size > MAX_PAGE:
            raise GraphQLRefused(_error(f"The maximum page size is {MAX_PAGE}",
                                        "argumentLiteralsIncompatible"))  # fmt: skip
        return size

    def _q_orders(self, field: FieldNode, v: dict) -> dict:
        first = self._page_size(field, v)
        rows = self.listed_orders(argument(field, "query", v))
        after = argument(field, "after", v)
        if after:
            last = json.loads(base64.b64decode(after))
            key = (last["updated_at"], last["id"])
            rows = [o for o in rows if (o["updated_at"], o["id"]) > key]
        page = rows[:first]
        end = None
        if page:
            end = base64.b64encode(
                json.dumps({"updated_at": page[-1]["updated_at"], "id": page[-1]["id"]}).encode()
            ).decode()
        info = {"hasNextPage": len(rows) > first, "endCursor": end}
        return {"pageInfo": info, "nodes": [graphql_node(o) for o in page]}

    def _order_of(self, gid) -> dict | None:
        try:
            oid = int(str(gid).rsplit("/", 1)[-1])
        except ValueError:
            return None
        return self.orders.get(oid)

    # --- mutations --------------------------------------------------------------------------

    def _mutation(self, field: FieldNode, v: dict):
        name = field.name.value
        if name == "bulkOperationRunQuery":
            return self.bulk.run(argument(field, "query", v) or "")
        if name == "fulfillmentCreate":
            return self.fo.create(argument(field, "fulfillment", v) or {})
        if name == "fulfillmentTrackingInfoUpdate":
            return self.fo.update_tracking(
                argument(field, "fulfillmentId", v), argument(field, "trackingInfoInput", v) or {}
            )
        if name == "inventorySetQuantities":
            return self._m_inventory_set(field, v)
        if name == "webhookSubscriptionCreate":
            return self.onboarding.create(
                argument(field, "topic", v),
                argument(field, "webhookSubscription", v) or {},
                lambda message, code: _raise(_error(message, code)),
            )
        if name == "webhookSubscriptionDelete":
            return self.onboarding.delete(argument(field, "id", v))
        raise GraphQLRefused(_error(f"Field '{name}' doesn't exist on type 'Mutation'",
                                    "undefinedField"))  # fmt: skip

    def _idempotency_key(self, field: FieldNode, v: dict) -> str:
        for directive in field.directives or ():
            if directive.name.value == "idempotent":
                for arg in directive.arguments or ():
                    if arg.name.value == "key":
                        value = (
                            v.get(arg.value.name.value)
                            if hasattr(arg.value, "name")
                            else getattr(arg.value, "value", None)
                        )
                        return str(value or "")
        return ""

    def _m_inventory_set(self, field: FieldNode, v: dict):
        key = self._idempotency_key(field, v)
        if not key:
            message = "The @idempotent directive is required for this mutation."
            raise GraphQLRefused(_error(message, "BAD_REQUEST"))
        data = argument(field, "input", v) or {}
        fingerprint = json.dumps(data, sort_keys=True)
        with self._mutation_lock:
            seen = self._idempotency.get(key)
            if seen is not None:
                if seen[0] != fingerprint:
                    raise GraphQLRefused(_error(
                        "The idempotency key was already used with other arguments.",
                        "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"))  # fmt: skip
                return seen[1]
            answer = self._inventory_apply(data)
            self._idempotency[key] = (fingerprint, answer)
            return answer

    def _inventory_apply(self, data: dict) -> dict:
        errors = []
        if data.get("name") not in ("available", "on_hand"):
            errors.append({"code": "INVALID_NAME", "field": ["input", "name"],
                           "message": "The quantity name must be either 'available' or "
                                      "'on_hand'."})  # fmt: skip
        quantities = data.get("quantities") or []
        if len(quantities) > 250:
            errors.append({"code": "INVALID", "field": ["input", "quantities"],
                           "message": "Input arrays have a maximum size of 250."})  # fmt: skip
        for i, q in enumerate(quantities):
            at = ["input", "quantities", str(i)]
            if int(q.get("quantity", 0)) < 0:
                errors.append({"code": "INVALID_QUANTITY_NEGATIVE", "field": at + ["quantity"],
                               "message": "The quantity can't be negative."})  # fmt: skip
            if "changeFromQuantity" not in q:
                errors.append({"code": "INVALID", "field": at + ["changeFromQuantity"],
                               "message": "changeFromQuantity is required: pass the expected "
                                          "quantity, or null to skip the check."})  # fmt: skip
                continue
            expected = q.get("changeFromQuantity")
            current = self.inventory.get((q.get("inventoryItemId"), q.get("locationId")), 0)
            if expected is not None and int(expected) != current:
                errors.append({"code": "CHANGE_FROM_QUANTITY_STALE",
                               "field": at + ["changeFromQuantity"],
                               "message": "The specified compare quantity does not match the "
                                          "current quantity."})  # fmt: skip
        if errors:
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        changes = []
        with self.lock:
            for q in quantities:
                spot = (q["inventoryItemId"], q["locationId"])
                delta = int(q["quantity"]) - self.inventory.get(spot, 0)
                self.inventory[spot] = int(q["quantity"])
                changes.append({"name": data.get("name"), "delta": delta})
            self.stock_pushes.append(data)
        group = {"reason": data.get("reason"), "changes": changes}
        return {"inventoryAdjustmentGroup": group, "userErrors": []}

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
            "X-Shopify-API-Version": API_VERSION,
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
