"""The Amazon SP-API connector: ``contract.Connector`` on the Orders API v2026-01-01, the v0
``confirmShipment`` and the Listings Items API 2021-08-01.

- Import is a pull (Amazon sends no order webhooks in this scope; ``verify_webhook`` refuses
  every request): ``searchOrders`` (``GET /orders/2026-01-01/orders``) with ``marketplaceIds``
  (the store's ``marketplace_ids``), ``lastUpdatedAfter`` = the cursor, ``lastUpdatedBefore`` =
  now minus two minutes (the model: "at least two minutes before the time of the request"),
  ``includedData`` FULFILLMENT, BUYER, RECIPIENT and PROCEEDS, following
  ``pagination.nextToken`` (sent back as ``paginationToken``). Items come with each order
  (no getOrderItems), and the buyer and address come without a Restricted Data Token: v0
  ``getOrders`` left merchant-fulfilled orders without an address unless the app fetched an
  RDT, so the import refused them. Amazon does not document the order of the results, so the
  cursor moves only when the whole window has been read (to its upper bound): a failure
  mid-way reads the window again, and the orders already stored come back unchanged.
  https://developer-docs.amazon.com/sp-api/docs/orders-api-migration-guide
- Merchant-fulfilled (MFN) orders are imported for shipping. FBA orders carry
  ``fulfilled_by_platform`` and are recorded as shipped from the store's
  ``platform_warehouse`` (see ``orders.services.record_platform_fulfilled``); FBA orders still
  PENDING are skipped until Amazon takes them on (their next change brings them).
- Fulfilment: v0 ``confirmShipment`` (Orders API v2026-01-01 has no write operation; the v0
  confirmShipment is not among the operations being retired), one call per parcel, each with
  its own ``packageReferenceId`` (``mapping.package_reference``) and the parcel's own lines
  (all items still to ship when the push names none). The order's ``packages`` (getOrder with
  PACKAGES) tell what Amazon already has: a parcel whose tracking is there already is not
  sent twice, and a second parcel is sent even when the order is already partly or wholly
  shipped. A changed tracking number re-confirms the package that carries the previous
  number (the only package, when the push does not say), which edits it on Amazon.
- Stock: ``patchListingsItem`` sets the merchant-fulfilled quantity (``fulfillment_availability``
  with fulfillment_channel_code DEFAULT) of each SKU in each of the store's marketplaces; the
  listing's product type comes from ``getListingsItem`` (summaries). Needs ``seller_id`` in the
  credentials. Levels of one SKU at several locations are added up (Amazon holds one
  merchant-fulfilled quantity per listing).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

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
from .catalog import AmazonCatalog
from .client import LWA_URL, LwaTokens, SpApiClient
from .onboarding import AmazonOnboarding

PAGE_SIZE = 100  # searchOrders maxResultsPerPage maximum
LAG = timedelta(minutes=2)  # searchOrders: the Before bound at least two minutes ago
FIRST_IMPORT = timedelta(days=30)  # how far back the first import reads
ORDERS = "/orders/2026-01-01/orders"
CONFIRM = "/orders/v0/orders/{}/shipmentConfirmation"
LISTINGS = "/listings/2021-08-01/items/{}/{}"
IMPORT_DATA = "FULFILLMENT,BUYER,RECIPIENT,PROCEEDS"
SHIP_DATA = "FULFILLMENT,PACKAGES"


@register("amazon")
class AmazonConnector(AmazonOnboarding, AmazonCatalog):  # verify (polled); catalog
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

    def fetch_orders(self, since: str | None) -> Iterator[OrderPage]:
        until = self._now() - LAG
        start = parse_time(since) if since else None
        start = start or (until - FIRST_IMPORT)
        if start >= until:
            yield OrderPage(orders=[], cursor=since or "", done=True)
            return
        params: dict = {
            "marketplaceIds": self._marketplaces(),
            "lastUpdatedAfter": utc_cursor(start),
            "lastUpdatedBefore": utc_cursor(until),
            "maxResultsPerPage": PAGE_SIZE,
            "includedData": IMPORT_DATA,
        }
        while True:
            body = self.client.call("searchOrders", "GET", ORDERS, params=params) or {}
            orders = [mapping.from_sp(o) for o in body.get("orders") or [] if mapping.wanted(o)]
            token = (body.get("pagination") or {}).get("nextToken")
            if token:
                yield OrderPage(orders=orders, cursor=since or "", done=False)
                params = {**params, "paginationToken": token}
                continue
            yield OrderPage(orders=orders, cursor=utc_cursor(until), done=True)
            return

    def _get(self, external_id: str, included: str) -> dict | None:
        body = self.client.call(
            "getOrder", "GET", f"{ORDERS}/{quote(external_id, safe='')}",
            params={"includedData": included}, missing_ok=True,
        )  # fmt: skip
        return (body or {}).get("order") or None

    def fetch_order(self, external_id: str):
        order = self._get(external_id, IMPORT_DATA)
        return mapping.from_sp(order) if order else None

    def cursor_minus(self, cursor: str | None, seconds: int) -> str | None:
        return cursor_minus(cursor, seconds)

    # --- webhooks: none ---------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEnvelope:
        raise WebhookRejected("Amazon orders are pulled; this address takes no webhooks")

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise WebhookRejected("Amazon orders are pulled; this address takes no webhooks")

    # --- fulfilment -------------------------------------------------------------------------

    def _order(self, external_id: str) -> dict:
        order = self._get(external_id, SHIP_DATA)
        if not order:
            raise PlatformError(f"Amazon has no order {external_id}")
        if mapping.is_fba(order):
            raise PlatformError(f"Amazon order {external_id} is fulfilled by Amazon (FBA)")
        status = mapping.status_of(order)
        if status in ("CANCELLED", "PENDING", "PENDING_AVAILABILITY"):
            raise PlatformError(f"Amazon order {external_id} is {status}")
        return order

    def _send(self, order: dict, reference: str, rows: list[dict], f: Fulfillment) -> None:
        marketplace = mapping.marketplace_of(order) or (self.marketplaces or [""])[0]
        body = mapping.confirmation(
            marketplace, reference, rows, f.tracking_company, f.tracking_number, self._now()
        )
        self.client.call(
            "confirmShipment", "POST",
            CONFIRM.format(quote(f.order_external_id, safe="")), json_body=body,
        )  # fmt: skip

    def push_fulfillment(self, f: Fulfillment) -> PushResult:
        order = self._order(f.order_external_id)
        packages = order.get("packages") or []
        if any(p.get("trackingNumber") == f.tracking_number for p in packages):
            return PushResult(platform_ids=[f.order_external_id], count=0)  # a retry: it is there
        lines = [(line.store_sku, line.quantity) for line in f.lines]
        rows = mapping.package_rows(order.get("orderItems") or [], lines)
        if not rows:  # nothing of this parcel is left to ship on Amazon
            return PushResult(platform_ids=[f.order_external_id], count=0)
        self._send(order, mapping.package_reference(f.tracking_number), rows, f)
        return PushResult(platform_ids=[f.order_external_id], count=1)

    def update_tracking(self, f: Fulfillment) -> PushResult:
        order = self._order(f.order_external_id)
        packages = order.get("packages") or []
        if any(p.get("trackingNumber") == f.tracking_number for p in packages):
            return PushResult(platform_ids=[f.order_external_id], count=0)
        previous = f.previous_tracking_number
        target = next((p for p in packages if previous and p.get("trackingNumber") == previous),
                      None)  # fmt: skip
        if target is None and len(packages) == 1:
            target = packages[0]
        if target is None and not packages:  # never confirmed: confirm it now
            return self.push_fulfillment(f)
        if target is None:
            raise PlatformError(
                f"Amazon order {f.order_external_id} has {len(packages)} packages and none "
                f"carries {previous or 'the previous tracking number'}"
            )
        rows = [{"orderItemId": str(i["orderItemId"]), "quantity": int(i["quantity"])}
                for i in target.get("packageItems") or []]  # fmt: skip
        self._send(order, str(target["packageReferenceId"]), rows, f)
        return PushResult(platform_ids=[f.order_external_id], count=1)

    # --- stock ------------------------------------------------------------------------------

    def _product_type(self, seller: str, sku: str, marketplace: str) -> str | None:
        body = self.client.call(
            "getListingsItem", "GET", LISTINGS.format(quote(seller, safe=""), quote(sku, safe="")),
            params={"marketplaceIds": marketplace, "includedData": "summaries"}, missing_ok=True,
        )  # fmt: skip
        for summary in (body or {}).get("summaries") or []:
            if summary.get("marketplaceId") == marketplace and summary.get("productType"):
                return str(summary["productType"])
        return None

    def push_stock(self, levels: list[StockLevel], *, idempotency_key: str = "") -> PushResult:
        """Absolute quantities, so a retry sets the same values again (``idempotency_key`` is
        not needed here). A SKU not listed in a marketplace is skipped there; one Amazon
        refuses (``INVALID``) fails the push with its issues once the others are sent."""
        seller = str(self._creds.get("seller_id") or "")
        if not seller:
            raise PlatformError("Amazon stock push needs the seller_id credential")
        marketplaces = self._marketplaces().split(",")
        totals: dict[str, int] = {}
        for level in levels:
            totals[level.inventory_item_id] = totals.get(level.inventory_item_id, 0) + max(
                0, level.available
            )
        pushed, refused = [], []
        for sku, quantity in sorted(totals.items()):
            for marketplace in marketplaces:
                product_type = self._product_type(seller, sku, marketplace)
                if product_type is None:
                    continue
                answer = self.client.call(
                    "patchListingsItem", "PATCH",
                    LISTINGS.format(quote(seller, safe=""), quote(sku, safe="")),
                    params={"marketplaceIds": marketplace},
                    json_body=mapping.quantity_patch(product_type, quantity),
                ) or {}  # fmt: skip
                if answer.get("status") == "ACCEPTED":
                    pushed.append(f"{sku}@{marketplace}")
                else:
                    issues = "; ".join(str(i.get("message")) for i in answer.get("issues") or [])
                    refused.append(f"{sku}@{marketplace}: {answer.get('status')} {issues}")
        if refused:
            raise PlatformError("Amazon refused stock for " + " | ".join(refused)[:1800])
        return PushResult(platform_ids=pushed, count=len(pushed))
