"""The Amazon SP-API connector (Orders API v0): ``contract.Connector``.

- Import is a pull (Amazon sends no order webhooks in this scope; ``verify_webhook`` refuses
  every request): ``getOrders`` with ``MarketplaceIds`` (the store's ``marketplace_ids``),
  ``LastUpdatedAfter`` = the cursor and ``LastUpdatedBefore`` = now minus two minutes (Amazon's
  data lags by about that much), following ``NextToken``; then ``getOrderItems`` for each order,
  paced by its own usage plan. Amazon does not document the order of the results, so the
  cursor moves only when the whole window has been read (to its upper bound): a failure
  mid-way reads the window again, and the orders already stored come back unchanged.
- Merchant-fulfilled (MFN) orders are imported for shipping. FBA (AFN) orders carry
  ``fulfilled_by_platform`` and are recorded as shipped from the store's
  ``platform_warehouse`` (see ``orders.services.record_platform_fulfilled``); FBA orders still
  Pending are skipped until Amazon takes them on (their next change brings them).
- Fulfilment: ``confirmShipment`` with one package (``packageReferenceId`` "1") of the items
  still to ship; an order Amazon already reports Shipped is not confirmed again. A changed
  tracking number confirms the same package again, which updates it.
- Stock: not pushed to Amazon here (merchant-fulfilled quantities go through the Listings
  Items API, outside this connector); ``push_stock`` reports nothing pushed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

from ..contract import (
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
from ..settings_schema import settings_of
from ..wire_formats import cursor_minus, parse_time, utc_cursor
from . import mapping
from .client import LWA_URL, LwaTokens, SpApiClient

PAGE_SIZE = 100  # getOrders MaxResultsPerPage maximum
LAG = timedelta(minutes=2)  # getOrders data is complete about two minutes after a change
FIRST_IMPORT = timedelta(days=30)  # how far back the first import reads
ORDERS = "/orders/v0/orders"


@register("amazon")
class AmazonConnector:
    platform = "amazon"

    def __init__(self, connection, *, sleep=None, retries: int = 3, clock=None, now=None):
        self.connection = connection
        self.marketplaces = list(settings_of(connection).marketplace_ids)
        self._creds = connection.credentials()
        self._kwargs: dict = {"retries": retries}
        if sleep is not None:
            self._kwargs["sleep"] = sleep
        if clock is not None:
            self._kwargs["clock"] = clock
        self._now = now or (lambda: datetime.now(UTC))
        self._client: SpApiClient | None = None

    @property
    def client(self) -> SpApiClient:
        if self._client is None:
            c = self._creds
            lwa = LwaTokens(
                c.get("client_id", ""), c.get("client_secret", ""), c.get("refresh_token", ""),
                endpoint=c.get("lwa_endpoint") or LWA_URL, **self._kwargs,
            )  # fmt: skip
            base = self.connection.base_url or f"https://{self.connection.shop_domain}"
            self._client = SpApiClient(base, lwa, seller_key=c.get("seller_id", ""), **self._kwargs)
        return self._client

    def _marketplaces(self) -> str:
        if not self.marketplaces:
            raise PlatformError("The store names no Amazon marketplace (marketplace_ids)")
        return ",".join(self.marketplaces)

    # --- orders -----------------------------------------------------------------------------

    def _items(self, order_id: str) -> list[dict]:
        items: list[dict] = []
        params: dict | None = None
        while True:
            body = self.client.call(
                "getOrderItems", "GET", f"{ORDERS}/{order_id}/orderItems", params=params
            )
            payload = (body or {}).get("payload") or {}
            items += payload.get("OrderItems") or []
            token = payload.get("NextToken")
            if not token:
                return items
            params = {"NextToken": token}

    def fetch_orders(self, since: str | None) -> Iterator[OrderPage]:
        until = self._now() - LAG
        start = parse_time(since) if since else None
        start = start or (until - FIRST_IMPORT)
        if start >= until:
            yield OrderPage(orders=[], cursor=since or "", done=True)
            return
        marketplaces = self._marketplaces()
        params: dict = {
            "MarketplaceIds": marketplaces,
            "LastUpdatedAfter": utc_cursor(start),
            "LastUpdatedBefore": utc_cursor(until),
            "MaxResultsPerPage": PAGE_SIZE,
        }
        while True:
            body = self.client.call("getOrders", "GET", ORDERS, params=params)
            payload = (body or {}).get("payload") or {}
            orders = [o for o in payload.get("Orders") or [] if mapping.wanted(o)]
            neutral = [mapping.from_sp(o, self._items(o["AmazonOrderId"])) for o in orders]
            token = payload.get("NextToken")
            if token:
                yield OrderPage(orders=neutral, cursor=since or "", done=False)
                params = {"MarketplaceIds": marketplaces, "NextToken": token}
                continue
            yield OrderPage(orders=neutral, cursor=utc_cursor(until), done=True)
            return

    def fetch_order(self, external_id: str):
        body = self.client.call("getOrder", "GET", f"{ORDERS}/{external_id}", missing_ok=True)
        order = (body or {}).get("payload")
        if not order:
            return None
        return mapping.from_sp(order, self._items(external_id))

    def cursor_minus(self, cursor: str | None, seconds: int) -> str | None:
        return cursor_minus(cursor, seconds)

    # --- webhooks: none ---------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEnvelope:
        raise WebhookRejected("Amazon orders are pulled; this address takes no webhooks")

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise WebhookRejected("Amazon orders are pulled; this address takes no webhooks")

    # --- fulfilment -------------------------------------------------------------------------

    def _order(self, external_id: str) -> dict:
        body = self.client.call("getOrder", "GET", f"{ORDERS}/{external_id}", missing_ok=True)
        order = (body or {}).get("payload")
        if not order:
            raise PlatformError(f"Amazon has no order {external_id}")
        if mapping.is_fba(order):
            raise PlatformError(f"Amazon order {external_id} is fulfilled by Amazon (FBA)")
        if order.get("OrderStatus") in ("Canceled", "Pending", "PendingAvailability"):
            raise PlatformError(f"Amazon order {external_id} is {order.get('OrderStatus')}")
        return order

    def _confirm(self, order: dict, f: Fulfillment, *, update: bool) -> PushResult:
        external_id = f.order_external_id
        items = self._items(external_id)
        marketplace = order.get("MarketplaceId") or (self.marketplaces or [""])[0]
        body = mapping.confirmation(
            marketplace, items, f.tracking_company, f.tracking_number, self._now(), update=update
        )
        if not body["packageDetail"]["orderItems"]:
            return PushResult(platform_ids=[external_id], count=0)
        self.client.call(
            "confirmShipment", "POST", f"{ORDERS}/{external_id}/shipmentConfirmation",
            json_body=body,
        )  # fmt: skip
        return PushResult(platform_ids=[external_id], count=1)

    def push_fulfillment(self, f: Fulfillment) -> PushResult:
        order = self._order(f.order_external_id)
        if order.get("OrderStatus") == "Shipped":  # confirmed already (a retry after a lost answer)
            return PushResult(platform_ids=[f.order_external_id], count=0)
        return self._confirm(order, f, update=False)

    def update_tracking(self, f: Fulfillment) -> PushResult:
        order = self._order(f.order_external_id)
        if order.get("OrderStatus") not in ("Shipped", "PartiallyShipped"):
            return self._confirm(order, f, update=False)
        return self._confirm(order, f, update=True)

    def push_stock(self, levels: list[StockLevel], *, idempotency_key: str = "") -> PushResult:
        return PushResult(count=0)
