"""The store connector contract: what every platform (Shopify, WooCommerce, Amazon, ...) implements.

Keep this small and stable; the sync engine (``sync.py``), the webhook intake (``webhooks.py``)
and the outbox handlers (``handlers.py``) only speak to connectors through it.

A connector is built from one ``StoreConnection`` (``connector_for(connection)``); its
credentials are decrypted on demand (``connection.credentials()``), never stored in clear.

The platform-neutral order (``NeutralOrder``) is the dict that ``orders.importing`` takes
(see its module doc: store, external_id, number, placed_at, currency, payment_status, buyer,
shipping_address, totals, lines, note) plus three keys read by ``orders.platform``:

- ``platform_updated_at``: ISO 8601 with offset; the platform's own last-change time. An
  incoming order older than (or as old as) what we stored is ignored, so out-of-order
  deliveries converge to the newest state.
- ``cancelled``: bool; True cancels the order here (while it can still be cancelled).
- ``platform_status``: the platform's raw status text (shown, and filtered by the store's
  ``import_statuses`` setting for orders not seen before).
- ``fulfilled_by_platform`` (optional, default False): the platform ships this order itself
  (Amazon FBA). It is recorded as shipped from the store's ``platform_warehouse`` (a warehouse
  of kind ``platform``), with no stock movement from our own warehouses
  (``orders.services.record_platform_fulfilled``).

The ``store`` key is filled by the sync engine (the store's code); connectors may leave it out.

Errors a connector raises:

- ``Unavailable``: the platform cannot be reached or answered 5xx / 429 (``retry_after`` in
  seconds when known). The sync records a failed run; an outbox handler turns it into
  ``RetryLater``.
- ``WebhookRejected``: a webhook whose signature does not verify (the view answers 401 and
  stores nothing).
- ``PlatformError``: the platform refused the request for good (a user error; no retry helps).
- ``WebhookPing``: an unsigned handshake the platform sends when a webhook is created
  (WooCommerce's ``webhook_id=<n>`` ping): answered 200, nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from .models import StoreConnection

NeutralOrder = dict[str, Any]


class ConnectorError(Exception):
    """Base of the errors a connector raises."""


class Unavailable(ConnectorError):
    """Network failure, timeout, HTTP 5xx or 429 (after the client's own retries)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class WebhookRejected(ConnectorError):
    """The webhook's signature (or required headers) do not verify."""


class WebhookPing(ConnectorError):
    """Not an event: the platform's handshake when a webhook is saved (200, nothing stored)."""


class PlatformError(ConnectorError):
    """The platform refused the request (GraphQL userErrors, 4xx other than 429)."""


class FulfillmentWaiting(ConnectorError):
    """Part of the fulfilment cannot be pushed yet: the platform holds it (Shopify: a
    fulfilment order ON_HOLD or SCHEDULED). The message says which and why; what could be
    pushed was pushed, and the push is tried again later (not counted as a failed attempt)."""


@dataclass(frozen=True)
class OrderPage:
    """One page of orders changed since a cursor.

    ``cursor`` is where to resume once these orders are applied: the sync engine commits it
    after the page is written, so a failure mid-sync resumes from the last committed page.
    Re-reading a few orders again is harmless (they come back unchanged or stale).
    """

    orders: list[NeutralOrder]
    cursor: str
    done: bool


class EventKind:
    ORDER = "order"  # ``order`` holds the full neutral order
    REFUND = "refund"  # ``order_external_id``: re-fetch that order (payment status changed)
    UNINSTALLED = "uninstalled"  # the app was removed: disconnect
    IGNORED = "ignored"  # a topic we do not handle
    # privacy requests (Shopify's mandatory compliance webhooks): ``order_external_ids`` and
    # ``customer_email`` name the buyer's orders; the request's time is ``triggered_at``
    DATA_REQUEST = "data_request"  # the merchant is asked for what we hold on a buyer
    REDACT_CUSTOMER = "redact_customer"  # erase a buyer's personal data
    REDACT_SHOP = "redact_shop"  # erase every buyer's personal data of the store


@dataclass(frozen=True)
class WebhookEvent:
    delivery_id: str  # the platform's delivery id: the dedupe key (same across retries)
    topic: str  # the platform's topic, e.g. "orders/updated"
    kind: str = EventKind.IGNORED
    order: NeutralOrder | None = None
    order_external_id: str = ""
    triggered_at: datetime | None = None
    order_external_ids: tuple[str, ...] = ()
    customer_email: str = ""


@dataclass(frozen=True)
class WebhookEnvelope:
    """What is read from a webhook request before it is stored (signature already checked)."""

    delivery_id: str
    topic: str
    shop: str = ""
    triggered_at: datetime | None = None


@dataclass(frozen=True)
class FulfillmentLine:
    """One store line of a parcel: the store's SKU and the quantity in the store's units."""

    store_sku: str
    quantity: int


@dataclass(frozen=True)
class Fulfillment:
    """Tracking to push for one order: for the parcel's ``lines`` (a split package), or for all
    its open lines when ``lines`` is empty."""

    order_external_id: str
    tracking_company: str
    tracking_number: str
    tracking_url: str = ""
    notify_customer: bool = False
    lines: tuple[FulfillmentLine, ...] = ()
    # an update: the number the platform's fulfilments carry until now (all of them, one per
    # location for a split parcel, get the new one)
    previous_tracking_number: str = ""


@dataclass(frozen=True)
class StockLevel:
    """Available quantity of one platform inventory item at one platform location."""

    inventory_item_id: str
    location_id: str
    available: int


@dataclass
class PushResult:
    platform_ids: list[str] = field(default_factory=list)
    count: int = 0


# --- onboarding: what a connection proved, and its webhook subscriptions ---------------------
# (``onboarding/verification.py`` and ``onboarding/webhook_subscriptions.py`` use these; each
# platform implements them in its own ``<platform>/onboarding.py``.)
#
# Texts a connector writes here (``ScopeCheck.purpose``, ``VerificationNote.text``) are English
# msgids marked with ``gettext_noop``: the pages translate them (they are stored as written).


@dataclass(frozen=True)
class ScopeCheck:
    """One permission the connector needs (or may use): granted or not, and what for.

    ``name``: the platform's own word (Shopify access scope handle, WooCommerce key permission
    ``read``/``write``, Amazon API section). ``granted`` None: not known (not tried)."""

    name: str
    needed: bool
    granted: bool | None
    purpose: str = ""  # what it is for / what goes missing without it (a gettext_noop msgid)


@dataclass(frozen=True)
class VerificationNote:
    level: str  # "info", "warning", "error"
    text: str  # a gettext_noop msgid, with %(name)s placeholders filled from ``params``
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Verification:
    """What one test call against the platform proved."""

    ok: bool  # the test call answered (the credentials work)
    shop_name: str = ""
    shop_domain: str = ""
    plan: str = ""
    currency: str = ""
    scopes: tuple[ScopeCheck, ...] = ()
    api_version: str = ""
    api_supported_until: date | None = None  # None: no retirement date announced
    api_version_source: str = ""  # where the support window is documented
    token_expires_at: datetime | None = None  # None: the credential does not expire
    webhooks_supported: bool = True  # False: the platform is polled only (Amazon here)
    notes: tuple[VerificationNote, ...] = ()
    error: str = ""  # why the test call failed (the platform's words)


@dataclass(frozen=True)
class WebhookSubscription:
    """One webhook subscription as the platform lists it."""

    id: str
    topic: str  # the platform's topic, as ``webhook_topics`` names it
    address: str
    created_at: str = ""
    active: bool = True  # False: present but switched off (WooCommerce disables after failures)


class Connector(Protocol):
    platform: str

    def fetch_orders(self, since: str | None) -> Iterator[OrderPage]:
        """Orders changed since the cursor ``since`` (None: all), oldest change first."""

    def fetch_order(self, external_id: str) -> NeutralOrder | None:
        """One order, fresh (used after a refund webhook)."""

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEnvelope:
        """Check the signature over the raw body; raise ``WebhookRejected`` when it fails."""

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Turn a stored (verified) webhook into an event. Pure: no network."""

    def push_fulfillment(self, fulfillment: Fulfillment) -> PushResult:
        """Mark the order's open lines fulfilled with this tracking."""

    def update_tracking(self, fulfillment: Fulfillment) -> PushResult:
        """Change the tracking of the order's existing fulfilment (last-mile number changed)."""

    def push_stock(self, levels: list[StockLevel], *, idempotency_key: str = "") -> PushResult:
        """Set available quantities (absolute values) per inventory item and location.
        ``idempotency_key``: the same for retries of one push (the outbox message), so a
        platform that deduplicates (Shopify's @idempotent) applies it once."""

    def cursor_minus(self, cursor: str | None, seconds: int) -> str | None:
        """The cursor moved back by ``seconds`` (reconciliation re-reads an overlap)."""

    # --- onboarding (``<platform>/onboarding.py``) ---------------------------------------------

    def verify(self) -> Verification:
        """One cheap test call: the shop, its plan and currency, the permissions granted
        against those needed, the API version. A refusal is ``ok=False`` with ``error``;
        ``Unavailable`` is raised when the platform cannot be reached."""

    def webhook_topics(self) -> tuple[str, ...]:
        """The webhook topics this connector needs (empty: the platform is polled only)."""

    def webhook_delivery_topic(self, topic: str) -> str:
        """The topic as deliveries carry it (``WebhookDelivery.topic``), e.g. Shopify's
        ``ORDERS_CREATE`` is delivered as ``orders/create``."""

    def list_webhooks(self) -> list[WebhookSubscription]:
        """The app's webhook subscriptions as the platform lists them now."""

    def create_webhook(self, topic: str, address: str) -> WebhookSubscription:
        """Subscribe ``address`` to ``topic``; ``PlatformError`` when refused."""

    def delete_webhook(self, subscription_id: str) -> None:
        """Remove one subscription (already gone: no error)."""


ConnectorFactory = Callable[..., Connector]  # (connection, **options)
_registry: dict[str, ConnectorFactory] = {}


def register(platform: str) -> Callable[[ConnectorFactory], ConnectorFactory]:
    """Register the connector class (or factory) of a platform (``orders.Store.Platform``)."""

    def add(factory: ConnectorFactory) -> ConnectorFactory:
        _registry[platform] = factory
        return factory

    return add


def platforms() -> list[str]:
    return sorted(_registry)


def connector_for(connection: StoreConnection, **options: Any) -> Connector:
    """The connector of a connection; ``options`` go to its constructor (e.g. ``retries=0``
    for a call a person waits for)."""
    try:
        factory = _registry[connection.platform]
    except KeyError:
        raise PlatformError(f"No connector for the platform {connection.platform!r}") from None
    return factory(connection, **options)


# --- catalog onboarding: the store's locations and products (``onboarding/``) -----------------
# A separate block: connecting a store discovers its locations (mapped to our warehouses) and
# reads its products and variants (to propose SKU mappings and record the platform inventory
# item ids that stock push needs). Each platform implements it in its own ``catalog.py``.


@dataclass(frozen=True)
class PlatformLocation:
    """A place the platform keeps stock (Shopify: a Location; WooCommerce: the one implicit
    location; Amazon: a marketplace, for merchant-fulfilled quantities)."""

    location_id: str
    name: str
    country: str = ""  # ISO 3166-1 alpha-2, when the platform says
    active: bool = True
    fulfills_online_orders: bool = True


@dataclass(frozen=True)
class PlatformVariant:
    """One sellable variant of the store's catalog."""

    variant_id: str  # the platform's id of the variant (the upsert key)
    inventory_item_id: str  # what stock push names (``StockLevel.inventory_item_id``)
    sku: str
    barcode: str = ""
    title: str = ""  # the variant's own title ("Red / XL"), or the product's if it has none
    product_title: str = ""


class CatalogConnector(Protocol):
    def list_locations(self) -> list[PlatformLocation]:
        """Every location of the store, active or not."""

    def iter_products(self) -> Iterator[list[PlatformVariant]]:
        """The whole catalog, one platform page of variants at a time."""

    def count_variants(self) -> int | None:
        """How many variants ``iter_products`` will yield, when the platform says (progress)."""


def catalog_connector_for(connection: StoreConnection) -> CatalogConnector:
    connector = connector_for(connection)
    if not hasattr(connector, "iter_products"):
        raise PlatformError(f"The {connection.platform} connector cannot read a catalog")
    return connector  # type: ignore[return-value]
