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
- Fulfilment: core WooCommerce has no tracking field. The WordPress REST index
  (``GET /wp-json/``) says whether a tracking plugin's namespace (``wc-shipment-tracking/v3``:
  WooCommerce Shipment Tracking or Advanced Shipment Tracking) is there; if so the tracking
  goes to its route (``POST .../orders/<id>/shipment-trackings``), which shows it to the buyer
  on the order page and in the plugin's emails. Without one (or when the plugin refuses it, e.g.
  Advanced Shipment Tracking with a carrier the shop has not enabled), a customer note with
  carrier, number and link: WooCommerce emails customer notes to the buyer. Then status
  ``completed``, which sends WooCommerce's "Completed order" email. Each step is checked first
  (the plugin's list, the notes, the status), so a retry after a lost answer writes nothing
  twice.
- Stock: ``stock_quantity`` with ``manage_stock`` through the batch endpoints of products and
  of each variable product's variations (100 per request).
"""

from __future__ import annotations

import hashlib
import json
import logging
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
from .catalog import WooCommerceCatalog
from .client import API_PREFIX, REST_ROOT, WooCommerceClient
from .onboarding import WooCommerceOnboarding

log = logging.getLogger(__name__)

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
class WooCommerceConnector(WooCommerceOnboarding, WooCommerceCatalog):  # verify; catalog
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
        self._clients: dict[str, WooCommerceClient] = {}
        self._has_plugin: bool | None = None

    def _client_at(self, prefix: str) -> WooCommerceClient:
        if prefix not in self._clients:
            self._clients[prefix] = WooCommerceClient(
                self.connection.shop_domain, self._key, self._secret, prefix=prefix,
                **self._kwargs,
            )  # fmt: skip
        return self._clients[prefix]

    @property
    def client(self) -> WooCommerceClient:
        """WooCommerce's own REST API (``/wp-json/wc/v3``)."""
        return self._client_at(API_PREFIX)

    @property
    def tracking_client(self) -> WooCommerceClient:
        return self._client_at(f"{REST_ROOT}/{mapping.TRACKING_NAMESPACE}")

    def tracking_plugin(self) -> bool:
        """Does the site serve a tracking plugin's REST namespace? (asked once per connector)"""
        if self._has_plugin is None:
            index, _h = self._client_at(REST_ROOT).call("GET", "/")
            namespaces = (index or {}).get("namespaces") if isinstance(index, dict) else None
            self._has_plugin = mapping.TRACKING_NAMESPACE in (namespaces or [])
        return self._has_plugin

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

    def _note_once(self, external_id: str, f: Fulfillment, *, update: bool) -> bool:
        """A customer note (WooCommerce emails it to the buyer) unless one has this number."""
        notes, _h = self.client.call("GET", f"/orders/{int(external_id)}/notes")
        if mapping.has_note_for(notes or [], f.tracking_number):
            return False  # written by an earlier attempt whose answer was lost
        self.client.call(
            "POST",
            f"/orders/{int(external_id)}/notes",
            json_body={
                "note": mapping.tracking_note(
                    f.tracking_company, f.tracking_number, f.tracking_url, update=update
                ),
                "customer_note": True,
            },
        )
        return True

    def _plugin_once(self, external_id: str, f: Fulfillment, *, update: bool) -> bool | None:
        """The tracking through the plugin's route; False if it is there already, None when
        the plugin refused it (the caller falls back to a note)."""
        path = f"/orders/{int(external_id)}/shipment-trackings"
        items, _h = self.tracking_client.call("GET", path)
        if mapping.has_tracking(items if isinstance(items, list) else [], f.tracking_number):
            return False
        body = mapping.plugin_tracking(f.tracking_company, f.tracking_number, f.tracking_url,
                                       datetime.now(UTC), replace=update)  # fmt: skip
        try:
            self.tracking_client.call("POST", path, json_body=body)
        except PlatformError as exc:
            log.warning("woocommerce %s: the tracking plugin refused %s (%s); adding a note",
                        self.connection.shop_domain, f.tracking_number, exc)  # fmt: skip
            return None
        return True

    def _tell_buyer(self, f: Fulfillment, *, update: bool) -> bool:
        """The tracking where the buyer sees it; True if something was written."""
        if self.tracking_plugin():
            done = self._plugin_once(f.order_external_id, f, update=update)
            if done is not None:
                return done
        return self._note_once(f.order_external_id, f, update=update)

    def push_fulfillment(self, f: Fulfillment) -> PushResult:
        return self._fulfil(f, update=False)

    def update_tracking(self, f: Fulfillment) -> PushResult:
        """A new number (the last mile) for a shipped order: told to the buyer the same way
        (Advanced Shipment Tracking replaces the old number; Shipment Tracking lists both)."""
        return self._fulfil(f, update=True)

    def _fulfil(self, f: Fulfillment, *, update: bool) -> PushResult:
        order = self._order(f.order_external_id)
        wrote = self._tell_buyer(f, update=update)
        if wrote and self._has_plugin and order.get("status") != "completed":
            order = self._order(f.order_external_id)  # Advanced Shipment Tracking completes it
        completed = False
        if order.get("status") != "completed":
            self.client.call("PUT", f"/orders/{int(f.order_external_id)}",
                             json_body={"status": "completed"})  # fmt: skip
            completed = True
        return PushResult(platform_ids=[str(order["id"])], count=int(wrote or completed))

    # --- stock ------------------------------------------------------------------------------

    def push_stock(self, levels: list[StockLevel], *, idempotency_key: str = "") -> PushResult:
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
