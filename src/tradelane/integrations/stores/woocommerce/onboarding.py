"""WooCommerce onboarding: the test call, the key's permissions and the webhooks (REST API
``wc/v3``). Mixed into ``WooCommerceConnector`` (``contract.Connector``'s onboarding block).

- Test call: the WordPress REST index (``GET /wp-json/``: the site's ``name``) and
  ``GET /wp-json/wc/v3/system_status`` (``environment.site_url``, ``environment.version``,
  ``settings.currency``; https://woocommerce.github.io/woocommerce-rest-api-docs/#system-status).
- Key permissions (Read, Write or Read/Write:
  https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication): the API does not
  say which a key has. Reading is proven by the test call; writing by an empty
  ``POST /webhooks/batch``, which changes nothing but is refused for a read-only key (401
  ``woocommerce_rest_authentication_error``, "does not have write permissions": WooCommerce
  checks the permission by HTTP method before any route runs).
- Webhooks (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks): ``order.created``,
  ``order.updated``, ``order.deleted``, each with the connection's webhook secret (so
  ``X-WC-Webhook-Signature`` verifies); ``DELETE /webhooks/<id>?force=true`` (webhooks cannot be
  trashed). WooCommerce switches a webhook to ``disabled`` after repeated failed deliveries.
- Version: ``wc/v3`` has no announced end of support.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from ..contract import (
    PlatformError,
    ScopeCheck,
    Verification,
    VerificationNote,
    WebhookSubscription,
)
from .client import REST_ROOT

API_VERSION = "wc/v3"
DOCS = "https://woocommerce.github.io/woocommerce-rest-api-docs/"
TOPICS = ("order.created", "order.updated", "order.deleted")
PAGE = 100


class WooCommerceOnboarding:
    """The onboarding block of ``WooCommerceConnector`` (uses its clients and secrets)."""

    def verify(self) -> Verification:
        base = {"api_version": API_VERSION, "api_version_source": DOCS}
        try:
            index, _h = self._client_at(REST_ROOT).call("GET", "/")
            status, _h = self.client.call("GET", "/system_status")
        except PlatformError as exc:
            return Verification(ok=False, error=str(exc), **base)
        environment = (status or {}).get("environment") or {}
        settings = (status or {}).get("settings") or {}
        can_write = self._can_write()
        scopes = (
            ScopeCheck("read", True, True, gettext_noop("Import orders")),
            ScopeCheck("write", True, can_write, gettext_noop(
                "Push tracking and stock levels, create the webhooks")),
        )  # fmt: skip
        notes = []
        if can_write is False:
            notes.append(VerificationNote("error", gettext_noop(
                "The API key is read-only: Tradelane cannot create webhooks, mark orders "
                "completed or push stock. Create a Read/Write key in WooCommerce > Settings > "
                "Advanced > REST API.")))  # fmt: skip
        version = str(environment.get("version") or "")
        return Verification(
            ok=True,
            shop_name=str((index or {}).get("name") or "") if isinstance(index, dict) else "",
            shop_domain=str(environment.get("site_url") or ""),
            plan=f"WooCommerce {version}" if version else "",
            currency=str(settings.get("currency") or ""),
            scopes=scopes,
            notes=tuple(notes),
            **base,
        )

    def _can_write(self) -> bool | None:
        """An empty batch: allowed for a key that may write, refused for a read-only one."""
        try:
            self.client.call("POST", "/webhooks/batch", json_body={})
        except PlatformError as exc:
            return False if "write permissions" in str(exc) else None
        return True

    def webhook_topics(self) -> tuple[str, ...]:
        return TOPICS

    def webhook_delivery_topic(self, topic: str) -> str:
        return topic

    def list_webhooks(self) -> list[WebhookSubscription]:
        out: list[WebhookSubscription] = []
        page = 1
        while True:
            rows, headers = self.client.call(
                "GET", "/webhooks", params={"per_page": PAGE, "page": page}
            )
            out += [_subscription(r) for r in rows or []]
            if page >= int(headers.get("X-WP-TotalPages") or 0) or not rows:
                return out
            page += 1

    def create_webhook(self, topic: str, address: str) -> WebhookSubscription:
        body = {"name": f"Tradelane {topic}", "topic": topic, "delivery_url": address,
                "secret": self.secrets[0] if self.secrets else "", "status": "active"}  # fmt: skip
        row, _h = self.client.call("POST", "/webhooks", json_body=body)
        return _subscription(row or {})

    def delete_webhook(self, subscription_id: str) -> None:
        self.client.call(
            "DELETE", f"/webhooks/{subscription_id}", params={"force": "true"}, missing_ok=True
        )


def _subscription(row: dict) -> WebhookSubscription:
    return WebhookSubscription(
        id=str(row.get("id") or ""),
        topic=str(row.get("topic") or ""),
        address=str(row.get("delivery_url") or ""),
        created_at=str(row.get("date_created_gmt") or ""),
        active=str(row.get("status") or "active") == "active",
    )
