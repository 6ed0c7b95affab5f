"""The WooCommerce connector (REST API v3): ``contract.Connector``.

- Import: ``GET /orders?modified_after=<cursor - 1 s>&dates_are_gmt=true&orderby=modified&
  order=asc&per_page=100&page=N`` until ``X-WP-TotalPages``; the cursor is the newest
  ``date_modified_gmt`` seen (``modified_after`` is strict, hence the one-second overlap).
  Orders moving while we page may shift a page: the periodic reconciliation (cursor minus
  the store's overlap) reads them again.
- Webhooks: ``X-WC-Webhook-Signature`` (base64 HMAC-SHA256 of the raw body with the webhook
  secret). WooCommerce's ``X-WC-Webhook-Delivery-ID`` is a hash of the webhook id and the
  current second, so two different events of one webhook in one second share it: the dedupe
  key is that id plus a digest of the body. WooCommerce does not retry failed deliveries and
  disables a webhook after more than 5 failures in a row, so the periodic reconciliation
  (``periodic.reconcile_due``, every ``sync_interval_minutes``) is what makes the import
  complete. The unsigned ``webhook_id=<n>`` ping sent when a webhook is saved is answered
  200 and stored nowhere.
- Fulfilment: a private (or customer, with ``notify_customer``) order note with the tracking,
  the tracking in the order's meta (``_wc_shipment_tracking_items``), status ``completed``.
  Each step is checked first, so a retry after a lost answer does not add a second note.
- Stock: ``stock_quantity`` with ``manage_stock`` through the batch endpoints of products and
  of each variable product's variations (100 per request).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from ..contract import (
    EventKind,
    Fulfillment,
    OrderPage,
    PlatformError,
    PushResult,
    StockLevel,
    WebhookEnvelope,
    WebhookEvent,
    WebhookPing,
    WebhookRejected,
    register,
)
from ..wire_formats import cursor_minus, header, parse_time, signature_matches
from . import mapping
from .client import WooCommerceClient

PAGE_SIZE = 100  # WooCommerce's maximum per_page
BATCH_SIZE = 100  # WooCommerce's batch limit
PING = re.compile(rb"^webhook_id=\d+$")
TOPICS = {
    "order.created": EventKind.ORDER,
    "order.updated": EventKind.ORDER,
    "order.restored": EventKind.ORDER,
    "order.deleted": EventKind.REFUND,  # body is {"id": n}: fetch it again (trash: cancelled)
}


def delivery_key(delivery_id: str, body: bytes) -> str:
    """The dedupe key: WooCommerce's (weak) delivery id plus a digest of the body."""
    return f"{delivery_id[:96]}:{hashlib.sha256(body).hexdigest()[:24]}"


@register("woocommerce")
class WooCommerceConnector:
    platform = "woocommerce"

    def __init__(self, connection, *, sleep=None, retries: int = 3):
        self.connection = connection
        creds = connection.credentials()
        self.secrets = [s for s in creds.get("webhook_secrets") or [] if s]
        self._key = creds.get("consumer_key", "")
        self._secret = creds.get("consumer_secret", "")
        self._kwargs = {"base_url": connection.base_url, "retries": retries}
        if sleep is not None:
            self._kwargs["sleep"] = sleep
        self._client: WooCommerceClient | None = None

    @property
    def client(self) -> WooCommerceClient:
        if self._client is None:
            self._client = WooCommerceClient(
                self.connection.shop_domain, self._key, self._secret, **self._kwargs
            )
        return self._client

    # --- orders -----------------------------------------------------------------------------

    def fetch_orders(self, since: str | None) -> Iterator[OrderPage]:
        params = {"per_page": PAGE_SIZE, "orderby": "modified", "order": "asc",
                  "dates_are_gmt": "true"}  # fmt: skip
        if since:
            params["modified_after"] = cursor_minus(since, 1)
        cursor = since or ""
        page = 1
        while True:
            rows, headers = self.client.call("GET", "/orders", params={**params, "page": page})
            rows = rows or []
            orders = [mapping.from_rest(r) for r in rows]
            for row in rows:
                cursor = max(cursor, mapping.cursor_of(row))
            total_pages = int(headers.get("X-WP-TotalPages") or 0)
            done = page >= total_pages or not rows
            yield OrderPage(orders=orders, cursor=cursor, done=done)
            if done:
                return
            page += 1

    def fetch_order(self, external_id: str):
        row, _h = self.client.call("GET", f"/orders/{int(external_id)}", missing_ok=True)
        return mapping.from_rest(row) if row else None

    def cursor_minus(self, cursor: str | None, seconds: int) -> str | None:
        return cursor_minus(cursor, seconds)

    # --- webhooks ---------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEnvelope:
        given = header(headers, "X-WC-Webhook-Signature")
        if not given and PING.match(body.strip()):
            raise WebhookPing("webhook ping")
        if not given or not self.secrets:
            raise WebhookRejected("missing signature")
        if not signature_matches(body, given, self.secrets):
            raise WebhookRejected("signature does not match")
        delivery = header(headers, "X-WC-Webhook-Delivery-ID")
        topic = header(headers, "X-WC-Webhook-Topic")
        if not delivery or not topic:
            raise WebhookRejected("missing X-WC-Webhook-Delivery-ID or X-WC-Webhook-Topic")
        source = (urlsplit(header(headers, "X-WC-Webhook-Source")).hostname or "").lower()
        if source and source != self.connection.shop_domain.split(":")[0]:
            raise WebhookRejected("webhook from another site")
        return WebhookEnvelope(
            delivery_id=delivery_key(delivery, body), topic=topic[:64], shop=source
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        topic = header(headers, "X-WC-Webhook-Topic")
        kind = TOPICS.get(topic, EventKind.IGNORED)
        base = {
            "delivery_id": delivery_key(header(headers, "X-WC-Webhook-Delivery-ID"), body),
            "topic": topic,
        }
        if kind == EventKind.IGNORED:
            return WebhookEvent(kind=kind, **base)
        payload = json.loads(body or b"{}", parse_float=Decimal)
        if kind == EventKind.REFUND:
            return WebhookEvent(kind=kind, order_external_id=str(payload.get("id") or ""), **base)
        order = mapping.from_rest(payload)
        return WebhookEvent(
            kind=kind,
            order=order,
            order_external_id=order["external_id"],
            triggered_at=parse_time(order.get("platform_updated_at") or ""),
            **base,
        )

    # --- fulfilment -------------------------------------------------------------------------

    def _order(self, external_id: str) -> dict:
        row, _h = self.client.call("GET", f"/orders/{int(external_id)}", missing_ok=True)
        if not row:
            raise PlatformError(f"WooCommerce has no order {external_id}")
        return row

    def _note_once(self, external_id: str, f: Fulfillment, *, update: bool) -> None:
        notes, _h = self.client.call("GET", f"/orders/{int(external_id)}/notes")
        if mapping.has_note_for(notes or [], f.tracking_number):
            return  # written by an earlier attempt whose answer was lost
        self.client.call(
            "POST",
            f"/orders/{int(external_id)}/notes",
            json_body={
                "note": mapping.tracking_note(
                    f.tracking_company, f.tracking_number, f.tracking_url, update=update
                ),
                "customer_note": bool(f.notify_customer),
            },
        )

    def _item(self, f: Fulfillment) -> dict:
        return mapping.tracking_item(
            f.tracking_company, f.tracking_number, f.tracking_url, datetime.now(UTC)
        )

    def push_fulfillment(self, f: Fulfillment) -> PushResult:
        order = self._order(f.order_external_id)
        items = mapping.tracking_items(order)
        numbers = {i.get("tracking_number") for i in items}
        if order.get("status") == "completed" and f.tracking_number in numbers:
            return PushResult(platform_ids=[str(order["id"])], count=0)
        self._note_once(f.order_external_id, f, update=False)
        if f.tracking_number not in numbers:
            items = [*items, self._item(f)]
        self.client.call(
            "PUT",
            f"/orders/{int(f.order_external_id)}",
            json_body={"status": "completed", "meta_data": mapping.tracking_meta(items)},
        )
        return PushResult(platform_ids=[str(order["id"])], count=1)

    def update_tracking(self, f: Fulfillment) -> PushResult:
        order = self._order(f.order_external_id)
        items = mapping.tracking_items(order)
        if not items and order.get("status") != "completed":
            return self.push_fulfillment(f)
        if [i.get("tracking_number") for i in items] == [f.tracking_number]:
            return PushResult(platform_ids=[str(order["id"])], count=0)
        self._note_once(f.order_external_id, f, update=True)
        body = {"meta_data": mapping.tracking_meta([self._item(f)])}
        if order.get("status") != "completed":
            body["status"] = "completed"
        self.client.call("PUT", f"/orders/{int(f.order_external_id)}", json_body=body)
        return PushResult(platform_ids=[str(order["id"])], count=1)

    # --- stock ------------------------------------------------------------------------------

    def push_stock(self, levels: list[StockLevel]) -> PushResult:
        """WooCommerce keeps one stock figure per product or variation: the levels of every
        mapped warehouse are summed."""
        totals: dict[str, int] = defaultdict(int)
        for level in levels:
            totals[level.inventory_item_id] += max(0, int(level.available))
        products: list[dict] = []
        variations: dict[int, list[dict]] = defaultdict(list)
        for item_id, qty in sorted(totals.items()):
            parent, variation = mapping.stock_target(item_id)
            row = {"manage_stock": True, "stock_quantity": qty}
            if variation is None:
                products.append({"id": parent, **row})
            else:
                variations[parent].append({"id": variation, **row})
        errors: list[str] = []
        count = 0
        batches = [("/products/batch", products)] + [
            (f"/products/{parent}/variations/batch", rows)
            for parent, rows in sorted(variations.items())
        ]
        for path, rows in batches:
            for start in range(0, len(rows), BATCH_SIZE):
                part = rows[start : start + BATCH_SIZE]
                body, _h = self.client.call("POST", path, json_body={"update": part})
                for result in (body or {}).get("update") or []:
                    if result.get("error"):
                        errors.append(f"{result.get('id')}: {result['error'].get('message')}")
                    else:
                        count += 1
        if errors:
            raise PlatformError("; ".join(errors)[:2000])
        return PushResult(count=count)
