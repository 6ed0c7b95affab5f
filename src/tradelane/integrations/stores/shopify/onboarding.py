"""Shopify onboarding: the test call, the access scopes granted against those needed, and the
app's webhook subscriptions (GraphQL Admin API, ``client.API_VERSION``). Mixed into
``ShopifyConnector`` (``contract.Connector``'s onboarding block).

- Test call: ``shop { name myshopifyDomain currencyCode plan { publicDisplayName } }``
  (``plan.displayName`` is deprecated:
  https://shopify.dev/docs/api/admin-graphql/latest/objects/ShopPlan) and
  ``currentAppInstallation { accessScopes { handle } }``
  (https://shopify.dev/docs/api/admin-graphql/latest/objects/AppInstallation). A ``write_``
  scope includes its ``read_`` scope (https://shopify.dev/docs/api/usage/access-scopes).
- ``read_all_orders``: without it Shopify serves only the last 60 days of orders (same page).
- Webhooks: ``webhookSubscriptionCreate(topic:, webhookSubscription: {uri, format})``,
  ``webhookSubscriptions(first:)``, ``webhookSubscriptionDelete(id:)``; ``uri`` replaced the
  deprecated ``callbackUrl`` (https://shopify.dev/changelog/consolidate-webhook-graphql-surfaces).
  The mandatory compliance topics (customers/data_request, customers/redact, shop/redact) are
  not subscribed through the API: they are set in the app's configuration
  (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance).
- Versions: a stable version ``YYYY-MM`` is released at the start of that month and supported
  for at least 12 months (https://shopify.dev/docs/api/usage/versioning).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils.translation import gettext_noop

from ..contract import (
    PlatformError,
    ScopeCheck,
    Verification,
    VerificationNote,
    WebhookSubscription,
)
from ..settings_schema import settings_of
from .client import API_VERSION

VERSIONING_DOCS = "https://shopify.dev/docs/api/usage/versioning"
SUPPORT_MONTHS = 12
WEBHOOKS_PAGE = 100

VERIFY = """
query Verify {
  shop { name myshopifyDomain currencyCode plan { publicDisplayName } }
  currentAppInstallation { accessScopes { handle } }
}
"""

WEBHOOKS = """
query Webhooks($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic uri createdAt }
  }
}
"""

WEBHOOK_CREATE = """
mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic uri createdAt }
    userErrors { field message }
  }
}
"""

WEBHOOK_DELETE = """
mutation WebhookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
"""

# the topics the connector handles (connector.TOPICS), as the GraphQL enum names them -> as
# deliveries carry them in X-Shopify-Topic
TOPICS = {
    "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_CANCELLED": "orders/cancelled",
    "REFUNDS_CREATE": "refunds/create",
    "APP_UNINSTALLED": "app/uninstalled",
}

# (scope, alternatives that also grant it, needed, purpose)
FULFIL_ALTERNATIVES = ("write_assigned_fulfillment_orders", "write_third_party_fulfillment_orders")
SCOPES = (
    ("read_orders", (), True, gettext_noop("Import orders and receive order webhooks")),
    ("read_all_orders", (), True, gettext_noop(
        "Orders older than 60 days (without it only the last 60 days are imported)")),
    ("write_merchant_managed_fulfillment_orders", FULFIL_ALTERNATIVES, True,
     gettext_noop("Push tracking numbers (fulfil orders)")),
    ("write_inventory", (), False, gettext_noop("Push stock levels")),
    ("read_products", (), False, gettext_noop(
        "Import the catalog (products and variants) to propose SKU mappings")),
    ("read_locations", (), False, gettext_noop(
        "Read the store's locations to map them to our warehouses")),
)  # fmt: skip


def supported_until(version: str) -> date | None:
    """The earliest end of support of a stable version (None for ``unstable``)."""
    try:
        year, month = (int(p) for p in version.split("-"))
    except ValueError:
        return None
    return date(year + (month - 1 + SUPPORT_MONTHS) // 12, (month - 1 + SUPPORT_MONTHS) % 12 + 1, 1)


def _granted(scope: str, alternatives: tuple[str, ...], handles: set[str]) -> bool:
    implied = {scope}
    if scope.startswith("read_"):
        implied.add("write_" + scope[5:])  # a write scope includes its read scope
    return bool(handles & (implied | set(alternatives)))


class ShopifyOnboarding:
    """The onboarding block of ``ShopifyConnector`` (uses its ``client``, ``tokens`` and
    ``connection``)."""

    def verify(self) -> Verification:
        base = {
            "api_version": API_VERSION,
            "api_supported_until": supported_until(API_VERSION),
            "api_version_source": VERSIONING_DOCS,
        }
        try:
            data = self.client.execute(VERIFY)
        except PlatformError as exc:
            return Verification(ok=False, error=str(exc), **base)
        shop = data.get("shop") or {}
        installation = data.get("currentAppInstallation") or {}
        handles = {str(s.get("handle")) for s in installation.get("accessScopes") or []}
        push_stock = settings_of(self.connection).push_stock
        scopes = tuple(
            ScopeCheck(name, needed or (name == "write_inventory" and push_stock),
                       _granted(name, alts, handles), purpose)
            for name, alts, needed, purpose in SCOPES
        )  # fmt: skip
        notes = []
        if not _granted("read_all_orders", (), handles):
            notes.append(VerificationNote("warning", gettext_noop(
                "Shopify grants no read_all_orders: only the last 60 days of orders are "
                "imported. Ask for the scope in the app's configuration (Shopify approves it) "
                "if older orders matter.")))  # fmt: skip
        notes.append(VerificationNote("info", gettext_noop(
            "The mandatory compliance webhooks (customers/data_request, customers/redact, "
            "shop/redact) are set in the app's configuration (shopify.app.toml or the Dev "
            "Dashboard), not through the API: Tradelane cannot list or create them.")))  # fmt: skip
        expiry = self.tokens.expires_at()
        return Verification(
            ok=True,
            shop_name=str(shop.get("name") or ""),
            shop_domain=str(shop.get("myshopifyDomain") or ""),
            plan=str((shop.get("plan") or {}).get("publicDisplayName") or ""),
            currency=str(shop.get("currencyCode") or ""),
            scopes=scopes,
            token_expires_at=datetime.fromtimestamp(expiry, UTC) if expiry else None,
            notes=tuple(notes),
            **base,
        )

    def webhook_topics(self) -> tuple[str, ...]:
        return tuple(TOPICS)

    def webhook_delivery_topic(self, topic: str) -> str:
        return TOPICS.get(topic, topic.lower().replace("_", "/", 1))

    def list_webhooks(self) -> list[WebhookSubscription]:
        out: list[WebhookSubscription] = []
        after = None
        while True:
            data = self.client.execute(WEBHOOKS, {"first": WEBHOOKS_PAGE, "after": after})
            page = data.get("webhookSubscriptions") or {}
            out += [_subscription(n) for n in page.get("nodes") or []]
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return out
            after = info.get("endCursor")

    def create_webhook(self, topic: str, address: str) -> WebhookSubscription:
        data = self.client.execute(
            WEBHOOK_CREATE, {"topic": topic, "sub": {"uri": address, "format": "JSON"}}
        )
        payload = data.get("webhookSubscriptionCreate") or {}
        errors = payload.get("userErrors") or []
        if errors or not payload.get("webhookSubscription"):
            message = "; ".join(str(e.get("message")) for e in errors) or "no subscription"
            raise PlatformError(f"Shopify refused the {topic} webhook: {message}"[:2000])
        return _subscription(payload["webhookSubscription"])

    def delete_webhook(self, subscription_id: str) -> None:
        data = self.client.execute(WEBHOOK_DELETE, {"id": subscription_id})
        errors = (data.get("webhookSubscriptionDelete") or {}).get("userErrors") or []
        messages = [str(e.get("message")) for e in errors]
        if messages and not all("does not exist" in m for m in messages):
            raise PlatformError("; ".join(messages)[:2000])


def _subscription(node: dict) -> WebhookSubscription:
    return WebhookSubscription(
        id=str(node.get("id") or ""),
        topic=str(node.get("topic") or ""),
        address=str(node.get("uri") or ""),
        created_at=str(node.get("createdAt") or ""),
    )
