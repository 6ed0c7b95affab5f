"""Shopify GraphQL Admin API client: cost-based throttling on top of ``stores.http``.

Each response carries ``extensions.cost.throttleStatus`` (maximumAvailable,
currentlyAvailable, restoreRate). The client remembers it per shop and, before a request whose
expected cost exceeds what has refilled since, sleeps until enough points are back; a
``THROTTLED`` error (HTTP 200 or 429) sleeps for the missing points and retries.
The remembered bucket is per process (an optimisation only): several processes stay correct
because a THROTTLED answer is always honoured.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..contract import PlatformError, Unavailable
from ..http import HttpClient

API_VERSION = "2025-07"
MAX_THROTTLE_RETRIES = 6

_buckets: dict[str, tuple[float, float, float, float]] = {}  # shop -> (avail, max, rate, at)
_lock = threading.Lock()


class ShopifyClient:
    def __init__(
        self,
        shop_domain: str,
        access_token: str,
        *,
        base_url: str = "",
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
    ):
        self.shop = shop_domain
        self.sleep = sleep
        self.path = f"/admin/api/{API_VERSION}/graphql.json"
        self.http = HttpClient(
            base_url or f"https://{shop_domain}",
            {"X-Shopify-Access-Token": access_token, "Content-Type": "application/json"},
            sleep=sleep,
            retries=retries,
        )
        self.throttled_sleeps: list[float] = []  # for tests and reports

    def close(self) -> None:
        self.http.close()

    def _wait_for(self, cost: float) -> None:
        with _lock:
            state = _buckets.get(self.shop)
        if state is None:
            return
        available, maximum, rate, at = state
        now_available = min(maximum, available + rate * (time.monotonic() - at))
        if now_available < cost and rate > 0:
            wait = (min(cost, maximum) - now_available) / rate
            self.throttled_sleeps.append(wait)
            self.sleep(wait)

    def _remember(self, body: dict) -> dict | None:
        status = (((body.get("extensions") or {}).get("cost") or {}).get("throttleStatus")) or None
        if status:
            with _lock:
                _buckets[self.shop] = (
                    float(status.get("currentlyAvailable") or 0),
                    float(status.get("maximumAvailable") or 0),
                    float(status.get("restoreRate") or 0),
                    time.monotonic(),
                )
        return status

    def execute(self, query: str, variables: dict | None = None, *, cost: float = 10) -> dict:
        """Run one document; return ``data``. GraphQL errors other than THROTTLED raise
        ``PlatformError``; 401/403/404 too; network and 5xx raise ``Unavailable``."""
        payload = {"query": query, "variables": variables or {}}
        for _attempt in range(MAX_THROTTLE_RETRIES + 1):
            self._wait_for(cost)
            response = self.http.post_json(self.path, payload)
            if response.status_code in (401, 403):
                raise PlatformError(f"Shopify refused the access token ({response.status_code})")
            if response.status_code >= 400:
                raise PlatformError(f"Shopify answered HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise Unavailable("Shopify sent a body that is not JSON") from None
            status = self._remember(body)
            errors = body.get("errors") or []
            if errors and any(
                ((e.get("extensions") or {}).get("code") == "THROTTLED") for e in errors
            ):
                requested = float(
                    ((body.get("extensions") or {}).get("cost") or {}).get("requestedQueryCost")
                    or cost
                )
                rate = float((status or {}).get("restoreRate") or 50) or 50
                have = float((status or {}).get("currentlyAvailable") or 0)
                wait = max(0.05, (requested - have) / rate)
                self.throttled_sleeps.append(wait)
                self.sleep(wait)
                continue
            if errors:
                raise PlatformError("; ".join(str(e.get("message")) for e in errors)[:2000])
            return body.get("data") or {}
        raise Unavailable("Shopify kept throttling", retry_after=2.0)


def user_errors(payload: dict[str, Any] | None) -> None:
    errors = (payload or {}).get("userErrors") or []
    if errors:
        raise PlatformError("; ".join(str(e.get("message")) for e in errors)[:2000])
