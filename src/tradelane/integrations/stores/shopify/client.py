"""Shopify GraphQL Admin API client: the pinned API version, the access token, cost-based
throttling, on top of ``stores.http``.

``API_VERSION`` is the one place the version is named; everything else (the fake's webhook
header included) reads it from here.

Cost (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): the client computes
each document's requested cost by the published rule (``cost.requested_cost``) and refuses to
send one above 1,000 points (Shopify would answer ``MAX_COST_EXCEEDED``). Each response carries
``extensions.cost`` (requestedQueryCost, actualQueryCost, throttleStatus {maximumAvailable,
currentlyAvailable, restoreRate}); the client remembers the throttle status per shop and, before
a request costing more than what has been restored since, sleeps until enough points are back;
a ``THROTTLED`` error (HTTP 200 or 429) sleeps for the missing points and retries. The
remembered bucket is per process (an optimisation only): several processes stay correct because
a THROTTLED answer is always honoured.

Access tokens (``auth.py``): a static Admin API token, or a client-credentials token that is
fetched and refreshed before it expires; a 401 with the latter fetches a new one once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..contract import PlatformError, Unavailable
from ..http import HttpClient
from . import cost as query_cost

API_VERSION = "2026-10"
GRAPHQL_PATH = f"/admin/api/{API_VERSION}/graphql.json"
MAX_THROTTLE_RETRIES = 6
WAIT_MARGIN_S = 0.01  # a hair more than the refill needs (rounding on either side)

_buckets: dict[str, tuple[float, float, float, float]] = {}  # shop -> (avail, max, rate, at)
_lock = threading.Lock()


class CostExceeded(PlatformError):
    """A document above Shopify's single-query limit (refused before it is sent, or by Shopify
    with ``MAX_COST_EXCEEDED``)."""


class ShopifyClient:
    def __init__(
        self,
        shop_domain: str,
        access_token: str | Callable[[], str],
        *,
        base_url: str = "",
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        on_unauthorized: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.shop = shop_domain
        self.sleep = sleep
        self.clock = clock  # the bucket's refill is reckoned on it
        self.path = GRAPHQL_PATH
        self._token = access_token if callable(access_token) else (lambda: access_token)
        self._on_unauthorized = on_unauthorized
        self.http = HttpClient(
            base_url or f"https://{shop_domain}",
            {"Content-Type": "application/json"},
            sleep=sleep,
            retries=retries,
        )
        self.throttled_sleeps: list[float] = []  # for tests and reports
        self.last_cost: dict = {}  # the last response's ``extensions.cost``

    def close(self) -> None:
        self.http.close()

    def _wait_for(self, cost: float) -> None:
        with _lock:
            state = _buckets.get(self.shop)
        if state is None:
            return
        available, maximum, rate, at = state
        now_available = min(maximum, available + rate * (self.clock() - at))
        if now_available < cost and rate > 0:
            wait = (min(cost, maximum) - now_available) / rate + WAIT_MARGIN_S
            self.throttled_sleeps.append(wait)
            self.sleep(wait)

    def _remember(self, body: dict) -> dict | None:
        self.last_cost = (body.get("extensions") or {}).get("cost") or {}
        status = self.last_cost.get("throttleStatus") or None
        if status:
            with _lock:
                _buckets[self.shop] = (
                    float(status.get("currentlyAvailable") or 0),
                    float(status.get("maximumAvailable") or 0),
                    float(status.get("restoreRate") or 0),
                    self.clock(),
                )
        return status

    def _post(self, payload: dict):
        headers = {"X-Shopify-Access-Token": self._token()}
        response = self.http.request("POST", self.path, json=payload, headers=headers)
        if response.status_code == 401 and self._on_unauthorized is not None:
            self._on_unauthorized()  # a client-credentials token expired early: fetch anew
            headers = {"X-Shopify-Access-Token": self._token()}
            response = self.http.request("POST", self.path, json=payload, headers=headers)
        return response

    def execute(self, query: str, variables: dict | None = None) -> dict:
        """Run one document; return ``data``. GraphQL errors other than THROTTLED raise
        ``PlatformError`` (``CostExceeded`` above the cost limit); 401/403/404 too; network
        and 5xx raise ``Unavailable``."""
        variables = variables or {}
        cost = query_cost.requested_cost(query, variables)
        if cost > query_cost.MAX_QUERY_COST:
            raise CostExceeded(
                f"Query cost is {cost}, above Shopify's single query limit "
                f"({query_cost.MAX_QUERY_COST})"
            )
        payload = {"query": query, "variables": variables}
        waited = False  # after a THROTTLED answer's sleep, ask again at once
        for _attempt in range(MAX_THROTTLE_RETRIES + 1):
            if not waited:
                self._wait_for(cost)
            waited = False
            response = self._post(payload)
            if response.status_code in (401, 403):
                raise PlatformError(f"Shopify refused the access token ({response.status_code})")
            if response.status_code == 404:
                raise PlatformError(
                    f"Shopify answered 404 for API version {API_VERSION} (retired or wrong shop)"
                )
            if response.status_code >= 400:
                raise PlatformError(f"Shopify answered HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise Unavailable("Shopify sent a body that is not JSON") from None
            status = self._remember(body)
            errors = body.get("errors") or []
            codes = {((e.get("extensions") or {}).get("code")) for e in errors}
            if "THROTTLED" in codes:
                requested = float(self.last_cost.get("requestedQueryCost") or cost)
                rate = float((status or {}).get("restoreRate") or 50) or 50
                have = float((status or {}).get("currentlyAvailable") or 0)
                wait = max(0.05, (requested - have) / rate)
                self.throttled_sleeps.append(wait)
                self.sleep(wait)
                waited = True
                continue
            if errors:
                message = "; ".join(str(e.get("message")) for e in errors)[:2000]
                if "MAX_COST_EXCEEDED" in codes:
                    raise CostExceeded(message)
                raise PlatformError(message)
            return body.get("data") or {}
        raise Unavailable("Shopify kept throttling", retry_after=2.0)

    def download(self, url: str) -> Any:
        """Stream a bulk operation's JSONL result (a signed URL: no access token is sent)."""
        return self.http.stream_lines(url)


def user_errors(payload: dict[str, Any] | None) -> None:
    errors = (payload or {}).get("userErrors") or []
    if errors:
        raise PlatformError("; ".join(str(e.get("message")) for e in errors)[:2000])
