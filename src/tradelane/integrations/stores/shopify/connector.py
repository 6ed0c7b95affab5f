"""The Shopify connector (GraphQL Admin API, ``client.API_VERSION``): ``contract.Connector``.

Orders: the first import of a store (no cursor yet) runs as a bulk operation
(``bulk.py``); later syncs page ``orders`` by ``updated_at`` within the cost limit
(``queries.ORDERS_PER_PAGE`` orders of ``queries.LINES_PER_ORDER`` lines, an order with more
lines paged on its own), handing the sync engine groups of about ``GROUP`` orders.

Fulfilment (https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate):
a parcel's own lines and quantities are matched to the fulfilment order line items by SKU;
one ``fulfillmentCreate`` per assigned location; only OPEN and IN_PROGRESS fulfilment orders
are fulfilled, ON_HOLD and SCHEDULED ones raise ``FulfillmentWaiting`` (with the hold reason)
after the rest went out, so the push is tried again until they are released. What a lost
answer already fulfilled under the same tracking number is not sent twice.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

from ..contract import (
    EventKind,
    Fulfillment,
    FulfillmentWaiting,
    OrderPage,
    PlatformError,
    PushResult,
    StockLevel,
    WebhookEnvelope,
    WebhookEvent,
    WebhookRejected,
    register,
)
from ..wire_formats import header as _header
from ..wire_formats import signature_matches
from . import bulk, mapping, queries
from .auth import TokenSource
from .catalog import ShopifyCatalog
from .client import ShopifyClient, user_errors
from .onboarding import ShopifyOnboarding

GROUP = 250  # orders handed to the sync engine at once (several GraphQL pages)
FULFILLABLE = {"OPEN", "IN_PROGRESS"}
WAITING = {"ON_HOLD", "SCHEDULED"}
STOCK_CHUNK = 250  # Shopify's input array limit: https://shopify.dev/docs/api/usage/limits
TOPICS = {
    "orders/create": EventKind.ORDER,
    "orders/updated": EventKind.ORDER,
    "orders/cancelled": EventKind.ORDER,
    "orders/paid": EventKind.ORDER,
    "refunds/create": EventKind.REFUND,
    "app/uninstalled": EventKind.UNINSTALLED,
    # the mandatory compliance topics (subscribed in the app's configuration, signed like the
    # others): https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance
    "customers/data_request": EventKind.DATA_REQUEST,
    "customers/redact": EventKind.REDACT_CUSTOMER,
    "shop/redact": EventKind.REDACT_SHOP,
}
PRIVACY = {EventKind.DATA_REQUEST, EventKind.REDACT_CUSTOMER, EventKind.REDACT_SHOP}
STOCK_KEY_NAMESPACE = uuid.UUID("6f1d7c1e-3c55-4a4e-9a8e-2b1b1c5e7a10")


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


@register("shopify")
class ShopifyConnector(ShopifyOnboarding, ShopifyCatalog):  # verify, webhooks; catalog
    platform = "shopify"

    def __init__(
        self,
        connection,
        *,
        sleep=None,
        retries: int = 3,
        bulk_poll_seconds: float = 2.0,
        bulk_max_wait: float = 20 * 60,
        clock=None,
    ):
        self.connection = connection
        creds = connection.credentials()
        self.secrets = [s for s in creds.get("webhook_secrets") or [] if s]
        kwargs = {"base_url": connection.base_url, "retries": retries}
        if sleep is not None:
            kwargs["sleep"] = sleep
        self.tokens = TokenSource(connection.shop_domain, creds, **kwargs)
        self._kwargs = kwargs
        self._client: ShopifyClient | None = None
        self._clock = clock
        self.bulk_poll_seconds = bulk_poll_seconds
        self.bulk_max_wait = bulk_max_wait

    @property
    def client(self) -> ShopifyClient:
        if self._client is None:
            self._client = ShopifyClient(
                self.connection.shop_domain,
                self.tokens,
                on_unauthorized=self.tokens.invalidate if self.tokens.grant else None,
                **({"clock": self._clock} if self._clock else {}),
                **self._kwargs,
            )
        return self._client

    # --- orders -----------------------------------------------------------------------------

    def fetch_orders(self, since: str | None) -> Iterator[OrderPage]:
        """The store's whole history by a bulk operation (no cursor yet), else the orders
        changed since the cursor, paged within the cost limit, oldest change first."""
        if since is None:
            yield from bulk.fetch_all(self)
            return
        yield from self._paged_orders(since)

    def _paged_orders(self, since: str | None) -> Iterator[OrderPage]:
        after = None
        cursor = since or ""
        group: list[dict] = []
        while True:
            variables = {
                "first": queries.ORDERS_PER_PAGE,
                "after": after,
                "query": mapping.search_since(since),
                "lines": queries.LINES_PER_ORDER,
            }
            conn = self.client.execute(queries.ORDERS, variables).get("orders") or {}
            for node in conn.get("nodes") or []:
                self._complete_lines(node)
                group.append(mapping.from_graphql(node))
                if node.get("updatedAt"):
                    cursor = max(cursor, mapping.cursor_of(node["updatedAt"]))
            info = conn.get("pageInfo") or {}
            done = not info.get("hasNextPage")
            if done or len(group) >= GROUP:
                yield OrderPage(orders=group, cursor=cursor, done=done)
                group = []
            if done:
                return
            after = info.get("endCursor")

    def _complete_lines(self, node: dict) -> None:
        """Read the rest of an order's line items when the first page did not hold them all."""
        items = node.get("lineItems") or {}
        info = items.get("pageInfo") or {}
        nodes = list(items.get("nodes") or [])
        after = info.get("endCursor")
        while info.get("hasNextPage"):
            data = self.client.execute(
                queries.ORDER_LINE_ITEMS,
                {"id": node["id"], "first": queries.LINES_PER_PAGE, "after": after},
            )
            page = ((data.get("order") or {}).get("lineItems")) or {}
            nodes.extend(page.get("nodes") or [])
            info = page.get("pageInfo") or {}
            after = info.get("endCursor")
        node["lineItems"] = {"nodes": nodes}

    def fetch_order(self, external_id: str):
        variables = {"id": mapping.order_gid(external_id), "lines": queries.LINES_PER_ORDER}
        node = self.client.execute(queries.ORDER, variables).get("order")
        if not node:
            return None
        self._complete_lines(node)
        return mapping.from_graphql(node)

    def cursor_minus(self, cursor: str | None, seconds: int) -> str | None:
        if not cursor:
            return cursor
        moment = _parse_time(cursor)
        if moment is None:
            return None
        return (moment - timedelta(seconds=seconds)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- webhooks ---------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEnvelope:
        given = _header(headers, "X-Shopify-Hmac-SHA256")
        if not given or not self.secrets:
            raise WebhookRejected("missing signature")
        if not signature_matches(body, given, self.secrets):
            raise WebhookRejected("signature does not match")
        delivery = _header(headers, "X-Shopify-Webhook-Id")
        topic = _header(headers, "X-Shopify-Topic")
        if not delivery or not topic:
            raise WebhookRejected("missing X-Shopify-Webhook-Id or X-Shopify-Topic")
        shop = _header(headers, "X-Shopify-Shop-Domain").lower()
        if shop and shop != self.connection.shop_domain:
            raise WebhookRejected("webhook for another shop")
        return WebhookEnvelope(
            delivery_id=delivery[:128],
            topic=topic[:64],
            shop=shop,
            triggered_at=_parse_time(_header(headers, "X-Shopify-Triggered-At")),
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        topic = _header(headers, "X-Shopify-Topic")
        kind = TOPICS.get(topic, EventKind.IGNORED)
        base = {
            "delivery_id": _header(headers, "X-Shopify-Webhook-Id"),
            "topic": topic,
            "triggered_at": _parse_time(_header(headers, "X-Shopify-Triggered-At")),
        }
        if kind == EventKind.IGNORED or kind == EventKind.UNINSTALLED:
            return WebhookEvent(kind=kind, **base)
        payload = json.loads(body or b"{}")
        if kind in PRIVACY:
            customer = payload.get("customer") or {}
            orders = payload.get("orders_to_redact") or payload.get("orders_requested") or []
            return WebhookEvent(
                kind=kind,
                order_external_ids=tuple(mapping.legacy_id(o) for o in orders),
                customer_email=str(customer.get("email") or ""),
                **base,
            )
        if kind == EventKind.REFUND:
            return WebhookEvent(
                kind=kind, order_external_id=str(payload.get("order_id") or ""), **base
            )
        order = mapping.from_webhook(payload)
        return WebhookEvent(kind=kind, order=order, order_external_id=order["external_id"], **base)

    # --- fulfilment and stock ---------------------------------------------------------------

    def _fulfillment_state(self, external_id: str) -> dict:
        data = self.client.execute(
            queries.FULFILLMENT_ORDERS, {"id": mapping.order_gid(external_id)}
        )
        order = data.get("order")
        if not order:
            raise PlatformError(f"Shopify has no order {external_id}")
        return order

    def push_fulfillment(self, f: Fulfillment) -> PushResult:
        order = self._fulfillment_state(f.order_external_id)
        mine = [
            existing
            for existing in order.get("fulfillments") or []
            if f.tracking_number in [t.get("number") for t in existing.get("trackingInfo") or []]
        ]
        fos = (order.get("fulfillmentOrders") or {}).get("nodes") or []
        if f.lines:
            sent: Counter = Counter()  # what earlier tries already fulfilled with this number
            for existing in mine:
                for item in (existing.get("fulfillmentLineItems") or {}).get("nodes") or []:
                    sent[_sku_of(item.get("lineItem"))] += int(item.get("quantity") or 0)
            wanted = Counter()
            for line in f.lines:
                wanted[line.store_sku] += int(line.quantity)
            wanted.subtract(sent)
            by_location, waiting = _plan_lines(fos, +wanted)
        else:
            by_location, waiting = _plan_all(fos)
        ids = []
        for pairs in by_location.values():
            data = self.client.execute(
                queries.FULFILLMENT_CREATE,
                {
                    "fulfillment": mapping.fulfillment_input(
                        pairs, f.tracking_company, f.tracking_number, f.tracking_url,
                        f.notify_customer,
                    )
                },
            )  # fmt: skip
            payload = data.get("fulfillmentCreate")
            user_errors(payload)
            ids.append(payload["fulfillment"]["id"])
        if waiting:
            raise FulfillmentWaiting("; ".join(waiting))
        if not ids:
            if mine:  # done already (a retry after a lost answer)
                return PushResult(platform_ids=[m["id"] for m in mine], count=0)
            raise PlatformError("The order has no open fulfillment order")
        return PushResult(platform_ids=ids, count=len(ids))

    def update_tracking(self, f: Fulfillment) -> PushResult:
        """The new number on every fulfilment that carries the previous one (one per location
        for a split parcel); without a previous number known, on the last fulfilment."""
        order = self._fulfillment_state(f.order_external_id)
        fulfillments = order.get("fulfillments") or []
        if not fulfillments:
            return self.push_fulfillment(f)

        def numbers(ful: dict) -> list:
            return [t.get("number") for t in ful.get("trackingInfo") or []]

        targets = [x for x in fulfillments if f.previous_tracking_number in numbers(x)]
        if not f.previous_tracking_number or not targets:
            targets = [fulfillments[-1]]
        tracking = {"company": f.tracking_company, "number": f.tracking_number}
        if f.tracking_url:
            tracking["url"] = f.tracking_url
        done = 0
        for target in targets:
            current = (target.get("trackingInfo") or [{}])[0]
            if current.get("number") == f.tracking_number and current.get("company") == (
                f.tracking_company
            ):
                continue
            data = self.client.execute(
                queries.TRACKING_UPDATE,
                {
                    "fulfillmentId": target["id"],
                    "trackingInfoInput": tracking,
                    "notifyCustomer": f.notify_customer,
                },
            )
            user_errors(data.get("fulfillmentTrackingInfoUpdate"))
            done += 1
        return PushResult(platform_ids=[t["id"] for t in targets], count=done)

    def push_stock(self, levels: list[StockLevel], *, idempotency_key: str = "") -> PushResult:
        """``inventorySetQuantities`` in chunks of 250, each with its own idempotency key
        derived from ``idempotency_key`` (the outbox message), so a retry of the same push is
        applied once and a later push is a new operation. ``changeFromQuantity`` is null: our
        ledger is the source of truth for these quantities (``mapping.inventory_input``)."""
        count = 0
        base = idempotency_key or uuid.uuid4().hex
        for start in range(0, len(levels), STOCK_CHUNK):
            part = levels[start : start + STOCK_CHUNK]
            key = str(
                uuid.uuid5(STOCK_KEY_NAMESPACE, f"{self.connection.shop_domain}|{base}|{start}")
            )
            data = self.client.execute(
                queries.INVENTORY_SET,
                {"input": mapping.inventory_input(part), "idempotencyKey": key},
            )
            user_errors(data.get("inventorySetQuantities"))
            count += len(part)
        return PushResult(count=count)


def _sku_of(line_item: dict | None) -> str:
    item = line_item or {}
    return str(item.get("sku") or "").strip() or f"shopify-line-{mapping.legacy_id(item.get('id'))}"


def _hold_text(fo: dict) -> str:
    if fo.get("status") == "SCHEDULED":
        return f"fulfillment order {fo.get('id')} is SCHEDULED for {fo.get('fulfillAt') or '?'}"
    reasons = ", ".join(
        str(h.get("reason")) + (f" ({h['reasonNotes']})" if h.get("reasonNotes") else "")
        for h in fo.get("fulfillmentHolds") or []
    )
    return f"fulfillment order {fo.get('id')} is ON_HOLD: {reasons or 'no reason given'}"


def _location(fo: dict) -> str:
    return str(((fo.get("assignedLocation") or {}).get("location") or {}).get("id") or "")


def _plan_all(fos: list[dict]):
    """Every remaining line of every fulfillable fulfilment order, by location."""
    by_location: dict[str, list] = defaultdict(list)
    waiting = []
    for fo in fos:
        lines = (fo.get("lineItems") or {}).get("nodes") or []
        if not any(int(li.get("remainingQuantity") or 0) for li in lines):
            continue
        if fo.get("status") in FULFILLABLE:
            by_location[_location(fo)].append((fo["id"], None))
        elif fo.get("status") in WAITING:
            waiting.append(_hold_text(fo))
    return by_location, waiting


def _plan_lines(fos: list[dict], wanted: Counter):
    """The parcel's quantities by SKU taken from fulfillable fulfilment order lines (by
    location); what only a held or scheduled one has is reported as waiting."""
    by_location: dict[str, dict[str, list]] = defaultdict(dict)
    waiting = []
    for fo in sorted(fos, key=lambda n: n.get("status") not in FULFILLABLE):
        status = fo.get("status")
        for li in (fo.get("lineItems") or {}).get("nodes") or []:
            sku = _sku_of(li.get("lineItem"))
            take = min(wanted.get(sku, 0), int(li.get("remainingQuantity") or 0))
            if take <= 0:
                continue
            if status in FULFILLABLE:
                by_location[_location(fo)].setdefault(fo["id"], []).append(
                    {"id": li["id"], "quantity": take}
                )
                wanted[sku] -= take
            elif status in WAITING:
                text = _hold_text(fo)
                if text not in waiting:
                    waiting.append(text)
    pairs = {loc: list(items.items()) for loc, items in by_location.items()}
    return pairs, waiting
