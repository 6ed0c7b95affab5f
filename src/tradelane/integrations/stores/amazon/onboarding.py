"""Amazon SP-API onboarding: the test call and which API sections (roles) answer. Mixed into
``AmazonConnector`` (``contract.Connector``'s onboarding block).

- Test call: ``getMarketplaceParticipations`` (Sellers API v1,
  https://developer-docs.amazon.com/sp-api/docs/sellers-api-v1-reference): the store name and,
  per marketplace, its id, country, default currency and whether the seller participates. It
  needs no role.
- "Scopes" are the roles granted to the app
  (https://developer-docs.amazon.com/sp-api/docs/roles-in-the-selling-partner-api): an
  operation of a section the app has no role for answers 403 ``Unauthorized``. Each section the
  connector uses is probed with one read of an id that does not exist: 404 means the section
  answers, 403 that the role is missing. Orders (import, confirmShipment); Listings Items
  (stock push; needs ``seller_id``).
- No webhooks: Amazon's Notifications API delivers to Amazon SQS or EventBridge destinations,
  not to an HTTPS address, so this connector polls (``sync_interval_minutes``).
- Versions: Orders API v2026-01-01, Listings Items 2021-08-01, Sellers v1; no retirement date
  is announced for them (https://developer-docs.amazon.com/sp-api/docs/sp-api-deprecation-schedule).
"""

from __future__ import annotations

from urllib.parse import quote

from django.utils.translation import gettext_noop

from ..contract import (
    PlatformError,
    ScopeCheck,
    Verification,
    VerificationNote,
    WebhookSubscription,
)
from ..settings_schema import settings_of
from .client import USAGE_PLANS

API_VERSION = "Orders v2026-01-01"
DOCS = "https://developer-docs.amazon.com/sp-api/docs/sp-api-deprecation-schedule"
PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
PROBE_ORDER = "/orders/2026-01-01/orders/000-0000000-0000000"
PROBE_SKU = "TRADELANE-VERIFY-PROBE"
# the Sellers API usage plan (sellers_v1.json): 0.016 requests per second, burst 15
USAGE_PLANS.setdefault("getMarketplaceParticipations", (0.016, 15))


class AmazonOnboarding:
    """The onboarding block of ``AmazonConnector`` (uses its ``client`` and credentials)."""

    def verify(self) -> Verification:
        base = {"api_version": API_VERSION, "api_version_source": DOCS,
                "webhooks_supported": False}  # fmt: skip
        try:
            body = self.client.call("getMarketplaceParticipations", "GET", PARTICIPATIONS) or {}
        except PlatformError as exc:
            return Verification(ok=False, error=str(exc), **base)
        rows = body.get("payload") or []
        markets = {str((r.get("marketplace") or {}).get("id")): r for r in rows}
        wanted = list(self.marketplaces) or list(markets)[:1]
        notes = []
        for mid in self.marketplaces:
            row = markets.get(mid)
            if row is None or not (row.get("participation") or {}).get("isParticipating"):
                notes.append(VerificationNote("error", gettext_noop(
                    "The store names marketplace %(id)s, but the seller does not sell there."),
                    {"id": mid}))  # fmt: skip
        if not self.marketplaces:
            notes.append(
                VerificationNote(
                    "error",
                    gettext_noop(
                        "The store names no marketplace (marketplace_ids): nothing can be imported."
                    ),
                )
            )
        first = (markets.get(wanted[0]) or {}) if wanted else {}
        market = first.get("marketplace") or {}
        push_stock = settings_of(self.connection).push_stock
        scopes = (
            ScopeCheck("sellers", True, True, gettext_noop("The test call (Sellers API)")),
            ScopeCheck("orders", True, self._answers("getOrder", PROBE_ORDER, {}),
                       gettext_noop("Import orders and confirm shipments (Orders API)")),
            ScopeCheck("listings", push_stock, self._listings(wanted),
                       gettext_noop("Push stock levels (Listings Items API)")),
        )  # fmt: skip
        notes.append(VerificationNote("info", gettext_noop(
            "Amazon sends no order webhooks to an HTTPS address (its Notifications API "
            "delivers to Amazon SQS or EventBridge): orders are polled every %(n)s minutes."),
            {"n": str(settings_of(self.connection).sync_interval_minutes)}))  # fmt: skip
        return Verification(
            ok=True,
            shop_name=str(first.get("storeName") or ""),
            shop_domain=", ".join(
                str((markets[m].get("marketplace") or {}).get("domainName") or m)
                for m in wanted
                if m in markets
            ),
            plan=", ".join(
                f"{m} ({(markets[m].get('marketplace') or {}).get('countryCode', '')})"
                for m in wanted
                if m in markets
            ),
            currency=str(market.get("defaultCurrencyCode") or ""),
            scopes=scopes,
            notes=tuple(notes),
            **base,
        )

    def _answers(self, operation: str, path: str, params: dict) -> bool | None:
        """True: the section answered (404 for the probe id); False: 403 (no role)."""
        try:
            self.client.call(operation, "GET", path, params=params, missing_ok=True)
        except PlatformError as exc:
            return False if "HTTP 403" in str(exc) else None
        return True

    def _listings(self, marketplaces: list[str]) -> bool | None:
        seller = self._creds.get("seller_id") or ""
        if not seller or not marketplaces:
            return None
        path = f"/listings/2021-08-01/items/{quote(seller, safe='')}/{PROBE_SKU}"
        return self._answers("getListingsItem", path, {"marketplaceIds": marketplaces[0]})

    def webhook_topics(self) -> tuple[str, ...]:
        return ()

    def webhook_delivery_topic(self, topic: str) -> str:
        return topic

    def list_webhooks(self) -> list[WebhookSubscription]:
        return []

    def create_webhook(self, topic: str, address: str) -> WebhookSubscription:
        raise PlatformError("Amazon delivers notifications to SQS or EventBridge, not HTTPS")

    def delete_webhook(self, subscription_id: str) -> None:
        return None
