"""The fake WooCommerce's key permissions, system status and webhooks
(``FakeWooCommerce.onboarding``).

- Key permissions (https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication: a
  key is Read, Write or Read/Write): WooCommerce checks them by HTTP method before any route
  runs (``WC_REST_Authentication::check_permissions``): a read-only key's POST, PUT, PATCH or
  DELETE is 401 ``woocommerce_rest_authentication_error`` "The API key provided does not have
  write permissions." (and a write-only key's GET the same with "read"). So a read-only key
  cannot create a webhook, and an empty ``POST /webhooks/batch`` proves write access without
  changing anything.
- ``GET /system_status`` (https://woocommerce.github.io/woocommerce-rest-api-docs/#system-status):
  ``environment`` (home_url, site_url, version, wp_version...) and ``settings`` (currency...).
- Webhooks (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks): ``GET /webhooks``
  (page, per_page up to 100), ``POST /webhooks`` (name, topic, delivery_url, secret, status;
  the topic must be ``<resource>.<event>`` of a known resource, else 400
  ``woocommerce_rest_webhook_invalid_topic``; delivery_url must be a URL, else 400
  ``rest_invalid_param``), ``DELETE /webhooks/<id>`` with ``force=true`` (webhooks cannot be
  trashed: without it 501 ``woocommerce_rest_trash_not_supported``; an unknown id 404
  ``woocommerce_rest_webhook_invalid_id``). WooCommerce does not refuse two webhooks with the
  same topic and URL (the caller must look first).
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

PREFIX = "/wp-json/wc/v3"
WEBHOOK = re.compile(rf"^{PREFIX}/webhooks/(\d+)$")
RESOURCES = {"coupon", "customer", "order", "product"}
EVENTS = {"created", "updated", "deleted", "restored"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _wc_error(code: str, message: str, status: int) -> tuple[int, dict, dict]:
    return status, {"code": code, "message": message, "data": {"status": status}}, {}


class FakeWooOnboarding:
    def __init__(self, fake, *, permissions: str = "read_write", currency: str = "EUR",
                 version: str = "9.8.0"):  # fmt: skip
        assert permissions in ("read", "write", "read_write")
        self.fake = fake
        self.permissions = permissions
        self.currency = currency
        self.version = version
        self.webhooks: dict[int, dict] = {}
        self._next_id = 40

    def pairs(self) -> list[tuple[str, str]]:
        """(topic, delivery_url) of every webhook, sorted."""
        with self.fake.lock:
            return sorted((w["topic"], w["delivery_url"]) for w in self.webhooks.values())

    def drop(self, topic: str) -> None:
        with self.fake.lock:
            for wid in [i for i, w in self.webhooks.items() if w["topic"] == topic]:
                del self.webhooks[wid]

    def refuse_by_permission(self, method: str):
        """The key-permission check WooCommerce runs before routing (None: allowed)."""
        if method in WRITE_METHODS and self.permissions == "read":
            return _wc_error("woocommerce_rest_authentication_error",
                        "The API key provided does not have write permissions.", 401)  # fmt: skip
        if method in ("GET", "HEAD") and self.permissions == "write":
            return _wc_error("woocommerce_rest_authentication_error",
                        "The API key provided does not have read permissions.", 401)  # fmt: skip
        return None

    def route(self, method: str, path: str, query: dict, body):
        """A response for the onboarding routes, or None when the path is not one of them."""
        if path == f"{PREFIX}/system_status" and method == "GET":
            return 200, self._status(), {}
        if path == f"{PREFIX}/webhooks/batch" and method == "POST":
            return 200, {}, {}  # nothing to create, update or delete
        if path == f"{PREFIX}/webhooks":
            if method == "GET":
                return self._list(query)
            if method == "POST":
                return self._create(body or {})
        if (m := WEBHOOK.match(path)) and method == "DELETE":
            return self._delete(int(m.group(1)), query)
        return None

    def _status(self) -> dict:
        site = f"https://{self.fake.site}"
        return {"environment": {"home_url": site, "site_url": site, "version": self.version,
                                "wp_version": "6.8", "language": "de_DE",
                                "external_object_cache": None},
                "database": {"wc_database_version": self.version},
                "active_plugins": [], "theme": {"name": "Storefront"},
                "settings": {"api_enabled": True, "force_ssl": True, "currency": self.currency,
                             "currency_symbol": "€", "currency_position": "right_space",
                             "thousand_separator": ".", "decimal_separator": ",",
                             "number_of_decimals": 2},
                "security": {"secure_connection": True, "hide_errors": True}}  # fmt: skip

    def _list(self, q: dict):
        try:
            per_page, page = int(q.get("per_page") or 10), int(q.get("page") or 1)
        except ValueError:
            return _wc_error("rest_invalid_param", "Invalid parameter(s): per_page", 400)
        if not 1 <= per_page <= 100 or page < 1:
            return _wc_error("rest_invalid_param", "Invalid parameter(s): per_page", 400)
        with self.fake.lock:
            rows = [copy.deepcopy(w) for w in self.webhooks.values()]
        total = len(rows)
        pages = -(-total // per_page)
        chunk = rows[(page - 1) * per_page : page * per_page]
        return 200, chunk, {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}

    def _create(self, body: dict):
        topic = str(body.get("topic") or "")
        resource, _, event = topic.partition(".")
        if resource not in RESOURCES or event not in EVENTS:
            return _wc_error("woocommerce_rest_webhook_invalid_topic",
                        "Webhook topic is required and must be valid.", 400)  # fmt: skip
        url = str(body.get("delivery_url") or "")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return _wc_error("rest_invalid_param", "Invalid parameter(s): delivery_url", 400)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        with self.fake.lock:
            self._next_id += 1
            hook = {"id": self._next_id, "name": str(body.get("name") or ""),
                    "status": str(body.get("status") or "active"), "topic": topic,
                    "resource": resource, "event": event,
                    "hooks": [f"woocommerce_{'new' if event == 'created' else event}_{resource}"],
                    "delivery_url": url, "secret": str(body.get("secret") or ""),
                    "date_created_gmt": now, "date_modified_gmt": now}  # fmt: skip
            self.webhooks[hook["id"]] = hook
            return 201, copy.deepcopy(hook), {}

    def _delete(self, wid: int, q: dict):
        if str(q.get("force") or "").lower() not in ("true", "1"):
            return _wc_error("woocommerce_rest_trash_not_supported",
                        "Webhooks do not support trashing.", 501)  # fmt: skip
        with self.fake.lock:
            hook = self.webhooks.pop(wid, None)
        if hook is None:
            return _wc_error("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
        return 200, hook, {}
