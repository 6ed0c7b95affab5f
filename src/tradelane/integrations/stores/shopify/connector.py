"""The Shopify connector (GraphQL Admin API, ``client.API_VERSION``): ``contract.Connector``."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

from ..contract import (
    EventKind,
    Fulfillment,
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
from . import mapping, queries
from .client import ShopifyClient, user_errors

PAGE_SIZE = 250  # Shopify's maximum ``first``
ORDER_PAGE_COST = 2 + PAGE_SIZE * 3  # expected points; the real cost comes back each time
OPEN_FO = {"OPEN", "IN_PROGRESS", "SCHEDULED", "ON_HOLD"}
TOPICS = {
    "orders/create": EventKind.ORDER,
    "orders/updated": EventKind.ORDER,
    "orders/cancelled": EventKind.ORDER,
    "orders/paid": EventKind.ORDER,
    "refunds/create": EventKind.REFUND,
    "app/uninstalled": EventKind.UNINSTALLED,
}


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


@register("shopify")
class ShopifyConnector:
    platform = "shopify"

    def __init__(self, connection, *, sleep=None, retries: int = 3):
        self.connection = connection
        creds = connection.credentials()
        self.secrets = [s for s in creds.get("webhook_secrets") or [] if s]
        kwargs = {"base_url": connection.base_url, "retries": retries}
        if sleep is not None:
            kwargs["sleep"] = sleep
        self._token = creds.get("access_token", "")
        self._kwargs = kwargs
        self._client: ShopifyClient | None = None

    @property
    def client(self) -> ShopifyClient:
        if self._client is None:
            self._client = ShopifyClient(self.connection.shop_domain, self._token, **self._kwargs)
        return self._client

    # --- orders -----------------------------------------------------------------------------

    def fetch_orders(self, since: str | None) -> Iterator[OrderPage]:
        after = None
        cursor = since or ""
        while True:
            data = self.client.execute(
                queries.ORDERS,
                {"first": PAGE_SIZE, "after": after, "query": mapping.search_since(since)},
                cost=ORDER_PAGE_COST,
            )
            conn = data.get("orders") or {}
            nodes = conn.get("nodes") or []
            orders = [mapping.from_graphql(n) for n in nodes]
            for node in nodes:
                if node.get("updatedAt"):
                    cursor = max(cursor, mapping.cursor_of(node["updatedAt"]))
            info = conn.get("pageInfo") or {}
            done = not info.get("hasNextPage")
            yield OrderPage(orders=orders, cursor=cursor, done=done)
            if done:
                return
            after = info.get("endCursor")

    def fetch_order(self, external_id: str):
        data = self.client.execute(queries.ORDER, {"id": mapping.order_gid(external_id)})
        node = data.get("order")
        return mapping.from_graphql(node) if node else None

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
        for existing in order.get("fulfillments") or []:
            numbers = [t.get("number") for t in existing.get("trackingInfo") or []]
            if f.tracking_number in numbers:  # done already (a retry after a lost answer)
                return PushResult(platform_ids=[existing["id"]], count=0)
        open_ids = [
            n["id"]
            for n in (order.get("fulfillmentOrders") or {}).get("nodes") or []
            if n.get("status") in OPEN_FO
        ]
        if not open_ids:
            raise PlatformError("The order has no open fulfillment order")
        data = self.client.execute(
            queries.FULFILLMENT_CREATE,
            {
                "fulfillment": mapping.fulfillment_input(
                    open_ids, f.tracking_company, f.tracking_number, f.tracking_url,
                    f.notify_customer,
                )
            },
        )  # fmt: skip
        payload = data.get("fulfillmentCreate")
        user_errors(payload)
        return PushResult(platform_ids=[payload["fulfillment"]["id"]], count=1)

    def update_tracking(self, f: Fulfillment) -> PushResult:
        order = self._fulfillment_state(f.order_external_id)
        fulfillments = order.get("fulfillments") or []
        if not fulfillments:
            return self.push_fulfillment(f)
        target = fulfillments[-1]
        tracking = {"company": f.tracking_company, "number": f.tracking_number}
        if f.tracking_url:
            tracking["url"] = f.tracking_url
        current = (target.get("trackingInfo") or [{}])[0]
        if current.get("number") == f.tracking_number and current.get("company") == (
            f.tracking_company
        ):
            return PushResult(platform_ids=[target["id"]], count=0)
        data = self.client.execute(
            queries.TRACKING_UPDATE,
            {
                "fulfillmentId": target["id"],
                "trackingInfoInput": tracking,
                "notifyCustomer": f.notify_customer,
            },
        )
        payload = data.get("fulfillmentTrackingInfoUpdate")
        user_errors(payload)
        return PushResult(platform_ids=[target["id"]], count=1)

    def push_stock(self, levels: list[StockLevel]) -> PushResult:
        count = 0
        for start in range(0, len(levels), 250):
            part = levels[start : start + 250]
            data = self.client.execute(
                queries.INVENTORY_SET, {"input": mapping.inventory_input(part)}, cost=10
            )
            user_errors(data.get("inventorySetQuantities"))
            count += len(part)
        return PushResult(count=count)
