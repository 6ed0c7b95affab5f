"""The fake Shopify's shop, app installation and webhook subscriptions (``FakeShopify.onboarding``).

Serves ``shop`` (name, myshopifyDomain, currencyCode, plan.publicDisplayName),
``currentAppInstallation.accessScopes`` (the scopes this fake grants: ``FakeShopify.scopes``),
``webhookSubscriptions(first:, after:)`` and the mutations ``webhookSubscriptionCreate`` and
``webhookSubscriptionDelete``, refusing what Shopify refuses:

- the topic must be a ``WebhookSubscriptionTopic`` value, else the variable is refused before
  anything runs (a top-level error;
  https://shopify.dev/docs/api/admin-graphql/latest/enums/WebhookSubscriptionTopic);
- the address must be an HTTPS URL: "Your endpoint must be an HTTPS webhook address with a
  valid SSL certificate" (https://shopify.dev/docs/apps/build/webhooks/subscribe/https);
  another scheme is the userError ``Address protocol http:// is not supported``, a value that
  is not a URL ``Address is invalid`` (as Shopify answers it:
  https://github.com/Shopify/shopify-api-js/issues/194);
- one subscription per topic and address: the same pair again is the userError ``Address for
  this topic has already been taken`` (https://github.com/Shopify/shopify_app/issues/263);
- the compliance topics (customers/data_request, customers/redact, shop/redact) are not
  ``WebhookSubscriptionTopic`` values: they are configured in the app, not through the API
  (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance);
- deleting an id that is not there is the userError ``Webhook subscription does not exist``.
"""

from __future__ import annotations

import base64
import itertools
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .shopify_data import iso

# the topics this fake knows (a part of the enum: those a store connector may ask for)
TOPICS = frozenset({
    "APP_UNINSTALLED", "ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_PAID",
    "ORDERS_FULFILLED", "ORDERS_DELETE", "REFUNDS_CREATE", "PRODUCTS_CREATE", "PRODUCTS_UPDATE",
    "INVENTORY_LEVELS_UPDATE", "FULFILLMENT_ORDERS_HOLD_RELEASED",
})  # fmt: skip
ALL_SCOPES = (
    "read_orders", "read_all_orders", "write_merchant_managed_fulfillment_orders",
    "write_inventory", "read_products", "read_locations",
)  # fmt: skip


class FakeShopifyOnboarding:
    def __init__(self, fake, *, scopes=ALL_SCOPES, name="Fake Shop", currency="USD",
                 plan="Grow"):  # fmt: skip
        self.fake = fake
        self.scopes = list(scopes)
        self.name = name
        self.currency = currency
        self.plan = plan
        self.subscriptions: dict[str, dict] = {}  # gid -> node, in creation order
        self._ids = itertools.count(1_000_000_001)

    # --- what tests read --------------------------------------------------------------------

    def pairs(self) -> list[tuple[str, str]]:
        """(topic, address) of every subscription, sorted."""
        with self.fake.lock:
            return sorted((s["topic"], s["uri"]) for s in self.subscriptions.values())

    def drop(self, topic: str) -> None:
        """A subscription goes missing on Shopify's side (a merchant or another app removed it)."""
        with self.fake.lock:
            for gid in [g for g, s in self.subscriptions.items() if s["topic"] == topic]:
                del self.subscriptions[gid]

    # --- queries ----------------------------------------------------------------------------

    def shop(self) -> dict:
        return {"id": "gid://shopify/Shop/1", "name": self.name,
                "myshopifyDomain": self.fake.shop, "currencyCode": self.currency,
                "plan": {"publicDisplayName": self.plan, "partnerDevelopment": False,
                         "shopifyPlus": self.plan == "Plus"}}  # fmt: skip

    def installation(self) -> dict:
        return {"id": "gid://shopify/AppInstallation/1",
                "accessScopes": [{"handle": s, "description": ""}
                                 for s in self.scopes]}  # fmt: skip

    def list(self, first: int, after: str | None) -> dict:
        with self.fake.lock:
            nodes = list(self.subscriptions.values())
        start = int(base64.b64decode(after).decode()) if after else 0
        page = nodes[start : start + first]
        end = start + len(page)
        cursor = base64.b64encode(str(end).encode()).decode() if page else None
        return {"pageInfo": {"hasNextPage": end < len(nodes), "endCursor": cursor},
                "nodes": [dict(n) for n in page]}  # fmt: skip

    # --- mutations --------------------------------------------------------------------------

    def create(self, topic, sub: dict, refuse) -> dict:
        if topic not in TOPICS:
            refuse(f"Variable $topic of type WebhookSubscriptionTopic! was provided invalid "
                   f"value {topic!r}", "argumentLiteralsIncompatible")  # fmt: skip
        uri = str((sub or {}).get("uri") or (sub or {}).get("callbackUrl") or "")
        field = ["webhookSubscription", "uri"]
        parts = urlsplit(uri)
        if not parts.scheme or not parts.netloc:
            return _refused(field, "Address is invalid")
        if parts.scheme != "https":
            return _refused(field, f"Address protocol {parts.scheme}:// is not supported")
        with self.fake.lock:
            if any(s["topic"] == topic and s["uri"] == uri for s in self.subscriptions.values()):
                return _refused(field, "Address for this topic has already been taken")
            number = next(self._ids)
            now = iso(datetime.now(UTC))
            node = {"id": f"gid://shopify/WebhookSubscription/{number}", "topic": topic,
                    "uri": uri, "format": (sub or {}).get("format") or "JSON",
                    "createdAt": now, "updatedAt": now,
                    "legacyResourceId": str(number)}  # fmt: skip
            self.subscriptions[node["id"]] = node
        return {"webhookSubscription": dict(node), "userErrors": []}

    def delete(self, gid) -> dict:
        with self.fake.lock:
            if self.subscriptions.pop(str(gid or ""), None) is None:
                return {
                    "deletedWebhookSubscriptionId": None,
                    "userErrors": [
                        {"field": ["id"], "message": "Webhook subscription does not exist"}
                    ],
                }
        return {"deletedWebhookSubscriptionId": gid, "userErrors": []}


def _refused(field: list[str], message: str) -> dict:
    return {"webhookSubscription": None, "userErrors": [{"field": field, "message": message}]}
